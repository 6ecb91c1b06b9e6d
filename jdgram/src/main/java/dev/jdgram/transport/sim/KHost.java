package dev.jdgram.transport.sim;

import dev.jdgram.handle.Errno;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The kernel of one simulated host: interfaces, routing table, UDP socket table, multicast
 * groups per interface (with IGMP/MLD on the wire), IP input and output, and for a router
 * unicast forwarding and multicast forwarding learned from IGMP/MLD.
 */
public final class KHost {
  public record Route(Prefix destination, InetAddress gateway, KNic nic) {}

  /** Where route lookup sends a packet. */
  record Path(KNic nic, InetAddress nextHop, InetAddress source, boolean local) {}

  final World w;
  public final String name;
  public final boolean router;
  public final KNic lo;
  public final List<KNic> nics = new ArrayList<>();
  public final List<Route> routes = new ArrayList<>();
  final List<KSocket> sockets = new ArrayList<>();
  /** Segmented sends (UDP_SEGMENT) taken; false: refused with EIO. */
  public boolean gso = true;
  final SplittableRandom portRng;
  /** net.ipv4.igmp_max_memberships: joins per socket. */
  public int maxMemberships = 20;
  /** net.ipv4.igmp_max_msf: sources per socket. */
  public int maxSources = 10;
  public int rmemDefault = 212992;
  public int wmemDefault = 212992;
  public int rmemMax = 212992;
  public int wmemMax = 212992;
  /** Router: nic -> group -> reporter -> sources (null element: any source). */
  final Map<KNic, Map<InetAddress, Map<InetAddress, Set<InetAddress>>>> learned = new LinkedHashMap<>();

  KHost(World w, String name, boolean router) {
    this.w = w;
    this.name = name;
    this.router = router;
    this.portRng = w.random("ports:" + name);
    lo = new KNic(this, "lo", 1, new byte[6], true);
    lo.addresses.add(Prefix.parse("127.0.0.1/8"));
    lo.addresses.add(Prefix.parse("::1/128"));
  }

  public KNic addNic(String nicName, KSwitch sw, List<Prefix> addrs) {
    synchronized (w) {
      KNic n = new KNic(this, nicName, nics.size() + 2, w.nextMac(), false);
      n.addresses.addAll(addrs);
      if (router) {
        n.mode = KNicMode.ALL_MULTICAST;
      }
      if (sw != null) {
        n.link = sw.attach(n);
      }
      nics.add(n);
      return n;
    }
  }

  public void addRoute(Prefix dst, InetAddress gateway, KNic nic) {
    synchronized (w) {
      routes.add(new Route(dst, gateway, nic));
    }
  }

  /** @return groups learned on {@code nic} (router), with their reporters */
  public Map<InetAddress, Set<InetAddress>> learnedGroups(KNic nic) {
    synchronized (w) {
      Map<InetAddress, Set<InetAddress>> out = new LinkedHashMap<>();
      learned.getOrDefault(nic, Map.of()).forEach((g, r) -> out.put(g, Set.copyOf(r.keySet())));
      return out;
    }
  }

  public boolean isLocalAddress(InetAddress a) {
    if (lo.owns(a)) {
      return true;
    }
    for (KNic n : nics) {
      if (n.owns(a)) {
        return true;
      }
    }
    return false;
  }

  KNic nicOwning(InetAddress a) {
    for (KNic n : nics) {
      if (n.owns(a)) {
        return n;
      }
    }
    return lo.owns(a) ? lo : null;
  }

  KNic nicByIndexOrName(String scope) {
    for (KNic n : nics) {
      if (n.name.equals(scope) || String.valueOf(n.index).equals(scope)) {
        return n;
      }
    }
    return null;
  }

