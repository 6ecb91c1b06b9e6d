package dev.jdgram.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.AddressInfo;
import dev.jdgram.BindOptions;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The namespace cases of {@code jdgram-netns}'s {@code NetworkTopologiesTest}
 * (docs/network-topologies.md) replayed on the simulated network: the same topologies, the same
 * 10.200.x / fd0a:200:x addresses, the same commands (each namespace {@code Agent} command is a
 * call on a {@link Box}) and the same assertions, so that a case that passes in the namespaces
 * and here shows that the simulation agrees with the kernel. Where the simulation cannot do
 * what the kernel does, the test asserts what the simulation does and says so ("DIFFERENCE");
 * docs/simulation.md, "Differences found side by side", explains each.
 *
 * <p>The namespace test's captures are tcpdump lines; here a {@link Capture} of the same cable
 * is turned into lines in tcpdump's words ({@link #tcpdump}), so that the same {@code has(...)}
 * predicates apply.
 *
 * <p>{@link CoreOnSim} runs scenarios of the core behaviour tests (BindTest, SendTest,
 * ConnectTest, CloseTest) on a simulated host.
 */
@Timeout(20)
class SimKernelParityTest {
  /** Virtual time to let a datagram arrive (the namespace test waits up to 5 s, real time). */
  private static final Duration ARRIVE = Duration.ofMillis(50);

  // ================================================================== an Agent on a simulated host

  /** A received datagram, as the namespace Agent reports it ({@code msg S from= port= to= if= text=}). */
  record Msg(String from, int port, String to, int ifIndex, String text) {}

  /**
   * The simulated counterpart of the namespace {@code Agent}: named sockets on one host, driven
   * by the same commands; each command runs the network until it is done, as the Agent answers
   * only when its command is.
   */
  static final class Box {
    final SimNetwork net;
    final Host host;
    final Map<String, DgramSocket> sockets = new HashMap<>();
    final Map<String, List<Msg>> msgs = new HashMap<>();
    final Map<String, String> modes = new HashMap<>();

    Box(SimNetwork net, Host host) {
      this.net = net;
      this.host = host;
    }

    /** {@code open S udp4|udp6 [reuse]} */
    Box open(String s, String type, boolean reuse) {
      DgramSocket sock = Dgram.createSocket(host.options(type).reuseAddr(reuse));
      sockets.put(s, sock);
      msgs.put(s, new ArrayList<>());
      sock.onDatagram(d -> onDatagram(s, d));
      return this;
    }

    /** {@code bind S PORT ADDR}: binds and waits for listening. */
    Box bind(String s, int port, String addr) {
      boolean[] listening = new boolean[1];
      DgramException[] err = new DgramException[1];
      DgramSocket sock = sock(s);
      sock.onError(e -> err[0] = e);
      sock.bind(port, addr, () -> listening[0] = true);
      net.runUntil(() -> listening[0] || err[0] != null, ARRIVE);
      if (err[0] != null) {
        throw err[0];
      }
      assertTrue(listening[0], "bind " + s + " " + port + " " + addr + ": no listening");
      return this;
    }

    /** {@code send S HOST PORT TEXT}: sends and waits for the callback. @return null or the error */
    DgramException cmdSend(String s, String to, int port, String text) {
      boolean[] done = new boolean[1];
      DgramException[] err = new DgramException[1];
      sock(s).send(text, port, to, (e, n) -> {
        err[0] = e;
        done[0] = true;
      });
      assertTrue(net.runUntil(() -> done[0], ARRIVE), "send " + s + ": no callback");
      return err[0];
    }

    /** {@code send} that must succeed ({@code ok}). */
    void send(String s, String to, int port, String text) {
      DgramException e = cmdSend(s, to, port, text);
      if (e != null) {
        throw new AssertionError("send " + s + " " + to + ":" + port + " " + text + " failed: " + e, e);
      }
    }

    void onDatagram(String s, dev.jdgram.Datagram d) {
      String text = new String(d.toByteArray(), StandardCharsets.UTF_8);
      String from = d.address();
      int port = d.port();
      String local = d.localAddress();
      msgs.get(s).add(new Msg(from, port, local, d.interfaceIndex(), text));
      String reply = "re:" + text;
      switch (modes.getOrDefault(s, "none")) {
        case "echo" -> sockets.get(s).send(reply, port, from, null);
        case "replyfrom" -> {
          // As the Agent: answer from a new socket bound to the datagram's destination address.
          DgramSocket r = host.socket(d.family().equals("IPv6") ? "udp6" : "udp4");
          r.bind(0, local, () -> r.send(reply, port, from, (err, n) -> r.close()));
        }
        default -> { }
      }
    }

    DgramSocket sock(String s) {
      DgramSocket sock = sockets.get(s);
      assertNotNull(sock, "no socket " + s);
      return sock;
    }

    /** {@code awaitMsg S TEXT}: the first datagram with that text, within {@link #ARRIVE}. */
    Msg awaitMsg(String s, String text) {
      net.runUntil(() -> find(s, text) != null, ARRIVE);
      Msg m = find(s, text);
      assertNotNull(m, host.name() + "/" + s + " did not receive " + text + "; got " + texts(s) + "\n" + net.trace());
      return m;
    }

    private Msg find(String s, String text) {
      return msgs.get(s).stream().filter(m -> m.text().equals(text)).findFirst().orElse(null);
    }

    List<Msg> msgs(String s) {
      return List.copyOf(msgs.get(s));
    }

    List<String> texts(String s) {
      return msgs.get(s).stream().map(Msg::text).toList();
    }
  }

