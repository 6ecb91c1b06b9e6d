package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.sim.Host;
import dev.jdgram.sim.Lan;
import dev.jdgram.sim.SimNetwork;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-datagram facts on the receive side, asked for per socket: the TOS byte and its ECN bits
 * (IP_RECVTOS, IPV6_RECVTCLASS), the TTL or hop limit as it arrived (IP_RECVTTL,
 * IPV6_RECVHOPLIMIT) and the kernel's receive time (SO_TIMESTAMPNS); unknown (-1) unless asked
 * for; refused with ENOTSUP where the transport cannot tell them.
 */
@Timeout(30)
class RecvMetadataTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
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

  /** What a listener read of one datagram. */
  record Facts(int tos, int ecn, int ttl, long timestampNanos) {
    static Facts of(Datagram d) {
      return new Facts(d.tos(), d.ecn(), d.ttl(), d.timestampNanos());
    }
  }

  /** Sends one datagram from a jdgram socket with unicast TTL {@code ttl}, and reads its facts in place. */
  private Facts oneDatagram(SocketOptions rxOptions, String address, int ttl) {
    DgramSocket rx = socket(rxOptions);
    CompletableFuture<Facts> seen = new CompletableFuture<>();
    rx.onDatagram(d -> seen.complete(Facts.of(d)));
    int port = bind(rx, address);
    DgramSocket tx = socket(SocketOptions.of(rxOptions.type()));
    bind(tx, address);
    tx.setTTL(ttl);
    tx.send(new byte[] {1}, port, address);
    return Probe.get(seen);
  }

  @Test
  void nothingIsToldUnlessAskedFor() {
    Assumptions.assumeFalse(OnTransport.nio(), "nio has no setTTL (the sender's TTL)");
    assertEquals(new Facts(-1, -1, -1, -1), oneDatagram(SocketOptions.of("udp4"), "127.0.0.1", 42));
  }

  @Test
  void ttlAsItArrivedUdp4AndUdp6() {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    assertEquals(42, oneDatagram(SocketOptions.of("udp4").recvTtl(true), "127.0.0.1", 42).ttl());
    assertEquals(7, oneDatagram(SocketOptions.of("udp6").recvTtl(true), "::1", 7).ttl());
  }

  @Test
  void timestampIsTheKernelsReceiveTime() {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    long before = System.currentTimeMillis() * 1_000_000L;
    Facts f = oneDatagram(SocketOptions.of("udp4").recvTimestamp(true), "127.0.0.1", 64);
    long after = System.currentTimeMillis() * 1_000_000L;
    assertEquals(-1, f.ttl(), "only what was asked for");
    if (OnTransport.sim()) {
      assertTrue(f.timestampNanos() >= 0, "the simulated network's clock: " + f.timestampNanos());
    } else {
      // CLOCK_REALTIME, the clock currentTimeMillis reads: within the test's own time, with a
      // millisecond of rounding on either side
      assertTrue(f.timestampNanos() >= before - 1_000_000L && f.timestampNanos() <= after + 1_000_000L,
          before + " <= " + f.timestampNanos() + " <= " + after);
    }
  }

  @Test
  void tosAndEcnAsTheSenderSetThem() throws Exception {
    Assumptions.assumeTrue(OnTransport.linux(), "the sender is a java.nio channel with IP_TOS (a real socket)");
    for (String address : List.of("127.0.0.1", "::1")) {
      boolean v6 = address.contains(":");
      DgramSocket rx = socket(SocketOptions.of(v6 ? "udp6" : "udp4").recvTos(true));
      CompletableFuture<Facts> seen = new CompletableFuture<>();
      rx.onDatagram(d -> seen.complete(Facts.of(d)));
      int port = bind(rx, address);
      try (DatagramChannel tx = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
        tx.setOption(StandardSocketOptions.IP_TOS, 0xb9); // DSCP EF (46) and ECT(1)
        tx.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(address, port));
        Facts f = Probe.get(seen);
        assertEquals(0xb9, f.tos(), address);
        assertEquals(1, f.ecn(), address);
      }
    }
  }

  @Test
  void anOnMessageListenerReadsThemFromTheCurrentDatagram() {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    DgramSocket rx = socket(SocketOptions.of("udp4").recvTtl(true));
    CompletableFuture<Integer> ttl = new CompletableFuture<>();
    rx.onMessage((msg, rinfo) -> ttl.complete(rx.currentDatagram().ttl()));
    int port = bind(rx, "127.0.0.1");
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    bind(tx, "127.0.0.1");
    tx.setTTL(33);
    tx.send(new byte[] {1}, port, "127.0.0.1");
    assertEquals(33, Probe.get(ttl));
    assertEquals(null, rx.currentDatagram(), "outside a listener there is no current datagram");
  }

  @Test
  void nioRefusesWhatItCannotTell() {
    Assumptions.assumeTrue(OnTransport.nio(), "linux and the simulated kernel tell them (above)");
    for (SocketOptions o : List.of(SocketOptions.of("udp4").recvTos(true), SocketOptions.of("udp4").recvTtl(true),
        SocketOptions.of("udp4").recvTimestamp(true))) {
      DgramSocket s = socket(o);
      CompletableFuture<DgramException> error = new CompletableFuture<>();
      s.onError(error::complete);
      s.bind(0, "127.0.0.1");
      DgramException e = Probe.get(error);
      assertEquals("ENOTSUP", e.code());
      assertEquals("bind", e.syscall());
    }
  }

  @Test
  void behindARouterTheTtlIsOneLessThanOnTheLan() {
    try (SimNetwork net = SimNetwork.create(11)) {
      Lan l1 = net.lan("l1");
      Lan l2 = net.lan("l2");
      Host r = net.router("r");
      r.nic("eth0", l1, "10.1.0.254/24");
      r.nic("eth1", l2, "10.2.0.254/24");
      Host a = net.host("a");
      a.nic("eth0", l1, "10.1.0.1/24");
      a.defaultRoute("10.1.0.254");
      Host near = net.host("near");
      near.nic("eth0", l1, "10.1.0.2/24");
      Host far = net.host("far");
      far.nic("eth0", l2, "10.2.0.1/24");
      far.defaultRoute("10.2.0.254");
      List<String> seen = new ArrayList<>();
      for (Host h : List.of(near, far)) {
        DgramSocket rx = Dgram.createSocket(h.options("udp4").recvTtl(true).recvTimestamp(true));
        rx.onDatagram(d -> seen.add(h.name() + " ttl " + d.ttl() + " stamped " + (d.timestampNanos() >= 0)));
        rx.bind(4001);
      }
      DgramSocket tx = a.socket("udp4");
      tx.bind(0);
      net.runFor(Duration.ofMillis(10));
      tx.send(new byte[] {1}, 4001, "10.1.0.2");
      tx.send(new byte[] {2}, 4001, "10.2.0.1");
      net.runFor(Duration.ofMillis(10));
      assertEquals(List.of("near ttl 64 stamped true", "far ttl 63 stamped true"), seen,
          net.trace().toString());
    }
  }
}
