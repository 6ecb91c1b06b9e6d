package dev.jdgram.transport.sim;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A LAN segment's switch: learns source MACs, floods unknown unicast, broadcast and (without
 * snooping) multicast; with IGMP/MLD snooping it sends a group's traffic only to ports that
 * reported members and to router ports, and link-local groups everywhere (RFC 4541).
 */
public final class KSwitch {
  final World w;
  public final String name;
  final List<KLink> ports = new ArrayList<>();
  private final Map<String, KLink> macTable = new HashMap<>();
  /** group -> port -> reporters (snooping state). */
  private final Map<InetAddress, Map<KLink, Set<InetAddress>>> members = new LinkedHashMap<>();
  public boolean snooping;
  final List<FrameLog> captures = new ArrayList<>();

  KSwitch(World w, String name) {
    this.w = w;
    this.name = name;
  }

  public FrameLog capture() {
    synchronized (w) {
      FrameLog log = new FrameLog();
      captures.add(log);
      return log;
    }
  }

  KLink attach(KNic nic) {
    KLink l = new KLink(w, nic, this);
    ports.add(l);
    return l;
  }

  /** @return the ports with reported members of {@code group}, by host/nic name */
  public List<String> snoopedPorts(InetAddress group) {
    synchronized (w) {
      Map<KLink, Set<InetAddress>> m = members.get(group);
      List<String> out = new ArrayList<>();
      if (m != null) {
        m.keySet().forEach(l -> out.add(l.name));
      }
      return out;
    }
  }

  void ingress(KLink from, Packet p) {
    for (FrameLog c : captures) {
      c.add(w.nowMicros(), p);
    }
    macTable.put(Packet.mac(p.srcMac), from);
    List<KLink> out = new ArrayList<>();
    String why;
    if (p.isBroadcastMac()) {
      why = "broadcast: flooded";
      flood(from, out);
    } else if (p.isMulticastMac()) {
      if (!snooping) {
        why = "multicast: flooded (no IGMP snooping)";
        flood(from, out);
      } else if (p.isMembershipMessage()) {
        learn(from, p);
        why = "membership report: to router ports (snooping)";
        for (KLink l : ports) {
          if (l != from && l.nic.host.router) {
            out.add(l);
          }
        }
      } else if (linkLocal(p.dst)) {
        why = "link-local group: flooded";
        flood(from, out);
      } else {
        Set<KLink> to = new LinkedHashSet<>();
        Map<KLink, Set<InetAddress>> m = members.get(p.dst);
        if (m != null) {
          to.addAll(m.keySet());
        }
        for (KLink l : ports) {
          if (l.nic.host.router) {
            to.add(l);
          }
        }
        to.remove(from);
        out.addAll(to);
        why = "snooping: to member and router ports";
        if (out.isEmpty()) {
          w.trace(p.tag, name, KLayer.SWITCH, "drop", "snooping: no member port for " + Prefix.format(p.dst));
          return;
        }
      }
    } else {
      KLink known = macTable.get(Packet.mac(p.dstMac));
      if (known != null) {
        if (known == from) {
          w.trace(p.tag, name, KLayer.SWITCH, "drop", "destination MAC is on the ingress port");
          return;
        }
        why = "unicast: learned port";
        out.add(known);
      } else {
        why = "unknown unicast: flooded";
        flood(from, out);
      }
    }
    for (KLink l : out) {
      if (w.partitioned(from.nic.host, l.nic.host)) {
        w.trace(p.tag, name, KLayer.SWITCH, "drop", "partition between " + from.nic.host.name + " and " + l.nic.host.name);
        continue;
      }
      if (w.tracing()) {
        w.trace(p.tag, name, KLayer.SWITCH, "forward", "to " + l.name + " (" + why + ")");
      }
      l.send(false, p, () -> {});
    }
  }

  private void flood(KLink from, List<KLink> out) {
    for (KLink l : ports) {
      if (l != from) {
        out.add(l);
      }
    }
  }

  static boolean linkLocal(InetAddress g) {
    byte[] a = g.getAddress();
    if (a.length == 4) {
      return (a[0] & 0xff) == 224 && a[1] == 0 && a[2] == 0;
    }
    return (a[1] & 0x0f) <= 2; // ff01::, ff02::
  }

  private void learn(KLink from, Packet p) {
    Packet.Membership m = p.membership();
    if (m == null) {
      return;
    }
    if (m.join()) {
      members.computeIfAbsent(m.group(), g -> new LinkedHashMap<>()).computeIfAbsent(from, l -> new LinkedHashSet<>()).add(p.src);
      w.trace(p.tag, name, KLayer.SWITCH, "learn", "snooping: " + Prefix.format(m.group()) + " has a member on " + from.name);
    } else if (m.source() == null || p.proto == Packet.IGMP && (p.payload[0] & 0xff) == 0x17 || (p.payload[0] & 0xff) == 132) {
      Map<KLink, Set<InetAddress>> ports = members.get(m.group());
      if (ports != null && ports.containsKey(from)) {
        Set<InetAddress> r = ports.get(from);
        r.remove(p.src);
        if (r.isEmpty()) {
          ports.remove(from);
          w.trace(p.tag, name, KLayer.SWITCH, "learn", "snooping: " + Prefix.format(m.group()) + " left " + from.name + " (immediate leave)");
        }
        if (ports.isEmpty()) {
          members.remove(m.group());
        }
      }
    }
  }
}
