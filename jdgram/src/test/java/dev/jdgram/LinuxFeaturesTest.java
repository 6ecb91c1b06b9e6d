package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What java.nio lacks, made real by the linux transport: setTTL, IP_PKTINFO,
 * the receive drop count (SO_MEMINFO). On nio each answers as documented (ENOTSUP, or null / -1).
 */
@Timeout(30)
class LinuxFeaturesTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Peer> channels = new ArrayList<>();

  static boolean linux() {
    return "linux".equals(System.getProperty("jdgram.transport"));
  }

  @AfterEach
  void closeAll() throws IOException {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
    for (EventLoop l : loops) {
      l.close();
    }
    for (Peer c : channels) {
      c.close();
    }
  }

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, address, () -> port.complete(s.address().port()));
    return Probe.get(port);
  }

  private Peer channel(boolean v6, String bindTo) throws IOException {
    Peer c = Peer.open(bindTo);
    channels.add(c);
    return c;
  }


  /** What onDatagram saw: destination address, interface index, sender. */
  record Seen(String local, int ifindex, String from, String family) {}

  private static int loopbackIndex() throws IOException {
    NetworkInterface lo = NetworkInterface.getByName("lo");
    Assumptions.assumeTrue(lo != null, "no interface named lo");
    return lo.getIndex();
  }

  // ------------------------------------------------------------------ setTTL

  @Test
  void setTtl64WorksOnLinuxUdp4() {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s, "127.0.0.1");
    if (!OnTransport.nio()) { // linux, and the simulated kernel, set IP_TTL
      assertEquals(64, s.setTTL(64));
      assertEquals(1, s.setTTL(1));
      assertEquals(255, s.setTTL(255));
      assertEquals("EINVAL", assertThrows(DgramException.class, () -> s.setTTL(0)).code());
      assertEquals("EINVAL", assertThrows(DgramException.class, () -> s.setTTL(256)).code());
    } else {
      DgramException e = assertThrows(DgramException.class, () -> s.setTTL(64));
      assertEquals("ENOTSUP", e.code());
      assertEquals("setTTL", e.syscall());
    }
  }

  @Test
  void setTtl64WorksOnLinuxUdp6() {
    DgramSocket s = socket(SocketOptions.of("udp6"));
    bind(s, "::1");
    if (!OnTransport.nio()) { // linux, and the simulated kernel, set IP_TTL
      assertEquals(64, s.setTTL(64));
      assertEquals("EINVAL", assertThrows(DgramException.class, () -> s.setTTL(0)).code());
    } else {
      assertEquals("ENOTSUP", assertThrows(DgramException.class, () -> s.setTTL(64)).code());
    }
  }

  @Test
  void setTtlThenSendStillDelivers() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "setTTL is ENOTSUP on nio (covered above)");
    Peer rx = channel(false, "127.0.0.1");
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s, "127.0.0.1");
    s.setTTL(64);
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    s.send(new byte[] {1, 2, 3}, ((InetSocketAddress) rx.getLocalAddress()).getPort(), "127.0.0.1",
        (err, n) -> {
          if (err != null) {
            sent.completeExceptionally(err);
          } else {
            sent.complete(n);
          }
        });
    assertEquals(3, Probe.get(sent));
    ByteBuffer b = ByteBuffer.allocate(16);
    rx.receive(b);
    assertEquals(3, b.position());
  }

  // ------------------------------------------------------------------ IP_PKTINFO

  private Seen receiveOneVia(String sockType, String bindAll, String senderAddr, String destAddr)
      throws Exception {
    return receiveOneVia(SocketOptions.of(sockType), bindAll, senderAddr, destAddr);
  }

  private Seen receiveOneVia(SocketOptions o, String bindAll, String senderAddr, String destAddr)
      throws Exception {
    String sockType = o.type();
    DgramSocket s = socket(o);
    BlockingQueue<Seen> seen = Probe.queue();
    s.onDatagram(d -> seen.add(new Seen(d.localAddress(), d.interfaceIndex(), d.address(), d.family())));
    int port = bind(s, bindAll);
    Peer tx = channel("udp6".equals(sockType), senderAddr);
    tx.send(ByteBuffer.wrap(new byte[] {42}), new InetSocketAddress(destAddr, port));
    return Probe.take(seen);
  }

  @Test
  void pktinfoTellsDestination127002OnWildcardSocket() throws Exception {
    int lo = loopbackIndex();
    Seen d = receiveOneVia("udp4", "0.0.0.0", "127.0.0.1", "127.0.0.2");
    assertEquals("127.0.0.1", d.from());
    if (!OnTransport.nio()) { // linux, and the simulated kernel, tell the destination
      assertEquals("127.0.0.2", d.local());
      assertEquals(lo, d.ifindex());
    } else {
      assertNull(d.local(), "nio cannot tell the destination");
      assertEquals(-1, d.ifindex());
    }
  }

  @Test
  void packetInfoOffLeavesDestinationAndInterfaceUnknownOnEveryTransport() throws Exception {
    // a zero-copy receiver that does not need them spares the kernel IP_PKTINFO per datagram
    Seen d = receiveOneVia(SocketOptions.of("udp4").packetInfo(false), "0.0.0.0", "127.0.0.1", "127.0.0.2");
    assertEquals("127.0.0.1", d.from(), "the datagram and its sender still arrive");
    assertNull(d.local());
    assertEquals(-1, d.ifindex());
  }

  @Test
  void pktinfoTellsDestination127001OnWildcardSocket() throws Exception {
    int lo = loopbackIndex();
    Seen d = receiveOneVia("udp4", "0.0.0.0", "127.0.0.1", "127.0.0.1");
    if (!OnTransport.nio()) { // linux, and the simulated kernel, tell the destination
      assertEquals("127.0.0.1", d.local());
      assertEquals(lo, d.ifindex());
    } else {
      assertNull(d.local());
      assertEquals(-1, d.ifindex());
    }
  }

  @Test
  void pktinfoAlternatesBetweenDestinations() throws Exception {
    // the transport caches the last decoded destination: it must notice a change
    Assumptions.assumeFalse(OnTransport.nio(), "PKTINFO is not on nio; nio's null/-1 is covered above");
    DgramSocket s = socket(SocketOptions.of("udp4"));
    BlockingQueue<String> seen = Probe.queue();
    s.onDatagram(d -> seen.add(d.localAddress() + "/" + d.toByteArray()[0]));
    int port = bind(s, "0.0.0.0");
    Peer tx = channel(false, "127.0.0.1");
    for (int i = 0; i < 6; i++) {
      String dest = i % 2 == 0 ? "127.0.0.1" : "127.0.0.2";
      tx.send(ByteBuffer.wrap(new byte[] {(byte) i}), new InetSocketAddress(dest, port));
      assertEquals(dest + "/" + i, Probe.take(seen));
    }
  }

  @Test
  void pktinfoUdp6OnWildcardFromLoopback() throws Exception {
    int lo = loopbackIndex();
    Seen d = receiveOneVia("udp6", "::", "::1", "::1");
    assertEquals("::1", d.from());
    assertEquals("IPv6", d.family());
    if (!OnTransport.nio()) { // linux, and the simulated kernel, tell the destination
      assertEquals("::1", d.local());
      assertEquals(lo, d.ifindex());
    } else {
      assertNull(d.local());
      assertEquals(-1, d.ifindex());
    }
  }

  // ------------------------------------------------------------------ receive drops (SO_MEMINFO)

  /** Makes {@code loop} sleep for {@code ms} (so it reads nothing meanwhile); returns once it sleeps. */
  private static void blockLoop(EventLoop loop, long ms) {
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    loop.execute(() -> {
      blocked.complete(null);
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Probe.get(blocked);
  }

  @Test
  void recvDropCountIsCurrentBeforeTheNextDatagram() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop));
    s.onMessage((m, r) -> { });
    int port = bind(s, "127.0.0.1");
    s.setRecvBufferSize(4096);
    // the loop sleeps through the burst and past the check: nothing is read meanwhile, so a count
    // that arrived with a datagram (SO_RXQ_OVFL's way) would still say 0
    blockLoop(loop, 1500);
    long t0 = System.nanoTime();
    Peer tx = channel(false, "127.0.0.1");
    InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
    for (int i = 0; i < 2_000; i++) {
      tx.send(ByteBuffer.wrap(new byte[100]), dest);
    }
    long drops = s.getRecvDropCount();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    Assumptions.assumeTrue(ms < 1200, "the burst and the check must end while the loop sleeps; took " + ms + " ms");
    assertTrue(drops > 0 && drops <= 2_000, "drops counted before any datagram was read: " + drops);
  }

  @Test
  void recvDropCountIsEnotsupOnNio() {
    Assumptions.assumeTrue(OnTransport.nio(), "linux and the simulated kernel count drops (tests below)");
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s, "127.0.0.1");
    DgramException e = assertThrows(DgramException.class, s::getRecvDropCount);
    assertEquals("ENOTSUP", e.code());
  }

  @Test
  void recvDropCountIsZeroBeforeAnyDrop() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered above)");
    DgramSocket s = socket(SocketOptions.of("udp4"));
    assertEquals(0, s.getRecvDropCount(), "before bind");
    AtomicInteger got = new AtomicInteger();
    int port = bind(s, "127.0.0.1");
    s.onDatagram(d -> got.incrementAndGet());
    assertEquals(0, s.getRecvDropCount(), "after bind");
    Peer tx = channel(false, "127.0.0.1");
    for (int i = 0; i < 10; i++) {
      tx.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("127.0.0.1", port));
    }
    long end = System.nanoTime() + 5_000_000_000L;
    while (got.get() < 10 && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertEquals(10, got.get());
    assertEquals(0, s.getRecvDropCount(), "after 10 datagrams that all fitted");
  }

  @Test
  void recvDropCountCountsWhatTheKernelDropped() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered above)");
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop));
    AtomicInteger got = new AtomicInteger();
    s.onDatagram(d -> got.incrementAndGet());
    int port = bind(s, "127.0.0.1");
    s.setRecvBufferSize(4096);
    // block the loop so nothing is read while the burst arrives
    blockLoop(loop, 500);
    Peer tx = channel(false, "127.0.0.1");
    InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
    final int burst = 2_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < burst; i++) {
      tx.send(ByteBuffer.wrap(new byte[100]), dest);
    }
    long burstMs = (System.nanoTime() - t0) / 1_000_000;
    // wait for the loop to wake and read what the kernel kept
    long end = System.nanoTime() + 5_000_000_000L;
    int last = -1;
    while (System.nanoTime() < end) {
      Thread.sleep(100);
      int now = got.get();
      if (now == last && now > 0) {
        break;
      }
      last = now;
    }
    int received = got.get();
    // one more datagram after the drops: it arrives (the socket still works) and is not counted
    tx.send(ByteBuffer.wrap(new byte[] {7}), dest);
    long end2 = System.nanoTime() + 5_000_000_000L;
    while (got.get() < received + 1 && System.nanoTime() < end2) {
      Thread.sleep(5);
    }
    assertEquals(received + 1, got.get(), "the marker datagram arrived");
    long drops = s.getRecvDropCount();
    int sent = burst + 1;
    System.out.printf("drops: sent %d (burst took %d ms, loop blocked 500 ms), received %d, "
        + "dropped %d, received+dropped %d%n", sent, burstMs, got.get(), drops, got.get() + drops);
    Assumptions.assumeTrue(burstMs < 400,
        "the burst must end while the loop is blocked; this machine took " + burstMs + " ms");
    assertTrue(drops > 0, "a 4 KiB receive buffer cannot hold 2,000 datagrams: drops " + drops);
    assertTrue(received < burst, "received " + received);
    // Loopback drops nothing elsewhere in practice, but the per-CPU backlog (netdev_max_backlog)
    // may drop a packet before it reaches the socket, and those drops are not the socket's.
    assertTrue(got.get() + drops <= sent, "received " + got.get() + " + dropped " + drops + " > sent " + sent);
    assertTrue(got.get() + drops >= sent - sent / 100,
        "received " + got.get() + " + dropped " + drops + " accounts for less than 99% of " + sent);
  }
}
