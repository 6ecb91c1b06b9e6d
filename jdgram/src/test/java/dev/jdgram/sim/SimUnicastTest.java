package dev.jdgram.sim;

import static dev.jdgram.sim.SimFixtures.MS10;
import static dev.jdgram.sim.SimFixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.AddressInfo;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.sim.SimFixtures.Errors;
import dev.jdgram.sim.SimFixtures.Inbox;
import dev.jdgram.sim.SimFixtures.TwoHosts;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DgramSocket over the simulation: bind, send, receive, connect, routing, limits. */
@Timeout(20)
class SimUnicastTest {
  @Test
  void sendAndReceiveAcrossALan() {
    try (TwoHosts t = new TwoHosts(1)) {
      DgramSocket rx = t.b.socket("udp4");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      tx.send(b("hello"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      assertEquals(1, in.got.size(), t.net.trace().toString());
      String from = in.got.get(0);
      assertTrue(from.startsWith("hello@10.0.0.1:"), from);
      // the ephemeral port was chosen at the first send, in Linux's range
      int port = tx.address().port();
      assertTrue(port >= 32768 && port <= 60999, "port " + port);
      assertEquals("10.0.0.1:" + port, from.substring(from.indexOf('@') + 1));
      assertEquals("0.0.0.0", tx.address().address());
    }
  }

  @Test
  void ipv6Works() {
    try (TwoHosts t = new TwoHosts(2)) {
      DgramSocket rx = t.b.socket("udp6");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(6000);
      t.a.socket("udp6").send(b("six"), 6000, "fd00::2");
      t.net.runFor(MS10);
      assertEquals(List.of("six"), in.texts());
      assertTrue(in.got.get(0).contains("@fd00::1:"), in.got.get(0));
    }
  }

  @Test
  void bindErrors() {
    try (TwoHosts t = new TwoHosts(3)) {
      DgramSocket s1 = t.b.socket("udp4");
      s1.bind(5000);
      t.net.runFor(MS10);
      Errors e = new Errors();
      DgramSocket s2 = t.b.socket("udp4");
      e.attach(s2);
      s2.bind(5000);
      DgramSocket s3 = t.b.socket("udp4");
      e.attach(s3);
      s3.bind(5001, "10.0.0.99"); // not an address of this host
      t.net.runFor(MS10);
      assertEquals(List.of("EADDRINUSE", "EADDRNOTAVAIL"), e.codes());
      // a specific address and the wildcard on the same port conflict too; reuseAddr shares
      DgramSocket r1 = net(t).socket(t.b, true);
      r1.bind(7000);
      DgramSocket r2 = net(t).socket(t.b, true);
      r2.bind(7000);
      t.net.runFor(MS10);
      assertEquals(7000, r2.address().port());
    }
  }

  private static Helper net(TwoHosts t) {
    return new Helper();
  }

  private static final class Helper {
    DgramSocket socket(Host h, boolean reuse) {
      return dev.jdgram.Dgram.createSocket(h.options("udp4").reuseAddr(reuse));
    }
  }

  @Test
  void loopbackAndOwnAddress() {
    try (TwoHosts t = new TwoHosts(4)) {
      DgramSocket rx = t.a.socket("udp4");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      tx.send(b("lo"), 5000, "127.0.0.1");
      tx.send(b("own"), 5000, "10.0.0.1");
      t.net.runFor(MS10);
      assertEquals(List.of("lo", "own"), in.texts());
    }
  }

  @Test
  void connectFiltersAndSetsTheSourceAddress() {
    try (TwoHosts t = new TwoHosts(5)) {
      DgramSocket rx = t.b.socket("udp4");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      tx.connect(5000, "10.0.0.2");
      t.net.runFor(MS10);
      AddressInfo local = tx.address();
      assertEquals("10.0.0.1", local.address()); // the route's source, as Linux's connect sets it
      assertEquals("10.0.0.2", tx.remoteAddress().address());
      tx.send(b("c1"));
      t.net.runFor(MS10);
      assertEquals(List.of("c1"), in.texts());
      // a connected receiver ignores other senders
      DgramSocket other = t.a.socket("udp4");
      rx.connect(local.port(), "10.0.0.1");
      t.net.runFor(MS10);
      other.send(b("stranger"), 5000, "10.0.0.2");
      tx.send(b("c2"));
      t.net.runFor(MS10);
      assertEquals(List.of("c1", "c2"), in.texts());
      assertTrue(t.net.trace().drops(Layer.UDP).size() >= 1);
    }
  }

  @Test
  void sourceAddressChosenByRouteOnAMultiHomedHost() {
    try (SimNetwork net = SimNetwork.create(6)) {
      Lan l1 = net.lan("l1");
      Lan l2 = net.lan("l2");
      Host m = net.host("m");
      m.nic("eth0", l1, "10.1.0.1/24");
      m.nic("eth1", l2, "10.2.0.1/24");
      Host x = net.host("x");
      x.nic("eth0", l1, "10.1.0.2/24");
      Host y = net.host("y");
      y.nic("eth0", l2, "10.2.0.2/24");
      Inbox ix = new Inbox();
      Inbox iy = new Inbox();
      DgramSocket sx = x.socket("udp4");
      ix.attach(sx);
      sx.bind(9);
      DgramSocket sy = y.socket("udp4");
      iy.attach(sy);
      sy.bind(9);
      DgramSocket s = m.socket("udp4");
      s.send(b("to-x"), 9, "10.1.0.2");
      s.send(b("to-y"), 9, "10.2.0.2");
      net.runFor(MS10);
      assertTrue(ix.got.get(0).startsWith("to-x@10.1.0.1:"), ix.got.toString());
      assertTrue(iy.got.get(0).startsWith("to-y@10.2.0.1:"), iy.got.toString());
    }
  }

  @Test
  void sendErrors() {
    try (TwoHosts t = new TwoHosts(7)) {
      Errors e = new Errors();
      DgramSocket tx = t.a.socket("udp4");
      e.attach(tx);
      tx.send(new byte[65508], 5000, "10.0.0.2", e.cb());
      tx.send(b("x"), 5000, "192.168.7.7", e.cb()); // no route: no default route on a
      t.net.runFor(MS10);
      assertEquals(List.of("EMSGSIZE", "ENETUNREACH"), e.codes());
      // the largest datagram goes through
      DgramSocket rx = t.b.socket("udp4");
      int[] size = new int[1];
      rx.onMessage((m, r) -> size[0] = m.length);
      rx.bind(5000);
      t.net.runFor(MS10);
      tx.send(new byte[65507], 5000, "10.0.0.2");
      t.net.runFor(MS10);
      assertEquals(65507, size[0]);
    }
  }

  @Test
  void ttlIsDecrementedPerRouterHopAndExpires() {
    try (SimNetwork net = SimNetwork.create(8)) {
      Lan l1 = net.lan("l1");
      Lan l2 = net.lan("l2");
      Lan l3 = net.lan("l3");
      Host r1 = net.router("r1");
      r1.nic("eth0", l1, "10.1.0.254/24");
      r1.nic("eth1", l2, "10.2.0.1/24");
      Host r2 = net.router("r2");
      r2.nic("eth0", l2, "10.2.0.2/24");
      r2.nic("eth1", l3, "10.3.0.254/24");
      r1.route("10.3.0.0/24", "10.2.0.2");
      r2.route("10.1.0.0/24", "10.2.0.1");
      Host a = net.host("a");
      a.nic("eth0", l1, "10.1.0.1/24");
      a.defaultRoute("10.1.0.254");
      Host c = net.host("c");
      c.nic("eth0", l3, "10.3.0.1/24");
      c.defaultRoute("10.3.0.254");
      DgramSocket rx = c.socket("udp4");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(4000);
      Capture cap = c.nic("eth0").link().capture();
      DgramSocket tx = a.socket("udp4");
      tx.bind(0);
      net.runFor(MS10);
      tx.send(b("far"), 4000, "10.3.0.1");
      net.runFor(MS10);
      assertEquals(List.of("far"), in.texts(), net.trace().toString());
      byte[] frame = cap.frames().get(cap.frameCount() - 1);
      assertEquals(62, frame[14 + 8] & 0xff); // 64 - 2 hops
      tx.setTTL(2);
      tx.send(b("dies"), 4000, "10.3.0.1");
      net.runFor(MS10);
      assertEquals(List.of("far"), in.texts());
      List<TraceEvent> drops = net.trace().drops(Layer.ROUTER);
      assertEquals(1, drops.size());
      assertEquals("r2", drops.get(0).node());
      assertTrue(drops.get(0).detail().contains("TTL 1"), drops.get(0).detail());
      // and back: the reply finds its way through both routers
      DgramSocket echo = c.socket("udp4");
      echo.send(b("back"), tx.address().port(), "10.1.0.1");
      Inbox back = new Inbox();
      back.attach(tx);
      net.runFor(MS10);
      assertEquals(List.of("back"), back.texts());
    }
  }

  @Test
  void receiveBufferOverflowIsDroppedAndCounted() {
    try (TwoHosts t = new TwoHosts(9)) {
      DgramSocket rx = t.b.socket("udp4");
      Inbox in = new Inbox();
      in.attach(rx);
      rx.bind(5000);
      t.net.runFor(MS10);
      rx.setRecvBufferSize(4096); // the kernel doubles it: 8192
      assertEquals(8192, rx.getRecvBufferSize());
      // stop reading by holding the loop: queue 50 datagrams of 1000 bytes at once
      DgramSocket tx = t.a.socket("udp4");
      for (int i = 0; i < 50; i++) {
        tx.send(new byte[1000], 5000, "10.0.0.2");
      }
      t.b.nic("eth0").link().rateLimit(0); // no-op: keeps the frames back-to-back
      t.net.runFor(MS10);
      long dropped = rx.getRecvDropCount();
      assertTrue(dropped > 0, "drops " + dropped);
      assertEquals(50, in.got.size() + dropped);
      assertEquals(dropped, t.net.trace().drops(Layer.SOCKET).size());
    }
  }

  @Test
  void portUnreachableRefusesAConnectedSocketOnly() {
    try (TwoHosts t = new TwoHosts(12)) {
      Errors e = new Errors();
      DgramSocket connected = t.a.socket("udp4");
      e.attach(connected);
      connected.connect(5999, "10.0.0.2");
      DgramSocket loose = t.a.socket("udp4");
      e.attach(loose);
      t.net.runFor(MS10);
      connected.send(b("anyone?"));
      loose.send(b("anyone?"), 5999, "10.0.0.2");
      t.net.runFor(MS10);
      assertEquals(List.of("ECONNREFUSED"), e.codes());
      assertEquals("recvmsg", e.seen.get(0).syscall());
      List<TraceEvent> icmp = t.net.trace().events().stream().filter(x -> x.layer() == Layer.ICMP).toList();
      assertEquals(4, icmp.size(), icmp.toString()); // two sent, one delivered, one ignored
      assertTrue(icmp.get(3).detail().contains("unconnected sockets ignore it"), icmp.toString());
    }
  }

  @Test
  void closedHostNotOnTheLoopIsRejected() {
    try (TwoHosts t = new TwoHosts(10); SimNetwork other = SimNetwork.create(1)) {
      Host stranger = other.host("s");
      assertThrows(DgramException.class, () -> dev.jdgram.Dgram.createSocket(stranger.options("udp4").loop(t.net.loop())));
    }
  }

  @Test
  void timersRunOnVirtualTime() {
    try (TwoHosts t = new TwoHosts(11)) {
      long[] firedAt = new long[1];
      t.net.loop().setTimeout(() -> firedAt[0] = t.net.nowMicros(), 5000);
      long start = System.nanoTime();
      t.net.runFor(Duration.ofSeconds(10));
      assertEquals(5_000_000, firedAt[0]);
      assertEquals(10_000_000, t.net.nowMicros());
      assertTrue(System.nanoTime() - start < 2_000_000_000L, "virtual time runs faster than real time");
    }
  }
}