  /** {@code quiet()}: the namespace test sleeps 400 ms for datagrams that must not arrive. */
  private static void quiet(SimNetwork net) {
    net.runFor(Duration.ofMillis(400));
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

  /** A host with one card on {@code lan}. */
  private static Host host(SimNetwork net, String name, Lan lan, String... addrs) {
    Host h = net.host(name);
    h.nic("eth0", lan, addrs);
    return h;
  }

  private static String code(Runnable r) {
    return assertThrows(DgramException.class, r::run).code();
  }

  // ================================================================== capture lines in tcpdump's words

  /** The frames of a capture as {@code tcpdump -n -e -v} would print them (the parts the tests read). */
  static List<String> tcpdump(Capture cap) {
    return cap.frames().stream().map(SimKernelParityTest::tcpdump).toList();
  }

  static String tcpdump(byte[] f) {
    String eth = mac(f, 6) + " > " + mac(f, 0);
    int type = u16(f, 12);
    if (type == 0x0800) {
      int ihl = (f[14] & 0x0f) * 4;
      int ttl = f[22] & 0xff;
      int proto = f[23] & 0xff;
      String src = ip(f, 26, 4);
      String dst = ip(f, 30, 4);
      int p = 14 + ihl;
      String head = eth + ", ethertype IPv4 (0x0800): (ttl " + ttl + ", proto " + proto + ") ";
      if (proto == 17) {
        return head + src + "." + u16(f, p) + " > " + dst + "." + u16(f, p + 2) + ": UDP, length " + (u16(f, p + 4) - 8);
      }
      if (proto == 2) {
        int t = f[p] & 0xff;
        String body = switch (t) {
          case 0x16 -> "igmp v2 report " + ip(f, p + 4, 4);
          case 0x17 -> "igmp leave " + ip(f, p + 4, 4);
          case 0x12 -> "igmp v1 report " + ip(f, p + 4, 4);
          case 0x11 -> "igmp query";
          case 0x22 -> "igmp v3 report, " + records(f, p + 8, u16(f, p + 6), 4);
          default -> "igmp type " + t;
        };
        return head + src + " > " + dst + ": " + body;
      }
      return head + src + " > " + dst + ": ip-proto-" + proto;
    }
    if (type == 0x86dd) {
      int next = f[20] & 0xff;
      int hlim = f[21] & 0xff;
      String src = ip(f, 22, 16);
      String dst = ip(f, 38, 16);
      int p = 54;
      String head = eth + ", ethertype IPv6 (0x86dd): (hlim " + hlim + ") ";
      if (next == 0) { // hop-by-hop (router alert)
        next = f[p] & 0xff;
        p += ((f[p + 1] & 0xff) + 1) * 8;
        head += "HBH ";
      }
      if (next == 17) {
        return head + src + "." + u16(f, p) + " > " + dst + "." + u16(f, p + 2) + ": UDP, length " + (u16(f, p + 4) - 8);
      }
      if (next == 58) {
        int t = f[p] & 0xff;
        String body = switch (t) {
          case 131 -> "multicast listener report max resp delay: 0 addr: " + ip(f, p + 8, 16);
          case 132 -> "multicast listener done max resp delay: 0 addr: " + ip(f, p + 8, 16);
          case 143 -> "multicast listener report v2, " + records(f, p + 8, u16(f, p + 6), 16);
          case 1 -> "destination unreachable";
          default -> "icmp6 type " + t;
        };
        return head + src + " > " + dst + ": ICMP6, " + body;
      }
      return head + src + " > " + dst + ": next-header " + next;
    }
    return eth + ", ethertype 0x" + Integer.toHexString(type);
  }

  /** IGMPv3 / MLDv2 group records: {@code N group record(s) [gaddr G to_ex { S... }]...}. */
  private static String records(byte[] f, int p, int n, int alen) {
    StringBuilder b = new StringBuilder(n + " group record(s)");
    String[] kinds = {"?", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"};
    for (int i = 0; i < n; i++) {
      int kind = f[p] & 0xff;
      int aux = (f[p + 1] & 0xff) * 4;
      int nsrc = u16(f, p + 2);
      b.append(" [gaddr ").append(ip(f, p + 4, alen)).append(' ').append(kind < kinds.length ? kinds[kind] : "?" + kind)
          .append(" {");
      for (int s = 0; s < nsrc; s++) {
        b.append(' ').append(ip(f, p + 4 + alen + s * alen, alen));
      }
      b.append(" }]");
      p += 4 + alen + nsrc * alen + aux;
    }
    return b.toString();
  }

  private static int u16(byte[] f, int o) {
    return (f[o] & 0xff) << 8 | (f[o + 1] & 0xff);
  }

  private static String mac(byte[] f, int o) {
    return String.format("%02x:%02x:%02x:%02x:%02x:%02x", f[o], f[o + 1], f[o + 2], f[o + 3], f[o + 4], f[o + 5]);
  }

  private static String ip(byte[] f, int o, int len) {
    byte[] a = new byte[len];
    System.arraycopy(f, o, a, 0, len);
    try {
      String s = InetAddress.getByAddress(a).getHostAddress();
      return len == 16 ? compress(s) : s;
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Java prints IPv6 in full ({@code ff15:0:0:0:0:0:2:2}); tcpdump compresses ({@code ff15::2:2}). */
  private static String compress(String full) {
    String[] g = full.split(":");
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < g.length; i++) {
      int j = i;
      while (j < g.length && g[j].equals("0")) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
    }
    if (bestAt < 0) {
      return full;
    }
    String left = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestAt));
    String right = String.join(":", java.util.Arrays.copyOfRange(g, bestAt + bestLen, g.length));
    return left + "::" + right;
  }

  private static void awaitLine(SimNetwork net, Capture cap, Predicate<String> p, String what) {
    net.runUntil(() -> tcpdump(cap).stream().anyMatch(p), ARRIVE);
    assertTrue(tcpdump(cap).stream().anyMatch(p), what + " not captured:\n" + String.join("\n", tcpdump(cap)));
  }

  // ================================================================== 1 LAN multicast

  /**
   * Mirrors {@code NetworkTopologiesTest.lanMulticastReachesMembersOnly} (the linux transport's
   * assertions: the destination is known, as IP_PKTINFO tells it).
   *
   * <pre>
   *  sender .1   member1 .2   member2 .3   other .4      10.200.1.0/24
   *       +--------------- lan ---------------+
   * </pre>
   */
  @Test
  void lanMulticastReachesMembersOnly() {
    try (SimNetwork net = SimNetwork.create(901)) {
      Lan br = net.lan("lan");
      Host s = host(net, "sender", br, "10.200.1.1/24");
      Host m1 = host(net, "member1", br, "10.200.1.2/24");
      Host m2 = host(net, "member2", br, "10.200.1.3/24");
      Host n = host(net, "other", br, "10.200.1.4/24");
      Box sa = new Box(net, s);
      List<Box> a = List.of(sa, new Box(net, m1), new Box(net, m2), new Box(net, n));
      for (int i = 1; i <= 3; i++) {
        a.get(i).open("r", "udp4", true).bind("r", 5001, "0.0.0.0");
      }
      a.get(1).sock("r").addMembership("239.10.1.1", "10.200.1.2");
      a.get(2).sock("r").addMembership("239.10.1.1", "10.200.1.3");
      sa.open("t", "udp4", false).bind("t", 0, "0.0.0.0");
      sa.sock("t").setMulticastInterface("10.200.1.1");
      sa.send("t", "239.10.1.1", 5001, "hello-lan");

      for (Box member : List.of(a.get(1), a.get(2))) {
        Msg m = member.awaitMsg("r", "hello-lan");
        assertEquals("10.200.1.1", m.from());
        assertEquals("239.10.1.1", m.to(), "destination of a group datagram");
      }
      quiet(net);
      assertEquals(List.of(), a.get(3).texts("r"), "the host that did not join received the group's datagram");
      // The simulation also says where: other's card dropped it (the bridge floods, as br0 does).
      assertTrue(net.trace().drops(Layer.NIC).stream().anyMatch(e -> e.node().equals("other/eth0")), net.trace().toString());
    }
  }

  // ================================================================== 2 IGMP / MLD on the wire

  /**
   * Mirrors {@code NetworkTopologiesTest.igmpReportOnJoinAndLeaveOnDrop} (IGMPv2 and IGMPv3).
   * The capture is on the host's cable to the switch (the namespace test captures the bridge's
   * port p1 of that veth).
   *
   * <p>DIFFERENCE: the namespace test forces the version with {@code force_igmp_version}; the
   * simulation has no such setting and always sends IGMPv2 for any-source joins (the
   * simpler protocol; modern Linux defaults to v3). For version 3 this test asserts the IGMPv2 messages the
   * simulation sends, and that no IGMPv3 record appears.
   */
  @ParameterizedTest(name = "IGMPv{0}")
  @ValueSource(ints = {2, 3})
  void igmpReportOnJoinAndLeaveOnDrop(int version) {
    try (SimNetwork net = SimNetwork.create(902)) {
      Lan br = net.lan("lan");
      Host h = host(net, "host", br, "10.200.2.2/24");
      Capture cap = h.nic("eth0").link().capture();
      Box ha = new Box(net, h);
      ha.open("r", "udp4", true).bind("r", 5002, "0.0.0.0");
      ha.sock("r").addMembership("239.20.2.2", "10.200.2.2");
      // version 2 (and, a difference, version 3 too):
      awaitLine(net, cap, has("10.200.2.2 > 239.20.2.2", "igmp v2 report 239.20.2.2"), "IGMPv2 membership report");
      ha.sock("r").dropMembership("239.20.2.2", "10.200.2.2");
      awaitLine(net, cap, has("10.200.2.2 > 224.0.0.2", "igmp leave 239.20.2.2"), "IGMPv2 leave group");
      if (version == 3) {
        assertTrue(tcpdump(cap).stream().noneMatch(has("igmp v3 report")),
            "the simulation sends IGMPv3 only for source-specific changes: " + tcpdump(cap));
      }
      assertEquals(2, cap.frameCount(), "one report and one leave: " + tcpdump(cap));
      // The kernel's IGMP packets carry the router alert option and TTL 1; so do the simulation's.
      assertTrue(tcpdump(cap).stream().allMatch(has("(ttl 1, proto 2)")), tcpdump(cap).toString());
    }
  }

  /**
   * Mirrors {@code NetworkTopologiesTest.mldReportOnJoinAndDoneOnDrop} (MLDv1 and MLDv2).
   *
   * <p>DIFFERENCE: as for IGMP, no {@code force_mld_version}; any-source joins always send MLDv1
   * (report, done). For version 2 the test asserts the MLDv1 messages.
   */
  @ParameterizedTest(name = "MLDv{0}")
  @ValueSource(ints = {1, 2})
  void mldReportOnJoinAndDoneOnDrop(int version) {
    try (SimNetwork net = SimNetwork.create(903)) {
      Lan br = net.lan("lan");
      Host h = host(net, "host", br, "fd0a:200:2::2/64");
      Capture cap = h.nic("eth0").link().capture();
      Box ha = new Box(net, h);
      ha.open("r", "udp6", true).bind("r", 5002, "::");
      ha.sock("r").addMembership("ff15::2:2", "fd0a:200:2::2");
      awaitLine(net, cap, has("multicast listener report", "ff15::2:2"), "MLDv1 listener report");
      ha.sock("r").dropMembership("ff15::2:2", "fd0a:200:2::2");
      awaitLine(net, cap, has("multicast listener done", "ff15::2:2"), "MLDv1 listener done");
      if (version == 2) {
        assertTrue(tcpdump(cap).stream().noneMatch(has("multicast listener report v2")), tcpdump(cap).toString());
      }
      // As Linux: MLD from the card's link-local address, with a hop-by-hop header, hop limit 1.
      assertTrue(tcpdump(cap).stream().allMatch(has("(hlim 1) HBH fe80::")), tcpdump(cap).toString());
    }
  }

  // ================================================================== 3 the 32-to-1 MAC mapping

  /**
   * Mirrors {@code NetworkTopologiesTest.groupsSharingAMacAreSeparatedByTheStackNotTheWire}.
   * {@code ip maddr show dev eth0} is {@link Nic#macFilter()} (link) and {@link Nic#groups()}
   * (inet); the Users column of {@code /proc/net/igmp} is {@link Nic#groupRefs}.
   *
   * <pre>
   *  sender .1        m1 .2 (239.1.1.1, two sockets)     m2 .3 (239.129.1.1)    10.200.3.0/24
   *       +------------------------- lan --------------------+
   * </pre>
   */
  @Test
  void groupsSharingAMacAreSeparatedByTheStackNotTheWire() {
    String mac = "01:00:5e:01:01:01";
    try (SimNetwork net = SimNetwork.create(904)) {
      Lan br = net.lan("lan");
      Host s = host(net, "sender", br, "10.200.3.1/24");
      Host m1 = host(net, "m1", br, "10.200.3.2/24");
      Host m2 = host(net, "m2", br, "10.200.3.3/24");
      Box sa = new Box(net, s);
      Box m1a = new Box(net, m1);
      Box m2a = new Box(net, m2);
      Nic m1eth0 = m1.nic("eth0");
      assertFalse(m1eth0.macFilter().containsKey(mac), "the MAC is on m1's list before any join: " + m1eth0.macFilter());

      for (String sock : List.of("a", "b")) {
        m1a.open(sock, "udp4", true).bind(sock, 5003, "0.0.0.0");
        m1a.sock(sock).addMembership("239.1.1.1", "10.200.3.2");
      }
      m2a.open("c", "udp4", true).bind("c", 5003, "0.0.0.0");
      m2a.sock("c").addMembership("239.129.1.1", "10.200.3.3");
      net.runFor(ARRIVE);
      assertTrue(m1eth0.macFilter().containsKey(mac) && m1eth0.groups().contains("239.1.1.1"),
          "m1's multicast list: " + m1eth0.macFilter() + " " + m1eth0.groups());
      assertFalse(m1eth0.groups().contains("239.129.1.1"), m1eth0.groups().toString());
      assertEquals(2, m1eth0.groupRefs("239.1.1.1"), "two sockets hold 239.1.1.1 on m1 (ip_mc_inc_group)");
      assertTrue(m2.nic("eth0").macFilter().containsKey(mac), "m2 maps 239.129.1.1 to the same MAC");

      Capture cap = m1eth0.link().capture();
      sa.open("t", "udp4", false).bind("t", 0, "0.0.0.0");
      sa.sock("t").setMulticastInterface("10.200.3.1");
      sa.send("t", "239.129.1.1", 5003, "to-129");
      sa.send("t", "239.1.1.1", 5003, "to-1");

      m2a.awaitMsg("c", "to-129");
      m1a.awaitMsg("a", "to-1");
      m1a.awaitMsg("b", "to-1");
      awaitLine(net, cap, has("> " + mac, "> 239.129.1.1.5003"), "the 239.129.1.1 frame on m1's interface");
      awaitLine(net, cap, has("> " + mac, "> 239.1.1.1.5003"), "the 239.1.1.1 frame on m1's interface");
      quiet(net);
      assertEquals(List.of("to-1"), m1a.texts("a"), "m1's socket a");
      assertEquals(List.of("to-1"), m1a.texts("b"), "m1's socket b");
      assertEquals(List.of("to-129"), m2a.texts("c"), "m2's socket");
      // Beyond what tcpdump shows: m1's card passed the 239.129.1.1 frame and IP dropped it.
      List<TraceEvent> atM1 = net.trace().events().stream().filter(e -> e.node().startsWith("m1")).toList();
      assertTrue(atM1.stream().anyMatch(e -> e.layer() == Layer.IP && e.isDrop() && e.detail().contains("239.129.1.1")),
          atM1.toString());
      assertTrue(atM1.stream().noneMatch(e -> e.layer() == Layer.NIC && e.isDrop()), atM1.toString());

      m1a.sock("a").dropMembership("239.1.1.1", "10.200.3.2");
      net.runFor(Duration.ofMillis(200));
      assertTrue(m1eth0.macFilter().containsKey(mac) && m1eth0.groups().contains("239.1.1.1"),
          "one socket still holds the group, the MAC must stay: " + m1eth0.macFilter());
      assertEquals(1, m1eth0.groupRefs("239.1.1.1"));
      m1a.sock("b").dropMembership("239.1.1.1", "10.200.3.2");
      net.runFor(Duration.ofMillis(200));
      assertFalse(m1eth0.macFilter().containsKey(mac) || m1eth0.groups().contains("239.1.1.1"),
          "after the last leave: " + m1eth0.macFilter() + " " + m1eth0.groups());
    }
  }

  // ================================================================== 4 WAN multicast

  /**
   * Mirrors {@code NetworkTopologiesTest.wanMulticastCrossesTheRouterOnlyWhereMembersAreAndOnlyWithTtl}.
   *
   * <p>DIFFERENCE in how, not in what: the namespace router is smcrouted with a static route
   * ({@code mroute from r0 group 239.4.4.4 to r1}, TTL threshold 1) that installs the (S,G)
   * route on the first datagram; the simulated router learns members from IGMP on each link and
   * forwards from the first datagram. Both forward onto brB only, decrement the TTL and keep
   * TTL 1 on the sender's subnet. The retry loop of the namespace test is kept; here the first
   * try crosses (asserted).
   *
   * <pre>
   *  sender .41.2  local .41.3       member1 .42.2  member2 .42.3        nobody .43.2
   *         [brA]                             [brB]                         [brC]
   *           | r0 .41.1                        | r1 .42.1                    | r2 .43.1
   *           +------------------------- router ------------------------------+
   * </pre>
   */
  @Test
  void wanMulticastCrossesTheRouterOnlyWhereMembersAreAndOnlyWithTtl() {
    try (SimNetwork net = SimNetwork.create(905)) {
      Lan brA = net.lan("brA");
      Lan brB = net.lan("brB");
      Lan brC = net.lan("brC");
      Host r = net.router("router");
      r.nic("r0", brA, "10.200.41.1/24");
      Nic r1 = r.nic("r1", brB, "10.200.42.1/24");
      Nic r2 = r.nic("r2", brC, "10.200.43.1/24");
      Host s = host(net, "sender", brA, "10.200.41.2/24");
      Host local = host(net, "local", brA, "10.200.41.3/24");
      Host m1 = host(net, "member1", brB, "10.200.42.2/24");
      Host m2 = host(net, "member2", brB, "10.200.42.3/24");
      Host n = host(net, "nobody", brC, "10.200.43.2/24");
      for (Host h : List.of(s, local)) {
        h.defaultRoute("10.200.41.1");
      }
      for (Host h : List.of(m1, m2)) {
        h.defaultRoute("10.200.42.1");
      }
      n.defaultRoute("10.200.43.1");

      Capture capC = n.nic("eth0").link().capture();
      Capture capB = m1.nic("eth0").link().capture();
      List<Box> a = List.of(new Box(net, s), new Box(net, local), new Box(net, m1), new Box(net, m2), new Box(net, n));
      Box sa = a.get(0);
      String[] ips = {null, "10.200.41.3", "10.200.42.2", "10.200.42.3", null};
      for (int i = 1; i < a.size(); i++) {
        a.get(i).open("r", "udp4", true).bind("r", 5004, "0.0.0.0");
        if (ips[i] != null) {
          a.get(i).sock("r").addMembership("239.4.4.4", ips[i]);
        }
      }
      sa.open("t", "udp4", false).bind("t", 0, "0.0.0.0");
      sa.sock("t").setMulticastInterface("10.200.41.2");
      assertEquals(1, sa.sock("t").setMulticastTTL(1));
      sa.send("t", "239.4.4.4", 5004, "ttl1-a");
      sa.send("t", "239.4.4.4", 5004, "ttl1-b");
      a.get(1).awaitMsg("r", "ttl1-a");
      a.get(1).awaitMsg("r", "ttl1-b");

      assertEquals(8, sa.sock("t").setMulticastTTL(8));
      Msg got = null;
      int tries = 0;
      for (int i = 1; i <= 5 && got == null; i++) {
        tries = i;
        sa.send("t", "239.4.4.4", 5004, "ttl8-" + i);
        String text = "ttl8-" + i;
        net.runUntil(() -> a.get(2).texts("r").contains(text), Duration.ofMillis(1500));
        got = a.get(2).msgs("r").stream().filter(m -> m.text().equals(text)).findFirst().orElse(null);
      }
      assertNotNull(got, "no TTL 8 datagram crossed the router:\n" + net.trace());
      assertEquals(1, tries, "the simulated router forwards the first datagram (no MFC set-up delay)");
      assertEquals("10.200.41.2", got.from());
      a.get(3).awaitMsg("r", got.text());
      a.get(1).awaitMsg("r", got.text());
      quiet(net);
      for (Box member : List.of(a.get(2), a.get(3))) {
        assertTrue(member.texts("r").stream().noneMatch(t -> t.startsWith("ttl1")),
            "a TTL 1 datagram crossed the router: " + member.texts("r"));
      }
      List<String> linesB = tcpdump(capB).stream().filter(has("UDP", "> 239.4.4.4.")).toList();
      assertTrue(linesB.stream().anyMatch(l -> l.contains("ttl 7,")), "forwarded datagrams arrive with TTL 8 - 1:\n" + linesB);
      assertTrue(linesB.stream().noneMatch(l -> l.contains("ttl 1,") || l.contains("ttl 0,")), linesB.toString());
      assertEquals(List.of(), a.get(4).texts("r"), "the subnet with no member received group datagrams");
      assertEquals(List.of(), tcpdump(capC).stream().filter(l -> l.contains("239.4.4.4")).toList(),
          "group traffic reached the subnet with no member");
      // How the simulated router decided: members learned on r1 only.
      assertEquals(Map.of("239.4.4.4", java.util.Set.of("10.200.42.2", "10.200.42.3")), r.learnedGroups(r1));
      assertEquals(Map.of(), r.learnedGroups(r2));
    }
  }

  // ================================================================== 5 broadcast

  /**
   * Mirrors {@code NetworkTopologiesTest.broadcastNeedsTheFlagAndStaysOnItsSubnet}.
   *
   * <pre>
   *  sender .51.2  h2 .51.3  h3 .51.4            h4 .52.2
   *         +------ [brA] ---+ r0 .51.1 router r1 .52.1 -- [brB]
   * </pre>
   */
  @Test
  void broadcastNeedsTheFlagAndStaysOnItsSubnet() {
    try (SimNetwork net = SimNetwork.create(906)) {
      Lan brA = net.lan("brA");
      Lan brB = net.lan("brB");
      Host r = net.router("router");
      r.nic("r0", brA, "10.200.51.1/24");
      r.nic("r1", brB, "10.200.52.1/24");
      Host s = host(net, "sender", brA, "10.200.51.2/24");
      Host h2 = host(net, "h2", brA, "10.200.51.3/24");
      Host h3 = host(net, "h3", brA, "10.200.51.4/24");
      Host h4 = host(net, "h4", brB, "10.200.52.2/24");
      for (Host h : List.of(s, h2, h3)) {
        h.defaultRoute("10.200.51.1");
      }
      h4.defaultRoute("10.200.52.1");
      List<Box> a = List.of(new Box(net, s), new Box(net, h2), new Box(net, h3), new Box(net, h4));
      Box sa = a.get(0);
      for (int i = 1; i < 4; i++) {
        a.get(i).open("r", "udp4", false).bind("r", 5005, "0.0.0.0");
      }
      sa.open("t", "udp4", false).bind("t", 0, "0.0.0.0");

      DgramException refused = sa.cmdSend("t", "10.200.51.255", 5005, "no-flag");
      assertNotNull(refused);
      assertEquals("EACCES", refused.code());
      assertTrue(refused.getMessage().startsWith("send EACCES 10.200.51.255:5005"), refused.getMessage());
      refused = sa.cmdSend("t", "255.255.255.255", 5005, "no-flag");
      assertNotNull(refused);
      assertEquals("EACCES", refused.code());
      assertTrue(refused.getMessage().startsWith("send EACCES 255.255.255.255:5005"), refused.getMessage());

      sa.sock("t").setBroadcast(true);
      sa.send("t", "10.200.51.255", 5005, "subnet-broadcast");
      sa.send("t", "255.255.255.255", 5005, "limited-broadcast");
      // Aimed at the other subnet: the router does not forward directed broadcasts.
      sa.send("t", "10.200.52.255", 5005, "directed-broadcast");
      sa.send("t", "10.200.52.2", 5005, "unicast-marker");
      for (Box h : List.of(a.get(1), a.get(2))) {
        assertEquals("10.200.51.2", h.awaitMsg("r", "subnet-broadcast").from());
        assertEquals("10.200.51.255", h.msgs("r").getFirst().to());
        h.awaitMsg("r", "limited-broadcast");
      }
      a.get(3).awaitMsg("r", "unicast-marker");
      quiet(net);
      assertEquals(List.of("unicast-marker"), a.get(3).texts("r"), "a broadcast left its subnet");
      // Where the directed broadcast ended: at the router. DIFFERENCE in the reason: Linux sees
      // 10.200.52.255 as the broadcast address of its connected subnet (RTN_BROADCAST), delivers it
      // to its own sockets and does not forward it (bc_forwarding 0); the simulated router treats it
      // as unicast and drops it for want of a neighbour (NEIGH "no neighbour 10.200.52.255 on r1").
      String directed = net.trace().events().stream().filter(e -> e.detail().contains("-> 10.200.52.255:5005"))
          .findFirst().orElseThrow().packet();
      List<TraceEvent> path = net.trace().of(directed);
      assertTrue(path.stream().anyMatch(e -> e.isDrop() && e.node().equals("router")), path.toString());
      assertTrue(path.stream().noneMatch(e -> e.node().startsWith("h4") || e.node().equals("brB")), path.toString());
      for (Box h : List.of(a.get(1), a.get(2))) {
        assertEquals(List.of("subnet-broadcast", "limited-broadcast"), h.texts("r"));
      }
    }
  }

  // ================================================================== 6 multi-homed host

  /**
   * Mirrors {@code NetworkTopologiesTest.multiHomedHostKnowsWhereEachDatagramCameAndAnswersFromTheAddressAsked}.
   * The interface indexes come from {@link Nic#index()} (the namespace test reads them with
   * {@code ip link}).
   *
   * <pre>
   *  a .61.2 --[br1]-- eth0 .61.1  H  eth1 .62.1 --[br2]-- b .62.2
   *  (a: 10.200.62.0/24 via .61.1)           (b: 10.200.61.0/24 via .62.1)
   * </pre>
   */
  @Test
  void multiHomedHostKnowsWhereEachDatagramCameAndAnswersFromTheAddressAsked() {
    try (SimNetwork net = SimNetwork.create(907)) {
      Lan br1 = net.lan("br1");
      Lan br2 = net.lan("br2");
      Host h = net.host("H");
      Nic eth0 = h.nic("eth0", br1, "10.200.61.1/24");
      Nic eth1 = h.nic("eth1", br2, "10.200.62.1/24");
      Host an = host(net, "a", br1, "10.200.61.2/24");
      Host bn = host(net, "b", br2, "10.200.62.2/24");
      an.route("10.200.62.0/24", "10.200.61.1");
      bn.route("10.200.61.0/24", "10.200.62.1");
      int idx0 = eth0.index();
      int idx1 = eth1.index();
      assertTrue(idx0 != idx1);
      Box ha = new Box(net, h);
      Box aa = new Box(net, an);
      Box ba = new Box(net, bn);
      ha.open("srv", "udp4", false).bind("srv", 5006, "0.0.0.0");
      ha.modes.put("srv", "replyfrom");
      ha.open("c", "udp4", false).bind("c", 0, "0.0.0.0");
      for (Box p : List.of(aa, ba)) {
        p.open("q", "udp4", false).bind("q", 5060, "0.0.0.0");
      }

      // The source address follows the route.
      ha.send("c", "10.200.61.2", 5060, "to-a");
      ha.send("c", "10.200.62.2", 5060, "to-b");
      assertEquals("10.200.61.1", aa.awaitMsg("q", "to-a").from());
      assertEquals("10.200.62.1", ba.awaitMsg("q", "to-b").from());

      // The receiver learns the destination address and the arrival interface, and answers
      // from the address that was asked.
      aa.send("q", "10.200.61.1", 5006, "ask-61");
      Msg m = ha.awaitMsg("srv", "ask-61");
      assertEquals("10.200.61.1", m.to());
      assertEquals(idx0, m.ifIndex());
      assertEquals("10.200.61.1", aa.awaitMsg("q", "re:ask-61").from());

      ba.send("q", "10.200.62.1", 5006, "ask-62");
      m = ha.awaitMsg("srv", "ask-62");
      assertEquals("10.200.62.1", m.to());
      assertEquals(idx1, m.ifIndex());
      assertEquals("10.200.62.1", ba.awaitMsg("q", "re:ask-62").from());

      // a asks H's eth1 address, through eth0: destination and interface differ.
      aa.send("q", "10.200.62.1", 5006, "ask-62-via-eth0");
      m = ha.awaitMsg("srv", "ask-62-via-eth0");
      assertEquals("10.200.62.1", m.to());
      assertEquals(idx0, m.ifIndex());
      assertEquals("10.200.62.1", aa.awaitMsg("q", "re:ask-62-via-eth0").from(),
          "the reply must come from the address a asked");

      // Whereas a reply from the wildcard socket takes the route's source address.
      ha.modes.put("srv", "echo");
      aa.send("q", "10.200.62.1", 5006, "echo-62");
      assertEquals("10.200.61.1", aa.awaitMsg("q", "re:echo-62").from());
    }
  }

  // ================================================================== 7 source-specific multicast

  /**
   * Mirrors {@code NetworkTopologiesTest.sourceSpecificMemberReceivesFromItsSourceOnly}.
   *
   * <pre>
   *  s1 .7.2   s2 .7.3   ssm-member .7.4 (S=.7.2)   any-member .7.5     10.200.7.0/24
   *       +-------------------- lan ----------------+
   * </pre>
   */
  @Test
  void sourceSpecificMemberReceivesFromItsSourceOnly() {
    try (SimNetwork net = SimNetwork.create(908)) {
      Lan br = net.lan("lan");
      String[] ip = {"10.200.7.2", "10.200.7.3", "10.200.7.4", "10.200.7.5"};
      String[] names = {"s1", "s2", "ssm-member", "any-member"};
      List<Box> a = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        a.add(new Box(net, host(net, names[i], br, ip[i] + "/24")));
      }
      ssm(net, a, "udp4", "0.0.0.0", "232.7.7.7", ip);
    }
  }

