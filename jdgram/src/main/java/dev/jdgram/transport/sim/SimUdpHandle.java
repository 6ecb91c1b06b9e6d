package dev.jdgram.transport.sim;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.HandleListener;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.WriteQueue;
import dev.jdgram.sim.Layer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A UDP socket of a simulated host: Linux's {@code udp_sendmsg}, {@code udp_queue_rcv_skb},
 * {@code ip_mc_join_group} and friends, on the host's kernel model. Sends that find the send
 * buffer full wait on the write queue until frames leave the card.
 */
public final class SimUdpHandle implements UdpHandle {
  private static final int AGAIN = Integer.MIN_VALUE;
  private static final int RECV_BATCH = 32;

  private record Rx(Packet p, int ifindex, int truesize) {}

  /** One IP_ADD_MEMBERSHIP / IP_ADD_SOURCE_MEMBERSHIP: sources null means any source. */
  private static final class Mem {
    final InetAddress group;
    final KNic nic;
    final Set<InetAddress> sources;

    Mem(InetAddress group, KNic nic, Set<InetAddress> sources) {
      this.group = group;
      this.nic = nic;
      this.sources = sources;
    }
  }

  private final LoopContext ctx;
  private final World w;
  private final KHost host;
  /** The ready list of this handle's loop: a delivery here wakes that loop. */
  private final ReadySet ready;
  private final boolean ipv6;
  private final WriteQueue writeQueue;
  private final ArrayDeque<Rx> rxq = new ArrayDeque<>();
  private final List<Mem> memberships = new ArrayList<>();
  private final RecvInfo recvInfo = new RecvInfo();
  /** Destination and interface asked for (as IP_PKTINFO on linux); set by any thread, read by the loop. */
  private volatile boolean wantRecvInfo;
  private boolean created;
  private boolean hashed;
  private boolean addrLocked;
  private boolean portLocked;
  InetSocketAddress local;
  InetSocketAddress remote;
  int flags;
  private HandleListener listener;
  private boolean receiving;
  private boolean closed;
  private int rmem;
  private int wmem;
  private int rcvbuf;
  private int sndbuf;
  private long drops;
  private int ttl = 64;
  private int mcastTtl = 1;
  private boolean mcastLoop = true;
  private boolean broadcast;
  private KNic mcastIf;
  private InetSocketAddress lastFrom;
  /** sk_err: an ICMP error waiting for the next receive or send. */
  private int pendingError;

  SimUdpHandle(LoopContext ctx, World w, KHost host, ReadySet ready, boolean ipv6) {
    this.ctx = ctx;
    this.w = w;
    this.host = host;
    this.ready = ready;
    this.ipv6 = ipv6;
    this.writeQueue = new WriteQueue(ctx);
    this.local = new InetSocketAddress(wildcard(), 0);
  }

  static int truesize(int len) {
    return 768 + ((len + 63) & ~63);
  }

  private InetAddress wildcard() {
    return Packet.addr(new byte[ipv6 ? 16 : 4]);
  }

  private String node() {
    return host.name;
  }

  @Override
  public boolean ipv6() {
    return ipv6;
  }

  @Override
  public boolean hasSocket() {
    return created;
  }

  private void checkOpen() {
    if (closed) {
      throw new SysError(Errno.EBADF);
    }
  }

  private void checkCreated() {
    checkOpen();
    if (!created) {
      throw new SysError(Errno.EBADF);
    }
  }

  private boolean wrongFamily(InetAddress a) {
    return (a instanceof Inet6Address) != ipv6;
  }

  // ------------------------------------------------------------------ bind / connect

  @Override
  public void bind(InetSocketAddress addr, int bindFlags) {
    synchronized (w) {
      checkOpen();
      if (created) {
        throw new SysError(Errno.EINVAL);
      }
      InetAddress a = addr.getAddress();
      if (wrongFamily(a)) {
        throw new SysError(Errno.EINVAL);
      }
      if (!a.isAnyLocalAddress() && !a.isMulticastAddress() && !host.isLocalAddress(a) && !isBroadcastAddress(a)) {
        throw new SysError(Errno.EADDRNOTAVAIL);
      }
      flags = bindFlags;
      hashTo(a, addr.getPort());
      created = true;
      addrLocked = !a.isAnyLocalAddress();
      portLocked = addr.getPort() != 0;
      rcvbuf = host.rmemDefault;
      sndbuf = host.wmemDefault;
      w.trace("-", node(), Layer.SOCKET, "bind", "udp" + (ipv6 ? "6" : "4") + " bound to " + Prefix.format(local.getAddress()) + ":" + local.getPort());
    }
  }

