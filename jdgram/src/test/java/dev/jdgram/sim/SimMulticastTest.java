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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Multicast: membership errnos, refcounts and IGMP, MAC mapping, NIC filters, snooping, routers. */
@Timeout(20)
class SimMulticastTest {
  static final String G = "239.1.1.1";

  /** Hosts a (sender), b and c on one LAN, each with 224.0.0.0/4 routed out of eth0. */
  static final class McLan implements AutoCloseable {
    final SimNetwork net = SimNetwork.create(100);
    final Lan lan = net.lan("lan0");
    final Host a = host("a", "10.0.0.1/24");
    final Host b = host("b", "10.0.0.2/24");
    final Host c = host("c", "10.0.0.3/24");

    Host host(String name, String addr) {
      Host h = net.host(name);
      Nic n = h.nic("eth0", lan, addr, "fd00::" + addr.charAt(7) + "/64");
      h.route("224.0.0.0/4", n);
      return h;
    }

    DgramSocket bound(Host h, int port, Inbox in) {
      DgramSocket s = dev.jdgram.Dgram.createSocket(h.options("udp4").reuseAddr(true));
      if (in != null) {
        in.attach(s);
      }
      s.bind(port);
      net.runFor(MS10);
      return s;
    }

    @Override
    public void close() {
      net.close();
    }
  }

  private static String code(Runnable r) {
    return assertThrows(DgramException.class, r::run).code();
  }

  @Test
  void membershipErrnosMatchLinux() {
    try (McLan t = new McLan()) {
      DgramSocket s = t.bound(t.b, 5000, null);
      s.addMembership(G);
      assertEquals("EADDRINUSE", code(() -> s.addMembership(G)));
      assertEquals("EADDRNOTAVAIL", code(() -> s.dropMembership("239.9.9.9")));
      assertEquals("EINVAL", code(() -> s.addMembership("10.0.0.9")));
      assertEquals("ENODEV", code(() -> s.addMembership("239.1.1.2", "10.0.0.99")));
      for (int i = 2; i <= 20; i++) {
        s.addMembership("239.1.1." + i);
      }
      assertEquals("ENOBUFS", code(() -> s.addMembership("239.1.1.21"))); // igmp_max_memberships 20
      s.dropMembership(G);
      s.addMembership("239.1.1.21");
      // a host without any route for the group cannot choose an interface
      Host lonely = t.net.host("lonely");
      lonely.nic("eth0", t.lan, "10.0.0.50/24");
      DgramSocket l = t.bound(lonely, 5000, null);
      assertEquals("ENODEV", code(() -> l.addMembership(G)));
      l.addMembership(G, "10.0.0.50"); // naming the interface works
    }
  }

  @Test
  void refcountedJoinsSendOneReportAndOneLeave() {
    try (McLan t = new McLan()) {
      Capture cap = t.b.nic("eth0").link().capture();
      Nic eth0 = t.b.nic("eth0");
      DgramSocket s1 = t.bound(t.b, 5000, null);
      DgramSocket s2 = t.bound(t.b, 5000, null);
      s1.addMembership(G);
      s2.addMembership(G);
      t.net.runFor(MS10);
      assertEquals(2, eth0.groupRefs(G));
      assertEquals(1, eth0.macFilter().get("01:00:5e:01:01:01"));
      assertEquals(1, cap.frameCount(), "one report for two joins");
      byte[] report = cap.frames().get(0);
      assertEquals("01:00:5e:01:01:01", mac(report, 0));
      assertEquals(0x16, report[14 + 24] & 0xff); // IGMPv2 report after a 24-byte IP header (router alert)
      s1.dropMembership(G);
      t.net.runFor(MS10);
      assertEquals(1, cap.frameCount(), "no leave while a socket still holds the group");
      s2.close(); // closing drops the socket's memberships (ip_mc_drop_socket)
      t.net.runFor(MS10);
      assertEquals(2, cap.frameCount());
      byte[] leave = cap.frames().get(1);
      assertEquals("01:00:5e:00:00:02", mac(leave, 0));
      assertEquals(0x17, leave[14 + 24] & 0xff);
      assertEquals(0, eth0.groupRefs(G));
      assertFalse(eth0.macFilter().containsKey("01:00:5e:01:01:01"));
    }
  }