  KNic nicByIndex(int index) {
    for (KNic n : nics) {
      if (n.index == index) {
        return n;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- routing

  /** The source of an IPv4 datagram to 127.0.0.0/8: parsed once, not per packet. */
  private static final InetAddress LOOPBACK4 = Packet.addr("127.0.0.1");

  /** Longest-prefix match over connected prefixes and static routes; null: unreachable. */
  Path route(InetAddress dst) {
    if (dst.isLoopbackAddress()) {
      return new Path(lo, dst, dst instanceof Inet6Address ? dst : LOOPBACK4, true);
    }
    if (isLocalAddress(dst)) {
      return new Path(lo, dst, dst, true);
    }
    boolean v6 = dst instanceof Inet6Address;
    KNic best = null;
    InetAddress gw = null;
    int bestLen = -1;
    for (KNic n : nics) {
      for (Prefix p : n.addresses) {
        if (p.length() > bestLen && !p.address().isLinkLocalAddress() && p.contains(dst)) {
          best = n;
          gw = null;
          bestLen = p.length();
        }
      }
    }
    for (Route r : routes) {
      if (r.destination.length() > bestLen && r.destination.contains(dst)) {
        best = r.nic;
        gw = r.gateway;
        bestLen = r.destination.length();
      }
    }
    if (best == null && v6 && dst.isMulticastAddress()) {
      for (KNic n : nics) { // Linux puts "multicast ff00::/8 dev X" in the local table
        if (n.primary(true) != null) {
          best = n;
          break;
        }
      }
    }
    if (best == null) {
      return null;
    }
    InetAddress next = gw != null ? gw : dst;
    return new Path(best, next, sourceFor(best, next, v6), false);
  }

  InetAddress sourceFor(KNic n, InetAddress next, boolean v6) {
    for (Prefix p : n.addresses) {
      if ((p.address() instanceof Inet6Address) == v6 && p.contains(next) && !p.address().isLinkLocalAddress()) {
        return p.address();
      }
    }
    InetAddress a = n.primary(v6);
    if (a == null && v6) {
      a = n.linkLocal();
    }
    return a;
  }

  /** Neighbour resolution (ARP/NDP), instantaneous: the MAC of the card that owns {@code ip}. */
  byte[] resolve(KNic n, InetAddress ip) {
    if (n.link == null) {
      return null;
    }
    for (KLink l : n.link.sw.ports) {
      if (l.nic != n && l.nic.owns(ip)) {
        return l.nic.mac;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- output

  /** Local delivery of a packet sent to one of this host's own addresses. */
  void loopback(Packet p, KNic arrival) {
    if (w.tracing()) {
      w.trace(p.tag, name, KLayer.IP, "loop", "local destination: via " + arrival.name);
    }
    w.after(0, () -> udpInput(arrival, p, p.dst.isMulticastAddress() || arrival.isBroadcastFor(p.dst)));
  }

  // ---------------------------------------------------------------- input

  void ipInput(KNic nic, Packet p, boolean forUs) {
    if (!forUs) {
      w.trace(p.tag, name, KLayer.IP, "drop", "frame for another host (promiscuous card, PACKET_OTHERHOST)");
      return;
    }
    KHost origin = w.ownerOf(p.src);
    if (w.partitioned(origin, this)) {
      w.trace(p.tag, name, KLayer.IP, "drop", "partition between " + origin.name + " and " + name);
      return;
    }
    if (p.dst.isMulticastAddress()) {
      if (p.isMembershipMessage()) {
        if (router) {
          learn(nic, p);
        } else {
          w.trace(p.tag, name, KLayer.IGMP, "rx", "membership message seen by a host: ignored");
        }
        return;
      }
      KNic.Group g = nic.groups.get(p.dst);
      boolean allHosts = p.dst.equals(ALL_HOSTS) || p.dst.equals(ALL_NODES);
      if (allHosts || (g != null && g.allows(p.src))) {
        udpInput(nic, p, true);
      } else if (!router) {
        w.trace(p.tag, name, KLayer.IP, "drop", g == null
            ? "not a member of " + Prefix.format(p.dst) + " on " + nic.name + " (ip_check_mc)"
            : "source " + Prefix.format(p.src) + " not in " + nic.name + "'s source filter for " + Prefix.format(p.dst));
      }
      if (router) {
        mforward(nic, p);
      }
      return;
    }
    if (nic.isBroadcastFor(p.dst)) {
      udpInput(nic, p, true);
      return;
    }
    if (isLocalAddress(p.dst)) {
      udpInput(nic, p, false);
      return;
    }
    if (!router) {
      w.trace(p.tag, name, KLayer.IP, "drop", "not addressed to this host and forwarding is off");
      return;
    }
    forward(nic, p);
  }

  static final InetAddress ALL_HOSTS = Packet.addr("224.0.0.1");
  static final InetAddress ALL_NODES = Packet.addr("ff02::1");

  private void forward(KNic in, Packet p) {
    if (p.ttl <= 1) {
      w.trace(p.tag, name, KLayer.ROUTER, "drop", "TTL " + p.ttl + " expires here (ICMP time exceeded not modelled)");
      return;
    }
    Path r = route(p.dst);
    if (r == null || r.local) {
      w.trace(p.tag, name, KLayer.ROUTER, "drop", "no route to " + Prefix.format(p.dst));
      return;
    }
    byte[] mac = resolve(r.nic, r.nextHop);
    if (mac == null) {
      w.trace(p.tag, name, KLayer.NEIGH, "drop", "no neighbour " + Prefix.format(r.nextHop) + " on " + r.nic.name);
      return;
    }
    int size = p.wireSize() - 14; // the IP packet
    if (size > r.nic.mtu && (p.df || p.v6()) && p.proto == Packet.UDP) {
      // ip_forward: DF set (IPv6: always) and too big for the next link: tell the sender the MTU
      w.trace(p.tag, name, KLayer.ROUTER, "drop", size + " bytes do not fit " + r.nic.name + "'s MTU " + r.nic.mtu
          + " and may not be fragmented");
      InetAddress self = sourceFor(in, p.src, p.v6()); // the address on the side it came from
      sendIcmpError(p, Packet.tooBig(p, r.nic.mtu), self != null ? self : r.source(), p.v6() ? "packet too big" : "fragmentation needed");
      return;
    }
    Packet q = p.copy();
    q.ttl = p.ttl - 1;
    q.srcMac = r.nic.mac;
    q.dstMac = mac;
    w.trace(p.tag, name, KLayer.ROUTER, "forward", "to " + Prefix.format(p.dst) + " via " + r.nic.name + " next hop " + Prefix.format(r.nextHop) + ", ttl " + p.ttl + " -> " + q.ttl);
    r.nic.transmit(q, () -> {});
  }

  private void mforward(KNic in, Packet p) {
    if (KSwitch.linkLocal(p.dst)) {
      w.trace(p.tag, name, KLayer.ROUTER, "drop", "link-local group " + Prefix.format(p.dst) + " is never routed");
      return;
    }
    List<KNic> outs = new ArrayList<>();
    for (KNic n : nics) {
      if (n != in && hasMembers(n, p.dst, p.src)) {
        outs.add(n);
      }
    }
    if (outs.isEmpty()) {
      w.trace(p.tag, name, KLayer.ROUTER, "drop", "no members of " + Prefix.format(p.dst) + " learned on any other link");
      return;
    }
    if (p.ttl <= 1) {
      w.trace(p.tag, name, KLayer.ROUTER, "drop", "multicast TTL " + p.ttl + " expires here: not forwarded");
      return;
    }
    for (KNic n : outs) {
      Packet q = p.copy();
      q.ttl = p.ttl - 1;
      q.srcMac = n.mac;
      w.trace(p.tag, name, KLayer.ROUTER, "forward", Prefix.format(p.dst) + " onto " + n.name + " (members learned there), ttl " + p.ttl + " -> " + q.ttl);
      n.transmit(q, () -> {});
    }
  }

  private boolean hasMembers(KNic n, InetAddress group, InetAddress src) {
    Map<InetAddress, Set<InetAddress>> reporters = learned.getOrDefault(n, Map.of()).get(group);
    if (reporters == null) {
      return false;
    }
    for (Set<InetAddress> s : reporters.values()) {
      if (s.contains(null) || s.contains(src)) {
        return true;
      }
    }
    return false;
  }

  private void learn(KNic nic, Packet p) {
    Packet.Membership m = p.membership();
    if (m == null) {
      return;
    }
    Map<InetAddress, Map<InetAddress, Set<InetAddress>>> groups = learned.computeIfAbsent(nic, k -> new LinkedHashMap<>());
    String g = Prefix.format(m.group());
    if (m.join()) {
      groups.computeIfAbsent(m.group(), k -> new LinkedHashMap<>()).computeIfAbsent(p.src, k -> new HashSet<>()).add(m.source());
      w.trace(p.tag, name, KLayer.ROUTER, "learn", "member of " + g + (m.source() == null ? "" : " (source " + Prefix.format(m.source()) + ")") + " on " + nic.name + ": " + Prefix.format(p.src));
      return;
    }
    Map<InetAddress, Set<InetAddress>> reporters = groups.get(m.group());
    if (reporters == null) {
      return;
    }
    Set<InetAddress> s = reporters.get(p.src);
    if (s != null) {
      if (m.source() == null) {
        reporters.remove(p.src);
      } else {
        s.remove(m.source());
        if (s.isEmpty()) {
          reporters.remove(p.src);
        }
      }
    }
    if (reporters.isEmpty()) {
      groups.remove(m.group());
      w.trace(p.tag, name, KLayer.ROUTER, "learn", "no members of " + g + " left on " + nic.name + ": stops forwarding there");
    } else {
      w.trace(p.tag, name, KLayer.ROUTER, "learn", Prefix.format(p.src) + " left " + g + " on " + nic.name + "; members remain");
    }
  }

  /** UDP demultiplexing: one socket for unicast, every matching socket for multicast/broadcast. */
  void udpInput(KNic nic, Packet p, boolean multi) {
    if ((p.proto == Packet.ICMP || p.proto == Packet.ICMPV6) && !multi) {
      icmpInput(p);
      return;
    }
    if (p.proto != Packet.UDP) {
      w.trace(p.tag, name, KLayer.IP, "drop", "protocol " + p.proto + " has no handler");
      return;
    }
    if (multi) {
      List<KSocket> to = new ArrayList<>();
      for (KSocket s : sockets) {
        if (s.matches(p, nic, true)) {
          to.add(s);
        }
      }
      if (to.isEmpty()) {
        w.trace(p.tag, name, KLayer.UDP, "drop", "no socket for " + Prefix.format(p.dst) + ":" + p.dstPort);
      }
      for (KSocket s : to) {
        s.enqueue(p, nic);
      }
      return;
    }
    KSocket best = null;
    int bestScore = -1;
    List<KSocket> ties = new ArrayList<>();
    for (KSocket s : sockets) {
      if (!s.matches(p, nic, false)) {
        continue;
      }
      // connected beats bound-to-address beats wildcard; the datagram's own family breaks a tie
      int score = (s.remote != null ? 8 : 0) + (s.local.getAddress().isAnyLocalAddress() ? 0 : 4) + (s.sameFamily(p) ? 1 : 0);
      if (score > bestScore) {
        bestScore = score;
        best = s;
        ties.clear();
        ties.add(s);
      } else if (score == bestScore) {
        ties.add(s);
      }
    }
    if (best == null) {
      w.trace(p.tag, name, KLayer.UDP, "drop", "port unreachable: no socket on " + Prefix.format(p.dst) + ":" + p.dstPort);
      sendPortUnreachable(p);
      return;
    }
    if (ties.size() > 1) {
      boolean allReusePort = ties.stream().allMatch(s -> (s.flags & dev.jdgram.handle.UdpHandle.REUSEPORT) != 0);
      // SO_REUSEPORT: a hash of the 4-tuple picks one; else the most recently bound one
      best = allReusePort
          ? ties.get(Math.floorMod(Arrays.hashCode(p.src.getAddress()) * 31 + p.srcPort, ties.size()))
          : ties.get(ties.size() - 1);
    }
    best.enqueue(p, nic);
  }

  /** icmp_send / icmpv6_send: port unreachable back to the sender of {@code orig}. */
  private void sendPortUnreachable(Packet orig) {
    sendIcmpError(orig, Packet.portUnreachable(orig), orig.dst, "port unreachable");
  }

  /** icmp_send / icmpv6_send: the error {@code payload} about {@code orig}, from {@code self}, back to its sender. */
  private void sendIcmpError(Packet orig, byte[] payload, InetAddress self, String what) {
    Packet q = new Packet();
    boolean v6 = orig.v6();
    q.tag = w.nextIcmpTag();
    q.proto = v6 ? Packet.ICMPV6 : Packet.ICMP;
    q.src = self;
    q.dst = orig.src;
    q.ttl = 64;
    q.ipId = ++w.ipIds;
    q.payload = payload;
    w.trace(q.tag, name, KLayer.ICMP, "send", what + " for " + orig.tag + " to " + Prefix.format(q.dst));
    Path r = route(q.dst);
    if (r == null) {
      w.trace(q.tag, name, KLayer.IP, "drop", "no route back to " + Prefix.format(q.dst));
      return;
    }
    if (r.local) {
      w.after(0, () -> icmpInput(q));
      return;
    }
    byte[] mac = resolve(r.nic, r.nextHop);
    if (mac == null) {
      w.trace(q.tag, name, KLayer.NEIGH, "drop", "no neighbour " + Prefix.format(r.nextHop) + " on " + r.nic.name);
      return;
    }
    q.srcMac = r.nic.mac;
    q.dstMac = mac;
    r.nic.transmit(q, () -> {});
  }

  /**
   * An ICMP error for one of our datagrams (__udp4_lib_err): a socket that asked for its error
   * queue (IP_RECVERR) gets an entry naming the destination, connected or not; else only a
   * connected socket hears of it (sk_err). "Fragmentation needed" also teaches the host the path
   * MTU, so that its next don't-fragment send that is too large fails at once.
   */
  private void icmpInput(Packet p) {
    Packet.IcmpError e = p.icmpError();
    if (e == null) {
      w.trace(p.tag, name, KLayer.ICMP, "drop", "ICMP message not handled");
      return;
    }
    InetAddress dst = p.unreachableAddress();
    boolean v6 = dst instanceof Inet6Address;
    int errno = e.errno(v6);
    String what = Errno.name(errno) + " (ICMP " + e.type() + "/" + e.code() + (e.mtu() > 0 ? ", mtu " + e.mtu() : "") + ")";
    if (e.mtu() > 0) {
      pathMtu.put(dst, e.mtu());
    }
    for (KSocket s : sockets) {
      if (s.local.getPort() != e.srcPort()) {
        continue;
      }
      boolean connectedThere = s.remote != null && s.remote.getAddress().equals(dst) && s.remote.getPort() == e.dstPort();
      if (s.wantsErrorQueue() && (s.remote == null || connectedThere)) {
        w.trace(p.tag, name, KLayer.ICMP, "deliver", what + " about " + Prefix.format(dst) + ":" + e.dstPort() + ": queued on socket :" + e.srcPort() + "'s error queue (IP_RECVERR)");
        s.queueError(new InetSocketAddress(dst, e.dstPort()), errno, e.type(), e.code(), p.src, e.mtu());
        return;
      }
      if (connectedThere) {
        w.trace(p.tag, name, KLayer.ICMP, "deliver", what + " from " + Prefix.format(dst) + ":" + e.dstPort() + ": connected socket :" + e.srcPort() + " gets " + Errno.name(errno));
        s.socketError(errno);
        return;
      }
    }
    w.trace(p.tag, name, KLayer.ICMP, "drop", what + " about " + Prefix.format(dst) + ":" + e.dstPort() + ": no connected socket on :" + e.srcPort() + " (unconnected sockets ignore it)");
  }

  /** The path MTU learned towards each destination ("fragmentation needed", "packet too big"). */
  final Map<InetAddress, Integer> pathMtu = new HashMap<>();

  /** @return the MTU towards {@code dst} over {@code nic}: the card's, or less if a router said so */
  int mtuTowards(KNic nic, InetAddress dst) {
    Integer learned = pathMtu.get(dst);
    return learned == null ? nic.mtu : Math.min(learned, nic.mtu);
  }

  // ---------------------------------------------------------------- group membership per interface

  void joinAny(KNic n, InetAddress g) {
    KNic.Group grp = n.groups.computeIfAbsent(g, k -> new KNic.Group());
    boolean first = !grp.member();
    grp.anySource++;
    if (first) {
      n.macAdd(g);
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "join", "first join of " + Prefix.format(g) + " on " + n.name + ": MAC " + Packet.mac(Packet.multicastMac(g)) + " added to the filter, report sent");
      sendMembership(n, g, true, null, false);
    } else {
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "join", Prefix.format(g) + " on " + n.name + " now held " + (grp.anySource + grp.sources.size()) + " times: no report");
      if (grp.anySource == 1 && !grp.sources.isEmpty()) {
        sendMembership(n, g, true, null, true); // include -> exclude {}: any source now
      }
    }
  }

  void leaveAny(KNic n, InetAddress g) {
    KNic.Group grp = n.groups.get(g);
    grp.anySource--;
    if (!grp.member()) {
      n.groups.remove(g);
      n.macRemove(g);
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "leave", "last leave of " + Prefix.format(g) + " on " + n.name + ": MAC removed from the filter, leave sent");
      sendMembership(n, g, false, null, false);
    } else {
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "leave", Prefix.format(g) + " on " + n.name + " still held: no leave sent");
    }
  }

  void joinSource(KNic n, InetAddress g, InetAddress s) {
    KNic.Group grp = n.groups.computeIfAbsent(g, k -> new KNic.Group());
    boolean first = !grp.member();
    if (first) {
      n.macAdd(g);
    }
    int c = grp.sources.merge(s, 1, Integer::sum);
    w.trace("-", name + "/" + n.name, KLayer.IGMP, "join", "source " + Prefix.format(s) + " of " + Prefix.format(g) + " on " + n.name + (c == 1 && grp.anySource == 0 ? ": IGMPv3 ALLOW sent" : ": no report"));
    if (c == 1 && grp.anySource == 0) {
      sendMembership(n, g, true, s, true);
    }
  }

  void leaveSource(KNic n, InetAddress g, InetAddress s) {
    KNic.Group grp = n.groups.get(g);
    int c = grp.sources.merge(s, -1, Integer::sum);
    if (c <= 0) {
      grp.sources.remove(s);
    }
    if (!grp.member()) {
      n.groups.remove(g);
      n.macRemove(g);
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "leave", "last source of " + Prefix.format(g) + " left on " + n.name + ": leave sent");
      sendMembership(n, g, false, null, true);
    } else if (c <= 0 && grp.anySource == 0) {
      w.trace("-", name + "/" + n.name, KLayer.IGMP, "leave", "source " + Prefix.format(s) + " of " + Prefix.format(g) + " left: IGMPv3 BLOCK sent");
      sendMembership(n, g, false, s, true);
    }
  }

  /**
   * A membership message on the wire: IGMPv2 report (to the group) or leave (to 224.0.0.2) as
   * IGMPv2-mode Linux sends them; IGMPv3 (to 224.0.0.22) for source-specific changes. MLDv1 or
   * MLDv2 likewise for IPv6, from the card's link-local address.
   */
  private void sendMembership(KNic n, InetAddress g, boolean join, InetAddress source, boolean v3) {
    if (g.equals(ALL_HOSTS) || g.equals(ALL_NODES) || n.link == null) {
      return;
    }
    boolean v6 = g instanceof Inet6Address;
    Packet p = new Packet();
    p.tag = w.nextControlTag(v6);
    p.ttl = 1;
    p.srcMac = n.mac;
    if (!v6) {
      p.proto = Packet.IGMP;
      InetAddress src = n.primary(false);
      p.src = src != null ? src : Packet.addr("0.0.0.0");
      p.ipId = ++w.ipIds;
      if (v3) {
        p.dst = Packet.addr("224.0.0.22");
        int type = join ? (source == null ? 4 : 5) : (source == null ? 3 : 6);
        p.payload = Packet.igmpV3(type, g, source);
      } else {
        p.dst = join ? g : Packet.addr("224.0.0.2");
        p.payload = Packet.igmpV2(join ? 0x16 : 0x17, g);
      }
    } else {
      p.proto = Packet.ICMPV6;
      p.src = n.linkLocal();
      if (v3) {
        p.dst = Packet.addr("ff02::16");
        int type = join ? (source == null ? 4 : 5) : (source == null ? 3 : 6);
        p.payload = Packet.mldV2(type, g, source);
      } else {
        p.dst = join ? g : Packet.addr("ff02::2");
        p.payload = Packet.mldV1(join ? 131 : 132, g);
      }
    }
    p.dstMac = Packet.multicastMac(p.dst);
    w.trace(p.tag, name, KLayer.IGMP, join ? "report" : "leave", (v6 ? (v3 ? "MLDv2 " : "MLDv1 ") : (v3 ? "IGMPv3 " : "IGMPv2 ")) + (join ? "report " : "leave ") + Prefix.format(g) + (source == null ? "" : " source " + Prefix.format(source)) + " on " + n.name + " to " + Prefix.format(p.dst));
    n.transmit(p, () -> {});
  }
}
