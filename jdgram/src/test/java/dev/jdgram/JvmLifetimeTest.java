package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.lifetime.RefSocketMain;
import dev.jdgram.lifetime.TimerMain;
import dev.jdgram.lifetime.UnrefSocketMain;
import dev.jdgram.lifetime.UnrefTimerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Process lifetime follows Node: the default loop keeps the JVM alive after {@code main} returns
 * while it has a referenced handle (a bound socket that is not unref()ed, a referenced timer),
 * and lets it exit when the last one closes or is unreferenced. Each case runs a small main class
 * in a child JVM; every child is destroyed in a finally block and every wait has a limit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JvmLifetimeTest {
  /** How long a child may take to start and print its first line (JVM start-up included). */
  private static final long START_MS = 10_000;
  /** How long a child may take to exit once nothing keeps it alive. */
  private static final long EXIT_MS = 5_000;

  /** A child JVM, its standard output as lines, its standard error collected. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final StringBuffer stderr = new StringBuffer();
    final List<String> allLines = new ArrayList<>();

    Child(Class<?> main) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElseThrow(
          () -> new AssertionError("cannot find this JVM's java command")));
      String hosts = System.getProperty("jdk.net.hosts.file");
      if (hosts != null) {
        cmd.add("-Djdk.net.hosts.file=" + hosts);
      }
      String transport = System.getProperty("jdgram.transport");
      if (transport != null) {
        cmd.add("-Djdgram.transport=" + transport);
      }
      cmd.add("--enable-native-access=ALL-UNNAMED");
      cmd.add("-Xmx128m");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(main.getName());
      process = new ProcessBuilder(cmd).start();
      process.getOutputStream().close();
      Thread.ofPlatform().daemon(true).name("child-out").start(() -> pump(process.getInputStream(), true));
      Thread.ofPlatform().daemon(true).name("child-err").start(() -> pump(process.getErrorStream(), false));
    }

    private void pump(InputStream in, boolean out) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (out) {
            synchronized (allLines) {
              allLines.add(line);
            }
            lines.add(line);
          } else {
            stderr.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    }

    /** The next line of standard output that starts with {@code prefix}, within a limit. */
    String expectLine(String prefix, long limitMs) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
        if (line == null) {
          fail("the child printed no line starting with \"" + prefix + "\" within " + limitMs
              + " ms" + describe());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    /** Waits up to {@code limitMs} for the child to exit; @return true if it did. */
    boolean exitsWithin(long limitMs) throws InterruptedException {
      return process.waitFor(limitMs, TimeUnit.MILLISECONDS);
    }

    String describe() {
      synchronized (allLines) {
        return "\nchild stdout: " + allLines + "\nchild stderr: " + stderr;
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(EXIT_MS, TimeUnit.MILLISECONDS);
    }
  }

  private static void assertExitsCleanly(Child child, long limitMs, String why) throws InterruptedException {
    long t0 = System.nanoTime();
    boolean exited = child.exitsWithin(limitMs);
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(exited, why + ": the child is still alive " + limitMs + " ms later" + child.describe());
    assertEquals(0, child.process.exitValue(), "exit code after " + took + " ms" + child.describe());
  }

  @Test
  void unrefdBoundSocketLetsTheJvmExitAfterMainReturns() throws Exception {
    try (Child child = new Child(UnrefSocketMain.class)) {
      String bound = child.expectLine("bound", START_MS);
      int port = Integer.parseInt(bound.substring("bound ".length()).trim());
      assertTrue(port > 0, bound);
      assertExitsCleanly(child, EXIT_MS, "main returned with only an unref()ed socket");
    }
  }

  @Test
  void referencedBoundSocketKeepsTheJvmAliveUntilItCloses() throws Exception {
    OnTransport.skipOnSim("the child JVM has its own simulated world, which this JVM's real socket cannot reach");
    try (Child child = new Child(RefSocketMain.class);
         java.net.DatagramSocket sender = new java.net.DatagramSocket(0, loopback())) {
      String line = child.expectLine("port ", START_MS);
      int port = Integer.parseInt(line.substring("port ".length()).trim());
      // main has returned; only the bound, referenced socket can keep the JVM up.
      assertFalse(child.exitsWithin(1_000),
          "the child exited although a referenced socket was bound" + child.describe());
      assertTrue(child.process.isAlive());
      byte[] close = "close".getBytes(StandardCharsets.UTF_8);
      sender.send(new DatagramPacket(close, close.length, loopback(), port));
      child.expectLine("closing", EXIT_MS);
      assertExitsCleanly(child, EXIT_MS, "the only referenced socket closed");
    }
  }

  @Test
  void referencedTimerKeepsTheJvmAliveUntilItFires() throws Exception {
    try (Child child = new Child(TimerMain.class)) {
      child.expectLine("scheduled", START_MS);
      // The 500 ms timer was set before "scheduled" was printed: at ~250 ms it is still pending.
      assertFalse(child.exitsWithin(250),
          "the child exited before its referenced timer fired" + child.describe());
      String fired = child.expectLine("fired", EXIT_MS);
      long firedAfter = Long.parseLong(fired.substring("fired ".length()).trim());
      assertTrue(firedAfter >= 499, "the timer fired after " + firedAfter + " ms");
      assertExitsCleanly(child, EXIT_MS, "the only referenced timer fired");
    }
  }

  @Test
  void unrefdTimerLetsTheJvmExitBeforeItFires() throws Exception {
    try (Child child = new Child(UnrefTimerMain.class)) {
      child.expectLine("scheduled", START_MS);
      assertExitsCleanly(child, EXIT_MS, "main returned with only an unref()ed 30 s timer");
      synchronized (child.allLines) {
        assertFalse(child.allLines.contains("fired"), "the unref()ed timer fired" + child.describe());
      }
    }
  }

  private static InetAddress loopback() throws IOException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
  }
}