  /** The namespace test's {@code ssm(...)}, command for command. */
  private static void ssm(SimNetwork net, List<Box> a, String type, String any, String group, String[] ip) {
    Box s1 = a.get(0);
    Box s2 = a.get(1);
    Box m = a.get(2);
    Box asm = a.get(3);
    m.open("r", type, true).bind("r", 5007, any);
    m.sock("r").addSourceSpecificMembership(ip[0], group, ip[2]);
    asm.open("r", type, true).bind("r", 5007, any);
    asm.sock("r").addMembership(group, ip[3]);
    for (int i = 0; i < 2; i++) {
      Box s = a.get(i);
      s.open("t", type, false).bind("t", 0, any);
      s.sock("t").setMulticastInterface(type.equals("udp6") ? "::%eth0" : ip[i]);
    }
    for (int i = 1; i <= 3; i++) {
      s1.send("t", group, 5007, "from-s1-" + i);
      s2.send("t", group, 5007, "from-s2-" + i);
    }
    for (int i = 1; i <= 3; i++) {
      asm.awaitMsg("r", "from-s1-" + i);
      asm.awaitMsg("r", "from-s2-" + i);
      assertEquals(ip[0], m.awaitMsg("r", "from-s1-" + i).from());
    }
    quiet(net);
    assertEquals(List.of("from-s1-1", "from-s1-2", "from-s1-3"), m.texts("r"),
        "the source-specific member received from another source");
    assertTrue(m.msgs("r").stream().allMatch(x -> x.from().equals(ip[0])));

    m.sock("r").dropSourceSpecificMembership(ip[0], group, ip[2]);
    s1.send("t", group, 5007, "after-leave");
    asm.awaitMsg("r", "after-leave");
    quiet(net);
    assertFalse(m.texts("r").contains("after-leave"), "received after dropSourceSpecificMembership");
  }

