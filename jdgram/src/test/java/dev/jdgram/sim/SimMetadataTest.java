package dev.jdgram.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.IcmpError;
import dev.jdgram.SendOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-datagram metadata and ICMP errors on the simulated network, the same cases as the
 * namespace module's MetadataTopologyTest on real kernels:
 * <pre>
 *   a .1.2 --+                                   +-- b .2.2
 *            [l1] -- eth0 .1.1  router  eth1 .2.1 -- [l2]
 *   near .1.3+                    (eth1: MTU 1280)
 * </pre>
 */
@Timeout(20)
class SimMetadataTest {
  private static final Duration MS50 = Duration.ofMillis(50);

  /** The routed network, and a receiver on near and on b (port 5007) that records what it sees. */
  private static final class Routed implements AutoCloseable {
    final SimNetwork net = SimNetwork.create(31);
    final Lan l1 = net.lan("l1");
    final Lan l2 = net.lan("l2");
    final Host router = net.router("router");
    final Host a = net.host("a");
    final Host near = net.host("near");
    final Host b = net.host("b");
    final List<String> seen = new ArrayList<>();
    final List<IcmpError> icmp = new ArrayList<>();
    final DgramSocket tx;

    Routed() {
      router.nic("eth0", l1, "10.0.1.1/24");
      router.nic("eth1", l2, "10.0.2.1/24").mtu(1280);
      a.nic("eth0", l1, "10.0.1.2/24");
      a.defaultRoute("10.0.1.1");
      near.nic("eth0", l1, "10.0.1.3/24");
      near.defaultRoute("10.0.1.1");
      b.nic("eth0", l2, "10.0.2.2/24");
      b.defaultRoute("10.0.2.1");
      for (Host h : List.of(near, b)) {
        DgramSocket rx = Dgram.createSocket(h.options("udp4").recvTtl(true).recvTos(true));
        rx.onDatagram(d -> seen.add(h.name() + " " + d.size() + " ttl " + d.ttl() + " tos " + d.tos()));
        rx.bind(5007);
      }
      tx = a.socket("udp4");
      tx.onIcmpError(icmp::add);
      tx.bind(0);
      net.runFor(MS50);
    }

    @Override
    public void close() {
      net.close();
    }
  }

  @Test
  void theTtlIsOneLessBehindTheRouterAndTosAndEcnCrossItUnchanged() {
    try (Routed r = new Routed()) {
      r.tx.send(new byte[3], 5007, "10.0.1.3");
      r.tx.send(new byte[4], 5007, "10.0.2.2");
      r.tx.send(new byte[5], 5007, "10.0.2.2", SendOptions.of().tos(0xb9).ttl(9), null);
      r.net.runFor(MS50);
      assertEquals(List.of("near 3 ttl 64 tos 0", "b 4 ttl 63 tos 0", "b 5 ttl 8 tos 185"), r.seen, r.net.trace().toString());
    }
  }

  @Test
  void aDontFragmentDatagramOverTheWansMtuComesBackWithTheMtu() {
    try (Routed r = new Routed()) {
      r.tx.setDontFragment(true);
      r.tx.send(new byte[1400], 5007, "10.0.2.2");
      r.net.runFor(MS50);
      assertEquals(1, r.icmp.size(), r.net.trace().toString());
      IcmpError e = r.icmp.get(0);
      assertEquals("10.0.2.2", e.address());
      assertEquals(5007, e.port());
      assertEquals("EMSGSIZE", e.code());
      assertEquals(3, e.icmpType());
      assertEquals(4, e.icmpCode());
      assertEquals("10.0.1.1", e.reporter());
      assertEquals(1280, e.mtu());
      assertEquals(List.of(), r.seen, "nothing crossed");
      // the host now knows the path MTU: the next one fails at once, smaller ones pass
      List<String> results = new ArrayList<>();
      r.tx.send(new byte[1400], 5007, "10.0.2.2", SendOptions.of(), (err, n) -> results.add(err == null ? "sent " + n : err.code()));
      r.tx.send(new byte[1200], 5007, "10.0.2.2", SendOptions.of(), (err, n) -> results.add(err == null ? "sent " + n : err.code()));
      r.net.runFor(MS50);
      assertEquals(List.of("EMSGSIZE", "sent 1200"), results);
      DgramSocket connected = r.a.socket("udp4");
      connected.bind(0);
      connected.connect(5007, "10.0.2.2");
      r.net.runFor(MS50);
      assertEquals(1280, connected.getPathMtu(), "IP_MTU: what the router said");
      assertEquals(List.of("b 1200 ttl 63 tos 0"), r.seen);
      // a datagram that may be fragmented crosses whole, as its fragments would
      DgramSocket plain = r.a.socket("udp4");
      plain.bind(0);
      plain.send(new byte[1400], 5007, "10.0.2.2");
      r.net.runFor(MS50);
      assertEquals(List.of("b 1200 ttl 63 tos 0", "b 1400 ttl 63 tos 0"), r.seen);
    }
  }

  @Test
  void aClosedPortOfAnotherHostIsTheUnconnectedSendersEvent() {
    try (Routed r = new Routed()) {
      r.tx.send(new byte[1], 5999, "10.0.2.2");
      r.net.runFor(MS50);
      assertEquals(1, r.icmp.size(), r.net.trace().toString());
      IcmpError e = r.icmp.get(0);
      assertEquals("10.0.2.2:5999 ECONNREFUSED 3/3 from 10.0.2.2",
          e.address() + ":" + e.port() + " " + e.code() + " " + e.icmpType() + "/" + e.icmpCode() + " from " + e.reporter());
    }
  }

  /**
   * A rate-limited link whose full queue marks ECN-capable datagrams CE instead of dropping
   * them: every ECT(0) datagram of a burst arrives, the late ones marked; of a burst that is not
   * ECN-capable, the excess is dropped.
   */
  @Test
  void aFullQueueMarksEcnCapableDatagramsInsteadOfDroppingThem() {
    try (Routed r = new Routed()) {
      r.router.nic("eth1").link().rateLimit(1_000_000).queueLimit(4).ecnMarking(true);
      SendOptions ect0 = SendOptions.of().ecn(2);
      for (int i = 0; i < 20; i++) {
        r.tx.send(new byte[500], 5007, "10.0.2.2", ect0, null);
      }
      r.net.runFor(Duration.ofMillis(500));
      long marked = r.seen.stream().filter(s -> s.endsWith("tos 3")).count();
      assertEquals(20, r.seen.size(), "ECN-capable: none dropped " + r.seen);
      assertTrue(marked > 0 && marked < 20, "some marked CE, the first not: " + r.seen);
      r.seen.clear();
      for (int i = 0; i < 20; i++) {
        r.tx.send(new byte[500], 5007, "10.0.2.2");
      }
      r.net.runFor(Duration.ofMillis(500));
      assertTrue(r.seen.size() < 20, "not ECN-capable: the excess dropped " + r.seen.size());
      assertTrue(r.seen.stream().noneMatch(s -> s.endsWith("tos 3")), r.seen.toString());
    }
  }
}