  private boolean isBroadcastAddress(InetAddress a) {
    for (KNic n : host.nics) {
      if (n.isBroadcastFor(a)) {
        return true;
      }
    }
    return false;
  }

  /** Puts the socket in the host's table at {@code a}:{@code port} (0: an ephemeral port). */
  private void hashTo(InetAddress a, int port) {
    if (port == 0) {
      int range = 60999 - 32768 + 1;
      int start = host.portRng.nextInt(range);
      for (int i = 0; i < range; i++) {
        int p = 32768 + (start + i) % range;
        if (!conflicts(a, p)) {
          port = p;
          break;
        }
      }
      if (port == 0) {
        throw new SysError(Errno.EADDRINUSE);
      }
    } else if (conflicts(a, port)) {
      throw new SysError(Errno.EADDRINUSE);
    }
    local = new InetSocketAddress(a, port);
    hashed = true;
    host.sockets.add(this);
  }

  private boolean conflicts(InetAddress a, int port) {
    for (SimUdpHandle s : host.sockets) {
      if (s == this || s.local.getPort() != port) {
        continue;
      }
      boolean sameFamily = s.ipv6 == ipv6;
      boolean dual = !sameFamily && (ipv6 ? a.isAnyLocalAddress() && (flags & IPV6ONLY) == 0
          : s.local.getAddress().isAnyLocalAddress() && (s.flags & IPV6ONLY) == 0);
      if (!sameFamily && !dual) {
        continue;
      }
      boolean overlap = !sameFamily || a.isAnyLocalAddress() || s.local.getAddress().isAnyLocalAddress() || a.equals(s.local.getAddress());
      if (!overlap) {
        continue;
      }
      boolean share = ((flags & s.flags & REUSEADDR) != 0) || ((flags & s.flags & REUSEPORT) != 0);
      if (!share) {
        return true;
      }
    }
    return false;
  }

  private void autobind() {
    if (!created) {
      bind(new InetSocketAddress(wildcard(), 0), 0);
    } else if (!hashed) {
      hashTo(local.getAddress(), 0);
    }
  }

  @Override
  public void connect(InetSocketAddress r) {
    synchronized (w) {
      checkOpen();
      InetAddress a = r.getAddress();
      if (wrongFamily(a)) {
        throw new SysError(Errno.EINVAL);
      }
      KHost.Path path = pathTo(a);
      if (path == null) {
        throw new SysError(Errno.ENETUNREACH);
      }
      if (!a.isMulticastAddress() && (isLimitedBroadcast(a) || path.nic().isBroadcastFor(a)) && !broadcast) {
        throw new SysError(Errno.EACCES);
      }
      autobind();
      remote = r;
      if (local.getAddress().isAnyLocalAddress() && path.source() != null) {
        local = new InetSocketAddress(path.source(), local.getPort()); // ip4_datagram_connect sets rcv_saddr
      }
    }
  }

