package dev.jdgram.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real programs the examples are tested with; skips a test when one is missing. */
public final class Tools {
  /** Generous: the machine that runs the tests may be busy. */
  public static final long WAIT_SECONDS = 30;

  private Tools() {}

  /** @return the program's path on the PATH, or null */
  public static Path which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    return null;
  }

  /**
   * Skips the test (with the package to install) when {@code tool} is not on the PATH; .ci/run
   * installs every one of them, so CI does not skip.
   */
  public static void need(String tool, String debianPackage) {
    assumeTrue(which(tool) != null, tool + " is not installed (apt-get install " + debianPackage
        + "); skipping");
  }

  /** The output and exit code of a finished program. */
  public record Result(int exit, String output) {}

  /** Runs a program to its end (bounded), standard error merged into the output. */
  public static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, null);
  }

  /** Runs a program to its end (bounded) with its standard input read from a file. */
  public static Result run(List<String> command, Path stdin)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("jdgram-tool", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      if (stdin != null) {
        pb.redirectInput(stdin.toFile());
      }
      Process p = pb.start();
      if (stdin == null) {
        p.getOutputStream().close();
      }
      boolean ended = p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
      if (!ended) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      assertTrue(ended, "still running after " + WAIT_SECONDS + " s: " + command + "\n" + text);
      return new Result(p.exitValue(), text);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * @return a UDP port that was free a moment ago (for a peer that cannot report the port it
   *     bound, such as socat listening on a group): the kernel's choice, released at once
   */
  public static int freeUdpPort() throws IOException {
    try (java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open()) {
      ch.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      return ((java.net.InetSocketAddress) ch.getLocalAddress()).getPort();
    }
  }

  /** @return true once some IPv4 UDP socket is bound to {@code port} (from /proc/net/udp) */
  public static boolean udpPortBound(int port) throws IOException {
    String hex = String.format(":%04X ", port);
    return Files.readAllLines(Path.of("/proc/net/udp")).stream().skip(1)
        .map(String::strip).map(l -> l.split("\\s+")[1] + " ").anyMatch(a -> a.endsWith(hex));
  }

  /** Runs a program that must succeed, and returns its output. */
  public static String check(String... command) throws IOException, InterruptedException {
    Result r = run(List.of(command));
    assertTrue(r.exit() == 0, String.join(" ", command) + " exited " + r.exit() + ":\n"
        + r.output());
    return r.output();
  }
}
