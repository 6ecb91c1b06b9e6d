package dev.jdgram.sim;

import static dev.jdgram.sim.SimFixtures.MS10;
import static dev.jdgram.sim.SimFixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.sim.SimFixtures.Inbox;
import dev.jdgram.sim.SimFixtures.TwoHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The network-building API, the run helpers, the trace, dual-stack binds. */
@Timeout(20)
class SimNetworkTest {
  @Test
  void buildingBlocks() {
    try (TwoHosts t = new TwoHosts(1)) {
      Nic n = t.a.nic("eth0");
      assertEquals(2, n.index());
      assertEquals("02:00:00:00:00:01", n.mac());
      assertEquals(List.of("10.0.0.1/24", "fd00::1/64"), n.addresses());
      assertEquals(NicMode.EXACT, n.mode());
      assertEquals(NicMode.ALL_MULTICAST, t.net.router("r").nic("eth0", t.lan, "10.0.0.254/24").mode());
      assertEquals("a/eth0", n.link().name());
      assertThrows(IllegalArgumentException.class, () -> t.a.route("10.9.0.0/16", "192.168.1.1"));
      assertThrows(IllegalArgumentException.class, () -> t.a.nic("eth9"));
      assertEquals("sim", t.net.loop().transportName());
      assertThrows(DgramException.class, () -> dev.jdgram.Dgram.createSocket(dev.jdgram.SocketOptions.of("udp4").loop(t.net.loop())),
          "a socket on the sim loop needs a host");
    }
  }

  @Test
  void runUntilAndRunUntilIdle() {
    try (TwoHosts t = new TwoHosts(2)) {
      Inbox in = new Inbox();
      DgramSocket rx = t.b.socket("udp4");
      in.attach(rx);
      rx.bind(5000);
      t.a.nic("eth0").link().delay(Duration.ofSeconds(3));
      t.a.socket("udp4").send(b("slow"), 5000, "10.0.0.2");
      assertTrue(t.net.runUntil(() -> !in.got.isEmpty(), Duration.ofSeconds(10)));
      assertEquals(3_000_000, t.net.nowMicros());
      assertFalse(t.net.runUntil(() -> in.got.size() > 1, Duration.ofSeconds(1)));
      assertEquals(4_000_000, t.net.nowMicros());
      t.a.socket("udp4").send(b("again"), 5000, "10.0.0.2");
      t.net.runUntilIdle();
      assertEquals(List.of("slow", "again"), in.texts());
      assertEquals(7_000_000, t.net.nowMicros(), "idle right after the last arrival");
    }
  }

  @Test
  void theTraceKeepsTheNewestEventsUpToItsLimit() {
    try (TwoHosts t = new TwoHosts(4)) {
      DgramSocket rx = t.b.socket("udp4");
      rx.bind(5000);
      Trace trace = t.net.trace();
      trace.limit(10);
      DgramSocket tx = t.a.socket("udp4");
      for (int i = 0; i < 20; i++) {
        tx.send(b("m" + i), 5000, "10.0.0.2");
      }
      t.net.runFor(MS10);
      List<TraceEvent> kept = trace.events();
      assertEquals(10, kept.size(), "no more than the limit");
      // 20 datagrams of 6 steps each (and the binds' own events): all but the last 10 let go
      assertTrue(trace.forgotten() >= 20 * 6 - 10, "forgotten " + trace.forgotten());
      TraceEvent last = kept.getLast();
      assertEquals("b SOCKET deliver", last.node() + " " + last.layer() + " " + last.action(), "the newest stay");
      assertThrows(IllegalArgumentException.class, () -> trace.limit(0));
      trace.clear();
      assertEquals(0, trace.forgotten());
    }
  }