  // ================================================================== 8 IPv6

  /** Mirrors {@code NetworkTopologiesTest.ipv6LanMulticastReachesMembersOnly}: fd0a:200:8::/64, group ff15::8:1. */
  @Test
  void ipv6LanMulticastReachesMembersOnly() {
    try (SimNetwork net = SimNetwork.create(909)) {
      Lan br = net.lan("lan");
      Host s = host(net, "sender", br, "fd0a:200:8::1/64");
      Host m1 = host(net, "member1", br, "fd0a:200:8::2/64");
      Host m2 = host(net, "member2", br, "fd0a:200:8::3/64");
      Host n = host(net, "other", br, "fd0a:200:8::4/64");
      List<Box> a = List.of(new Box(net, s), new Box(net, m1), new Box(net, m2), new Box(net, n));
      Box sa = a.get(0);
      for (int i = 1; i <= 3; i++) {
        a.get(i).open("r", "udp6", true).bind("r", 5008, "::");
      }
      a.get(1).sock("r").addMembership("ff15::8:1", "fd0a:200:8::2");
      a.get(2).sock("r").addMembership("ff15::8:1", "fd0a:200:8::3");
      sa.open("t", "udp6", false).bind("t", 0, "::");
      sa.sock("t").setMulticastInterface("::%eth0");
      sa.send("t", "ff15::8:1", 5008, "hello-lan6");
      for (Box member : List.of(a.get(1), a.get(2))) {
        Msg m = member.awaitMsg("r", "hello-lan6");
        assertEquals("fd0a:200:8::1", m.from());
        assertEquals("ff15::8:1", m.to());
      }
      assertTrue(m1.nic("eth0").groups().contains("ff15::8:1"), m1.nic("eth0").groups().toString());
      quiet(net);
      assertEquals(List.of(), a.get(3).texts("r"), "the host that did not join received the group's datagram");
    }
  }

