package dev.jdgram.cli;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram bench rx|tx|pingpong}: quick throughput and latency tests.
 *
 * <p>Every bench datagram starts with a {@value #HEADER}-byte header: the magic {@code JDGB}
 * (4 bytes), the kind (1 byte: data, end, probe; 3 bytes padding), the run's random id, the
 * sequence number, the send time ({@link System#nanoTime()}) and the number of datagrams the
 * run will send (big-endian longs). {@code tx} ends a run with three {@code end} datagrams whose
 * sequence number is the count sent, so that {@code rx} knows how many it missed.
 */
@Command(
    name = "bench",
    description = {
      "Quick throughput and latency tests, with a progress bar on standard error (when it is a "
          + "terminal, or with --progress) and a summary.",
      "",
      "Examples:",
      "  jdgram bench rx 6000                      # in one terminal",
      "  jdgram bench tx 127.0.0.1 6000 -n 1000000  # in another: throughput, drops",
      "  jdgram echo 7007 &  jdgram bench pingpong 127.0.0.1 7007 -n 100000 -w 8",
    },
    subcommands = {BenchCommand.Rx.class, BenchCommand.Tx.class, BenchCommand.PingPong.class})
final class BenchCommand extends CliCommand {
  static final int MAGIC = 0x4A444742; // "JDGB"
  static final byte DATA = 0;
  static final byte END = 1;
  static final byte PROBE = 2;
  static final int HEADER = 40;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing mode: rx, tx or pingpong");
  }

  static void header(ByteBuffer b, byte kind, long run, long seq, long time, long total) {
    b.putInt(0, MAGIC).put(4, kind).putLong(8, run).putLong(16, seq).putLong(24, time)
        .putLong(32, total);
  }

  static boolean isBench(ByteBuffer b) {
    return b.capacity() >= HEADER && b.getInt(0) == MAGIC;
  }

  /** @return {@code 12.3 MB/s} for {@code bytes} in {@code nanos} */
  static String mbps(long bytes, long nanos) {
    return String.format("%.1f MB/s", nanos <= 0 ? 0.0 : bytes / 1e6 / (nanos / 1e9));
  }

  /** @return {@code 123456 dgram/s} for {@code n} datagrams in {@code nanos} */
  static String rate(long n, long nanos) {
    return String.format("%.0f dgram/s", nanos <= 0 ? 0.0 : n / (nanos / 1e9));
  }

  static String percentiles(Latencies l) {
    if (l.count() == 0) {
      return "latency: no round trips";
    }
    return "latency ms: min " + Latencies.millis(l.min()) + "  p50 "
        + Latencies.millis(l.percentile(50)) + "  p90 " + Latencies.millis(l.percentile(90))
        + "  p99 " + Latencies.millis(l.percentile(99)) + "  p99.9 "
        + Latencies.millis(l.percentile(99.9)) + "  max " + Latencies.millis(l.max());
  }

  /** The options every mode has. */
  abstract static class Mode extends CliCommand {
    @Option(names = "--progress", negatable = true,
        description = "Show the progress bar even when standard error is not a terminal "
            + "(--no-progress: never). Default: when standard error is a terminal.")
    Boolean progress;

    @Option(names = {"-d", "--duration"}, paramLabel = "MILLIS", defaultValue = "10000",
        description = "Stop after MILLIS ms at most. Default: ${DEFAULT-VALUE}.")
    long durationMillis;

    boolean showProgress() {
      return progress != null ? progress : Terminal.stderrIsTerminal();
    }

    Terminal.StatusLine progressLine(java.util.function.Supplier<String> text) {
      return showProgress() ? new Terminal.StatusLine(err(), text, 200) : null;
    }

    static void stop(Terminal.StatusLine line) {
      if (line != null) {
        line.stop();
      }
    }

    void println(String line) {
      PrintWriter out = out();
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    }
  }

  /** {@code bench rx PORT}: counts what a {@code bench tx} sends. */
  @Command(name = "rx", description = {
      "Receive a 'jdgram bench tx' run on PORT and report datagrams/s, MB/s and drops (what tx "
          + "sent that never arrived). Ends when tx's run ends, after --duration, or on Ctrl-C."})
  static final class Rx extends Mode {
    @Parameters(index = "0", paramLabel = "PORT", description = "The UDP port (0: any).")
    int port;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDR", defaultValue = "127.0.0.1",
        description = "The local address to bind. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--recv-buffer", paramLabel = "BYTES", defaultValue = "0",
        description = "SO_RCVBUF (0: the system's default). Default: ${DEFAULT-VALUE}.")
    int recvBuffer;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private volatile long total = -1;
    private volatile long expected = -1;
    private volatile long firstAt;
    private volatile long lastAt;
    private long run;
    private long maxSeq = -1;

    @Override
    public Integer call() {
      checkPort(port, "PORT");
      checkNotNegative(durationMillis, "--duration");
      checkIp(bind, "--bind");
      DgramSocket socket = createSocket(bind, false);
      Terminal.StatusLine bar = null;
      try (Session session = new Session()) {
        socket.onError(session::fail);
        socket.onMessage((msg, rinfo) -> onData(msg, session));
        bindAndWait(socket, port, bind);
        if (recvBuffer > 0) {
          socket.setRecvBufferSize(recvBuffer);
        }
        err().println("bench rx: listening on " + endpoint(socket.address()));
        err().flush();
        bar = progressLine(this::status);
        Session.End end = session.await(durationMillis == 0 ? null
            : Duration.ofMillis(durationMillis));
        stop(bar);
        closeAndWait(socket);
        long n = received.get();
        long span = lastAt - firstAt;
        println("bench rx: " + n + " datagrams, " + bytes.get() + " bytes in "
            + String.format("%.3f", span / 1e9) + " s: " + rate(n, span) + ", "
            + mbps(bytes.get(), span));
        long sent = expected >= 0 ? expected : total;
        println("bench rx: drops " + (sent < 0 ? "unknown (no end from tx)" : Math.max(0, sent - n)
            + " of " + sent + (sent > 0 ? String.format(" (%.2f%%)",
                100.0 * Math.max(0, sent - n) / sent) : ""))
            + ", reordered " + reordered.get()
            + (end == Session.End.TIMEOUT ? " (stopped after --duration)" : ""));
        session.rethrowFailure();
        return session.exitCode(n > 0 ? 0 : Main.EXIT_TIMEOUT);
      } finally {
        stop(bar);
        closeQuietly(socket);
      }
    }

    /** On the loop thread. */
    private void onData(byte[] msg, Session session) {
      ByteBuffer b = ByteBuffer.wrap(msg);
      if (!isBench(b)) {
        return;
      }
      long id = b.getLong(8);
      if (run == 0) {
        run = id;
      } else if (id != run) {
        return; // another run's stragglers
      }
      long seq = b.getLong(16);
      if (b.get(4) == END) {
        expected = seq;
        session.done();
        return;
      }
      long now = System.nanoTime();
      if (received.get() == 0) {
        firstAt = now;
      }
      lastAt = now;
      total = b.getLong(32);
      if (seq < maxSeq) {
        reordered.incrementAndGet();
      } else {
        maxSeq = seq;
      }
      received.incrementAndGet();
      bytes.addAndGet(msg.length);
    }

    private String status() {
      long n = received.get();
      long t = total;
      long span = lastAt - firstAt;
      long drops = Math.max(0, maxSeq + 1 - n);
      return "rx " + Terminal.bar(t > 0 ? (double) n / t : 0, 30) + " " + n
          + (t > 0 ? "/" + t : "") + "  " + rate(n, span) + "  " + mbps(bytes.get(), span)
          + "  drops " + drops;
    }
  }

  /** {@code bench tx HOST PORT}: sends as fast as it may to a {@code bench rx}. */
  @Command(name = "tx", description = {
      "Send -n datagrams of -s bytes to a 'jdgram bench rx' at HOST:PORT as fast as possible "
          + "(or at --rate), and report datagrams/s, MB/s and send errors."})
  static final class Tx extends Mode {
    @Parameters(index = "0", paramLabel = "HOST", description = "The receiver's address.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "The receiver's port.")
    int port;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "100000",
        description = "Datagrams to send. Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64",
        description = "Datagram size, " + HEADER + " to 65507. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
        description = "At most N datagrams a second (0: as fast as possible). "
            + "Default: ${DEFAULT-VALUE}.")
    long rateLimit;

    @Option(names = {"-w", "--window"}, paramLabel = "N", defaultValue = "256",
        description = "At most N sends waiting for their callback. Default: ${DEFAULT-VALUE}.")
    int window;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<DgramException> firstError = new AtomicReference<>();
    private volatile long startedAt;

    @Override
    public Integer call() throws InterruptedException {
      checkPort(port, "PORT");
      checkPositive(count, "--count");
      checkPositive(durationMillis, "--duration");
      checkNotNegative(rateLimit, "--rate");
      checkPositive(window, "--window");
      if (size < HEADER || size > 65507) {
        throw usageError("Invalid value for option '--size': " + size + " (" + HEADER
            + " to 65507)");
      }
      DgramSocket socket = createSocket(isIpLiteral(host) ? host : null, false);
      Terminal.StatusLine bar = null;
      ArrayBlockingQueue<byte[]> pool = new ArrayBlockingQueue<>(window);
      for (int i = 0; i < window; i++) {
        pool.add(new byte[size]);
      }
      long run = ThreadLocalRandom.current().nextLong() | 1;
      try (Session session = new Session()) {
        socket.onError(e -> {
          errors.incrementAndGet();
          firstError.compareAndSet(null, e);
        });
        bindAndWait(socket, 0, null);
        startedAt = System.nanoTime();
        bar = progressLine(this::status);
        long deadline = startedAt + TimeUnit.MILLISECONDS.toNanos(durationMillis);
        long seq = 0;
        for (; seq < count && !session.isOver(); seq++) {
          long now = System.nanoTime();
          if (now > deadline) {
            break;
          }
          if (rateLimit > 0) {
            long due = startedAt + (long) (seq * 1e9 / rateLimit);
            if (due > now && session.sleep(Duration.ofNanos(due - now))) {
              break;
            }
          }
          byte[] buf = pool.poll(Math.max(1, (deadline - now) / 1_000_000), TimeUnit.MILLISECONDS);
          if (buf == null) {
            break; // the window did not open before the deadline
          }
          header(ByteBuffer.wrap(buf), DATA, run, seq, System.nanoTime(), count);
          socket.send(buf, port, host, (e, n) -> {
            if (e != null) {
              errors.incrementAndGet();
              firstError.compareAndSet(null, e);
            } else {
              sent.incrementAndGet();
            }
            pool.add(buf);
          });
        }
        // wait (bounded) for every callback: all buffers back in the pool
        long waitUntil = System.nanoTime() + SETUP_TIMEOUT.toNanos();
        while (pool.size() < window && System.nanoTime() < waitUntil) {
          Thread.sleep(1);
        }
        long elapsed = System.nanoTime() - startedAt;
        stop(bar);
        byte[] end = new byte[HEADER];
        header(ByteBuffer.wrap(end), END, run, sent.get(), System.nanoTime(), count);
        CountDownLatch ends = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
          socket.send(end.clone(), port, host, (e, n) -> ends.countDown());
          Thread.sleep(10);
        }
        ends.await(1, TimeUnit.SECONDS);
        closeAndWait(socket);
        long n = sent.get();
        println("bench tx: " + n + " datagrams of " + size + " bytes sent in "
            + String.format("%.3f", elapsed / 1e9) + " s: " + rate(n, elapsed) + ", "
            + mbps(n * size, elapsed) + ", send errors " + errors.get()
            + (seq < count ? " (stopped after " + seq + " of " + count + ")" : ""));
        if (n == 0 && firstError.get() != null) {
          throw firstError.get();
        }
        return session.exitCode(0);
      } finally {
        stop(bar);
        closeQuietly(socket);
      }
    }

    private String status() {
      long n = sent.get();
      long span = System.nanoTime() - startedAt;
      double f = Math.max((double) n / count, span / 1e6 / durationMillis);
      return "tx " + Terminal.bar(f, 30) + String.format(" %3d%% ", (int) (f * 100)) + n + "/"
          + count + "  " + rate(n, span) + "  " + mbps(n * size, span) + "  errors "
          + errors.get();
    }
  }

  /** {@code bench pingpong HOST PORT}: round trips against an echo server. */
  @Command(name = "pingpong", description = {
      "Round trips against an echo server (jdgram echo) at HOST:PORT, -w at a time: round "
          + "trips/s, MB/s, lost probes and latency percentiles."})
  static final class PingPong extends Mode {
    @Parameters(index = "0", paramLabel = "HOST", description = "The echo server's address.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "The echo server's port.")
    int port;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "10000",
        description = "Round trips. Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64",
        description = "Probe size, " + HEADER + " to 65507. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = {"-w", "--window"}, paramLabel = "N", defaultValue = "1",
        description = "Probes out at a time. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = {"-W", "--timeout"}, paramLabel = "MILLIS", defaultValue = "1000",
        description = "A probe not answered in MILLIS ms is lost. Default: ${DEFAULT-VALUE}.")
    long timeoutMillis;

    private final Map<Long, Long> outstanding = new ConcurrentHashMap<>();
    private final Latencies rtts = new Latencies();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile long sentCount;
    private volatile long startedAt;
    private Semaphore permits;
    private long run;

    @Override
    public Integer call() throws InterruptedException {
      if (port < 1 || port > 65535) {
        throw usageError("Invalid value for PORT: " + port + " is not a port (1 to 65535)");
      }
      checkPositive(count, "--count");
      checkPositive(durationMillis, "--duration");
      checkPositive(window, "--window");
      checkPositive(timeoutMillis, "--timeout");
      if (size < HEADER || size > 65507) {
        throw usageError("Invalid value for option '--size': " + size + " (" + HEADER
            + " to 65507)");
      }
      run = ThreadLocalRandom.current().nextLong() | 1;
      permits = new Semaphore(window);
      DgramSocket socket = createSocket(isIpLiteral(host) ? host : null, false);
      Terminal.StatusLine bar = null;
      try (Session session = new Session()) {
        socket.onError(e -> errors.incrementAndGet()); // ECONNREFUSED: probes get lost
        socket.onMessage((msg, rinfo) -> onReply(msg));
        bindAndWait(socket, 0, null);
        startedAt = System.nanoTime();
        bar = progressLine(this::status);
        long deadline = startedAt + TimeUnit.MILLISECONDS.toNanos(durationMillis);
        long seq = 0;
        while (seq < count && !session.isOver() && System.nanoTime() < deadline) {
          if (!permits.tryAcquire(Math.min(timeoutMillis, 100), TimeUnit.MILLISECONDS)) {
            expire();
            continue;
          }
          byte[] probe = new byte[size];
          long now = System.nanoTime();
          header(ByteBuffer.wrap(probe), PROBE, run, seq, now, count);
          outstanding.put(seq, now);
          sentCount = ++seq;
          socket.send(probe, port, host, (e, n) -> {
            if (e != null) {
              errors.incrementAndGet();
            }
          });
        }
        long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!outstanding.isEmpty() && !session.isOver() && System.nanoTime() < waitUntil) {
          Thread.sleep(1);
        }
        lost.addAndGet(outstanding.size());
        outstanding.clear();
        long elapsed = System.nanoTime() - startedAt;
        stop(bar);
        closeAndWait(socket);
        long n = answered.get();
        println("bench pingpong: " + n + " round trips of " + size + " bytes in "
            + String.format("%.3f", elapsed / 1e9) + " s (window " + window + "): "
            + String.format("%.0f round trips/s", n / (elapsed / 1e9)) + ", "
            + mbps(2 * n * size, elapsed) + ", lost " + lost.get() + " of " + sentCount
            + (errors.get() > 0 ? ", errors " + errors.get() : ""));
        synchronized (rtts) {
          println("bench pingpong: " + percentiles(rtts));
        }
        return session.exitCode(n > 0 ? 0 : Main.EXIT_TIMEOUT);
      } finally {
        stop(bar);
        closeQuietly(socket);
      }
    }

    /** Probes out longer than --timeout are lost; their permits come back. */
    private void expire() {
      long limit = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      for (Iterator<Map.Entry<Long, Long>> it = outstanding.entrySet().iterator();
          it.hasNext();) {
        Map.Entry<Long, Long> e = it.next();
        if (e.getValue() < limit && outstanding.remove(e.getKey(), e.getValue())) {
          lost.incrementAndGet();
          permits.release();
        }
      }
    }

    /** On the loop thread. */
    private void onReply(byte[] msg) {
      long now = System.nanoTime();
      ByteBuffer b = ByteBuffer.wrap(msg);
      if (!isBench(b) || b.getLong(8) != run) {
        return;
      }
      Long sentAt = outstanding.remove(b.getLong(16));
      if (sentAt == null) {
        return;
      }
      synchronized (rtts) {
        rtts.add(now - sentAt);
      }
      answered.incrementAndGet();
      permits.release();
    }

    private String status() {
      long n = answered.get();
      long span = System.nanoTime() - startedAt;
      double f = Math.max((double) n / count, span / 1e6 / durationMillis);
      long p50;
      synchronized (rtts) {
        p50 = rtts.count() == 0 ? -1 : rtts.percentile(50);
      }
      return "pingpong " + Terminal.bar(f, 30) + String.format(" %3d%% ", (int) (f * 100)) + n
          + "/" + count + "  " + String.format("%.0f rt/s", span <= 0 ? 0.0 : n / (span / 1e9))
          + "  p50 " + Latencies.millis(p50) + " ms  lost " + lost.get();
    }
  }
}
