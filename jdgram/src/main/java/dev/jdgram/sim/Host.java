package dev.jdgram.sim;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.MessageListener;
import dev.jdgram.NetworkHost;
import dev.jdgram.SocketOptions;
import dev.jdgram.transport.sim.KHost;
import dev.jdgram.transport.sim.Prefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated host (or router): its interfaces, its routing table, its kernel limits, and the
 * sockets opened on it, which are ordinary {@link DgramSocket}s.
 */
public final class Host implements NetworkHost {
  private final SimNetwork net;
  final KHost k;
  private final List<Nic> nics = new ArrayList<>();

  Host(SimNetwork net, String name, KHost k) {
    this.net = net;
    this.k = k;
  }

  @Override
  public String name() {
    return k.name;
  }

  /** @return true for a router */
  public boolean isRouter() {
    return k.router;
  }

  /**
   * Adds an interface plugged into {@code lan}, with its addresses and a connected route for
   * each ({@code "10.0.0.1/24"}, {@code "fd00::1/64"}). The MAC is 02:00:00:xx:xx:xx, in order
   * of creation; the card also has an fe80:: EUI-64 address.
   */
  public Nic nic(String name, Lan lan, String... addresses) {
    List<Prefix> list = new ArrayList<>();
    for (String a : addresses) {
      list.add(Prefix.parse(a));
    }
    Nic n = new Nic(this, k.addNic(name, lan == null ? null : lan.sw, list));
    nics.add(n);
    return n;
  }

  /** @return the interface called {@code name} */
  public Nic nic(String name) {
    for (Nic n : nics) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException(name() + " has no interface " + name);
  }

  /** @return the interfaces, without lo */
  public List<Nic> nics() {
    return List.copyOf(nics);
  }

  /** Adds a route to {@code prefix} through the gateway {@code gateway} (on a connected subnet). */
  public Host route(String prefix, String gateway) {
    InetAddress gw = Prefix.parse(gateway).address();
    for (Nic n : nics) {
      for (Prefix p : n.k.addresses) {
        if (p.contains(gw)) {
          k.addRoute(Prefix.parse(prefix), gw, n.k);
          return this;
        }
      }
    }
    throw new IllegalArgumentException("gateway " + gateway + " is on no subnet of " + name());
  }

  /** Adds a route to {@code prefix} straight out of {@code nic} (for example 224.0.0.0/4). */
  public Host route(String prefix, Nic nic) {
    k.addRoute(Prefix.parse(prefix), null, nic.k);
    return this;
  }

  /** Adds a default route (0.0.0.0/0 or ::/0) through {@code gateway}. */
  public Host defaultRoute(String gateway) {
    return route(gateway.indexOf(':') >= 0 ? "::/0" : "0.0.0.0/0", gateway);
  }

  /** Sets net.ipv4.igmp_max_memberships for sockets opened from now on (default 20). */
  public Host maxMemberships(int n) {
    k.maxMemberships = n;
    return this;
  }

  /**
   * Whether this host's kernel takes segmented sends (UDP_SEGMENT); default true. A host that
   * does not answers a segmented send with EIO, as Linux does on a route whose device cannot
   * segment or checksum: jdgram then sends that socket's batches unsegmented.
   */
  public Host segmentationOffload(boolean on) {
    synchronized (net.world) {
      k.gso = on;
    }
    return this;
  }

  /** Sets net.core.rmem_default and rmem_max (default 212992). */
  public Host receiveBufferDefault(int bytes) {
    k.rmemDefault = bytes;
    k.rmemMax = Math.max(k.rmemMax, bytes);
    return this;
  }

  /** @return options for a socket of {@code type} on this host, on the network's loop */
  public SocketOptions options(String type) {
    return SocketOptions.of(type).host(this).loop(net.loop());
  }

  /** @return a new socket ({@code "udp4"} or {@code "udp6"}) on this host */
  public DgramSocket socket(String type) {
    return Dgram.createSocket(options(type));
  }

  /** @return a new socket on this host with a {@code message} listener */
  public DgramSocket socket(String type, MessageListener onMessage) {
    return Dgram.createSocket(options(type), onMessage);
  }

  /**
   * Router: the groups learned from IGMP/MLD on {@code nic}, each with the addresses of the
   * hosts that reported it.
   */
  public java.util.Map<String, java.util.Set<String>> learnedGroups(Nic nic) {
    java.util.Map<String, java.util.Set<String>> out = new java.util.LinkedHashMap<>();
    k.learnedGroups(nic.k).forEach((g, r) -> out.put(Prefix.format(g),
        new java.util.TreeSet<>(r.stream().map(Prefix::format).toList())));
    return out;
  }

  @Override
  public String toString() {
    return (isRouter() ? "router " : "host ") + name();
  }
}
