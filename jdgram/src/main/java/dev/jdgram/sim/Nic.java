package dev.jdgram.sim;

import dev.jdgram.transport.sim.KNic;
import dev.jdgram.transport.sim.Packet;
import dev.jdgram.transport.sim.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A network card of a host: its MAC, addresses, receive filter and joined groups. */
public final class Nic {
  private final Host host;
  final KNic k;

  Nic(Host host, KNic k) {
    this.host = host;
    this.k = k;
  }

  public Host host() {
    return host;
  }

  public String name() {
    return k.name;
  }

  /** @return the interface index (lo is 1, the first card 2) */
  public int index() {
    return k.index;
  }

  /** @return the MAC, {@code 02:00:00:00:00:01} */
  public String mac() {
    return Packet.mac(k.mac);
  }

  /** @return the configured addresses with their prefix lengths */
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    k.addresses.forEach(p -> out.add(p.toString()));
    return out;
  }

  public NicMode mode() {
    return KernelTerms.mode(k.mode);
  }

  /** Sets the receive filter mode. */
  public Nic mode(NicMode mode) {
    k.mode = KernelTerms.kernelMode(mode);
    return this;
  }

  /** @return the largest IP packet this card sends (1500; lo's 65536) */
  public int mtu() {
    return k.mtu;
  }

  /**
   * Sets the card's MTU ({@code ip link set dev NAME mtu N}). A router that must forward a
   * don't-fragment datagram (or any IPv6 one) larger than it answers "fragmentation needed" /
   * "packet too big" with this MTU; others are delivered whole, as their fragments would be.
   */
  public Nic mtu(int bytes) {
    if (bytes < 68) {
      throw new IllegalArgumentException("an MTU below 68 bytes: " + bytes);
    }
    k.mtu = bytes;
    return this;
  }

  /** @return the cable to the LAN's switch (faults, capture) */
  public Link link() {
    if (k.link() == null) {
      throw new IllegalStateException(name() + " is not plugged into a LAN");
    }
    return new Link(k.link());
  }

  /** @return the multicast MAC filter list: MAC to the number of joined groups behind it */
  public Map<String, Integer> macFilter() {
    return new TreeMap<>(k.macFilter());
  }

  /** @return how many socket memberships hold {@code group} on this card (the kernel's refcount) */
  public int groupRefs(String group) {
    return k.groupRefs(Prefix.parse(group).address());
  }

  /** @return the groups joined on this card, as text */
  public List<String> groups() {
    List<String> out = new ArrayList<>();
    k.groupsView().keySet().forEach(g -> out.add(Prefix.format(g)));
    return out;
  }

  /** @return the multicast MAC a group maps to (01:00:5e + 23 bits, 33:33 + 32 bits) */
  public static String multicastMac(String group) {
    return Packet.mac(Packet.multicastMac(Prefix.parse(group).address()));
  }

  @Override
  public String toString() {
    return host.name() + "/" + name();
  }
}
