package dev.jdgram.cli;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram ping HOST PORT}: round trips against an echo server, like {@code ping}.
 *
 * <p>Each probe carries a session number, its sequence number and its send time (24 bytes,
 * then zeros up to {@code -s}); a reply counts when it carries this session's number.
 */
@Command(
    name = "ping",
    description = {
      "Measure round trips to an echo server (jdgram echo, or any UDP echo) like ping: a line "
          + "per reply, then the loss and min/p50/p99/p99.9/max round-trip times.",
      "Exit code 0 when at least one reply came back, 3 when none did.",
      "",
      "Examples:",
      "  jdgram ping 127.0.0.1 7007",
      "  jdgram ping 127.0.0.1 7007 -c 100 -i 10 -s 1200",
    })
final class PingCommand extends CliCommand {
  static final int HEADER = 24;

  @Parameters(index = "0", paramLabel = "HOST", description = "The echo server's address.")
  String host;

  @Parameters(index = "1", paramLabel = "PORT", description = "The echo server's port.")
  int port;

  @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "0",
      description = "Stop after N probes (0: until Ctrl-C). Default: ${DEFAULT-VALUE}.")
  long count;

  @Option(names = {"-i", "--interval"}, paramLabel = "MILLIS", defaultValue = "1000",
      description = "Wait MILLIS ms between probes. Default: ${DEFAULT-VALUE}.")
  long intervalMillis;

  @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "56",
      description = "The probe size, " + HEADER + " to 65507 bytes. Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(names = {"-W", "--timeout"}, paramLabel = "MILLIS", defaultValue = "2000",
      description = "After the last probe, wait MILLIS ms for the replies still out. "
          + "Default: ${DEFAULT-VALUE}.")
  long timeoutMillis;

  @Option(names = {"-q", "--quiet"}, description = "Only the summary, no line per reply.")
  boolean quiet;

  private final long nonce = ThreadLocalRandom.current().nextLong();
  private final ConcurrentHashMap<Long, Long> outstanding = new ConcurrentHashMap<>();
  private final Latencies rtts = new Latencies();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile long sent;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw usageError("Invalid value for PORT: " + port + " is not a port (1 to 65535)");
    }
    checkNotNegative(count, "--count");
    checkNotNegative(intervalMillis, "--interval");
    checkPositive(timeoutMillis, "--timeout");
    if (size < HEADER || size > 65507) {
      throw usageError("Invalid value for option '--size': " + size + " (" + HEADER
          + " to 65507)");
    }
    PrintWriter out = out();
    PrintWriter err = err();
    DgramSocket socket = createSocket(isIpLiteral(host) ? host : null, false);
    long started = System.nanoTime();
    try (Session session = new Session()) {
      socket.onError(e -> {
        errors.incrementAndGet();
        synchronized (err) {
          err.println("jdgram: " + e.getMessage() + (("ECONNREFUSED").equals(e.code())
              ? " (nothing listens on " + endpoint(host, port) + "?)" : ""));
          err.flush();
        }
      });
      socket.onMessage((msg, rinfo) -> reply(out, msg, rinfo.address(), rinfo.port()));
      connect(socket);
      out.println("PING " + endpoint(host, port) + ": " + size + " bytes");
      out.flush();
      byte[] probe = new byte[size];
      ByteBuffer b = ByteBuffer.wrap(probe);
      for (long seq = 0; count == 0 || seq < count; seq++) {
        if (seq > 0 && session.sleep(Duration.ofMillis(intervalMillis))) {
          break;
        }
        if (session.isOver()) {
          break;
        }
        long now = System.nanoTime();
        b.putLong(0, nonce).putLong(8, seq).putLong(16, now);
        outstanding.put(seq, now);
        if (seq >= 4096) {
          outstanding.remove(seq - 4096); // long lost: keep the table bounded
        }
        sent = seq + 1;
        socket.send(probe.clone(), (e, n) -> {
          if (e != null) {
            errors.incrementAndGet();
          }
        });
      }
      if (!session.isOver() && received.get() < sent) {
        // the replies still out, bounded by --timeout; Ctrl-C cuts it short
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (received.get() < sent && !session.isOver() && System.nanoTime() < deadline) {
          session.sleep(Duration.ofMillis(10));
        }
      }
      closeAndWait(socket);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      long got = received.get();
      long n = sent;
      synchronized (out) {
        out.println("--- " + endpoint(host, port) + " ping statistics ---");
        out.println(n + " sent, " + got + " received, "
            + String.format("%.1f", n == 0 ? 0.0 : 100.0 * (n - got) / n) + "% loss"
            + (errors.get() > 0 ? ", " + errors.get() + " errors" : "") + ", time " + elapsed
            + " ms");
        synchronized (rtts) {
          out.println(rtts.summary());
        }
        out.flush();
      }
      return session.exitCode(got > 0 || n == 0 ? 0 : Main.EXIT_TIMEOUT);
    } finally {
      closeQuietly(socket);
    }
  }

  private void connect(DgramSocket socket) throws InterruptedException {
    CountDownLatch connected = new CountDownLatch(1);
    AtomicReference<DgramException> error = new AtomicReference<>();
    socket.connect(port, host, e -> {
      error.set(e);
      connected.countDown();
    });
    if (!connected.await(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new CliException("connect " + endpoint(host, port) + " did not complete in "
          + SETUP_TIMEOUT.toMillis() + " ms");
    }
    if (error.get() != null) {
      throw error.get();
    }
  }

  /** On the loop thread. */
  private void reply(PrintWriter out, byte[] msg, String address, int fromPort) {
    long now = System.nanoTime();
    if (msg.length < HEADER) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(msg);
    if (b.getLong(0) != nonce) {
      return;
    }
    long seq = b.getLong(8);
    Long sentAt = outstanding.remove(seq);
    if (sentAt == null) {
      return; // a duplicate, or one given up on
    }
    long rtt = now - sentAt;
    synchronized (rtts) {
      rtts.add(rtt);
    }
    received.incrementAndGet();
    if (!quiet) {
      synchronized (out) {
        out.println(msg.length + " bytes from " + endpoint(address, fromPort) + ": seq=" + seq
            + " time=" + Latencies.millis(rtt) + " ms");
        out.flush();
      }
    }
  }
}