  /** Mirrors {@code NetworkTopologiesTest.ipv6SourceSpecificMemberReceivesFromItsSourceOnly}: ff3e::8:7. */
  @Test
  void ipv6SourceSpecificMemberReceivesFromItsSourceOnly() {
    try (SimNetwork net = SimNetwork.create(910)) {
      Lan br = net.lan("lan");
      String[] ip = {"fd0a:200:9::2", "fd0a:200:9::3", "fd0a:200:9::4", "fd0a:200:9::5"};
      String[] names = {"s1", "s2", "ssm-member", "any-member"};
      List<Box> a = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        a.add(new Box(net, host(net, names[i], br, ip[i] + "/64")));
      }
      ssm(net, a, "udp6", "::", "ff3e::8:7", ip);
    }
  }

  /**
   * Mirrors {@code NetworkTopologiesTest.ipv6JoinOnAScopedInterfaceJoinsThere} with the
   * interface named as there ({@code "::%eth1"}).
   *
   * <p>The zone names a card of the simulated host: the socket layer hands the zone text to the
   * handle, which resolves it where the socket lives (an earlier build resolved it against the
   * real machine's interfaces).
   */
  @Test
  void ipv6JoinOnAScopedInterfaceJoinsThere() {
    try (SimNetwork net = SimNetwork.create(911)) {
      Lan br1 = net.lan("br1");
      Lan br2 = net.lan("br2");
      Host h = net.host("H");
      Nic eth0 = h.nic("eth0", br1, "fd0a:200:a::2/64");
      Nic eth1 = h.nic("eth1", br2, "fd0a:200:b::2/64");
      host(net, "sender2", br2, "fd0a:200:b::1/64");
      Box ha = new Box(net, h);
      ha.open("r", "udp6", true).bind("r", 5009, "::");
      ha.sock("r").addMembership("ff15::b:1", "::%eth1");
      assertTrue(eth1.groups().contains("ff15::b:1"),
          "addMembership(group, '::%eth1') did not join on eth1: eth1 " + eth1.groups() + " eth0 " + eth0.groups());
    }
  }

  /**
   * The same host, the interface given by index ({@code "::%3"}, which Linux and libuv accept
   * too), then {@code NetworkTopologiesTest.ipv6DatagramReachesAMemberJoinedOnItsSecondInterface}:
   * the datagram is delivered, on the kernel as on the simulation (the namespace run needed its
   * links to be IPv6-ready first; see docs/network-topologies.md).
   *
   * <pre>
   *  --[br1]-- eth0 fd0a:200:a::2  H  eth1 fd0a:200:b::2 --[br2]-- sender2 fd0a:200:b::1
   * </pre>
   */
  @Test
  void ipv6JoinOnAnInterfaceByIndexJoinsThereAndReceives() {
    try (SimNetwork net = SimNetwork.create(912)) {
      Lan br1 = net.lan("br1");
      Lan br2 = net.lan("br2");
      Host h = net.host("H");
      Nic eth0 = h.nic("eth0", br1, "fd0a:200:a::2/64");
      Nic eth1 = h.nic("eth1", br2, "fd0a:200:b::2/64");
      Host s = host(net, "sender2", br2, "fd0a:200:b::1/64");
      Box ha = new Box(net, h);
      Box sa = new Box(net, s);
      ha.open("r", "udp6", true).bind("r", 5009, "::");
      ha.sock("r").addMembership("ff15::b:1", "::%" + eth1.index());
      assertTrue(eth1.groups().contains("ff15::b:1"),
          "addMembership(group, '::%3') did not join on eth1: eth1 " + eth1.groups() + " eth0 " + eth0.groups());
      assertFalse(eth0.groups().contains("ff15::b:1"), eth0.groups().toString());

      sa.open("t", "udp6", false).bind("t", 0, "::");
      sa.sock("t").setMulticastInterface("::%eth0"); // the sender's own (simulated) eth0: resolved by name
      sa.send("t", "ff15::b:1", 5009, "via-eth1");
      Msg m = ha.awaitMsg("r", "via-eth1");
      assertEquals(eth1.index(), m.ifIndex());
      assertEquals("ff15::b:1", m.to());
    }
  }

  // ================================================================== the core behaviour tests on the sim

  /**
   * Scenarios of the core behaviour tests (BindTest, SendTest, ConnectTest, CloseTest) run on a
   * simulated host with the same assertions, on 127.0.0.1 as there. Those test classes
   * themselves run on the process-wide default loop (linux or nio transport, chosen by
   * {@code jdgram.transport}), wait on real time from the test thread, and cannot be pointed at
   * a simulated host; see docs/simulation.md.
   */
  @Nested
  class CoreOnSim {
    private final SimNetwork net = SimNetwork.create(990);
    private final Host h;

    CoreOnSim() {
      h = net.host("h");
      h.nic("eth0", net.lan("lan"), "10.200.90.1/24", "fd0a:200:90::1/64");
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
      net.close();
    }

    private DgramSocket udp4() {
      return h.socket("udp4");
    }

    /** A receiver on 127.0.0.1 (SendTest's Sink). */
    private final List<String> sink = new ArrayList<>();
    private final List<dev.jdgram.RemoteInfo> sinkInfo = new ArrayList<>();

    private int sink() {
      DgramSocket s = h.socket("udp4", (msg, r) -> {
        sink.add(new String(msg, StandardCharsets.UTF_8));
        sinkInfo.add(r);
      });
      s.bind(0, "127.0.0.1");
      net.runFor(ARRIVE);
      return s.address().port();
    }

    private void run() {
      net.runFor(ARRIVE);
    }

    @Test
    void bindReportsTheAddressAndListeningOnce() {
      DgramSocket s = udp4();
      AtomicInteger listening = new AtomicInteger();
      AtomicInteger callbacks = new AtomicInteger();
      s.onListening(listening::incrementAndGet);
      s.bind(0, "127.0.0.1", callbacks::incrementAndGet);
      assertEquals("ERR_SOCKET_ALREADY_BOUND", code(() -> s.bind(0))); // while binding
      run();
      AddressInfo a = s.address();
      assertEquals("127.0.0.1", a.address());
      assertEquals("IPv4", a.family());
      assertTrue(a.port() > 0);
      assertEquals(1, listening.get());
      assertEquals(1, callbacks.get());
      assertEquals("ERR_SOCKET_ALREADY_BOUND", code(() -> s.bind(0)));
      DgramSocket s6 = h.socket("udp6");
      s6.bind();
      run();
      assertEquals(new AddressInfo("::", "IPv6", s6.address().port()), s6.address());
      DgramSocket unbound = udp4();
      DgramException e = assertThrows(DgramException.class, unbound::address);
      assertEquals("EBADF", e.code());
      assertEquals("getsockname EBADF", e.getMessage());
    }

    @Test
    void bindToPortInUseEmitsEaddrinuseAndSkipsTheCallback() {
      DgramSocket a = udp4();
      a.bind(0, "127.0.0.1");
      run();
      int port = a.address().port();
      DgramSocket b = udp4();
      List<DgramException> errors = new ArrayList<>();
      AtomicInteger cb = new AtomicInteger();
      b.onError(errors::add);
      b.bind(port, "127.0.0.1", cb::incrementAndGet);
      run();
      assertEquals(1, errors.size());
      assertEquals("EADDRINUSE", errors.get(0).code());
      assertEquals("bind", errors.get(0).syscall());
      assertEquals(0, cb.get());
      // and the socket can bind again after the failed bind
      b.bind(0, "127.0.0.1");
      run();
      assertTrue(b.address().port() > 0);
      // reuseAddr shares the port
      DgramSocket r1 = Dgram.createSocket(h.options("udp4").reuseAddr(true));
      DgramSocket r2 = Dgram.createSocket(h.options("udp4").reuseAddr(true));
      r1.bind(7001);
      run();
      r2.bind(7001);
      run();
      assertEquals(7001, r2.address().port());
    }

    @Test
    void badBindPortThrowsBadPort() {
      DgramSocket s = udp4();
      for (int port : new int[] {-1, 65536}) {
        assertEquals("ERR_SOCKET_BAD_PORT", code(() -> s.bind(port)), "port " + port);
        assertEquals("ERR_SOCKET_BAD_PORT", code(() -> s.bind(BindOptions.of(port), null)));
      }
      s.bind(0, "127.0.0.1");
      run();
      assertEquals("127.0.0.1", s.address().address());
    }

    @Test
    void sendAndReceiveWithRemoteInfo() {
      int port = sink();
      DgramSocket c = udp4();
      c.bind(0, "127.0.0.1");
      run();
      c.send("hello", port, "127.0.0.1", null);
      c.send(new byte[0], port, "127.0.0.1");
      byte[] big = new byte[65_507];
      big[65_506] = 7;
      List<byte[]> bigs = new ArrayList<>();
      DgramSocket bigSink = h.socket("udp4", (msg, r) -> bigs.add(msg));
      bigSink.bind(0, "127.0.0.1");
      run();
      c.send(big, bigSink.address().port(), "127.0.0.1");
      run();
      assertEquals(List.of("hello", ""), sink);
      assertEquals(new dev.jdgram.RemoteInfo("127.0.0.1", "IPv4", c.address().port(), 5), sinkInfo.get(0));
      assertEquals(0, sinkInfo.get(1).size());
      assertEquals(1, bigs.size());
      assertArrayEquals(big, bigs.get(0));
    }

    @Test
    void sendBindsImplicitly() {
      int port = sink();
      DgramSocket c = udp4();
      AtomicInteger listening = new AtomicInteger();
      c.onListening(listening::incrementAndGet);
      AddressInfo[] local = new AddressInfo[1];
      c.send("x", port, "127.0.0.1", (err, n) -> local[0] = err == null ? c.address() : null);
      run();
      AddressInfo a = local[0];
      assertNotNull(a);
      assertEquals("0.0.0.0", a.address());
      assertEquals("IPv4", a.family());
      assertTrue(a.port() > 0);
      assertEquals(a.port(), sinkInfo.get(0).port());
      assertEquals(1, listening.get());
      assertEquals("ERR_SOCKET_ALREADY_BOUND", code(() -> c.bind()));
    }

    @Test
    void sendsQueuedWhileBindingAllArriveInOrder() {
      int port = sink();
      DgramSocket c = udp4();
      List<Integer> sent = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        c.send(Integer.toString(i), port, "127.0.0.1", (err, n) -> sent.add(err == null ? n : -1));
      }
      run();
      List<String> expected = new ArrayList<>();
      List<Integer> lengths = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        expected.add(Integer.toString(i));
        lengths.add(Integer.toString(i).length());
      }
      assertEquals(lengths, sent);
      assertEquals(expected, sink);
    }

    @Test
    void badPortThrowsBadPort() {
      DgramSocket c = udp4();
      for (int port : new int[] {0, 65536, -1}) {
        assertEquals("ERR_SOCKET_BAD_PORT", code(() -> c.send("x", port, "127.0.0.1", null)), "port " + port);
        assertEquals("ERR_SOCKET_BAD_PORT", code(() -> c.send(new byte[1], port, "127.0.0.1")));
      }
      assertEquals("Port should be > 0 and < 65536. Received type number (0).",
          assertThrows(DgramException.class, () -> c.send(new byte[1], 0, "127.0.0.1")).getMessage());
      assertEquals("ERR_SOCKET_BAD_PORT", code(() -> c.send("x", (e, n) -> { })), "connected form, not connected");
    }

    @Test
    void oversizeDatagramFailsWithEmsgsize() {
      int port = sink();
      DgramSocket c = udp4();
      DgramException[] got = new DgramException[1];
      c.send(new byte[65_508], port, "127.0.0.1", (err, n) -> got[0] = err);
      run();
      DgramException e = got[0];
      assertNotNull(e);
      assertEquals("EMSGSIZE", e.code());
      assertEquals("send", e.syscall());
      assertEquals(-90, e.errno());
      assertEquals("send EMSGSIZE 127.0.0.1:" + port, e.getMessage());
      assertEquals("127.0.0.1", e.address());
      assertEquals(port, e.port());
      // without a callback: an 'error' event
      List<DgramException> errors = new ArrayList<>();
      c.onError(errors::add);
      c.send(new byte[65_508], port, "127.0.0.1");
      run();
      assertEquals(List.of("EMSGSIZE"), errors.stream().map(DgramException::code).toList());
    }

    @Test
    void connectSendsToThePeerAndDisconnects() {
      int port = sink();
      DgramSocket c = udp4();
      AtomicInteger events = new AtomicInteger();
      List<Object> callbacks = new ArrayList<>();
      AtomicInteger listening = new AtomicInteger();
      c.onListening(listening::incrementAndGet);
      c.onConnect(events::incrementAndGet);
      c.connect(port, "127.0.0.1", err -> callbacks.add(err == null ? "null" : err));
      DgramException whileConnecting = assertThrows(DgramException.class, () -> c.connect(port, "127.0.0.1"));
      assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", whileConnecting.code());
      assertEquals("Already connected", whileConnecting.getMessage());
      run();
      assertEquals(1, events.get());
      assertEquals(List.of("null"), callbacks);
      assertEquals(1, listening.get(), "implicit bind emits 'listening' once");
      assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", code(() -> c.connect(port)));
      assertEquals("ERR_SOCKET_ALREADY_BOUND", code(() -> c.bind(0)));
      assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), c.remoteAddress());
      assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", code(() -> c.send("x", port, "127.0.0.1", null)));
      List<Integer> sent = new ArrayList<>();
      c.send("hello", (err, n) -> sent.add(err == null ? n : -1));
      run();
      assertEquals(List.of(5), sent);
      assertEquals(List.of("hello"), sink);
      assertEquals(c.address().port(), sinkInfo.get(0).port());

      c.disconnect();
      DgramException e = assertThrows(DgramException.class, c::remoteAddress);
      assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", e.code());
      assertEquals("Not connected", e.getMessage());
      c.send("x", port, "127.0.0.1", (err, n) -> sent.add(err == null ? n : -1));
      run();
      assertEquals(List.of(5, 1), sent);

      DgramSocket d = udp4();
      assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", code(d::remoteAddress));
      for (int p : new int[] {0, -1, 65536}) {
        assertEquals("ERR_SOCKET_BAD_PORT", code(() -> d.connect(p, "127.0.0.1")));
      }
      assertEquals("EBADF", code(d::address), "a bad connect leaves the socket unbound");
      // connect(port) defaults to the family's localhost
      d.connect(port);
      DgramSocket six = h.socket("udp6");
      six.connect(port);
      run();
      assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), d.remoteAddress());
      assertEquals(new AddressInfo("::1", "IPv6", port), six.remoteAddress());
    }

    @Test
    void closeEmitsCloseOnceAndLaterCallsThrowNotRunning() {
      DgramSocket s = udp4();
      s.bind(0, "127.0.0.1");
      run();
      int port = s.address().port();
      AtomicInteger events = new AtomicInteger();
      AtomicInteger callbacks = new AtomicInteger();
      s.onClose(events::incrementAndGet);
      s.close(callbacks::incrementAndGet);
      run();
      assertEquals(1, events.get());
      assertEquals(1, callbacks.get());
      assertTrue(s.isClosed());
      DgramException e = assertThrows(DgramException.class, s::close);
      assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
      assertEquals("Not running", e.getMessage());
      List<Runnable> calls = List.of(
          () -> s.bind(0),
          () -> s.connect(port, "127.0.0.1"),
          () -> s.send(new byte[1], port, "127.0.0.1"),
          () -> s.address(),
          () -> s.setBroadcast(true),
          () -> s.setMulticastTTL(1),
          () -> s.addMembership("239.1.2.3", "127.0.0.1"),
          () -> s.getRecvBufferSize());
      for (Runnable call : calls) {
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", code(call));
      }
      // the port is free once closed
      DgramSocket again = udp4();
      again.bind(port, "127.0.0.1");
      run();
      assertEquals(port, again.address().port());
      // closing an unbound socket, and closing with queued sends: every callback exactly once
      DgramSocket unbound = h.socket("udp6");
      AtomicInteger closed = new AtomicInteger();
      unbound.onClose(closed::incrementAndGet);
      unbound.close();
      int sinkPort = sink();
      DgramSocket q = udp4();
      List<Object> sendCbs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        q.send("q" + i, sinkPort, "127.0.0.1", (err, n) -> sendCbs.add(err == null ? n : err.code()));
      }
      q.close();
      run();
      assertEquals(1, closed.get());
      assertEquals(5, sendCbs.size(), sendCbs.toString());
    }

    @Test
    void closeFromAMessageListenerWorks() {
      DgramSocket s = udp4();
      AtomicInteger closed = new AtomicInteger();
      s.onClose(closed::incrementAndGet);
      s.onMessage((m, r) -> s.close());
      s.bind(0, "127.0.0.1");
      run();
      udp4().send("bye", s.address().port(), "127.0.0.1", null);
      run();
      assertEquals(1, closed.get());
    }
  }
}
