package dev.jdgram.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.netns.AgentProcess.Msg;
import dev.jdgram.netns.NetLab.Iface;
import dev.jdgram.netns.NetLab.Ns;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jdgram on real multi-host networks built of network namespaces (docs/network-topologies.md):
 * every host runs an {@link Agent} JVM with {@code ip netns exec}; all traffic stays inside the
 * namespaces each test creates (CONTRIBUTING.md, "Network rules").
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetworkTopologiesTest {
  /** How long a datagram that should arrive may take; and how long to wait for one that must not. */
  private static final long ARRIVE = 5_000;
  private static final long QUIET = 400;

  private NetLab lab;

  @BeforeAll
  static void requireNamespaces() {
    String reason = NetLab.skipReason();
    assumeTrue(reason == null, () -> "skipped: " + reason);
  }

  @BeforeEach
  void newLab(TestInfo info) throws IOException {
    NetLab.assertRootClean();
    lab = new NetLab(info.getDisplayName());
  }

  @AfterEach
  void deleteLab() throws IOException {
    if (lab != null) {
      lab.close();
    }
    assertEquals(List.of(), NetLab.leftovers(), "namespaces left behind");
    NetLab.assertRootClean();
  }

  private static void requireProgram(String program, String pkg) {
    assumeTrue(NetLab.has(program), () -> "skipped: needs " + program + " (Debian package " + pkg + ")");
  }

  private static void quiet() throws InterruptedException {
    Thread.sleep(QUIET);
  }

  private static Predicate<String> has(String... parts) {
    return l -> {
      for (String p : parts) {
        if (!l.contains(p)) {
          return false;
        }
      }
      return true;
    };
  }

  // ------------------------------------------------------------------ 1 LAN multicast

  /**
   * <pre>
   *  sender .1   member1 .2   member2 .3   other .4      10.200.1.0/24
   *      \           |            |          /
   *       +--------------- br0 ---------------+          (bridge namespace)
   * </pre>
   */
  @ParameterizedTest(name = "{0} transport")
  @ValueSource(strings = {"linux", "nio"})
  void lanMulticastReachesMembersOnly(String transport) throws Exception {
    Ns br = lab.bridge("lan");
    Ns s = lab.host("sender");
    Ns m1 = lab.host("member1");
    Ns m2 = lab.host("member2");
    Ns n = lab.host("other");
    lab.link(s, "eth0", br, "10.200.1.1/24", null);
    lab.link(m1, "eth0", br, "10.200.1.2/24", null);
    lab.link(m2, "eth0", br, "10.200.1.3/24", null);
    lab.link(n, "eth0", br, "10.200.1.4/24", null);
    NetLab.assertRootClean();
    List<AgentProcess> a = lab.agents(transport, s, m1, m2, n);
    AgentProcess sa = a.get(0);
    for (int i = 1; i <= 3; i++) {
      a.get(i).ok("open r udp4 reuse");
      a.get(i).ok("bind r 5001 0.0.0.0");
    }
    a.get(1).ok("join r 239.10.1.1 10.200.1.2");
    a.get(2).ok("join r 239.10.1.1 10.200.1.3");
    sa.ok("open t udp4");
    sa.ok("bind t 0 0.0.0.0");
    sa.ok("mif t 10.200.1.1");
    sa.ok("send t 239.10.1.1 5001 hello-lan");

    for (AgentProcess member : List.of(a.get(1), a.get(2))) {
      Msg m = member.awaitMsg("r", "hello-lan", ARRIVE);
      assertEquals("10.200.1.1", m.from());
      // The nio transport cannot tell the destination (null); linux reads IP_PKTINFO.
      assertEquals(transport.equals("linux") ? "239.10.1.1" : "null", m.to(), "destination of a group datagram");
    }
    quiet();
    assertEquals(List.of(), a.get(3).texts("r"), "the host that did not join received the group's datagram");
  }

  // ------------------------------------------------------------------ 2 IGMP / MLD on the wire

  /**
   * <pre>
   *  host .2 (eth0) ---- p1 [br0]        capture on p1, in the bridge's namespace
   * </pre>
   */
  @ParameterizedTest(name = "IGMPv{0}")
  @ValueSource(ints = {2, 3})
  void igmpReportOnJoinAndLeaveOnDrop(int version) throws Exception {
    requireProgram("tcpdump", "tcpdump");
    Ns br = lab.bridge("lan");
    Ns h = lab.host("host");
    Iface ih = lab.link(h, "eth0", br, "10.200.2.2/24", null);
    lab.sh(h, "echo " + version + " > /proc/sys/net/ipv4/conf/eth0/force_igmp_version");
    LineProcess cap = lab.capture(br, ih.port(), "igmp");
    AgentProcess ha = lab.agents(h).getFirst();
    ha.ok("open r udp4 reuse");
    ha.ok("bind r 5002 0.0.0.0");
    ha.ok("join r 239.20.2.2 10.200.2.2");
    if (version == 2) {
      cap.await(has("10.200.2.2 > 239.20.2.2", "igmp v2 report 239.20.2.2"), ARRIVE, "IGMPv2 membership report");
    } else {
      cap.await(has("10.200.2.2 > 224.0.0.22", "igmp v3 report", "[gaddr 239.20.2.2 to_ex { }]"), ARRIVE,
          "IGMPv3 report (TO_EXCLUDE {})");
    }
    ha.ok("leave r 239.20.2.2 10.200.2.2");
    if (version == 2) {
      cap.await(has("10.200.2.2 > 224.0.0.2", "igmp leave 239.20.2.2"), ARRIVE, "IGMPv2 leave group");
    } else {
      cap.await(has("10.200.2.2 > 224.0.0.22", "igmp v3 report", "[gaddr 239.20.2.2 to_in { }]"), ARRIVE,
          "IGMPv3 report (TO_INCLUDE {}), the leave");
    }
  }

  @ParameterizedTest(name = "MLDv{0}")
  @ValueSource(ints = {1, 2})
  void mldReportOnJoinAndDoneOnDrop(int version) throws Exception {
    requireProgram("tcpdump", "tcpdump");
    Ns br = lab.bridge("lan");
    Ns h = lab.host("host");
    Iface ih = lab.link(h, "eth0", br, null, "fd0a:200:2::2/64");
    lab.sh(h, "echo " + version + " > /proc/sys/net/ipv6/conf/eth0/force_mld_version");
    // MLD has a hop-by-hop header (router alert): tcpdump's "icmp6" would miss it.
    LineProcess cap = lab.capture(br, ih.port(), "ip6 and not udp");
    AgentProcess ha = lab.agents(h).getFirst();
    ha.ok("open r udp6 reuse");
    ha.ok("bind r 5002 ::");
    ha.ok("join r ff15::2:2 fd0a:200:2::2");
    if (version == 1) {
      cap.await(has("multicast listener report", "ff15::2:2"), ARRIVE, "MLDv1 listener report");
    } else {
      cap.await(has("multicast listener report v2", "[gaddr ff15::2:2 to_ex { }]"), ARRIVE,
          "MLDv2 report (TO_EXCLUDE {})");
    }
    ha.ok("leave r ff15::2:2 fd0a:200:2::2");
    if (version == 1) {
      cap.await(has("multicast listener done", "ff15::2:2"), ARRIVE, "MLDv1 listener done");
    } else {
      cap.await(has("multicast listener report v2", "[gaddr ff15::2:2 to_in { }]"), ARRIVE,
          "MLDv2 report (TO_INCLUDE {}), the leave");
    }
  }

  // ------------------------------------------------------------------ 3 the 32-to-1 MAC mapping

  /**
   * <pre>
   *  sender .1        m1 .2 (239.1.1.1, two sockets)     m2 .3 (239.129.1.1)    10.200.3.0/24
   *      \                  |  capture on eth0                /
   *       +------------------------- br0 --------------------+
   * </pre>
   */
  @Test
  void groupsSharingAMacAreSeparatedByTheStackNotTheWire() throws Exception {
    requireProgram("tcpdump", "tcpdump");
    String mac = "01:00:5e:01:01:01";
    Ns br = lab.bridge("lan");
    Ns s = lab.host("sender");
    Ns m1 = lab.host("m1");
    Ns m2 = lab.host("m2");
    lab.link(s, "eth0", br, "10.200.3.1/24", null);
    lab.link(m1, "eth0", br, "10.200.3.2/24", null);
    lab.link(m2, "eth0", br, "10.200.3.3/24", null);
    List<AgentProcess> a = lab.agents(s, m1, m2);
    AgentProcess sa = a.get(0);
    AgentProcess m1a = a.get(1);
    AgentProcess m2a = a.get(2);
    assertFalse(maddr(m1).contains(mac), "the MAC is on m1's list before any join:\n" + maddr(m1));

    for (String sock : List.of("a", "b")) {
      m1a.ok("open " + sock + " udp4 reuse");
      m1a.ok("bind " + sock + " 5003 0.0.0.0");
      m1a.ok("join " + sock + " 239.1.1.1 10.200.3.2");
    }
    m2a.ok("open c udp4 reuse");
    m2a.ok("bind c 5003 0.0.0.0");
    m2a.ok("join c 239.129.1.1 10.200.3.3");
    String list = maddr(m1);
    assertTrue(list.contains("link  " + mac) && list.contains("inet  239.1.1.1"), "m1's multicast list:\n" + list);
    assertFalse(list.contains("239.129.1.1"), list);
    assertEquals(2, igmpUsers(m1, "010101EF"), "two sockets hold 239.1.1.1 on m1 (ip_mc_inc_group)");
    assertTrue(maddr(m2).contains("link  " + mac), "m2 maps 239.129.1.1 to the same MAC:\n" + maddr(m2));

    LineProcess cap = lab.capture(m1, "eth0", false, "udp and dst port 5003");
    sa.ok("open t udp4");
    sa.ok("bind t 0 0.0.0.0");
    sa.ok("mif t 10.200.3.1");
    sa.ok("send t 239.129.1.1 5003 to-129");
    sa.ok("send t 239.1.1.1 5003 to-1");

    m2a.awaitMsg("c", "to-129", ARRIVE);
    m1a.awaitMsg("a", "to-1", ARRIVE);
    m1a.awaitMsg("b", "to-1", ARRIVE);
    cap.await(has("> " + mac, "> 239.129.1.1.5003"), ARRIVE, "the 239.129.1.1 frame on m1's interface");
    cap.await(has("> " + mac, "> 239.1.1.1.5003"), ARRIVE, "the 239.1.1.1 frame on m1's interface");
    quiet();
    assertEquals(List.of("to-1"), m1a.texts("a"), "m1's socket a");
    assertEquals(List.of("to-1"), m1a.texts("b"), "m1's socket b");
    assertEquals(List.of("to-129"), m2a.texts("c"), "m2's socket");

    m1a.ok("leave a 239.1.1.1 10.200.3.2");
    Thread.sleep(200);
    list = maddr(m1);
    assertTrue(list.contains("link  " + mac) && list.contains("inet  239.1.1.1"),
        "one socket still holds the group, the MAC must stay:\n" + list);
    assertEquals(1, igmpUsers(m1, "010101EF"));
    m1a.ok("leave b 239.1.1.1 10.200.3.2");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (maddr(m1).contains(mac) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    list = maddr(m1);
    assertFalse(list.contains(mac) || list.contains("239.1.1.1"), "after the last leave:\n" + list);
  }

  private String maddr(Ns ns) throws IOException {
    return lab.ip(ns, "maddr", "show", "dev", "eth0");
  }

  /** @return the Users column of /proc/net/igmp for a group (hex as the kernel prints it), or 0 */
  private int igmpUsers(Ns ns, String hexGroup) throws IOException {
    Matcher m = Pattern.compile("(?m)^\\s+" + hexGroup + "\\s+(\\d+)").matcher(lab.sh(ns, "cat /proc/net/igmp"));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  // ------------------------------------------------------------------ 4 WAN multicast

  /**
   * <pre>
   *  sender .41.2  local .41.3       member1 .42.2  member2 .42.3        nobody .43.2
   *        \        /                       \        /                        |
   *         [brA]                             [brB]                         [brC]
   *           | r0 .41.1                        | r1 .42.1                    | r2 .43.1
   *           +------------------------- router (smcrouted) -----------------+
   *                  mroute from r0 group 239.4.4.4 to r1
   * </pre>
   */
  @Test
  void wanMulticastCrossesTheRouterOnlyWhereMembersAreAndOnlyWithTtl() throws Exception {
    requireProgram("smcrouted", "smcroute");
    requireProgram("tcpdump", "tcpdump");
    Ns brA = lab.bridge("brA");
    Ns brB = lab.bridge("brB");
    Ns brC = lab.bridge("brC");
    Ns r = lab.router("router");
    Ns s = lab.host("sender");
    Ns local = lab.host("local");
    Ns m1 = lab.host("member1");
    Ns m2 = lab.host("member2");
    Ns n = lab.host("nobody");
    lab.link(r, "r0", brA, "10.200.41.1/24", null);
    lab.link(r, "r1", brB, "10.200.42.1/24", null);
    lab.link(r, "r2", brC, "10.200.43.1/24", null);
    lab.link(s, "eth0", brA, "10.200.41.2/24", null);
    lab.link(local, "eth0", brA, "10.200.41.3/24", null);
    lab.link(m1, "eth0", brB, "10.200.42.2/24", null);
    lab.link(m2, "eth0", brB, "10.200.42.3/24", null);
    lab.link(n, "eth0", brC, "10.200.43.2/24", null);
    for (Ns h : List.of(s, local)) {
      lab.ip(h, "route", "add", "default", "via", "10.200.41.1");
    }
    for (Ns h : List.of(m1, m2)) {
      lab.ip(h, "route", "add", "default", "via", "10.200.42.1");
    }
    lab.ip(n, "route", "add", "default", "via", "10.200.43.1");
    NetLab.assertRootClean();

    var conf = lab.file("smcroute.conf", """
        phyint r0 enable ttl-threshold 1
        phyint r1 enable ttl-threshold 1
        phyint r2 enable ttl-threshold 1
        mroute from r0 group 239.4.4.4 to r1
        """);
    LineProcess smc = lab.spawn(r, "smcrouted", "smcrouted", "-n", "-N", "-l", "info", "-f", conf.toString(),
        "-u", lab.tmp().resolve("smcroute.sock").toString(), "-P", lab.tmp().resolve("smcroute.pid").toString(),
        "-i", NetLab.PREFIX + "smcroute");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String vifs = "";
    while (System.nanoTime() < end) {
      vifs = lab.sh(r, "cat /proc/net/ip_mr_vif");
      if (vifs.contains("r0") && vifs.contains("r1") && vifs.contains("r2")) {
        break;
      }
      Thread.sleep(100);
    }
    assertTrue(vifs.contains("r0") && vifs.contains("r1") && vifs.contains("r2"),
        "smcrouted did not set up its VIFs:\n" + vifs + "\n" + smc);

    LineProcess capC = lab.capture(n, "eth0", false, "dst host 239.4.4.4");
    LineProcess capB = lab.capture(m1, "eth0", true, "udp and dst host 239.4.4.4");
    List<AgentProcess> a = lab.agents(s, local, m1, m2, n);
    AgentProcess sa = a.get(0);
    String[] ips = {null, "10.200.41.3", "10.200.42.2", "10.200.42.3", null};
    for (int i = 1; i < a.size(); i++) {
      a.get(i).ok("open r udp4 reuse");
      a.get(i).ok("bind r 5004 0.0.0.0");
      if (ips[i] != null) {
        a.get(i).ok("join r 239.4.4.4 " + ips[i]);
      }
    }
    sa.ok("open t udp4");
    sa.ok("bind t 0 0.0.0.0");
    sa.ok("mif t 10.200.41.2");
    assertEquals("ok 1", sa.ok("mttl t 1"));
    sa.ok("send t 239.4.4.4 5004 ttl1-a");
    sa.ok("send t 239.4.4.4 5004 ttl1-b");
    a.get(1).awaitMsg("r", "ttl1-a", ARRIVE);
    a.get(1).awaitMsg("r", "ttl1-b", ARRIVE);

    assertEquals("ok 8", sa.ok("mttl t 8"));
    // The router installs the (S,G) route on the first datagram it sees; allow a few tries.
    Msg got = null;
    for (int i = 1; i <= 5 && got == null; i++) {
      sa.ok("send t 239.4.4.4 5004 ttl8-" + i);
      try {
        got = a.get(2).awaitMsg("r", "ttl8-" + i, 1_500);
      } catch (AssertionError e) {
        // try again
      }
    }
    assertTrue(got != null, "no TTL 8 datagram crossed the router:\n" + a.get(2) + "\n" + smc
        + "\nMFC:\n" + lab.sh(r, "cat /proc/net/ip_mr_cache"));
    assertEquals("10.200.41.2", got.from());
    a.get(3).awaitMsg("r", got.text(), ARRIVE);
    a.get(1).awaitMsg("r", got.text(), ARRIVE);
    quiet();
    for (AgentProcess member : List.of(a.get(2), a.get(3))) {
      assertTrue(member.texts("r").stream().noneMatch(t -> t.startsWith("ttl1")),
          "a TTL 1 datagram crossed the router: " + member.texts("r"));
    }
    assertTrue(capB.lines().stream().anyMatch(l -> l.contains("ttl 7,")),
        "forwarded datagrams arrive with TTL 8 - 1:\n" + capB);
    assertTrue(capB.lines().stream().noneMatch(l -> l.contains("ttl 1,") || l.contains("ttl 0,")), capB.toString());
    assertEquals(List.of(), a.get(4).texts("r"), "the subnet with no member received group datagrams");
    assertEquals(List.of(), capC.matching(l -> l.contains("239.4.4.4")),
        "group traffic reached the subnet with no member");
  }

  // ------------------------------------------------------------------ 5 broadcast

  /**
   * <pre>
   *  sender .51.2  h2 .51.3  h3 .51.4            h4 .52.2
   *        \         |        /                     |
   *         +------ [brA] ---+ r0 .51.1 router r1 .52.1 -- [brB]
   * </pre>
   */
  @Test
  void broadcastNeedsTheFlagAndStaysOnItsSubnet() throws Exception {
    Ns brA = lab.bridge("brA");
    Ns brB = lab.bridge("brB");
    Ns r = lab.router("router");
    Ns s = lab.host("sender");
    Ns h2 = lab.host("h2");
    Ns h3 = lab.host("h3");
    Ns h4 = lab.host("h4");
    lab.link(r, "r0", brA, "10.200.51.1/24", null);
    lab.link(r, "r1", brB, "10.200.52.1/24", null);
    lab.link(s, "eth0", brA, "10.200.51.2/24", null);
    lab.link(h2, "eth0", brA, "10.200.51.3/24", null);
    lab.link(h3, "eth0", brA, "10.200.51.4/24", null);
    lab.link(h4, "eth0", brB, "10.200.52.2/24", null);
    for (Ns h : List.of(s, h2, h3)) {
      lab.ip(h, "route", "add", "default", "via", "10.200.51.1");
    }
    lab.ip(h4, "route", "add", "default", "via", "10.200.52.1");
    NetLab.assertRootClean();
    List<AgentProcess> a = lab.agents(s, h2, h3, h4);
    AgentProcess sa = a.get(0);
    for (int i = 1; i < 4; i++) {
      a.get(i).ok("open r udp4");
      a.get(i).ok("bind r 5005 0.0.0.0");
    }
    sa.ok("open t udp4");
    sa.ok("bind t 0 0.0.0.0");

    String refused = sa.cmd("send t 10.200.51.255 5005 no-flag");
    assertTrue(refused.startsWith("err EACCES send EACCES 10.200.51.255:5005"), refused);
    refused = sa.cmd("send t 255.255.255.255 5005 no-flag");
    assertTrue(refused.startsWith("err EACCES send EACCES 255.255.255.255:5005"), refused);

    sa.ok("bcast t 1");
    sa.ok("send t 10.200.51.255 5005 subnet-broadcast");
    sa.ok("send t 255.255.255.255 5005 limited-broadcast");
    // Aimed at the other subnet: the router does not forward directed broadcasts.
    sa.ok("send t 10.200.52.255 5005 directed-broadcast");
    sa.ok("send t 10.200.52.2 5005 unicast-marker");
    for (AgentProcess h : List.of(a.get(1), a.get(2))) {
      assertEquals("10.200.51.2", h.awaitMsg("r", "subnet-broadcast", ARRIVE).from());
      assertEquals("10.200.51.255", h.msgs("r").getFirst().to());
      h.awaitMsg("r", "limited-broadcast", ARRIVE);
    }
    a.get(3).awaitMsg("r", "unicast-marker", ARRIVE);
    quiet();
    assertEquals(List.of("unicast-marker"), a.get(3).texts("r"), "a broadcast left its subnet");
    for (AgentProcess h : List.of(a.get(1), a.get(2))) {
      assertEquals(List.of("subnet-broadcast", "limited-broadcast"), h.texts("r"));
    }
  }

  // ------------------------------------------------------------------ 6 multi-homed host

  /**
   * <pre>
   *  a .61.2 --[br1]-- eth0 .61.1  H  eth1 .62.1 --[br2]-- b .62.2
   *  (a: 10.200.62.0/24 via .61.1)           (b: 10.200.61.0/24 via .62.1)
   * </pre>
   */
  @Test
  void multiHomedHostKnowsWhereEachDatagramCameAndAnswersFromTheAddressAsked() throws Exception {
    Ns br1 = lab.bridge("br1");
    Ns br2 = lab.bridge("br2");
    Ns h = lab.host("H");
    Ns an = lab.host("a");
    Ns bn = lab.host("b");
    Iface eth0 = lab.link(h, "eth0", br1, "10.200.61.1/24", null);
    Iface eth1 = lab.link(h, "eth1", br2, "10.200.62.1/24", null);
    lab.link(an, "eth0", br1, "10.200.61.2/24", null);
    lab.link(bn, "eth0", br2, "10.200.62.2/24", null);
    lab.ip(an, "route", "add", "10.200.62.0/24", "via", "10.200.61.1");
    lab.ip(bn, "route", "add", "10.200.61.0/24", "via", "10.200.62.1");
    int idx0 = lab.ifIndex(eth0);
    int idx1 = lab.ifIndex(eth1);
    assertTrue(idx0 != idx1);
    List<AgentProcess> ag = lab.agents(h, an, bn);
    AgentProcess ha = ag.get(0);
    AgentProcess aa = ag.get(1);
    AgentProcess ba = ag.get(2);
    ha.ok("open srv udp4");
    ha.ok("bind srv 5006 0.0.0.0");
    ha.ok("mode srv replyfrom");
    ha.ok("open c udp4");
    ha.ok("bind c 0 0.0.0.0");
    for (AgentProcess p : List.of(aa, ba)) {
      p.ok("open q udp4");
      p.ok("bind q 5060 0.0.0.0");
    }

    // The source address follows the route.
    ha.ok("send c 10.200.61.2 5060 to-a");
    ha.ok("send c 10.200.62.2 5060 to-b");
    assertEquals("10.200.61.1", aa.awaitMsg("q", "to-a", ARRIVE).from());
    assertEquals("10.200.62.1", ba.awaitMsg("q", "to-b", ARRIVE).from());

    // The receiver learns the destination address and the arrival interface, and answers
    // from the address that was asked.
    aa.ok("send q 10.200.61.1 5006 ask-61");
    Msg m = ha.awaitMsg("srv", "ask-61", ARRIVE);
    assertEquals("10.200.61.1", m.to());
    assertEquals(idx0, m.ifIndex());
    assertEquals("10.200.61.1", aa.awaitMsg("q", "re:ask-61", ARRIVE).from());

    ba.ok("send q 10.200.62.1 5006 ask-62");
    m = ha.awaitMsg("srv", "ask-62", ARRIVE);
    assertEquals("10.200.62.1", m.to());
    assertEquals(idx1, m.ifIndex());
    assertEquals("10.200.62.1", ba.awaitMsg("q", "re:ask-62", ARRIVE).from());

    // a asks H's eth1 address, through eth0: destination and interface differ.
    aa.ok("send q 10.200.62.1 5006 ask-62-via-eth0");
    m = ha.awaitMsg("srv", "ask-62-via-eth0", ARRIVE);
    assertEquals("10.200.62.1", m.to());
    assertEquals(idx0, m.ifIndex());
    assertEquals("10.200.62.1", aa.awaitMsg("q", "re:ask-62-via-eth0", ARRIVE).from(),
        "the reply must come from the address a asked");

    // Whereas a reply from the wildcard socket takes the route's source address.
    ha.ok("mode srv echo");
    aa.ok("send q 10.200.62.1 5006 echo-62");
    assertEquals("10.200.61.1", aa.awaitMsg("q", "re:echo-62", ARRIVE).from());
  }

  // ------------------------------------------------------------------ 7 source-specific multicast

  /**
   * <pre>
   *  s1 .7.2   s2 .7.3   ssm-member .7.4 (S=.7.2)   any-member .7.5     10.200.7.0/24
   *      \        |            |                     /
   *       +-------------------- br0 ----------------+
   * </pre>
   */
  @Test
  void sourceSpecificMemberReceivesFromItsSourceOnly() throws Exception {
    Ns br = lab.bridge("lan");
    Ns s1 = lab.host("s1");
    Ns s2 = lab.host("s2");
    Ns m = lab.host("ssm-member");
    Ns any = lab.host("any-member");
    lab.link(s1, "eth0", br, "10.200.7.2/24", null);
    lab.link(s2, "eth0", br, "10.200.7.3/24", null);
    lab.link(m, "eth0", br, "10.200.7.4/24", null);
    lab.link(any, "eth0", br, "10.200.7.5/24", null);
    ssm(lab.agents(s1, s2, m, any), "udp4", "0.0.0.0", "232.7.7.7", new String[] {"10.200.7.2", "10.200.7.3",
        "10.200.7.4", "10.200.7.5"});
  }

  private static void ssm(List<AgentProcess> a, String type, String any, String group, String[] ip)
      throws Exception {
    AgentProcess s1 = a.get(0);
    AgentProcess s2 = a.get(1);
    AgentProcess m = a.get(2);
    AgentProcess asm = a.get(3);
    m.ok("open r " + type + " reuse");
    m.ok("bind r 5007 " + any);
    m.ok("ssm r " + ip[0] + " " + group + " " + ip[2]);
    asm.ok("open r " + type + " reuse");
    asm.ok("bind r 5007 " + any);
    asm.ok("join r " + group + " " + ip[3]);
    for (int i = 0; i < 2; i++) {
      AgentProcess s = a.get(i);
      s.ok("open t " + type);
      s.ok("bind t 0 " + any);
      s.ok("mif t " + (type.equals("udp6") ? "::%eth0" : ip[i]));
    }
    for (int i = 1; i <= 3; i++) {
      s1.ok("send t " + group + " 5007 from-s1-" + i);
      s2.ok("send t " + group + " 5007 from-s2-" + i);
    }
    for (int i = 1; i <= 3; i++) {
      asm.awaitMsg("r", "from-s1-" + i, ARRIVE);
      asm.awaitMsg("r", "from-s2-" + i, ARRIVE);
      assertEquals(ip[0], m.awaitMsg("r", "from-s1-" + i, ARRIVE).from());
    }
    quiet();
    assertEquals(List.of("from-s1-1", "from-s1-2", "from-s1-3"), m.texts("r"),
        "the source-specific member received from another source");
    assertTrue(m.msgs("r").stream().allMatch(x -> x.from().equals(ip[0])));

    m.ok("unssm r " + ip[0] + " " + group + " " + ip[2]);
    s1.ok("send t " + group + " 5007 after-leave");
    asm.awaitMsg("r", "after-leave", ARRIVE);
    quiet();
    assertFalse(m.texts("r").contains("after-leave"), "received after dropSourceSpecificMembership");
  }

  // ------------------------------------------------------------------ 8 IPv6

  /** Case 1 over IPv6: fd0a:200:8::/64, group ff15::8:1. */
  @Test
  void ipv6LanMulticastReachesMembersOnly() throws Exception {
    Ns br = lab.bridge("lan");
    Ns s = lab.host("sender");
    Ns m1 = lab.host("member1");
    Ns m2 = lab.host("member2");
    Ns n = lab.host("other");
    lab.link(s, "eth0", br, null, "fd0a:200:8::1/64");
    lab.link(m1, "eth0", br, null, "fd0a:200:8::2/64");
    lab.link(m2, "eth0", br, null, "fd0a:200:8::3/64");
    lab.link(n, "eth0", br, null, "fd0a:200:8::4/64");
    NetLab.assertRootClean();
    List<AgentProcess> a = lab.agents(s, m1, m2, n);
    AgentProcess sa = a.get(0);
    for (int i = 1; i <= 3; i++) {
      a.get(i).ok("open r udp6 reuse");
      a.get(i).ok("bind r 5008 ::");
    }
    a.get(1).ok("join r ff15::8:1 fd0a:200:8::2");
    a.get(2).ok("join r ff15::8:1 fd0a:200:8::3");
    sa.ok("open t udp6");
    sa.ok("bind t 0 ::");
    sa.ok("mif t ::%eth0");
    sa.ok("send t ff15::8:1 5008 hello-lan6");
    for (AgentProcess member : List.of(a.get(1), a.get(2))) {
      Msg m = member.awaitMsg("r", "hello-lan6", ARRIVE);
      assertEquals("fd0a:200:8::1", m.from());
      assertEquals("ff15::8:1", m.to());
    }
    assertTrue(lab.ip(m1, "-6", "maddr", "show", "dev", "eth0").contains("ff15::8:1"));
    quiet();
    assertEquals(List.of(), a.get(3).texts("r"), "the host that did not join received the group's datagram");
  }

  /** Case 7 over IPv6: group ff3e::8:7 (SSM range), sources fd0a:200:9::2 and ::3. */
  @Test
  void ipv6SourceSpecificMemberReceivesFromItsSourceOnly() throws Exception {
    Ns br = lab.bridge("lan");
    Ns s1 = lab.host("s1");
    Ns s2 = lab.host("s2");
    Ns m = lab.host("ssm-member");
    Ns any = lab.host("any-member");
    lab.link(s1, "eth0", br, null, "fd0a:200:9::2/64");
    lab.link(s2, "eth0", br, null, "fd0a:200:9::3/64");
    lab.link(m, "eth0", br, null, "fd0a:200:9::4/64");
    lab.link(any, "eth0", br, null, "fd0a:200:9::5/64");
    ssm(lab.agents(s1, s2, m, any), "udp6", "::", "ff3e::8:7", new String[] {"fd0a:200:9::2", "fd0a:200:9::3",
        "fd0a:200:9::4", "fd0a:200:9::5"});
  }

  /**
   * A host on two links joins by interface name ({@code ::%eth1}, as Node/libuv take a scope):
   * the membership must be on eth1, not on the interface the kernel would pick by itself.
   *
   * <pre>
   *  sender1 ::1 --[br1]-- eth0 ::2  H  eth1 fd0a:200:b::2 --[br2]-- sender2 fd0a:200:b::1
   * </pre>
   */
  @Test
  void ipv6JoinOnAScopedInterfaceJoinsThere() throws Exception {
    Ns br1 = lab.bridge("br1");
    Ns br2 = lab.bridge("br2");
    Ns h = lab.host("H");
    Ns s = lab.host("sender2");
    lab.link(h, "eth0", br1, null, "fd0a:200:a::2/64");
    lab.link(h, "eth1", br2, null, "fd0a:200:b::2/64");
    lab.link(s, "eth0", br2, null, "fd0a:200:b::1/64");
    List<AgentProcess> a = lab.agents(h, s);
    a.get(0).ok("open r udp6 reuse");
    a.get(0).ok("bind r 5009 ::");
    a.get(0).ok("join r ff15::b:1 ::%eth1");
    String eth1 = lab.ip(h, "-6", "maddr", "show", "dev", "eth1");
    String eth0 = lab.ip(h, "-6", "maddr", "show", "dev", "eth0");
    assertTrue(eth1.contains("ff15::b:1"), "addMembership(group, '::%eth1') did not join on eth1.\neth1:\n" + eth1
        + "eth0:\n" + eth0);
  }

  /**
   * The same host as {@link #ipv6JoinOnAScopedInterfaceJoinsThere}, now receiving: a datagram to
   * the group from the second link reaches the member joined there. (H's eth1 has the same
   * ifindex, 3, as its peer p2 in br2: the kernel's link watch then treats its carrier change as
   * not urgent and brings it up to a second later, and until then eth1 has no IPv6 multicast route
   * and drops group datagrams as Ip6InNoRoutes; {@link NetLab} waits for that before starting
   * programs.)
   */
  @Test
  void ipv6DatagramReachesAMemberJoinedOnItsSecondInterface() throws Exception {
    Ns br1 = lab.bridge("br1");
    Ns br2 = lab.bridge("br2");
    Ns h = lab.host("H");
    Ns s = lab.host("sender2");
    lab.link(h, "eth0", br1, null, "fd0a:200:a::2/64");
    lab.link(h, "eth1", br2, null, "fd0a:200:b::2/64");
    lab.link(s, "eth0", br2, null, "fd0a:200:b::1/64");
    List<AgentProcess> a = lab.agents(h, s);
    a.get(0).ok("open r udp6 reuse");
    a.get(0).ok("bind r 5009 ::");
    a.get(0).ok("join r ff15::b:1 ::%eth1");
    a.get(1).ok("open t udp6");
    a.get(1).ok("bind t 0 ::");
    a.get(1).ok("mif t ::%eth0");
    a.get(1).ok("send t ff15::b:1 5009 via-eth1");
    a.get(0).awaitMsg("r", "via-eth1", ARRIVE);
  }
}