  @Override
  public void disconnect() {
    synchronized (w) {
      checkCreated();
      remote = null;
      // udp_disconnect: an address or port the socket got from connect or autobind is released
      if (!addrLocked) {
        local = new InetSocketAddress(wildcard(), local.getPort());
      }
      if (!portLocked && hashed) {
        host.sockets.remove(this);
        hashed = false;
        local = new InetSocketAddress(local.getAddress(), 0);
      }
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    synchronized (w) {
      checkCreated();
      return local;
    }
  }

  @Override
  public InetSocketAddress remoteAddress() {
    synchronized (w) {
      checkCreated();
      if (remote == null) {
        throw new SysError(Errno.ENOTCONN);
      }
      return remote;
    }
  }

  // ------------------------------------------------------------------ receive

  @Override
  public void recvStart(HandleListener l) {
    synchronized (w) {
      checkOpen();
      listener = Objects.requireNonNull(l);
      receiving = true;
      if (!rxq.isEmpty() || pendingError != 0) {
        ready.add(this);
      }
    }
  }

  @Override
  public void recvStop() {
    synchronized (w) {
      receiving = false;
    }
  }

  /** Does a datagram that reached this host belong to this socket? (__udp4_lib_lookup / mcast). */
  boolean matches(Packet p, KNic nic, boolean multi) {
    if (closed || !hashed || local.getPort() != p.dstPort || (wrongFamily(p.dst) && !dualStackFor(p))) {
      return false;
    }
    InetAddress la = local.getAddress();
    if (!la.isAnyLocalAddress() && !la.equals(p.dst)) {
      return false;
    }
    if (remote != null && (!remote.getAddress().equals(p.src) || remote.getPort() != p.srcPort)) {
      return false;
    }
    if (multi && p.dst.isMulticastAddress()) {
      Mem m = find(p.dst, nic);
      // ip_mc_sf_allow: a socket that did not join the group still gets it (IP_MULTICAST_ALL = 1)
      return m == null || m.sources == null || m.sources.contains(p.src);
    }
    return true;
  }

  /**
   * An IPv4 datagram reaches a {@code udp6} socket bound to {@code ::} without IPV6_V6ONLY, as
   * on Linux (the application sees the sender as {@code ::ffff:a.b.c.d}).
   */
  private boolean dualStackFor(Packet p) {
    return ipv6 && !p.v6() && (flags & IPV6ONLY) == 0 && local.getAddress().isAnyLocalAddress() && remote == null;
  }

  /** @return true for a socket of the datagram's own family (Linux prefers it: compute_score) */
  boolean sameFamily(Packet p) {
    return ipv6 == p.v6();
  }

  /** The kernel queues a datagram on this socket, or drops it when the buffer is full. */
  void enqueue(Packet p, KNic nic) {
    if (rmem > rcvbuf) {
      drops++;
      w.trace(p.tag, node(), Layer.SOCKET, "drop", "receive buffer full on :" + local.getPort() + " (" + rmem + " > SO_RCVBUF " + rcvbuf + ")");
      return;
    }
    int ts = truesize(p.payload.length);
    rmem += ts;
    rxq.add(new Rx(p, nic.index, ts));
    if (w.tracing()) {
      w.trace(p.tag, node(), Layer.SOCKET, "deliver", "queued on socket " + Prefix.format(local.getAddress()) + ":" + local.getPort() + " from " + Prefix.format(p.src) + ":" + p.srcPort + " via " + nic.name);
    }
    if (receiving) {
      ready.add(this);
    }
  }

  /** An ICMP error on a connected socket (sk_err): reported by the next receive or send. */
  void socketError(int errno) {
    pendingError = errno;
    if (receiving) {
      ready.add(this);
    }
  }

  /**
   * Called by the poller, outside the network's monitor: retries queued sends, reports a pending
   * socket error, and hands up to {@value #RECV_BATCH} queued datagrams to the listener.
   */
  void onReady() {
    HandleListener l;
    boolean drained = false;
    int err = 0;
    synchronized (w) {
      if (closed) {
        return;
      }
      if (!writeQueue.isEmpty() && wmem < sndbuf) {
        drained = drainWriteQueue();
      }
      if (pendingError != 0 && receiving) {
        err = pendingError;
        pendingError = 0;
      }
      l = listener;
    }
    if (l == null) {
      return;
    }
    if (drained) {
      l.onWriteQueueDrained();
    }
    if (err != 0) {
      l.onRecvError(err);
    }
    ByteBuffer buf = ctx.recvBuffer();
    for (int i = 0; i < RECV_BATCH; i++) {
      Rx rx;
      synchronized (w) {
        if (!receiving || closed || rxq.isEmpty()) {
          break;
        }
        rx = rxq.poll();
        rmem -= rx.truesize;
        l = listener;
      }
      buf.clear();
      buf.put(rx.p.payload, 0, Math.min(rx.p.payload.length, buf.capacity()));
      buf.flip();
      InetSocketAddress from = lastFrom;
      if (from == null || !from.getAddress().equals(rx.p.src) || from.getPort() != rx.p.srcPort) {
        from = new InetSocketAddress(rx.p.src, rx.p.srcPort);
        lastFrom = from;
      }
      recvInfo.clear();
      if (wantRecvInfo) {
        recvInfo.setLocalAddress(rx.p.dst);
        recvInfo.interfaceIndex = rx.ifindex;
      }
      l.onRecv(buf, from, recvInfo);
    }
    synchronized (w) {
      if (receiving && !closed && !rxq.isEmpty()) {
        ready.add(this);
      }
    }
  }

  // ------------------------------------------------------------------ send

  @Override
  public void send(SendReq req) {
    synchronized (w) {
      if (closed) {
        writeQueue.completeLater(req, Errno.EBADF);
        return;
      }
      if (writeQueue.isEmpty()) {
        int status = trySend(req);
        if (status != AGAIN) {
          writeQueue.completeLater(req, status);
          return;
        }
      }
      writeQueue.enqueue(req);
    }
  }

  private static boolean isLimitedBroadcast(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == -1;
  }

  private KHost.Path pathTo(InetAddress da) {
    if (da.isMulticastAddress() && mcastIf != null) {
      return new KHost.Path(mcastIf, da, host.sourceFor(mcastIf, da, ipv6), false);
    }
    if (isLimitedBroadcast(da) && !local.getAddress().isAnyLocalAddress()) {
      KNic n = host.nicOwning(local.getAddress());
      if (n != null && n != host.lo) {
        return new KHost.Path(n, da, local.getAddress(), false);
      }
    }
    return host.route(da);
  }

  /** udp_sendmsg. @return bytes sent, a negative errno, or AGAIN (send buffer full) */
  private int trySend(SendReq req) {
    InetSocketAddress dest = req.dest;
    if (dest == null) {
      if (remote == null) {
        return Errno.EDESTADDRREQ;
      }
      dest = remote;
    }
    InetAddress da = dest.getAddress();
    if (wrongFamily(da)) {
      return Errno.EINVAL;
    }
    if (dest.getPort() == 0) {
      return Errno.EINVAL;
    }
    if (req.size > (ipv6 ? 65527 : 65507)) {
      return Errno.EMSGSIZE;
    }
    if (!hashed) {
      try {
        autobind(); // the ephemeral port is chosen at the first send
      } catch (SysError e) {
        return e.errno();
      }
    }
    if (pendingError != 0) {
      int e = pendingError; // sock_alloc_send_pskb reports sk_err
      pendingError = 0;
      return e;
    }
    if (wmem >= sndbuf) {
      return AGAIN;
    }
    KHost.Path path = pathTo(da);
    if (path == null) {
      w.trace("-", node(), Layer.IP, "error", "sendto " + Prefix.format(da) + ": no route (ENETUNREACH)");
      return Errno.ENETUNREACH;
    }
    boolean mcast = da.isMulticastAddress();
    boolean bcast = !mcast && !path.local() && (isLimitedBroadcast(da) || path.nic().isBroadcastFor(da));
    if (bcast && !broadcast) {
      w.trace("-", node(), Layer.IP, "error", "sendto " + Prefix.format(da) + ": broadcast without SO_BROADCAST (EACCES)");
      return Errno.EACCES;
    }
    InetAddress la = local.getAddress();
    InetAddress src = !la.isAnyLocalAddress() && !la.isMulticastAddress() && !isBroadcastAddress(la) ? la : path.source();
    if (src == null) {
      return Errno.EADDRNOTAVAIL;
    }
    Packet p = new Packet();
    p.tag = w.nextDatagramTag();
    p.src = src;
    p.dst = da;
    p.srcPort = local.getPort();
    p.dstPort = dest.getPort();
    p.proto = Packet.UDP;
    p.ttl = mcast ? mcastTtl : ttl;
    p.ipId = ++w.ipIds;
    byte[] data = new byte[req.size];
    req.data.duplicate().get(data);
    p.payload = data;
    if (w.tracing()) {
      w.trace(p.tag, node(), Layer.SOCKET, "send", Prefix.format(src) + ":" + p.srcPort + " -> " + Prefix.format(da) + ":" + p.dstPort + " (" + req.size + " bytes)");
    }
    if (path.local()) {
      host.loopback(p, host.lo);
      return req.size;
    }
    int ts = truesize(req.size);
    wmem += ts;
    Runnable sent = () -> {
      wmem -= ts;
      if (!writeQueue.isEmpty() && !closed) {
        ready.add(this);
      }
    };
    if (mcast && path.nic().loopback) {
      // Out of lo, Linux uses ip_output, not ip_mc_output (__mkroute_output: IFF_LOOPBACK): no
      // IP_MULTICAST_LOOP copy and no TTL 0 rule; the one frame lo loops back is the one copy
      p.dstMac = Packet.multicastMac(da);
    } else if (mcast) {
      KNic.Group g = path.nic().groups.get(da);
      if (mcastLoop && g != null && g.allows(src)) {
        host.loopback(p.copy(), path.nic()); // IP_MULTICAST_LOOP: a member on this host gets a copy
      }
      if (p.ttl == 0) {
        w.trace(p.tag, node(), Layer.IP, "drop", "multicast TTL 0: not sent on the wire");
        sent.run();
        return req.size;
      }
      p.dstMac = Packet.multicastMac(da);
    } else if (bcast) {
      host.loopback(p.copy(), path.nic()); // broadcasts are looped back to the sending host
      p.dstMac = Packet.BROADCAST_MAC;
    } else {
      byte[] mac = host.resolve(path.nic(), path.nextHop());
      if (mac == null) {
        w.trace(p.tag, node(), Layer.NEIGH, "drop", "no neighbour answers for " + Prefix.format(path.nextHop()) + " on " + path.nic().name);
        sent.run();
        return req.size;
      }
      p.dstMac = mac;
    }
    p.srcMac = path.nic().mac;
    boolean direct = mcast || bcast || path.nextHop().equals(da);
    if (w.tracing()) {
      w.trace(p.tag, node(), Layer.IP, "route", "out " + path.nic().name + (direct ? "" : " via " + Prefix.format(path.nextHop())) + ", src " + Prefix.format(src) + ", ttl " + p.ttl);
    }
    path.nic().transmit(p, sent);
    return req.size;
  }

  /** @return true if the queue emptied (the caller tells the listener, outside the monitor) */
  private boolean drainWriteQueue() {
    SendReq r;
    while ((r = writeQueue.peek()) != null && !closed) {
      int status = trySend(r);
      if (status == AGAIN) {
        break;
      }
      writeQueue.dequeue();
      writeQueue.completeLater(r, status);
    }
    return writeQueue.isEmpty();
  }

  @Override
  public int sendQueueSize() {
    return writeQueue.bytes();
  }

  @Override
  public int sendQueueCount() {
    return writeQueue.count();
  }

  // ------------------------------------------------------------------ options

  @Override
  public void setBroadcast(boolean on) {
    synchronized (w) {
      checkCreated();
      broadcast = on;
    }
  }

  @Override
  public void setTTL(int value) {
    synchronized (w) {
      checkCreated();
      if (value < 1 || value > 255) {
        throw new SysError(Errno.EINVAL);
      }
      ttl = value;
    }
  }

  @Override
  public void setMulticastTTL(int value) {
    synchronized (w) {
      checkCreated();
      if (value < 0 || value > 255) {
        throw new SysError(Errno.EINVAL);
      }
      mcastTtl = value;
    }
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    synchronized (w) {
      checkCreated();
      mcastLoop = on;
    }
  }

  @Override
  public void setMulticastInterface(InetAddress iface, String scope) {
    synchronized (w) {
      checkCreated();
      if (iface == null || iface.isAnyLocalAddress()) {
        KNic n = scope == null ? null : host.nicByIndexOrName(scope);
        if (n == null && iface instanceof Inet6Address a6 && a6.getScopeId() != 0) {
          n = host.nicByIndex(a6.getScopeId());
        }
        mcastIf = n; // unknown scope or none: the kernel chooses by route again
        return;
      }
      if (wrongFamily(iface)) {
        throw new SysError(Errno.EINVAL);
      }
      KNic n = host.nicOwning(iface);
      if (n == null) {
        throw new SysError(Errno.EADDRNOTAVAIL);
      }
      mcastIf = n;
    }
  }

  /** ip_mc_find_dev: the interface named by address or scope, else the route to the group. */
  private KNic membershipNic(InetAddress group, InetAddress iface, String scope) {
    if (scope != null && iface instanceof Inet6Address) {
      // "::%eth1": the name (or index) is this simulated host's, not the real machine's
      KNic n = host.nicByIndexOrName(scope);
      if (n == null) {
        throw new SysError(Errno.ENODEV);
      }
      return n;
    }
    if (iface instanceof Inet6Address a6 && a6.getScopeId() != 0) {
      KNic n = host.nicByIndex(a6.getScopeId());
      if (n == null) {
        throw new SysError(Errno.ENODEV);
      }
      return n;
    }
    if (iface == null || iface.isAnyLocalAddress()) {
      KHost.Path p = host.route(group);
      if (p == null || p.local()) {
        throw new SysError(Errno.ENODEV);
      }
      return p.nic();
    }
    KNic n = host.nicOwning(iface);
    if (n == null) {
      throw new SysError(Errno.ENODEV);
    }
    return n;
  }

  private Mem find(InetAddress group, KNic nic) {
    for (Mem m : memberships) {
      if (m.group.equals(group) && m.nic == nic) {
        return m;
      }
    }
    return null;
  }

  private void membershipPreamble(InetAddress group, InetAddress source) {
    checkOpen();
    if (!group.isMulticastAddress() || (source != null && source.isMulticastAddress())) {
      throw new SysError(Errno.EINVAL);
    }
    if (wrongFamily(group) || (source != null && wrongFamily(source))) {
      throw new SysError(Errno.EINVAL);
    }
    if (!created) {
      bind(new InetSocketAddress(wildcard(), 0), REUSEADDR); // libuv's deferred bind
    }
  }

  @Override
  public void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    synchronized (w) {
      membershipPreamble(group, null);
      KNic nic = membershipNic(group, iface, scope);
      Mem m = find(group, nic);
      if (join) {
        if (m != null) {
          throw new SysError(Errno.EADDRINUSE);
        }
        if (!ipv6 && memberships.size() >= host.maxMemberships) {
          throw new SysError(Errno.ENOBUFS); // net.ipv4.igmp_max_memberships
        }
        memberships.add(new Mem(group, nic, null));
        host.joinAny(nic, group);
      } else {
        if (m == null) {
          throw new SysError(Errno.EADDRNOTAVAIL);
        }
        dropMembership(m);
      }
    }
  }