  @Test
  void aDatagramsWholePathIsInTheTrace() {
    try (TwoHosts t = new TwoHosts(3)) {
      DgramSocket rx = t.b.socket("udp4");
      rx.bind(5000);
      t.a.socket("udp4").send(b("x"), 5000, "10.0.0.2");
      t.a.socket("udp4").send(b("y"), 5001, "10.0.0.2");
      t.net.runFor(MS10);
      List<String> steps = new ArrayList<>();
      for (TraceEvent e : t.net.trace().of("d1")) {
        steps.add(e.node() + " " + e.layer() + " " + e.action());
      }
      assertEquals(List.of("a SOCKET send", "a IP route", "a/eth0 NIC tx", "lan0 SWITCH forward", "b/eth0 NIC rx", "b SOCKET deliver"), steps);
      TraceEvent drop = t.net.trace().of("d2").getLast();
      assertEquals(Layer.UDP, drop.layer());
      assertTrue(drop.detail().contains("no socket on 10.0.0.2:5001"), drop.detail());
      assertTrue(drop.toString().contains("drop"));
    }
  }

  @Test
  void promiscuousCardsPassOtherHostsFramesThatIpThenDrops() {
    try (TwoHosts t = new TwoHosts(4)) {
      Host c = t.net.host("c");
      c.nic("eth0", t.lan, "10.0.0.3/24").mode(NicMode.PROMISCUOUS);
      DgramSocket rx = t.b.socket("udp4");
      rx.bind(5000);
      // b has sent nothing yet: the switch floods the unknown unicast to every port
      t.a.socket("udp4").send(b("x"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      List<TraceEvent> atC = t.net.trace().of("d1").stream().filter(e -> e.node().startsWith("c")).toList();
      assertEquals(2, atC.size(), atC.toString());
      assertEquals("rx", atC.get(0).action());
      assertTrue(atC.get(1).detail().contains("PACKET_OTHERHOST"), atC.get(1).detail());
    }
  }

  @Test
  void dualStackBindsClashUnlessV6Only() {
    try (TwoHosts t = new TwoHosts(5)) {
      DgramSocket v4 = t.b.socket("udp4");
      v4.bind(5000);
      t.net.runFor(MS10);
      SimFixtures.Errors e = new SimFixtures.Errors();
      DgramSocket v6 = t.b.socket("udp6");
      e.attach(v6);
      v6.bind(5000);
      DgramSocket v6only = dev.jdgram.Dgram.createSocket(t.b.options("udp6").ipv6Only(true));
      e.attach(v6only);
      v6only.bind(5000);
      t.net.runFor(MS10);
      assertEquals(List.of("EADDRINUSE"), e.codes());
      assertEquals(5000, v6only.address().port());
    }
  }

  @Test
  void theLoopMayRunOnItsOwnThread() throws Exception {
    try (TwoHosts t = new TwoHosts(7)) {
      java.util.concurrent.CompletableFuture<String> got = new java.util.concurrent.CompletableFuture<>();
      DgramSocket rx = t.b.socket("udp4", (m, r) -> got.complete(new String(m) + "@" + t.net.nowMicros()));
      rx.bind(5000);
      t.a.nic("eth0").link().delay(Duration.ofMillis(250));
      t.net.loop().start(); // virtual time runs as fast as the thread can go; idle, it waits
      t.a.socket("udp4").send(b("threaded"), 5000, "10.0.0.2");
      assertEquals("threaded@250000", got.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }
  }

  @Test
  void optionsBeforeBindAreEbadfAndRangesAreChecked() {
    try (TwoHosts t = new TwoHosts(6)) {
      DgramSocket s = t.a.socket("udp4");
      assertEquals("EBADF", assertThrows(DgramException.class, () -> s.setTTL(5)).code());
      s.bind(0);
      t.net.runFor(MS10);
      assertEquals("EINVAL", assertThrows(DgramException.class, () -> s.setTTL(0)).code());
      assertEquals(5, s.setTTL(5));
      assertEquals("EADDRNOTAVAIL", assertThrows(DgramException.class, () -> s.setMulticastInterface("10.9.9.9")).code());
      s.setMulticastInterface("10.0.0.1");
      assertEquals(212992, s.getRecvBufferSize());
    }
  }
}