  static String mac(byte[] f, int off) {
    return String.format("%02x:%02x:%02x:%02x:%02x:%02x", f[off], f[off + 1], f[off + 2], f[off + 3], f[off + 4], f[off + 5]);
  }

  @Test
  void membersReceiveAndTheNicFilterDropsTheRest() {
    try (McLan t = new McLan()) {
      Inbox ib = new Inbox();
      Inbox ic = new Inbox();
      DgramSocket sb = t.bound(t.b, 5000, ib);
      t.bound(t.c, 5000, ic);
      sb.addMembership(G);
      DgramSocket tx = t.bound(t.a, 0, null);
      tx.send(b("m1"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of("m1"), ib.texts());
      assertEquals(List.of(), ic.texts());
      TraceEvent nicDrop = t.net.trace().drops(Layer.NIC).stream().filter(e -> e.packet().startsWith("d")).findFirst().orElseThrow();
      assertEquals("c/eth0", nicDrop.node());
      assertTrue(nicDrop.detail().contains("not in the filter"), nicDrop.detail());
      // all-multicast: the card passes it, IP drops it (not a member)
      t.c.nic("eth0").mode(NicMode.ALL_MULTICAST);
      t.net.trace().clear();
      tx.send(b("m2"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of(), ic.texts());
      assertEquals(List.of(), t.net.trace().drops(Layer.NIC));
      assertTrue(t.net.trace().drops(Layer.IP).get(0).detail().contains("not a member"));
      // promiscuous: unicast to b also reaches c's IP layer, which drops it as another host's
      t.c.nic("eth0").mode(NicMode.PROMISCUOUS);
      t.net.trace().clear();
      DgramSocket uni = t.bound(t.a, 0, null);
      uni.send(b("u"), 5000, "10.0.0.2"); // b's MAC is learned: the switch sends it to b only
      t.net.runFor(MS10);
      assertEquals(List.of("m1", "m2", "u"), ib.texts());
    }
  }

  @Test
  void theThirtyTwoToOneMacCollisionPassesTheCardAndIpDropsIt() {
    assertEquals(Nic.multicastMac("239.1.1.1"), Nic.multicastMac("239.129.1.1"));
    assertEquals(Nic.multicastMac("239.1.1.1"), Nic.multicastMac("224.1.1.1"));
    assertEquals("01:00:5e:01:01:01", Nic.multicastMac("225.129.1.1"));
    assertEquals("33:33:00:00:00:01", Nic.multicastMac("ff02::1"));
    try (McLan t = new McLan()) {
      Inbox ib = new Inbox();
      DgramSocket sb = t.bound(t.b, 5000, ib);
      sb.addMembership(G);
      DgramSocket tx = t.bound(t.a, 0, null);
      tx.send(b("collide"), 5000, "239.129.1.1");
      t.net.runFor(MS10);
      assertEquals(List.of(), ib.texts());
      List<TraceEvent> bEvents = t.net.trace().events().stream().filter(e -> e.node().startsWith("b")).toList();
      assertTrue(bEvents.stream().anyMatch(e -> e.layer() == Layer.NIC && e.action().equals("rx")), bEvents.toString());
      TraceEvent drop = bEvents.stream().filter(TraceEvent::isDrop).findFirst().orElseThrow();
      assertEquals(Layer.IP, drop.layer());
      assertTrue(drop.detail().contains("not a member of 239.129.1.1"), drop.detail());
    }
  }

  @Test
  void aWildcardSocketGetsGroupsJoinedByAnotherSocketLikeLinux() {
    try (McLan t = new McLan()) {
      Inbox joined = new Inbox();
      Inbox bystander = new Inbox();
      DgramSocket sj = t.bound(t.b, 5000, joined);
      t.bound(t.b, 5000, bystander);
      sj.addMembership(G);
      t.bound(t.a, 0, null).send(b("all"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of("all"), joined.texts());
      assertEquals(List.of("all"), bystander.texts()); // IP_MULTICAST_ALL defaults to 1
    }
  }

  @Test
  void multicastLoopbackAndTtlZero() {
    try (McLan t = new McLan()) {
      Inbox self = new Inbox();
      Inbox ib = new Inbox();
      DgramSocket s = t.bound(t.a, 5000, self);
      s.addMembership(G);
      t.bound(t.b, 5000, ib).addMembership(G);
      s.send(b("l1"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of("l1"), self.texts());
      assertEquals(List.of("l1"), ib.texts());
      s.setMulticastTTL(0); // looped back, never on the wire
      s.send(b("l2"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of("l1", "l2"), self.texts());
      assertEquals(List.of("l1"), ib.texts());
      s.setMulticastTTL(1);
      s.setMulticastLoopback(false);
      s.send(b("l3"), 5000, G);
      t.net.runFor(MS10);
      assertEquals(List.of("l1", "l2"), self.texts());
      assertEquals(List.of("l1", "l3"), ib.texts());
    }
  }

  @Test
  void igmpSnoopingKeepsGroupsOffPortsWithoutMembers() {
    try (McLan t = new McLan()) {
      t.lan.igmpSnooping(true);
      Capture atC = t.c.nic("eth0").link().capture();
      t.bound(t.b, 5000, null).addMembership(G);
      t.net.runFor(MS10);
      assertEquals(List.of("b/eth0"), t.lan.snoopedPorts(G));
      DgramSocket tx = t.bound(t.a, 0, null);
      tx.send(b("s1"), 5000, G);
      t.net.runFor(MS10);
      assertFalse(atC.tags().stream().anyMatch(x -> x.startsWith("d")), atC.tags().toString());
      t.lan.igmpSnooping(false);
      tx.send(b("s2"), 5000, G);
      t.net.runFor(MS10);
      assertTrue(atC.tags().stream().anyMatch(x -> x.startsWith("d")), "flooded without snooping");
    }
  }

  @Test
  void sourceSpecificMembership() {
    try (McLan t = new McLan()) {
      Capture cap = t.b.nic("eth0").link().capture();
      Inbox ib = new Inbox();
      DgramSocket sb = t.bound(t.b, 5000, ib);
      String ssm = "232.1.1.1";
      sb.addSourceSpecificMembership("10.0.0.1", ssm);
      assertEquals("EADDRNOTAVAIL", code(() -> sb.addSourceSpecificMembership("10.0.0.1", ssm)));
      assertEquals("EADDRINUSE", code(() -> sb.addMembership(ssm)));
      assertEquals("EINVAL", code(() -> sb.dropSourceSpecificMembership("10.0.0.1", "232.9.9.9")));
      t.net.runFor(MS10);
      byte[] v3 = cap.frames().get(0);
      assertEquals("01:00:5e:00:00:16", mac(v3, 0)); // IGMPv3 reports go to 224.0.0.22
      assertEquals(0x22, v3[14 + 24] & 0xff);
      t.bound(t.a, 0, null).send(b("from-a"), 5000, ssm);
      t.bound(t.c, 0, null).send(b("from-c"), 5000, ssm);
      t.net.runFor(MS10);
      assertEquals(List.of("from-a"), ib.texts());
      assertTrue(t.net.trace().drops(Layer.IP).get(0).detail().contains("source 10.0.0.3 not in"));
      sb.dropSourceSpecificMembership("10.0.0.1", ssm);
      assertEquals(0, t.b.nic("eth0").groupRefs(ssm));
    }
  }

  @Test
  void ipv6MulticastWithMld() {
    try (McLan t = new McLan()) {
      Capture cap = t.b.nic("eth0").link().capture();
      Inbox ib = new Inbox();
      DgramSocket sb = dev.jdgram.Dgram.createSocket(t.b.options("udp6"));
      ib.attach(sb);
      sb.bind(5000);
      t.net.runFor(MS10);
      sb.addMembership("ff15::1234");
      t.net.runFor(MS10);
      byte[] mld = cap.frames().get(0);
      assertEquals("33:33:00:00:12:34", mac(mld, 0));
      assertEquals(131, mld[14 + 48] & 0xff); // after IPv6 + hop-by-hop header
      DgramSocket tx = dev.jdgram.Dgram.createSocket(t.a.options("udp6"));
      tx.send(b("v6"), 5000, "ff15::1234");
      t.net.runFor(MS10);
      assertEquals(List.of("v6"), ib.texts());
    }
  }

  /** LAN A (sender) and LANs B and C behind one router; only B has a member. */
  @Test
  void routerForwardsAGroupOnlyOntoLinksWithMembers() {
    try (SimNetwork net = SimNetwork.create(7)) {
      Lan la = net.lan("lanA");
      Lan lb = net.lan("lanB");
      Lan lc = net.lan("lanC");
      Host r = net.router("r");
      r.nic("eth0", la, "10.1.0.254/24");
      Nic rb = r.nic("eth1", lb, "10.2.0.254/24");
      Nic rc = r.nic("eth2", lc, "10.3.0.254/24");
      Host s = net.host("s");
      s.nic("eth0", la, "10.1.0.1/24");
      s.defaultRoute("10.1.0.254");
      Host b = net.host("b");
      b.nic("eth0", lb, "10.2.0.1/24");
      b.defaultRoute("10.2.0.254");
      Host c = net.host("c");
      c.nic("eth0", lc, "10.3.0.1/24");
      c.defaultRoute("10.3.0.254");
      Capture onC = lc.capture();
      Inbox ib = new Inbox();
      Inbox ic = new Inbox();
      DgramSocket sb = b.socket("udp4");
      ib.attach(sb);
      sb.bind(5000);
      DgramSocket sc = c.socket("udp4");
      ic.attach(sc);
      sc.bind(5000);
      net.runFor(MS10);
      sb.addMembership(G);
      net.runFor(MS10);
      assertEquals(Map.of(G, Set.of("10.2.0.1")), r.learnedGroups(rb));
      assertEquals(Map.of(), r.learnedGroups(rc));
      DgramSocket tx = s.socket("udp4");
      tx.bind(0);
      net.runFor(MS10);
      tx.send(b("ttl1"), 5000, G); // multicast TTL 1: stays on lanA
      net.runFor(MS10);
      assertEquals(List.of(), ib.texts());
      assertTrue(net.trace().drops(Layer.ROUTER).get(0).detail().contains("multicast TTL 1"));
      tx.setMulticastTTL(4);
      tx.send(b("routed"), 5000, G);
      net.runFor(MS10);
      assertEquals(List.of("routed"), ib.texts());
      assertEquals(List.of(), ic.texts());
      assertFalse(onC.tags().stream().anyMatch(x -> x.startsWith("d")), "never forwarded onto lanC");
      List<TraceEvent> fwd = net.trace().events().stream().filter(e -> e.layer() == Layer.ROUTER && e.action().equals("forward")).toList();
      assertEquals(1, fwd.size());
      assertTrue(fwd.get(0).detail().contains("onto eth1") && fwd.get(0).detail().contains("ttl 4 -> 3"), fwd.get(0).detail());
      sb.dropMembership(G); // the leave reaches the router, which stops forwarding
      net.runFor(MS10);
      assertEquals(Map.of(), r.learnedGroups(rb));
      net.trace().clear();
      tx.send(b("nobody"), 5000, G);
      net.runFor(MS10);
      assertEquals(List.of("routed"), ib.texts());
      assertTrue(net.trace().drops(Layer.ROUTER).get(0).detail().contains("no members"));
    }
  }

  @Test
  void broadcastNeedsSoBroadcast() {
    try (McLan t = new McLan()) {
      Inbox ib = new Inbox();
      Inbox ic = new Inbox();
      t.bound(t.b, 5000, ib);
      t.bound(t.c, 5000, ic);
      SimFixtures.Errors e = new SimFixtures.Errors();
      DgramSocket tx = t.bound(t.a, 0, null);
      tx.send(b("nope"), 5000, "10.0.0.255", e.cb());
      t.net.runFor(MS10);
      assertEquals(List.of("EACCES"), e.codes());
      tx.setBroadcast(true);
      tx.send(b("all"), 5000, "10.0.0.255", e.cb());
      t.net.runFor(MS10);
      assertEquals(List.of("all"), ib.texts());
      assertEquals(List.of("all"), ic.texts());
      // 255.255.255.255 from a socket bound to its address leaves by that address's card
      DgramSocket tx2 = dev.jdgram.Dgram.createSocket(t.a.options("udp4"));
      tx2.bind(0, "10.0.0.1");
      t.net.runFor(MS10);
      tx2.send(b("limited"), 5000, "255.255.255.255", e.cb());
      t.net.runFor(MS10);
      assertEquals(List.of("EACCES"), e.codes().subList(1, 2));
      tx2.setBroadcast(true);
      tx2.send(b("limited"), 5000, "255.255.255.255", e.cb());
      t.net.runFor(MS10);
      assertEquals(List.of("all", "limited"), ib.texts());
    }
  }
}