  private void dropMembership(Mem m) {
    memberships.remove(m);
    if (m.sources == null) {
      host.leaveAny(m.nic, m.group);
    } else {
      for (InetAddress s : List.copyOf(m.sources)) {
        host.leaveSource(m.nic, m.group, s);
      }
    }
  }

  @Override
  public void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join) {
    synchronized (w) {
      membershipPreamble(group, source);
      KNic nic = membershipNic(group, iface, scope);
      Mem m = find(group, nic);
      if (join) {
        if (m == null) {
          if (!ipv6 && memberships.size() >= host.maxMemberships) {
            throw new SysError(Errno.ENOBUFS);
          }
          m = new Mem(group, nic, new LinkedHashSet<>());
          memberships.add(m);
        } else if (m.sources == null) {
          throw new SysError(Errno.EINVAL); // any-source membership: the filter mode differs
        } else if (m.sources.contains(source)) {
          throw new SysError(Errno.EADDRNOTAVAIL);
        } else if (m.sources.size() >= host.maxSources) {
          throw new SysError(Errno.ENOBUFS); // net.ipv4.igmp_max_msf
        }
        m.sources.add(source);
        host.joinSource(nic, group, source);
      } else {
        if (m == null || m.sources == null) {
          throw new SysError(Errno.EINVAL);
        }
        if (!m.sources.remove(source)) {
          throw new SysError(Errno.EADDRNOTAVAIL);
        }
        host.leaveSource(nic, group, source);
        if (m.sources.isEmpty()) {
          memberships.remove(m);
        }
      }
    }
  }

  @Override
  public int bufferSize(boolean recv, int value) {
    synchronized (w) {
      checkCreated();
      if (value != 0) {
        int v = Math.min(value, recv ? host.rmemMax : host.wmemMax) * 2;
        v = Math.max(v, recv ? 2304 : 4608); // SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF
        if (recv) {
          rcvbuf = v;
        } else {
          sndbuf = v;
        }
      }
      return recv ? rcvbuf : sndbuf;
    }
  }

  @Override
  public void wantRecvInfo() {
    wantRecvInfo = true;
  }

  @Override
  public long receiveDrops() {
    synchronized (w) {
      return drops;
    }
  }

  @Override
  public void close(Runnable onClosed) {
    synchronized (w) {
      if (closed) {
        ctx.nextTick(onClosed);
        return;
      }
      closed = true;
      receiving = false;
      listener = null;
      writeQueue.cancelAll();
      for (Mem m : List.copyOf(memberships)) {
        dropMembership(m); // ip_mc_drop_socket
      }
      host.sockets.remove(this);
      hashed = false;
      rxq.clear();
      rmem = 0;
      ready.remove(this);
      ctx.nextTick(onClosed);
    }
  }
}
