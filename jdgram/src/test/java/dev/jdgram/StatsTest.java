package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** DgramSocket.stats() and SocketGroup.stats() against traffic whose numbers the test knows. */
class StatsTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Peer> peers = new ArrayList<>();

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private DgramSocket udp4() {
    return socket(SocketOptions.of("udp4"));
  }

  @AfterEach
  void closeAll() throws IOException {
    for (DgramSocket s : sockets) {
      try {
        s.close();
      } catch (DgramException alreadyClosed) {
        // closed by the test
      }
    }
    for (Peer p : peers) {
      p.close();
    }
    loops.forEach(EventLoop::close);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls {@code s.stats()} until {@code done} holds (at most the suite's limit). */
  private static SocketStats statsWhen(DgramSocket s, Predicate<SocketStats> done) {
    long end = System.nanoTime() + Probe.TIMEOUT_MS * 1_000_000;
    SocketStats st = s.stats();
    while (!done.test(st) && System.nanoTime() < end) {
      sleep(5);
      st = s.stats();
    }
    return st;
  }

  @Test
  void aNewSocketCountsNothing() {
    SocketStats st = udp4().stats();
    assertEquals(0, st.datagramsReceived());
    assertEquals(0, st.datagramsSent());
    assertEquals(Map.of(), st.sendErrors());
    assertEquals(0, st.sendQueueCount());
    assertNull(st.lastReceived());
    assertNull(st.lastSent());
    assertEquals(OnTransport.nio() ? -1 : 0, st.receiveDrops());
  }

  @Test
  void countsKnownTrafficBothWays() {
    DgramSocket rx = udp4();
    AtomicInteger got = new AtomicInteger();
    rx.onMessage((m, r) -> got.incrementAndGet());
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = udp4();
    Instant before = Instant.now().minusMillis(1);
    int n = 50;
    List<CompletableFuture<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(tx.sendAsync(new byte[100 + i], port, "127.0.0.1"));
    }
    sent.forEach(Probe::get);
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      bytes += 100 + i;
    }
    long total = bytes;
    SocketStats in = statsWhen(rx, st -> st.datagramsReceived() == n);
    SocketStats out = statsWhen(tx, st -> st.datagramsSent() == n && st.lastSent() != null);
    Instant after = Instant.now().plusMillis(1);
    assertEquals(n, in.datagramsReceived());
    assertEquals(total, in.bytesReceived());
    assertEquals(0, in.datagramsSent());
    assertEquals(n, out.datagramsSent());
    assertEquals(total, out.bytesSent());
    assertEquals(0, out.datagramsReceived());
    assertEquals(Map.of(), out.sendErrors());
    assertEquals(0, out.sendErrorCount());
    assertEquals(0, out.sendQueueCount());
    assertEquals(0, out.sendQueueSize());
    SocketStats late = statsWhen(rx, st -> st.lastReceived() != null);
    assertNotNull(late.lastReceived());
    assertTrue(!late.lastReceived().isBefore(before) && !late.lastReceived().isAfter(after),
        before + " <= " + late.lastReceived() + " <= " + after);
    assertTrue(!out.lastSent().isBefore(before) && !out.lastSent().isAfter(after));
    assertNull(out.lastReceived());
    assertEquals(OnTransport.nio() ? -1 : 0, in.receiveDrops());
    assertEquals(n, got.get());
  }

  @Test
  void countsFailedSendsByCodeAndRefusalsAtTheHighWaterMark() {
    DgramSocket rx = udp4();
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    BlockList block = new BlockList();
    block.addAddress("127.0.0.2");
    DgramSocket tx = socket(SocketOptions.of("udp4").sendBlockList(block).sendQueueHighWaterMark(70_000));
    List<CompletableFuture<Integer>> fs = List.of(
        tx.sendAsync(new byte[65_508], port, "127.0.0.1"),
        tx.sendAsync(new byte[65_508], port, "127.0.0.1"),
        tx.sendAsync("x", port, "127.0.0.2"),
        tx.sendAsync(new byte[80_000], port, "127.0.0.1"), // larger than the mark: refused
        tx.sendAsync("ok", port, "127.0.0.1"));
    for (CompletableFuture<Integer> f : fs) {
      try {
        Probe.get(f);
      } catch (AssertionError failedAsExpected) {
        // each but the last fails; the stats below say how
      }
    }
    SocketStats st = statsWhen(tx, s -> s.datagramsSent() == 1 && s.sendErrorCount() == 4);
    assertEquals(Map.of("EMSGSIZE", 2L, "ERR_IP_BLOCKED", 1L, "ENOBUFS", 1L), st.sendErrors());
    assertEquals(4, st.sendErrorCount());
    assertEquals(1, st.sendsRefused());
    assertEquals(1, st.datagramsSent());
    assertEquals(2, st.bytesSent());
    assertThrows(UnsupportedOperationException.class, () -> st.sendErrors().put("E", 1L));
  }

  @Test
  void countsBatchesAndBlockedSources() throws IOException {
    BlockList block = new BlockList();
    block.addAddress("127.0.0.1");
    DgramSocket rx = socket(SocketOptions.of("udp4").receiveBlockList(block));
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = udp4();
    try (DatagramBatch batch = new DatagramBatch(8, 4096)) {
      batch.add(new byte[10]);
      batch.add(new byte[20]);
      batch.add(new byte[30]);
      assertEquals(3, Probe.get(tx.sendAsync(batch, port, "127.0.0.1")));
    }
    SocketStats out = statsWhen(tx, s -> s.datagramsSent() == 3);
    assertEquals(3, out.datagramsSent());
    assertEquals(60, out.bytesSent());
    SocketStats in = statsWhen(rx, s -> s.datagramsBlocked() == 3);
    assertEquals(3, in.datagramsBlocked());
    assertEquals(0, in.datagramsReceived());
  }

  @Test
  void statsAnswersWhileTheLoopIsBusyAndAfterClose() {
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop));
    int port = Probe.get(s.bindAsync(0, "127.0.0.1")).port();
    assertEquals(2, Probe.get(s.sendAsync("hi", port, "127.0.0.1")));
    statsWhen(s, st -> st.datagramsReceived() == 1);
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    loop.execute(() -> {
      blocked.complete(null);
      sleep(1500);
    });
    Probe.get(blocked);
    long t0 = System.nanoTime();
    SocketStats st = s.stats();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 1000, "stats() did not wait for the busy loop: " + ms + " ms");
    assertEquals(1, st.datagramsSent());
    assertEquals(1, st.datagramsReceived());
    Probe.get(s.closeAsync());
    SocketStats closed = s.stats();
    assertEquals(1, closed.datagramsSent());
    assertEquals(1, closed.datagramsReceived());
    assertEquals(0, closed.sendQueueCount());
  }

  /**
   * A bounded flood at a socket with a 4 KiB receive buffer whose loop sleeps: the kernel drops
   * most of it, and stats() tells how many (linux: sk_drops; sim: its count; nio: -1, unknown).
   */
  @Test
  void countsWhatTheKernelDropped() throws Exception {
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop));
    s.onDatagram(d -> { });
    int port = Probe.get(s.bindAsync(0, "127.0.0.1")).port();
    s.setRecvBufferSize(4096);
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    loop.execute(() -> {
      blocked.complete(null);
      sleep(500);
    });
    Probe.get(blocked);
    Peer tx = Peer.open("127.0.0.1");
    peers.add(tx);
    InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
    final int burst = 2_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < burst; i++) {
      tx.send(ByteBuffer.wrap(new byte[100]), dest);
    }
    long burstMs = (System.nanoTime() - t0) / 1_000_000;
    // wait until the loop has woken and read what the kernel kept
    long last = -1;
    SocketStats st = s.stats();
    for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; ) {
      sleep(100);
      st = s.stats();
      if (st.datagramsReceived() == last && last > 0) {
        break;
      }
      last = st.datagramsReceived();
    }
    System.out.printf("stats after a flood of %d (%d ms): received %d, drops %d%n", burst, burstMs,
        st.datagramsReceived(), st.receiveDrops());
    if (OnTransport.nio()) {
      assertEquals(-1, st.receiveDrops(), "java.nio cannot know the kernel's drops");
      return;
    }
    Assumptions.assumeTrue(burstMs < 400, "the burst must end while the loop sleeps; took " + burstMs + " ms");
    assertTrue(st.receiveDrops() > 0, "a 4 KiB buffer cannot hold 2,000 datagrams: " + st);
    long accounted = st.datagramsReceived() + st.receiveDrops();
    assertTrue(accounted <= burst, "received + dropped > sent: " + st);
    assertTrue(accounted >= burst - burst / 100, "received + dropped accounts for < 99%: " + st);
    assertEquals(st.datagramsReceived() * 100, st.bytesReceived());
  }

  @Test
  void aGroupSumsItsSockets() {
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp4"), 2)) {
      g.onMessage((m, r) -> { });
      int port = g.bind(0, "127.0.0.1");
      int senders = 8;
      int each = 5;
      for (int i = 0; i < senders; i++) {
        DgramSocket tx = udp4();
        for (int k = 0; k < each; k++) {
          Probe.get(tx.sendAsync(new byte[10], port, "127.0.0.1"));
        }
      }
      long end = System.nanoTime() + Probe.TIMEOUT_MS * 1_000_000;
      SocketStats st = g.stats();
      while (st.datagramsReceived() < senders * each && System.nanoTime() < end) {
        sleep(5);
        st = g.stats();
      }
      assertEquals(senders * each, st.datagramsReceived());
      assertEquals(senders * each * 10L, st.bytesReceived());
      long perSocket = 0;
      for (DgramSocket s : g.sockets()) {
        perSocket += s.stats().datagramsReceived();
      }
      assertEquals(st.datagramsReceived(), perSocket);
      assertEquals(OnTransport.nio() ? -1 : 0, st.receiveDrops());
    }
  }

  @Test
  void sumAddsCountersAndKeepsTheLatestTimes() {
    Instant t1 = Instant.ofEpochMilli(1_000);
    Instant t2 = Instant.ofEpochMilli(2_000);
    SocketStats a = new SocketStats(1, 10, 2, 20, Map.of("EMSGSIZE", 1L), 0, 0, 0, -1, 5, 1, t1, null);
    SocketStats b = new SocketStats(3, 30, 4, 40, Map.of("EMSGSIZE", 2L, "ENOBUFS", 1L), 1, 2, 3, 7, 0, 0, t2, t1);
    SocketStats sum = SocketStats.sum(List.of(a, b));
    assertEquals(new SocketStats(4, 40, 6, 60, Map.of("EMSGSIZE", 3L, "ENOBUFS", 1L), 1, 2, 3, 7, 5, 1, t2, t1), sum);
    assertEquals(-1, SocketStats.sum(List.of(a, a)).receiveDrops());
    assertEquals(Duration.ZERO, Duration.between(t2, sum.lastReceived()));
  }

}
