package dev.jdgram.cli;

import dev.jdgram.DgramSocket;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram echo PORT}: sends every datagram back to its sender, with a live line of
 * counters on standard error when it is a terminal.
 */
@Command(
    name = "echo",
    description = {
      "An echo server: send every datagram that arrives on PORT back to its sender.",
      "When standard error is a terminal (or with --stats), a live line there counts datagrams, "
          + "bytes and drops (replies not sent: a send error, or more than --max-queue replies "
          + "already waiting). Ctrl-C stops it with a summary.",
      "",
      "Examples:",
      "  jdgram echo 7007",
      "  jdgram echo 7007 --bind ::1",
    })
final class EchoCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "PORT", description = "The UDP port (0: any free port).")
  int port;

  @Option(names = {"-b", "--bind"}, paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "The local address to bind. Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--stats", negatable = true,
      description = "Show the live counters line even when standard error is not a terminal "
          + "(--no-stats: never). Default: when standard error is a terminal.")
  Boolean stats;

  @Option(names = {"-t", "--timeout"}, paramLabel = "MILLIS", defaultValue = "0",
      description = "Stop after MILLIS ms (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}.")
  long timeoutMillis;

  @Option(names = "--max-queue", paramLabel = "N", defaultValue = "1024",
      description = "Drop a reply when N replies already wait to be sent. "
          + "Default: ${DEFAULT-VALUE}.")
  int maxQueue;

  @Option(names = {"-q", "--quiet"}, description = "No status lines on standard error.")
  boolean quiet;

  private final AtomicLong datagrams = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong drops = new AtomicLong();
  private final long started = System.nanoTime();

  @Override
  public Integer call() {
    checkPort(port, "PORT");
    checkNotNegative(timeoutMillis, "--timeout");
    checkPositive(maxQueue, "--max-queue");
    checkIp(bind, "--bind");
    PrintWriter err = err();
    DgramSocket socket = createSocket(bind, false);
    Terminal.StatusLine status = null;
    try (Session session = new Session()) {
      socket.onError(session::fail);
      socket.onMessage((msg, rinfo) -> {
        datagrams.incrementAndGet();
        bytes.addAndGet(msg.length);
        if (socket.getSendQueueCount() >= maxQueue) {
          drops.incrementAndGet();
          return;
        }
        socket.send(msg, rinfo.port(), rinfo.address(), (e, n) -> {
          if (e != null) {
            drops.incrementAndGet();
          }
        });
      });
      bindAndWait(socket, port, bind);
      if (!quiet) {
        err.println("echo: listening on " + endpoint(socket.address()) + " (Ctrl-C to stop)");
        err.flush();
      }
      if (stats != null ? stats : !quiet && Terminal.stderrIsTerminal()) {
        status = new Terminal.StatusLine(err, this::counters, 200);
      }
      Session.End end = session.await(timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
      if (status != null) {
        status.stop();
      }
      closeAndWait(socket);
      if (!quiet || end == Session.End.INTERRUPTED) {
        err.println("echo: " + counters() + " in " + String.format("%.1f",
            (System.nanoTime() - started) / 1e9) + " s");
        err.flush();
      }
      session.rethrowFailure();
      return session.exitCode(0);
    } finally {
      if (status != null) {
        status.stop();
      }
      closeQuietly(socket);
    }
  }

  private String counters() {
    return "datagrams " + datagrams.get() + "  bytes " + bytes.get() + "  drops " + drops.get();
  }
}
