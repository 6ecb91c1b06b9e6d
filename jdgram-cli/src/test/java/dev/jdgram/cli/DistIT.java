package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacks the self-contained tarball (built in the package phase by src/build/JlinkDist.java)
 * with tar, as a user would, and runs its {@code bin/jdgram} through a symbolic link in an
 * environment with no {@code java} on the PATH and no {@code JAVA_HOME}: the bundled runtime
 * must be all it needs. Loopback only.
 */
@Timeout(120)
class DistIT {
  private static final long WAIT_SECONDS = 30;
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path tmp;
  private Path launcher;
  private Path pathDir;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void unpack() throws Exception {
    assumeFalse(Boolean.getBoolean("jdgram.dist.skip"), "the tarball was skipped "
        + "(-Djdgram.dist.skip)");
    String arch = tool("uname", "-m").strip();
    String name = "jdgram-" + System.getProperty("jdgram.version") + "-linux-" + arch;
    Path tarball = Path.of(System.getProperty("jdgram.dist.dir"), name + ".tar.gz");
    assertTrue(Files.isRegularFile(tarball), "no tarball named after uname -m: " + tarball);

    Path install = Files.createDirectories(tmp.resolve("opt"));
    tool("tar", "-xzf", tarball.toString(), "-C", install.toString());
    Path home = install.resolve(name);
    assertTrue(Files.isExecutable(home.resolve("bin/jdgram")), "bin/jdgram is not executable");
    assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")), "no bundled java");

    // The PATH holds only the link to the launcher and the one tool the launcher uses to follow
    // it (readlink); there is no java anywhere on it.
    pathDir = Files.createDirectories(tmp.resolve("path"));
    launcher = Files.createSymbolicLink(pathDir.resolve("jdgram"), home.resolve("bin/jdgram"));
    Files.createSymbolicLink(pathDir.resolve("readlink"), Path.of(which("readlink")));
    assertFalse(Files.exists(pathDir.resolve("java")));
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void versionRunsOnTheBundledRuntime() throws Exception {
    Process p = jdgram(tmp.resolve("version.out"), "--version");
    assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "jdgram --version still running");
    String out = Files.readString(tmp.resolve("version.out"));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.startsWith("jdgram " + System.getProperty("jdgram.version") + "\n"), out);
    assertTrue(out.contains("Java 25"), out);
    assertTrue(out.contains("transport: default"), out);
    // The linux transport's FFM calls ran with native access granted: no JDK warning.
    assertFalse(out.contains("WARNING"), out);
  }

  @Test
  void transportFromTheEnvironment() throws Exception {
    Path out = tmp.resolve("nio.out");
    Process p = start(out, out, Map.of("JDGRAM_TRANSPORT", "nio"), "--version");
    assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "jdgram --version still running");
    assertEquals(0, p.exitValue(), () -> read(out));
    assertTrue(read(out).contains("transport: nio"), () -> read(out));
  }

  @Test
  void listenAndSendRoundTrip() throws Exception {
    Path listenOut = tmp.resolve("listen.out");
    Path listenErr = tmp.resolve("listen.err");
    Process listen = start(listenOut, listenErr, "listen", "0", "--count", "2", "--timeout",
        "60000");
    int port = waitForPort(listen, listenErr);

    Path sendOut = tmp.resolve("send.out");
    Process send = jdgram(sendOut, "send", "127.0.0.1", String.valueOf(port), "hello", "tarball");
    assertTrue(send.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "jdgram send still running");
    assertEquals(0, send.exitValue(), () -> read(sendOut));

    assertTrue(listen.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), () -> "listen still running:\n"
        + read(listenOut) + read(listenErr));
    String received = read(listenOut);
    assertEquals(0, listen.exitValue(), () -> received + read(listenErr));
    assertTrue(received.matches("(?s).* 127\\.0\\.0\\.1:\\d+ 5 bytes: hello\n"
        + ".* 127\\.0\\.0\\.1:\\d+ 7 bytes: tarball\n"), received);
  }

  // ------------------------------------------------------------------ helpers

  private Process jdgram(Path out, String... args) throws IOException {
    return start(out, out, Map.of(), args);
  }

  private Process start(Path out, Path err, String... args) throws IOException {
    return start(out, err, Map.of(), args);
  }

  private Process start(Path out, Path err, Map<String, String> extraEnv, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile());
    if (err.equals(out)) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(err.toFile());
    }
    Map<String, String> env = pb.environment();
    env.remove("JAVA_HOME");
    env.remove("JDGRAM_JAVA_OPTS");
    env.remove("JDGRAM_TRANSPORT");
    env.put("PATH", pathDir.toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    p.getOutputStream().close();
    processes.add(p);
    return p;
  }

  private static int waitForPort(Process p, Path err) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(read(err));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertTrue(p.isAlive(), () -> "listen ended: " + read(err));
      Thread.sleep(50);
    }
    throw new AssertionError("no 'listening on' line in " + WAIT_SECONDS + " s: " + read(err));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Runs a tool of the machine (tar, uname) and returns its output; it must succeed. */
  private static String tool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), command[0] + " still running");
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static String which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError(name + " is not on the PATH");
  }
}
