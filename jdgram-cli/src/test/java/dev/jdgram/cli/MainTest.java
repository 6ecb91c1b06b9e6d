package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Runs {@code jdgram} in-process through picocli, with its output captured. Loopback only. */
@Timeout(30)
class MainTest {

  /** One in-process run: exit code, standard output, standard error. */
  private record Run(int exitCode, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit code " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run jdgram(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.newCommandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** @return the index of the first line from {@code from} on that starts with {@code prefix} */
  private static int indexOf(Run run, String prefix, int from) {
    List<String> lines = run.lines();
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "' after line " + from
        + " in\n" + run);
  }

  @Test
  void demoWalksThroughTheFirstExampleInOrder() {
    Run run = jdgram("demo");

    assertEquals(0, run.exitCode(), run::toString);
    assertEquals("", run.err(), run::toString);
    int listening = indexOf(run, "[socket] server: listening on 127.0.0.1:", 0);
    int clientListening = indexOf(run, "[socket] client: listening on ", listening);
    int connect = indexOf(run, "[socket] client: connect to 127.0.0.1:", clientListening);
    int serverMessage = indexOf(run,
        "[socket] server: message \"hello from the client\" rinfo {address: 127.0.0.1, "
            + "family: IPv4, port: ", connect);
    int clientMessage = indexOf(run,
        "[socket] client: message \"hello from the server\" rinfo {address: 127.0.0.1, "
            + "family: IPv4, port: ", serverMessage);
    assertTrue(run.lines().subList(clientMessage, run.lines().size())
        .containsAll(List.of("[socket] client: close", "[socket] server: close")), run::toString);
    // the server's 'listening' names the port the client then connects to
    String port = run.lines().get(listening).replaceAll(".*:", "");
    assertTrue(run.lines().get(connect).endsWith("127.0.0.1:" + port), run::toString);
    // every event line is tagged with its layer
    for (String line : run.lines()) {
      assertTrue(line.startsWith("== ") || line.matches("\\[(socket|handle|loop|kernel)] +"
          + "(server|client|member|sender): .+"), () -> "untagged line '" + line + "' in\n" + run);
    }
  }

  @Test
  void demoReportsABusyPortAsOneLineAndExitCode1() throws Exception {
    DgramSocket holder = Dgram.createSocket("udp4");
    CountDownLatch bound = new CountDownLatch(1);
    holder.bind(0, "127.0.0.1", bound::countDown);
    assertTrue(bound.await(10, TimeUnit.SECONDS), "the port holder did not bind");
    int port = holder.address().port();
    try {
      Run run = jdgram("demo", "--port", Integer.toString(port));

      assertEquals(1, run.exitCode(), run::toString);
      assertEquals("jdgram: bind EADDRINUSE 127.0.0.1:" + port, run.err().strip(), run::toString);
    } finally {
      CountDownLatch closed = new CountDownLatch(1);
      holder.close(closed::countDown);
      closed.await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void demoFeedRunsTheMulticastFeedOnLoopback() {
    Run run = jdgram("demo", "--feed", "--rate", "5000", "--count", "5000");

    assertEquals(0, run.exitCode(), run::toString);
    assertTrue(run.out().contains("to 239.255.77.1:"), run::toString);
    assertTrue(run.out().contains("via 127.0.0.1 (TTL 0)"), run::toString);
    assertTrue(run.out().contains("feed: done: sent 5000, received 5000, gaps 0 (0 missing), "
        + "late 0"), run::toString);
  }

  @Test
  void demoSimPlaysMulticastAcrossARouterOnASimulatedNetwork() {
    Run run = jdgram("demo", "--sim", "--seed", "7");

    assertEquals(0, run.exitCode(), run::toString);
    String out = run.out();
    int report = out.indexOf("IGMPv2 report 239.255.42.99");
    int learn = out.indexOf("member of 239.255.42.99", report);
    int forward = out.indexOf("forward 239.255.42.99 onto eth1", learn);
    int message = out.indexOf("message \"hello, group\"", forward);
    assertTrue(report >= 0 && learn > report && forward > learn && message > forward, run::toString);
    assertTrue(out.contains("on lan3: 0"), run::toString); // not forwarded where no member is
  }

  @Test
  void unknownOptionIsBadUsage() {
    Run run = jdgram("demo", "--no-such-option");

    assertEquals(2, run.exitCode(), run::toString);
    assertTrue(run.err().startsWith("jdgram: Unknown option: '--no-such-option'"), run::toString);
    assertEquals("", run.out(), run::toString);
  }

  @Test
  void unknownTopLevelOptionAndMissingCommandAreBadUsage() {
    assertEquals(2, jdgram("--no-such-option").exitCode());
    assertEquals(2, jdgram().exitCode());
    assertEquals(2, jdgram("no-such-command").exitCode());
  }

  @Test
  void badPortIsBadUsage() {
    Run run = jdgram("demo", "--port", "70000");

    assertEquals(2, run.exitCode(), run::toString);
    assertTrue(run.err().contains("70000"), run::toString);
  }

  @Test
  void helpAndVersion() {
    Run help = jdgram("--help");
    assertEquals(0, help.exitCode(), help::toString);
    assertTrue(help.out().contains("demo"), help::toString);

    Run demoHelp = jdgram("demo", "--help");
    assertEquals(0, demoHelp.exitCode(), demoHelp::toString);
    assertTrue(demoHelp.out().contains("--port"), demoHelp::toString);

    Run version = jdgram("--version");
    assertEquals(0, version.exitCode(), version::toString);
    assertTrue(version.out().startsWith("jdgram 0."), version::toString);
  }
}
