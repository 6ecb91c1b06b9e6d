package dev.jdgram.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "A datagram arrives whole and bit-exact, or not at all" (docs/api.md), under load: 100,000
 * datagrams of random sizes, uniform in 0..65,507 bytes (about 3.3 GB), with random content, from
 * one jdgram socket to another over 127.0.0.1, each socket on its own event loop.
 *
 * <p>The schedule (size and content seed of every datagram) comes from one seeded
 * {@link java.util.Random}; its seed is printed, and {@code -Djdgram.integrity.seed=...} replays
 * it. The content is filled from a {@link SplittableRandom} seeded with the datagram's content seed
 * (fast enough for gigabytes). Each datagram carries its sequence number (bytes 0..7, little
 * endian) when it has 8 bytes or more, and a 64-bit hash of its sequence number, size and bytes
 * 16.. in bytes 8..15 when it has 16 or more. The receiver checks every arrival twice: the
 * in-band hash, and byte for byte against the content regenerated from the content seed for that sequence
 * number. Datagrams under 8 bytes (about 8 in 100,000) carry no sequence number: the receiver
 * matches them against the still-missing datagrams of that exact size and content.
 *
 * <p>Flow control keeps the loss on loopback at zero in practice: the sender keeps at most
 * {@link #WINDOW} bytes (payload plus a per-datagram allowance for the kernel's bookkeeping) in
 * flight, and the receiver raises SO_RCVBUF. A datagram counts as out of flight when it arrives,
 * or when a later one arrives first (then it was dropped, or is reordered). The send loop is
 * bounded in count and in time.
 *
 * <p>Asserted: every send callback called once and without error, zero corrupted, zero
 * duplicates, zero datagrams from anywhere else, and at least 99% arrived. Drops, reorders and
 * throughput are printed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IntegrityTest {
  static final int COUNT = 100_000;
  static final int MAX_SIZE = 65_507;
  /** Bytes in flight the sender allows: payload + {@link #OVERHEAD} per datagram. */
  static final long WINDOW = 2L << 20;
  /** What a datagram costs the receive buffer beyond its payload (skb and its truesize slack). */
  static final int OVERHEAD = 1_024;
  /** SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max and then doubles it). */
  static final int RCVBUF = 4 << 20;
  /** The send loop stops by itself after this, whatever it has sent. */
  static final long SEND_BUDGET_MS = 60_000;
  /** The send loop also stops when no send callback and no arrival happened for this long. */
  static final long NO_PROGRESS_MS = 10_000;
  /** How long the sender waits for the window to open before it sends anyway (tail drops). */
  static final long STALL_MS = 500;
  /** After the last send: how long the receiver may stay silent before the count is final. */
  static final long QUIET_MS = 2_000;

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Sizes and content seeds of all datagrams, from the one seed. */
  record Schedule(long seed, int[] sizes, long[] contentSeeds) {
    static Schedule of(long seed) {
      Random r = new Random(seed);
      int[] sizes = new int[COUNT];
      long[] seeds = new long[COUNT];
      for (int i = 0; i < COUNT; i++) {
        sizes[i] = r.nextInt(MAX_SIZE + 1);
        seeds[i] = r.nextLong();
      }
      return new Schedule(seed, sizes, seeds);
    }

    long totalBytes() {
      long t = 0;
      for (int s : sizes) {
        t += s;
      }
      return t;
    }

    /** Writes datagram {@code seq}, header included, into {@code b[0..size)}. */
    void render(int seq, byte[] b) {
      int size = sizes[seq];
      SplittableRandom r = new SplittableRandom(contentSeeds[seq]);
      int i = 0;
      for (; i + 8 <= size; i += 8) {
        LONG_LE.set(b, i, r.nextLong());
      }
      if (i < size) {
        long v = r.nextLong();
        for (; i < size; i++) {
          b[i] = (byte) v;
          v >>>= 8;
        }
      }
      if (size >= 8) {
        LONG_LE.set(b, 0, (long) seq);
      }
      if (size >= 16) {
        LONG_LE.set(b, 8, hash(seq, b, size));
      }
    }

    byte[] datagram(int seq) {
      byte[] b = new byte[sizes[seq]];
      render(seq, b);
      return b;
    }

    int cost(int seq) {
      return sizes[seq] + OVERHEAD;
    }
  }

  /** A 64-bit hash of {@code seq}, {@code size} and {@code b[16..size)} (xxHash64-like rounds). */
  static long hash(int seq, byte[] b, int size) {
    final long p1 = 0x9E3779B185EBCA87L;
    final long p2 = 0xC2B2AE3D27D4EB4FL;
    final long p3 = 0x165667B19E3779F9L;
    long h = p3 ^ ((long) seq * p1) ^ ((long) size * p2);
    int i = 16;
    for (; i + 8 <= size; i += 8) {
      long k = (long) LONG_LE.get(b, i) * p2;
      k = Long.rotateLeft(k, 31) * p1;
      h = Long.rotateLeft(h ^ k, 27) * p1 + p3;
    }
    for (; i < size; i++) {
      h = Long.rotateLeft(h ^ ((b[i] & 0xFFL) * p3), 11) * p1;
    }
    h ^= h >>> 33;
    h *= p2;
    h ^= h >>> 29;
    h *= p3;
    return h ^ (h >>> 32);
  }

  /** The receiver's books; touched only on the receiving loop's thread, except the atomics. */
  static final class Receiver {
    final Schedule schedule;
    final int senderPort;
    final BitSet arrived = new BitSet(COUNT);
    final BitSet credited = new BitSet(COUNT);
    final byte[] scratch = new byte[MAX_SIZE];
    /** Datagrams under 8 bytes not received yet, by size and content, lowest sequence first. */
    final Map<String, ArrayDeque<Integer>> tinyMissing = new HashMap<>();
    final Set<String> tinySeen = new HashSet<>();
    final AtomicLong inFlight = new AtomicLong();
    final AtomicInteger received = new AtomicInteger();
    final AtomicLong receivedBytes = new AtomicLong();
    final AtomicInteger corrupted = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger foreign = new AtomicInteger();
    final AtomicInteger reordered = new AtomicInteger();
    final AtomicLong lastArrivalNanos = new AtomicLong(System.nanoTime());
    final List<String> problems = new ArrayList<>();
    volatile Thread waiter;
    int highest = -1;

    Receiver(Schedule schedule, int senderPort) {
      this.schedule = schedule;
      this.senderPort = senderPort;
      for (int seq = 0; seq < COUNT; seq++) {
        if (schedule.sizes[seq] < 8) {
          tinyMissing.computeIfAbsent(tinyKey(schedule.datagram(seq)), k -> new ArrayDeque<>()).add(seq);
        }
      }
    }

    static String tinyKey(byte[] msg) {
      return msg.length + ":" + HexFormat.of().formatHex(msg);
    }

    void problem(String what) {
      synchronized (problems) {
        if (problems.size() < 20) {
          problems.add(what);
        }
      }
    }

    void onMessage(byte[] msg, RemoteInfo rinfo) {
      lastArrivalNanos.set(System.nanoTime());
      if (!rinfo.address().equals("127.0.0.1") || rinfo.port() != senderPort || rinfo.size() != msg.length) {
        foreign.incrementAndGet();
        problem("datagram of " + msg.length + " bytes with rinfo " + rinfo);
        return;
      }
      int seq;
      if (msg.length < 8) {
        String key = tinyKey(msg);
        ArrayDeque<Integer> candidates = tinyMissing.get(key);
        if (candidates == null || candidates.isEmpty()) {
          if (tinySeen.contains(key)) {
            duplicates.incrementAndGet();
            problem("tiny datagram " + key + " arrived more often than it was sent");
          } else {
            corrupted.incrementAndGet();
            problem("tiny datagram " + key + " matches nothing that was sent");
          }
          return;
        }
        tinySeen.add(key);
        seq = candidates.poll();
      } else {
        long s = (long) LONG_LE.get(msg, 0);
        if (s < 0 || s >= COUNT) {
          corrupted.incrementAndGet();
          problem("datagram of " + msg.length + " bytes with sequence number " + s);
          return;
        }
        seq = (int) s;
        if (arrived.get(seq)) {
          duplicates.incrementAndGet();
          problem("datagram " + seq + " arrived twice");
          return;
        }
        int size = schedule.sizes[seq];
        if (msg.length != size) {
          corrupted.incrementAndGet();
          problem("datagram " + seq + " has " + msg.length + " bytes, sent " + size);
          return;
        }
        if (size >= 16 && (long) LONG_LE.get(msg, 8) != hash(seq, msg, size)) {
          corrupted.incrementAndGet();
          problem("datagram " + seq + " (" + size + " bytes) fails its in-band hash");
          return;
        }
        schedule.render(seq, scratch);
        int at = Arrays.mismatch(msg, 0, size, scratch, 0, size);
        if (at >= 0) {
          corrupted.incrementAndGet();
          problem("datagram " + seq + " (" + size + " bytes) differs from what was sent at byte " + at);
          return;
        }
      }
      arrived.set(seq);
      received.incrementAndGet();
      receivedBytes.addAndGet(msg.length);
      if (seq < highest) {
        reordered.incrementAndGet();
      }
      credit(seq);
      // In-order delivery: everything before seq that has not arrived is dropped (or late).
      for (int j = highest + 1; j < seq; j++) {
        credit(j);
      }
      if (seq > highest) {
        highest = seq;
      }
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }

    private void credit(int seq) {
      if (!credited.get(seq)) {
        credited.set(seq);
        inFlight.addAndGet(-schedule.cost(seq));
      }
    }
  }

  @Test
  void hundredThousandRandomDatagramsArriveBitExactOrNotAtAll() throws Exception {
    long seed = Long.getLong("jdgram.integrity.seed", new Random().nextLong());
    System.out.println("IntegrityTest seed " + seed + " (replay with -Djdgram.integrity.seed=" + seed + ")");
    Schedule schedule = Schedule.of(seed);
    long total = schedule.totalBytes();

    EventLoop recvLoop = EventLoop.create();
    EventLoop sendLoop = EventLoop.create();
    List<DgramSocket> sockets = new ArrayList<>();
    try {
      recvLoop.start();
      sendLoop.start();
      DgramSocket receiverSocket = Dgram.createSocket(SocketOptions.of("udp4").recvBufferSize(RCVBUF).loop(recvLoop));
      sockets.add(receiverSocket);
      DgramSocket sender = Dgram.createSocket(SocketOptions.of("udp4").sendBufferSize(RCVBUF).loop(sendLoop));
      sockets.add(sender);
      int senderPort = bind(sender);
      Receiver rx = new Receiver(schedule, senderPort);
      receiverSocket.onMessage(rx::onMessage);
      int port = bind(receiverSocket);
      System.out.printf("IntegrityTest: %d datagrams, %,d bytes, SO_RCVBUF %,d, window %,d bytes, transport %s%n",
          COUNT, total, receiverSocket.getRecvBufferSize(), WINDOW, recvLoop.transportName());

      AtomicInteger callbacks = new AtomicInteger();
      AtomicLong lastCallbackNanos = new AtomicLong(System.nanoTime());
      AtomicInteger sendErrors = new AtomicInteger();
      AtomicLong sentBytes = new AtomicLong();
      AtomicReference<DgramException> firstSendError = new AtomicReference<>();
      int stalls = 0;
      long maxInFlight = 0;
      int sent = 0;
      boolean stuck = false;

      long t0 = System.nanoTime();
      long sendDeadline = t0 + TimeUnit.MILLISECONDS.toNanos(SEND_BUDGET_MS);
      rx.waiter = Thread.currentThread();
      try {
        for (int seq = 0; seq < COUNT && !stuck && System.nanoTime() < sendDeadline; seq++) {
          int cost = schedule.cost(seq);
          long waitStart = 0;
          while (rx.inFlight.get() + cost > WINDOW) {
            long now = System.nanoTime();
            if (waitStart == 0) {
              waitStart = now;
            } else if (now - waitStart > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
              stalls++; // the last ones in flight were dropped: nothing later will credit them
              break;
            }
            long lastProgress = Math.max(lastCallbackNanos.get(), rx.lastArrivalNanos.get());
            if (now - lastProgress > TimeUnit.MILLISECONDS.toNanos(NO_PROGRESS_MS)) {
              stuck = true;
              break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
          }
          if (stuck) {
            break;
          }
          maxInFlight = Math.max(maxInFlight, rx.inFlight.addAndGet(cost));
          byte[] d = schedule.datagram(seq);
          sender.send(d, port, "127.0.0.1", (err, n) -> {
            callbacks.incrementAndGet();
            lastCallbackNanos.set(System.nanoTime());
            if (err != null) {
              sendErrors.incrementAndGet();
              firstSendError.compareAndSet(null, err);
            } else {
              sentBytes.addAndGet(n);
            }
          });
          sent++;
        }
      } finally {
        rx.waiter = null;
      }
      long sendNanos = System.nanoTime() - t0;

      // Every callback, then the receiver until everything arrived or it has been quiet a while.
      long waitDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(stuck ? 1 : 20);
      while (callbacks.get() < sent && System.nanoTime() < waitDeadline) {
        Thread.sleep(5);
      }
      while (rx.received.get() + rx.corrupted.get() < sent
          && System.nanoTime() - rx.lastArrivalNanos.get() < TimeUnit.MILLISECONDS.toNanos(QUIET_MS)
          && System.nanoTime() < waitDeadline) {
        Thread.sleep(5);
      }
      long allNanos = System.nanoTime() - t0;

      int received = rx.received.get();
      int dropped = sent - received;
      double secs = allNanos / 1e9;
      System.out.printf(
          "IntegrityTest: sent %d (%,d bytes) in %.1f s, received %d (%,d bytes) in %.1f s = %.0f MB/s, %d datagrams/s;"
              + " dropped %d (%.3f%%), corrupted %d, duplicates %d, foreign %d, reordered %d;"
              + " send callbacks %d, send errors %d, still queued in jdgram %d; window stalls %d,"
              + " max in flight %,d bytes%n",
          sent, sentBytes.get(), sendNanos / 1e9, received, rx.receivedBytes.get(), secs,
          rx.receivedBytes.get() / 1e6 / secs, Math.round(received / secs), dropped, 100.0 * dropped / COUNT,
          rx.corrupted.get(), rx.duplicates.get(), rx.foreign.get(), rx.reordered.get(), callbacks.get(),
          sendErrors.get(), sender.getSendQueueCount(), stalls, maxInFlight);
      synchronized (rx.problems) {
        rx.problems.forEach(p -> System.out.println("IntegrityTest problem: " + p));
      }

      String replay = " (seed " + seed + ")";
      assertTrue(!stuck, "no send callback and no arrival for " + NO_PROGRESS_MS + " ms after " + sent
          + " sends: " + callbacks.get() + " send callbacks, " + received + " arrivals" + replay);
      assertEquals(COUNT, sent, "the send loop ran out of its " + SEND_BUDGET_MS + " ms budget" + replay);
      assertEquals(sent, callbacks.get(), "send callbacks (exactly one per send)" + replay);
      assertEquals(0, sendErrors.get(), "send errors, first: " + firstSendError.get() + replay);
      assertEquals(total, sentBytes.get(), "bytes the send callbacks reported" + replay);
      assertEquals(0, rx.corrupted.get(), "corrupted datagrams: " + rx.problems + replay);
      assertEquals(0, rx.duplicates.get(), "duplicated datagrams: " + rx.problems + replay);
      assertEquals(0, rx.foreign.get(), "datagrams from elsewhere: " + rx.problems + replay);
      assertTrue(received >= COUNT * 0.99, "only " + received + " of " + COUNT + " arrived" + replay);
    } finally {
      for (DgramSocket s : sockets) {
        try {
          s.close();
        } catch (DgramException alreadyClosed) {
          // fine
        }
      }
      sendLoop.close();
      recvLoop.close();
    }
  }

  private static int bind(DgramSocket s) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    s.onError(bound::completeExceptionally);
    s.bind(0, "127.0.0.1", () -> bound.complete(s.address().port()));
    try {
      return bound.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("bind failed: " + e, e);
    }
  }
}
