package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The way in: sizes, contents, batches past the per-wake-up cap, fairness, rinfo, listeners. */
@Timeout(30)
class ReceivePathTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
    for (EventLoop l : loops) {
      l.close();
    }
  }

  private DgramSocket socket(SocketOptions options, MessageListener onMessage) {
    DgramSocket s = Dgram.createSocket(options, onMessage);
    sockets.add(s);
    return s;
  }

  private DgramSocket socket(String type, MessageListener onMessage) {
    return socket(SocketOptions.of(type), onMessage);
  }

  private EventLoop startedLoop() {
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    return loop;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    s.onError(bound::completeExceptionally);
    s.bind(0, address, () -> bound.complete(s.address().port()));
    return Probe.get(bound);
  }

  private static void sendAndWait(DgramSocket s, byte[] msg, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    s.send(msg, port, address, (err, n) -> {
      if (err != null) {
        sent.completeExceptionally(err);
      } else {
        sent.complete(n);
      }
    });
    assertEquals(msg.length, Probe.get(sent));
  }

  private static Peer blockingChannelOnLoopback() throws IOException {
    return Peer.open("127.0.0.1");
  }

  record Got(byte[] msg, RemoteInfo rinfo) {}

  // ------------------------------------------------------------------ sizes and contents

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 1400, 65507})
  void messageHasExactlyTheDatagramsLengthAndBytes(int size) {
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = socket("udp4", (msg, rinfo) -> got.add(new Got(msg, rinfo)));
    int port = Probe.bindLoopback(r, false);
    DgramSocket s = socket("udp4", null);
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    sendAndWait(s, data, port, "127.0.0.1");
    Got g = Probe.take(got);
    assertEquals(size, g.msg().length, "byte[] length");
    assertEquals(size, g.rinfo().size(), "rinfo.size");
    assertArrayEquals(data, g.msg(), "contents");
  }

  // ------------------------------------------------------------------ batches

  /**
   * More datagrams than one receive batch (32), all queued in the kernel before the loop reads:
   * every one must arrive (a libuv release dropped everything past the first batch).
   */
  @Test
  void burstLargerThanReceiveBatchAllArrive() throws Exception {
    final int count = 500;
    final int size = 100;
    BitSet seen = new BitSet(count);
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger corrupt = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(count);
    DgramSocket r = socket("udp4", (msg, rinfo) -> {
      ByteBuffer b = ByteBuffer.wrap(msg);
      int index = msg.length == size ? b.getInt(0) : -1;
      boolean ok = index >= 0 && index < count;
      for (int i = 4; ok && i < size; i++) {
        ok = msg[i] == (byte) (index + i);
      }
      if (!ok) {
        corrupt.incrementAndGet();
        return;
      }
      synchronized (seen) {
        if (seen.get(index)) {
          duplicates.incrementAndGet();
          return;
        }
        seen.set(index);
      }
      all.countDown();
    });
    int port = Probe.bindLoopback(r, false);
    r.setRecvBufferSize(2 * 1024 * 1024); // room for the whole burst: nothing dropped by the kernel
    try (Peer ch = blockingChannelOnLoopback()) {
      InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
      ByteBuffer buf = ByteBuffer.allocate(size);
      for (int index = 0; index < count; index++) {
        buf.clear();
        buf.putInt(index);
        for (int i = 4; i < size; i++) {
          buf.put((byte) (index + i));
        }
        buf.flip();
        assertEquals(size, ch.send(buf, to));
      }
    }
    boolean done = all.await(Probe.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    synchronized (seen) {
      assertTrue(done, "received " + seen.cardinality() + " of " + count + "; first missing "
          + seen.nextClearBit(0));
    }
    assertEquals(0, corrupt.get(), "corrupt datagrams");
    assertEquals(0, duplicates.get(), "duplicated datagrams");
  }

  /**
   * One socket is flooded faster than its listener can keep up, so its kernel queue never
   * empties; another socket on the same loop must still be served (the 32-per-wake-up cap).
   */
  @Test
  void otherSocketOnTheLoopIsServedWhileOneIsFlooded() throws Exception {
    EventLoop loop = startedLoop();
    AtomicInteger floodReceived = new AtomicInteger();
    DgramSocket flooded = socket(SocketOptions.of("udp4").loop(loop), (msg, rinfo) -> {
      floodReceived.incrementAndGet();
      long until = System.nanoTime() + 100_000; // a slow listener: 100 us a datagram
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicBoolean servedDuringFlood = new AtomicBoolean();
    final int quiet = 20;
    CountDownLatch quietGot = new CountDownLatch(quiet);
    DgramSocket other = socket(SocketOptions.of("udp4").loop(loop), (msg, rinfo) -> {
      if (quietGot.getCount() == 1) { // the last one: record before the test thread wakes
        servedDuringFlood.set(flooding.get());
      }
      quietGot.countDown();
    });
    int floodPort = Probe.bindLoopback(flooded, false);
    int otherPort = Probe.bindLoopback(other, false);

    AtomicReference<Throwable> floodError = new AtomicReference<>();
    Thread flooder = Thread.ofPlatform().name("flooder").start(() -> {
      // Bounded in count and in time; stops by itself.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      try (Peer ch = blockingChannelOnLoopback()) {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", floodPort);
        ByteBuffer buf = ByteBuffer.allocate(16);
        for (int i = 0; i < 5_000_000 && flooding.get() && System.nanoTime() < deadline; i++) {
          buf.clear();
          ch.send(buf, to);
        }
      } catch (Throwable t) {
        floodError.set(t);
      } finally {
        flooding.set(false);
      }
    });
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (floodReceived.get() < 200 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertTrue(floodReceived.get() >= 200, "the flooded socket was not served: " + floodReceived.get());
      assertTrue(flooding.get(), "the flood ended too early to test anything");
      try (Peer ch = blockingChannelOnLoopback()) {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", otherPort);
        for (int i = 0; i < quiet; i++) {
          ch.send(ByteBuffer.wrap(new byte[] {(byte) i}), to);
        }
      }
      assertTrue(quietGot.await(3, TimeUnit.SECONDS),
          "the second socket got " + (quiet - quietGot.getCount()) + " of " + quiet + " while the first was flooded");
      assertTrue(servedDuringFlood.get(), "the second socket was served only after the flood ended"
          + (floodError.get() != null ? " (the flood failed: " + floodError.get() + ")" : ""));
    } finally {
      flooding.set(false);
      flooder.join(10_000);
    }
    if (floodError.get() != null) {
      fail("flood sender failed", floodError.get());
    }
  }

  // ------------------------------------------------------------------ rinfo

  @Test
  void rinfoOfIpv4Sender() {
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = socket("udp4", (msg, rinfo) -> got.add(new Got(msg, rinfo)));
    int port = Probe.bindLoopback(r, false);
    DgramSocket s = socket("udp4", null);
    int senderPort = Probe.bindLoopback(s, false);
    sendAndWait(s, new byte[7], port, "127.0.0.1");
    assertEquals(new RemoteInfo("127.0.0.1", "IPv4", senderPort, 7), Probe.take(got).rinfo());
  }

  @Test
  void rinfoOfIpv6Sender() {
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = socket("udp6", (msg, rinfo) -> got.add(new Got(msg, rinfo)));
    int port = Probe.bindLoopback(r, true);
    DgramSocket s = socket("udp6", null);
    int senderPort = Probe.bindLoopback(s, true);
    sendAndWait(s, new byte[3], port, "::1");
    assertEquals(new RemoteInfo("::1", "IPv6", senderPort, 3), Probe.take(got).rinfo());
  }

  /** Node (v20, Linux): {@code { address: '::ffff:127.0.0.1', family: 'IPv6', ... }}. */
  @Test
  void udp6WildcardReportsIpv4SenderAsMapped() {
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = socket("udp6", (msg, rinfo) -> got.add(new Got(msg, rinfo)));
    int port = bind(r, "::");
    DgramSocket s = socket("udp4", null);
    int senderPort = Probe.bindLoopback(s, false);
    sendAndWait(s, new byte[1], port, "127.0.0.1");
    assertEquals(new RemoteInfo("::ffff:127.0.0.1", "IPv6", senderPort, 1), Probe.take(got).rinfo());
  }

  // ------------------------------------------------------------------ listeners

  @Test
  void throwingListenerGoesToUncaughtHandlerAndNextDatagramIsDelivered() {
    EventLoop loop = startedLoop();
    BlockingQueue<Throwable> uncaught = Probe.queue();
    loop.setUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
    RuntimeException boom = new RuntimeException("boom from the listener");
    BlockingQueue<String> got = Probe.queue();
    AtomicBoolean thrown = new AtomicBoolean();
    DgramSocket r = socket(SocketOptions.of("udp4").loop(loop), (msg, rinfo) -> {
      got.add(new String(msg));
      if (thrown.compareAndSet(false, true)) {
        throw boom;
      }
    });
    int port = Probe.bindLoopback(r, false);
    DgramSocket s = socket("udp4", null);
    sendAndWait(s, "first".getBytes(), port, "127.0.0.1");
    assertEquals("first", Probe.take(got));
    assertSame(boom, Probe.take(uncaught));
    sendAndWait(s, "second".getBytes(), port, "127.0.0.1");
    assertEquals("second", Probe.take(got));
    assertTrue(uncaught.isEmpty(), "unexpected: " + uncaught);
  }

  @Test
  void everyMessageListenerGetsEachDatagram() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket r = socket("udp4", (msg, rinfo) -> got.add("a:" + new String(msg)));
    r.onMessage((msg, rinfo) -> got.add("b:" + new String(msg)));
    r.onMessage((msg, rinfo) -> got.add("c:" + new String(msg)));
    int port = Probe.bindLoopback(r, false);
    DgramSocket s = socket("udp4", null);
    sendAndWait(s, "1".getBytes(), port, "127.0.0.1");
    sendAndWait(s, "2".getBytes(), port, "127.0.0.1");
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(Probe.take(got));
    }
    assertEquals(List.of("a:1", "b:1", "c:1", "a:2", "b:2", "c:2"), all);
  }

  @Test
  void offRemovesThatListenerOnly() {
    BlockingQueue<String> got = Probe.queue();
    MessageListener a = (msg, rinfo) -> got.add("a:" + new String(msg));
    MessageListener b = (msg, rinfo) -> got.add("b:" + new String(msg));
    DgramSocket r = socket("udp4", null).onMessage(a).onMessage(b);
    int port = Probe.bindLoopback(r, false);
    assertSame(r, r.off(a));
    DgramSocket s = socket("udp4", null);
    sendAndWait(s, "x".getBytes(), port, "127.0.0.1");
    assertEquals("b:x", Probe.take(got)); // a, added first, would have run before b
    sendAndWait(s, "y".getBytes(), port, "127.0.0.1");
    assertEquals("b:y", Probe.take(got));
    assertTrue(got.isEmpty(), "unexpected: " + got);
  }

  @Test
  void offRemovesOneRegistrationOfAListenerAddedTwice() {
    BlockingQueue<String> got = Probe.queue();
    MessageListener a = (msg, rinfo) -> got.add("a:" + new String(msg));
    MessageListener end = (msg, rinfo) -> got.add("end");
    DgramSocket r = socket("udp4", null).onMessage(a).onMessage(a).onMessage(end);
    int port = Probe.bindLoopback(r, false);
    r.off(a);
    DgramSocket s = socket("udp4", null);
    sendAndWait(s, "x".getBytes(), port, "127.0.0.1");
    assertEquals("a:x", Probe.take(got));
    assertEquals("end", Probe.take(got), "off removed both registrations, or none");
  }
}
