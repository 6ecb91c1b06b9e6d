package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SocketGroup: reusePort sockets, one started loop each. */
@Timeout(30)
class SocketGroupTest {

  private static Thread threadOf(EventLoop loop) {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    loop.execute(() -> t.complete(Thread.currentThread()));
    return Probe.get(t);
  }

  @Test
  void createBindsEverySocketOnOnePortOnItsOwnLoop() {
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp4"), 2)) {
      assertEquals(2, g.sockets().size());
      assertEquals(2, g.loops().size());
      int port = g.bind(0, "127.0.0.1");
      assertTrue(port > 0);
      for (DgramSocket s : g.sockets()) {
        assertEquals(port, s.address().port());
        assertEquals("127.0.0.1", s.address().address());
      }
      assertNotEquals(g.loops().get(0), g.loops().get(1));
      assertEquals(g.loops().get(0), g.sockets().get(0).loop());
      assertEquals(g.loops().get(1), g.sockets().get(1).loop());
      assertNotEquals(threadOf(g.loops().get(0)), threadOf(g.loops().get(1)), "one thread per loop");
    }
  }

  @Test
  void datagramsFromManySourcePortsAreAllReceivedAcrossTheLoops() throws IOException, InterruptedException {
    final int flows = 32;
    final int perFlow = 20;
    Map<Thread, AtomicInteger> byThread = new ConcurrentHashMap<>();
    Map<Integer, Set<Thread>> threadsOfFlow = new ConcurrentHashMap<>();
    Map<Integer, List<Integer>> orderOfFlow = new ConcurrentHashMap<>();
    AtomicInteger total = new AtomicInteger();
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp4").recvBufferSize(1 << 20), 2)) {
      g.onMessage((msg, rinfo) -> {
        Thread t = Thread.currentThread();
        byThread.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
        threadsOfFlow.computeIfAbsent(rinfo.port(), k -> ConcurrentHashMap.newKeySet()).add(t);
        orderOfFlow.computeIfAbsent(rinfo.port(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
            .add(ByteBuffer.wrap(msg).getInt());
        total.incrementAndGet();
      });
      int port = g.bind(0, "127.0.0.1");
      Set<Thread> loopThreads = Set.of(threadOf(g.loops().get(0)), threadOf(g.loops().get(1)));
      List<Peer> senders = new ArrayList<>();
      try {
        for (int f = 0; f < flows; f++) {
          senders.add(Peer.open("127.0.0.1"));
        }
        InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
        for (int i = 0; i < perFlow; i++) {
          for (Peer c : senders) {
            c.send(ByteBuffer.allocate(4).putInt(0, i), dest);
          }
        }
      } finally {
        for (Peer c : senders) {
          c.close();
        }
      }
      long end = System.nanoTime() + 5_000_000_000L;
      while (total.get() < flows * perFlow && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertEquals(flows * perFlow, total.get(), "every datagram received once");
      assertEquals(loopThreads, byThread.keySet(),
          "both loops received (32 flows on 2 sockets): " + byThread);
      assertEquals(flows, threadsOfFlow.size());
      for (var e : threadsOfFlow.entrySet()) {
        assertEquals(1, e.getValue().size(), "flow from port " + e.getKey() + " stayed on one loop");
      }
      for (var e : orderOfFlow.entrySet()) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perFlow; i++) {
          expected.add(i);
        }
        assertEquals(expected, e.getValue(), "flow " + e.getKey() + " in order");
      }
    }
  }

  @Test
  void closeEndsEveryLoopThreadAndClosesEverySocket() throws InterruptedException {
    SocketGroup g = SocketGroup.create(SocketOptions.of("udp4"), 2);
    g.bind(0, "127.0.0.1");
    List<Thread> threads = List.of(threadOf(g.loops().get(0)), threadOf(g.loops().get(1)));
    for (Thread t : threads) {
      assertTrue(t.isAlive());
    }
    g.close();
    for (Thread t : threads) {
      t.join(5_000);
      assertFalse(t.isAlive(), t + " ended");
    }
    for (DgramSocket s : g.sockets()) {
      assertTrue(s.isClosed());
    }
    g.close(); // a second close is harmless
  }

  @Test
  void groupOfUdp6SharesOnePort() {
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp6"), 3)) {
      int port = g.bind(0, "::1");
      for (DgramSocket s : g.sockets()) {
        assertEquals(port, s.address().port());
      }
    }
  }

  @Test
  void sizeBelowOneIsOutOfRange() {
    assertEquals("ERR_OUT_OF_RANGE",
        assertThrows(DgramException.class, () -> SocketGroup.create(SocketOptions.of("udp4"), 0)).code());
    assertEquals("ERR_INVALID_ARG_TYPE",
        assertThrows(DgramException.class, () -> SocketGroup.create(null, 2)).code());
  }

  @Test
  void bindErrorOfTheGroupIsThrown() {
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp4"), 2)) {
      // 127.0.0.1 only; a udp4 socket cannot bind ::1
      DgramException e = assertThrows(DgramException.class, () -> g.bind(0, "::1"));
      assertEquals("EINVAL", e.code());
    }
  }
}
