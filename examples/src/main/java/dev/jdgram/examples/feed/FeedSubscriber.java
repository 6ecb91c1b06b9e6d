package dev.jdgram.examples.feed;

import dev.jdgram.Datagram;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Subscribes to a sequenced multicast feed (see {@link FeedPublisher}) and reports, every
 * interval: how many datagrams arrived and at what rate, the gaps in the sequence (what was
 * lost on the way, or is still to come out of order), late datagrams, and how many the kernel
 * dropped because this socket's receive buffer was full ({@link DgramSocket#getRecvDropCount}):
 * a gap with as many kernel drops means the subscriber was too slow, a gap without means the
 * loss was upstream.
 *
 * <p>It reads each datagram in place ({@link DgramSocket#onDatagram}): no copy and no
 * allocation per datagram. Its counters are touched on the loop thread only, and published to
 * other threads in {@link FeedReport} snapshots.
 */
public final class FeedSubscriber implements AutoCloseable {
  /** Room for bursts: at 100 000 datagrams/s of 64 bytes, tens of milliseconds. */
  private static final int RECV_BUFFER = 4 << 20;

  private final FeedScope scope;
  private final long reportMillis;
  private final Consumer<FeedReport> onReport;
  private final DgramSocket socket;
  private Timer reporter;
  private long received;
  private long lastReported;
  private long lastReportNanos;
  private long expected;
  private long gaps;
  private long missing;
  private long late;
  /** Written on the loop thread only; volatile so that a waiting thread can watch it. */
  private volatile long highest = -1;
  private volatile FeedReport latest = new FeedReport(0, 0, 0, 0, 0, 0, 0, -1);

  /**
   * @param scope the group, port (0: any), and the interface to join on
   * @param reportMillis how often to report
   * @param onReport called on the loop thread with each report
   */
  public FeedSubscriber(FeedScope scope, long reportMillis, Consumer<FeedReport> onReport) {
    this.scope = scope;
    this.reportMillis = reportMillis;
    this.onReport = onReport;
    this.socket = Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true)
        .recvBufferSize(RECV_BUFFER));
    socket.onDatagram(this::receive);
  }

  /**
   * Binds to the group's address (so that only the group's datagrams arrive) and joins it on
   * the interface.
   *
   * @return the port, once listening
   */
  public CompletableFuture<Integer> start() {
    CompletableFuture<Integer> started = new CompletableFuture<>();
    socket.onError(started::completeExceptionally);
    socket.bind(scope.port(), scope.group(), () -> {
      socket.addMembership(scope.group(), scope.interfaceAddress());
      lastReportNanos = System.nanoTime();
      reporter = socket.loop().setInterval(this::report, reportMillis);
      started.complete(socket.address().port());
    });
    return started;
  }

  /** @return the highest sequence number received so far, -1 before the first (any thread) */
  public long highestSequence() {
    return highest;
  }

  /** @return the last report (any thread) */
  public FeedReport latest() {
    return latest;
  }

  /**
   * Reports now, on the loop thread.
   *
   * @return the report
   */
  public CompletableFuture<FeedReport> reportNow() {
    CompletableFuture<FeedReport> r = new CompletableFuture<>();
    socket.loop().execute(() -> r.complete(report()));
    return r;
  }

  @Override
  public void close() {
    socket.loop().execute(() -> {
      if (reporter != null) {
        reporter.cancel();
      }
      socket.close();
    });
  }

  private void receive(Datagram d) {
    if (d.size() < FeedPublisher.HEADER) {
      return;
    }
    long seq = d.data().getLong(0);
    received++;
    if (seq == expected) {
      expected++;
    } else if (seq > expected) {
      gaps++;
      missing += seq - expected;
      expected = seq + 1;
    } else {
      late++;
      // A late datagram fills a hole counted as missing (or is a duplicate; this simple
      // subscriber cannot tell them apart without remembering the holes).
      if (missing > 0) {
        missing--;
      }
    }
    if (seq > highest) {
      highest = seq;
    }
  }

  private FeedReport report() {
    long now = System.nanoTime();
    long drops;
    try {
      drops = socket.getRecvDropCount();
    } catch (DgramException e) {
      drops = -1; // ENOTSUP on the nio transport
    }
    FeedReport r = new FeedReport(received, received - lastReported,
        (now - lastReportNanos) / 1_000_000, gaps, missing, late, drops, highest);
    lastReported = received;
    lastReportNanos = now;
    latest = r;
    onReport.accept(r);
    return r;
  }
}
