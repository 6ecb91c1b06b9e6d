package dev.jdgram.examples.feed;

import dev.jdgram.DatagramBatch;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.loop.Timer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes a sequenced feed to a multicast group at a steady rate, as a market-data feed
 * handler does: every datagram has the same size and starts with its sequence number, so that
 * subscribers see what they missed.
 *
 * <p>Datagrams go out in {@link DatagramBatch}es of up to 64: all the same size, so on the
 * linux transport each batch is one {@code UDP_SEGMENT} (GSO) send, one system call for 64
 * datagrams; elsewhere one {@code sendmmsg} or a loop. Pacing: a timer every
 * {@link #TICK_MILLIS} sends what the rate allows since the last tick (a token bucket), in as
 * many batches as are free. After a stall (a pause of the JVM, a busy machine) it does not send
 * everything it owes at once: the bucket holds {@link #BURST_TICKS} ticks' worth at most, so a
 * burst never exceeds what the subscribers' receive buffers were sized for.
 * A batch cannot change while the kernel has it, so a few are kept and reused in turn: nothing
 * is allocated per datagram.
 *
 * <p>Datagram layout ({@link #HEADER} bytes, then padding to the size):
 * <pre>
 *  0               8               16
 *  +---------------+---------------+-----------------
 *  | sequence (BE) | nanoTime (BE) | padding ...
 *  +---------------+---------------+-----------------
 * </pre>
 *
 * <p>Everything but the constructor and {@link #start} runs on the loop thread.
 */
public final class FeedPublisher implements AutoCloseable {
  /** Sequence number and send time, 8 bytes each. */
  public static final int HEADER = 16;
  static final int TICK_MILLIS = 5;
  static final int BURST_TICKS = 4;
  private static final int PER_BATCH = 64;
  /** Batches that may be with the kernel at once; a tick that finds none free waits. */
  private static final int BATCHES = 16;

  private final FeedScope scope;
  private final long rate;
  private final long count;
  private final int size;
  private final DgramSocket socket;
  private final ArrayDeque<DatagramBatch> free = new ArrayDeque<>();
  private final byte[] datagram;
  private final CompletableFuture<Long> done = new CompletableFuture<>();
  private Timer ticker;
  private long lastTickNanos;
  /** Datagrams the rate allows now (the token bucket), at most {@link #burst}. */
  private double allowance;
  private final double burst;
  private long next;
  private long sent;
  private int inFlight;

  /**
   * @param scope the group, port (not 0), interface and TTL
   * @param rate datagrams per second
   * @param count how many to send in all
   * @param size bytes per datagram, {@link #HEADER} at least
   */
  public FeedPublisher(FeedScope scope, long rate, long count, int size) {
    if (size < HEADER || size > 1472) {
      throw new IllegalArgumentException("size must be " + HEADER + " to 1472: " + size);
    }
    if (rate <= 0 || count <= 0 || scope.port() <= 0) {
      throw new IllegalArgumentException("rate, count and port must be positive");
    }
    this.scope = scope;
    this.rate = rate;
    this.count = count;
    this.size = size;
    this.datagram = new byte[size];
    this.burst = Math.max(PER_BATCH, rate * TICK_MILLIS * BURST_TICKS / 1000.0);
    this.socket = Dgram.createSocket("udp4");
    for (int i = 0; i < BATCHES; i++) {
      free.add(new DatagramBatch(PER_BATCH, PER_BATCH * size));
    }
  }

  /**
   * Binds to the interface's address, pins the multicast interface and TTL, and starts sending.
   *
   * @return completes with the number of datagrams the kernel took, once all are sent
   */
  public CompletableFuture<Long> start() {
    socket.onError(this::fail);
    socket.bind(0, scope.interfaceAddress(), () -> {
      socket.setMulticastInterface(scope.interfaceAddress());
      socket.setMulticastTTL(scope.ttl());
      lastTickNanos = System.nanoTime();
      allowance = 1;
      ticker = socket.loop().setInterval(this::tick, TICK_MILLIS);
      tick();
    });
    return done;
  }

  /** Stops sending (what is with the kernel still goes) and closes the socket. */
  @Override
  public void close() {
    socket.loop().execute(() -> {
      if (ticker != null) {
        ticker.cancel();
      }
      socket.close(() -> {
        // The batches' memory is off-heap: free it once the socket no longer holds any.
        free.stream().filter(b -> !b.isInFlight()).forEach(DatagramBatch::close);
        done.complete(sent);
      });
    });
  }

  private void tick() {
    long now = System.nanoTime();
    allowance = Math.min(burst, allowance + (now - lastTickNanos) * rate / 1e9);
    lastTickNanos = now;
    long due = Math.min(count, next + (long) allowance);
    long first = next;
    while (next < due && !free.isEmpty()) {
      DatagramBatch batch = free.poll();
      batch.clear();
      ByteBuffer b = ByteBuffer.wrap(datagram);
      while (next < due && batch.size() < PER_BATCH) {
        b.putLong(0, next);
        b.putLong(8, System.nanoTime());
        batch.add(datagram);
        next++;
      }
      inFlight++;
      socket.send(batch, scope.port(), scope.group(), (err, n) -> sent(batch, err, n));
    }
    allowance -= next - first;
    if (next == count && ticker != null) {
      ticker.cancel();
    }
  }

  private void sent(DatagramBatch batch, DgramException err, int n) {
    inFlight--;
    sent += n;
    free.add(batch);
    if (err != null) {
      fail(err);
    } else if (next == count && inFlight == 0) {
      done.complete(sent);
    }
  }

  private void fail(DgramException err) {
    if (ticker != null) {
      ticker.cancel();
    }
    done.completeExceptionally(err);
  }
}
