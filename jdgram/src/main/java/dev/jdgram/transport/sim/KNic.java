package dev.jdgram.transport.sim;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network card of a host: its MAC, its addresses, its receive filter, and the host's
 * multicast groups on it (the kernel's {@code in_device->mc_list}, refcounted per group, and
 * the card's multicast MAC list, refcounted per MAC).
 */
public final class KNic {
  /** A group joined on this card: sockets in any-source mode, and per-source counts (SSM). */
  static final class Group {
    int anySource;
    final Map<InetAddress, Integer> sources = new LinkedHashMap<>();

    boolean member() {
      return anySource > 0 || !sources.isEmpty();
    }

    boolean allows(InetAddress src) {
      return anySource > 0 || sources.containsKey(src);
    }
  }

  public final KHost host;
  public final String name;
  public final int index;
  public final byte[] mac;
  public final List<Prefix> addresses = new ArrayList<>();
  public KNicMode mode = KNicMode.EXACT;
  KLink link;
  final Map<InetAddress, Group> groups = new LinkedHashMap<>();
  private final Map<String, Integer> macList = new LinkedHashMap<>();
  final boolean loopback;
  /** The link's MTU: the largest IP packet this card sends (lo's is Linux's 65536). */
  public int mtu;

  KNic(KHost host, String name, int index, byte[] mac, boolean loopback) {
    this.host = host;
    this.name = name;
    this.index = index;
    this.mac = mac;
    this.loopback = loopback;
    macList.put("01:00:5e:00:00:01", 1); // all-hosts 224.0.0.1
    macList.put("33:33:00:00:00:01", 1); // all-nodes ff02::1
    this.mtu = loopback ? 65536 : 1500;
  }

  public KLink link() {
    return link;
  }

  /** @return the first address of the family (IPv6: not link-local), or null */
  InetAddress primary(boolean v6) {
    for (Prefix p : addresses) {
      InetAddress a = p.address();
      if (v6 ? a instanceof Inet6Address && !a.isLinkLocalAddress() : a instanceof Inet4Address) {
        return a;
      }
    }
    return null;
  }

  /** @return the EUI-64 link-local address (fe80::/64) */
  InetAddress linkLocal() {
    byte[] a = new byte[16];
    a[0] = (byte) 0xfe;
    a[1] = (byte) 0x80;
    a[8] = (byte) (mac[0] ^ 2);
    a[9] = mac[1];
    a[10] = mac[2];
    a[11] = (byte) 0xff;
    a[12] = (byte) 0xfe;
    a[13] = mac[3];
    a[14] = mac[4];
    a[15] = mac[5];
    return Packet.addr(a);
  }

  boolean owns(InetAddress a) {
    for (Prefix p : addresses) {
      // lo owns its whole prefix, as Linux's "local 127.0.0.0/8 dev lo" route does: 127.0.0.2
      // can be bound and sent to without being configured
      if (p.address().equals(a) || (loopback && p.contains(a))) {
        return true;
      }
    }
    return !loopback && a instanceof Inet6Address && a.isLinkLocalAddress() && Arrays.equals(a.getAddress(), linkLocal().getAddress());
  }

  boolean isBroadcastFor(InetAddress a) {
    if (!(a instanceof Inet4Address)) {
      return false;
    }
    byte[] b = a.getAddress();
    if ((b[0] & b[1] & b[2] & b[3]) == -1) {
      return true;
    }
    for (Prefix p : addresses) {
      if (a.equals(p.broadcast())) {
        return true;
      }
    }
    return false;
  }

  /** @return the card's multicast MAC filter, with the number of groups behind each MAC */
  public Map<String, Integer> macFilter() {
    synchronized (host.w) {
      return Map.copyOf(macList);
    }
  }

  /** @return the groups joined on this card with their counts: "any" or the sources */
  public Map<InetAddress, String> groupsView() {
    synchronized (host.w) {
      Map<InetAddress, String> m = new LinkedHashMap<>();
      groups.forEach((g, s) -> m.put(g, (s.anySource > 0 ? "any-source x" + s.anySource : "") + (s.sources.isEmpty() ? "" : " sources " + s.sources)));
      return m;
    }
  }

  /** @return how many sockets hold {@code group} on this card */
  public int groupRefs(InetAddress group) {
    synchronized (host.w) {
      Group g = groups.get(group);
      return g == null ? 0 : g.anySource + g.sources.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  void macAdd(InetAddress group) {
    macList.merge(Packet.mac(Packet.multicastMac(group)), 1, Integer::sum);
  }

  void macRemove(InetAddress group) {
    macList.computeIfPresent(Packet.mac(Packet.multicastMac(group)), (k, v) -> v == 1 ? null : v - 1);
  }

  /** Puts a frame on the cable; {@code sent} runs when it has left the transmit queue. */
  void transmit(Packet p, Runnable sent) {
    if (loopback) {
      // loopback_xmit: the frame comes straight back in on lo (IP then checks membership)
      if (host.w.tracing()) {
        host.w.trace(p.tag, host.name + "/" + name, KLayer.NIC, "loop", "looped back by lo");
      }
      host.w.after(0, () -> host.ipInput(this, p, true));
      sent.run();
      return;
    }
    if (link == null) {
      host.w.trace(p.tag, host.name + "/" + name, KLayer.LINK, "drop", "interface has no link");
      sent.run();
      return;
    }
    if (host.w.tracing()) {
      host.w.trace(p.tag, host.name + "/" + name, KLayer.NIC, "tx", Packet.mac(p.srcMac) + " > " + Packet.mac(p.dstMac) + " " + describe(p));
    }
    link.send(true, p, sent);
  }

  static String describe(Packet p) {
    String ip = Prefix.format(p.src) + " > " + Prefix.format(p.dst) + " ttl " + p.ttl;
    if (p.proto == Packet.UDP) {
      return ip + " udp " + p.srcPort + " > " + p.dstPort + " len " + p.payload.length;
    }
    String kind = p.proto == Packet.IGMP ? " igmp" : p.proto == Packet.ICMP ? " icmp" : " icmp6";
    return ip + kind + " type " + (p.payload[0] & 0xff) + " code " + (p.payload[1] & 0xff);
  }

  /** A frame arrived from the cable: the receive filter, then IP. */
  void receive(Packet p) {
    String node = host.name + "/" + name;
    String reason = null;
    boolean mine = Arrays.equals(p.dstMac, mac);
    if (!mine && !p.isBroadcastMac()) {
      if (p.isMulticastMac()) {
        if (mode == KNicMode.EXACT && !macList.containsKey(Packet.mac(p.dstMac))) {
          reason = "multicast MAC " + Packet.mac(p.dstMac) + " not in the filter list (mode EXACT)";
        }
      } else if (mode != KNicMode.PROMISCUOUS) {
        reason = "unicast MAC " + Packet.mac(p.dstMac) + " is not this card's";
      }
    }
    if (reason != null) {
      host.w.trace(p.tag, node, KLayer.NIC, "drop", reason);
      return;
    }
    if (host.w.tracing()) {
      host.w.trace(p.tag, node, KLayer.NIC, "rx", "passed filter (" + mode + ")");
    }
    host.ipInput(this, p, mine || p.isMulticastMac() || p.isBroadcastMac());
  }
}
