package dev.jdgram.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server from Debian, started by a test in the foreground on a loopback port with no
 * upstream, and stopped when the test ends (also when it fails). Its output goes to a log file
 * that a failure message can show.
 */
final class Daemon implements AutoCloseable {
  private final Process process;
  private final Path log;

  private Daemon(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * @return the program's path, or skips the test with the reason: locally a tool may be missing;
   *     CI installs it (.ci/run), so there it never skips
   */
  static String require(String program, String debianPackage) {
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    assumeTrue(false, program + " is not installed (Debian package " + debianPackage + "; .ci/run installs it)");
    return null;
  }

  static Daemon start(Path dir, String name, List<String> command) throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    return new Daemon(pb.start(), log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A loopback port free for UDP and TCP both (a DNS server takes both), found by binding port
   * 0. Another process may take it before the daemon does: callers retry on a failed start.
   */
  static int freePort() throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, 0))) {
        port = udp.getLocalPort();
      }
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.bind(new InetSocketAddress(lo, port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free loopback port");
  }
}
