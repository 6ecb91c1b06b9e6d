package dev.jdgram.transport.sim;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.ErrorReport;
import dev.jdgram.handle.ErrorSink;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.NativeBatch;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.UdpKernel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A UDP socket of a simulated host, the kernel's side only: Linux's {@code udp_sendmsg},
 * {@code udp_queue_rcv_skb}, {@code ip_mc_join_group} and friends on the host's kernel model
 * (buffers with their truesize accounting, the socket table, matching, the receive queue,
 * memberships, sk_err), under the one {@link UdpHandle}, which keeps the write queue and the
 * rest of the handle's life. Readiness is level-triggered, like epoll's: while the handle
 * watches for something that holds, the socket stays on its loop's {@link ReadySet}.
 */
final class KSocket implements UdpKernel {
  /** A queued datagram, the interface it came in on, its memory charge, and when it was queued. */
  private record Rx(Packet p, int ifindex, int truesize, long arrivedMicros) {}

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
  /** The ready list of this socket's loop: readiness here wakes that loop. */
  private final ReadySet ready;
  private final boolean ipv6;
  private final UdpKernel.Watcher watcher;

  // The kernel model's state: guarded by the world's monitor (w), which every thread that runs
  // network events takes; never held while the handle's callbacks run.
  private final ArrayDeque<Rx> rxq = new ArrayDeque<>();
  private final List<Mem> memberships = new ArrayList<>();
  private boolean created;
  private boolean hashed;
  private boolean addrLocked;
  private boolean portLocked;
  InetSocketAddress local;
  InetSocketAddress remote;
  int flags;
  private boolean closed;
  private int interest;
  private int rmem;
  private int wmem;
  private int rcvbuf;
  private int sndbuf;
  private long drops;
  private int ttl = 64;
  /** IP_TOS: the TOS byte of every datagram unless one asks for its own. */
  private int tos;
  private int mcastTtl = 1;
  private boolean mcastLoop = true;
  private boolean broadcast;
  private KNic mcastIf;
  /** sk_err: an ICMP error waiting for the next receive or send. */
  private int pendingError;
  /** sk_error_queue, for a socket that asked (IP_RECVERR): each entry names its destination. */
  private final ArrayDeque<QueuedError> errq = new ArrayDeque<>();

  private record QueuedError(InetSocketAddress destination, int errno, int origin, int type, int code,
      InetAddress reporter, int mtu) {}
  /** IP_MTU_DISCOVER PMTUDISC_DO: never fragmented; too large for the path fails with EMSGSIZE. */
  private boolean dontFragment;
  /** The facts each datagram carries up ({@link RecvInfo#PKTINFO}, {@link RecvInfo#TOS}, ...). */
  private int wantRecvInfo;

  // Read without the monitor. open: created and not closed (any thread). lastFrom, recvInfo:
  // the loop thread's, used while it hands datagrams to the handle.
  private volatile boolean open;
  private InetSocketAddress lastFrom;
  private final RecvInfo recvInfo = new RecvInfo();

  KSocket(LoopContext ctx, World w, KHost host, ReadySet ready, boolean ipv6, UdpKernel.Watcher watcher) {
    this.ctx = ctx;
    this.w = w;
    this.host = host;
    this.ready = ready;
    this.ipv6 = ipv6;
    this.watcher = watcher;
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
  public boolean hasSocket() {
    return open;
  }

  private boolean wrongFamily(InetAddress a) {
    return (a instanceof Inet6Address) != ipv6;
  }

  // ------------------------------------------------------------------ bind / connect

  @Override
  public void bind(InetSocketAddress addr, int bindFlags) {
    synchronized (w) {
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
      open = true;
      wantRecvInfo |= bindFlags >>> UdpHandle.RECV_SHIFT;
      addrLocked = !a.isAnyLocalAddress();
      portLocked = addr.getPort() != 0;
      rcvbuf = host.rmemDefault;
      sndbuf = host.wmemDefault;
      w.trace("-", node(), KLayer.SOCKET, "bind", "udp" + (ipv6 ? "6" : "4") + " bound to " + Prefix.format(local.getAddress()) + ":" + local.getPort());
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
    for (KSocket s : host.sockets) {
      if (s == this || s.local.getPort() != port) {
        continue;
      }
      boolean sameFamily = s.ipv6 == ipv6;
      boolean dual = !sameFamily && (ipv6 ? a.isAnyLocalAddress() && (flags & UdpHandle.IPV6ONLY) == 0
          : s.local.getAddress().isAnyLocalAddress() && (s.flags & UdpHandle.IPV6ONLY) == 0);
      if (!sameFamily && !dual) {
        continue;
      }
      boolean overlap = !sameFamily || a.isAnyLocalAddress() || s.local.getAddress().isAnyLocalAddress() || a.equals(s.local.getAddress());
      if (!overlap) {
        continue;
      }
      boolean share = ((flags & s.flags & UdpHandle.REUSEADDR) != 0) || ((flags & s.flags & UdpHandle.REUSEPORT) != 0);
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
      return local;
    }
  }

  @Override
  public InetSocketAddress remoteAddress() {
    synchronized (w) {
      if (remote == null) {
        throw new SysError(Errno.ENOTCONN);
      }
      return remote;
    }
  }

  // ------------------------------------------------------------------ readiness

  @Override
  public void watch(int events) {
    synchronized (w) {
      interest = events;
      if (readyEvents() != 0) {
        ready.add(this);
      }
    }
  }

  /** Under the monitor: what the handle watches for that holds now. */
  private int readyEvents() {
    if (closed) {
      return 0;
    }
    int r = (interest & READABLE) != 0 && (!rxq.isEmpty() || pendingError != 0) ? READABLE : 0;
    r |= interest != 0 && !errq.isEmpty() ? ERROR : 0; // as epoll's EPOLLERR, whatever was asked
    return r | ((interest & WRITABLE) != 0 && wmem < sndbuf ? WRITABLE : 0);
  }

  /**
   * Called by the poller, outside the network's monitor: tells the handle what is ready, then,
   * as a level-triggered epoll would, keeps the socket on the ready list while something still
   * holds (more than one wake-up's worth of datagrams).
   */
  void onReady() {
    int events;
    synchronized (w) {
      events = readyEvents();
    }
    if (events == 0) {
      return;
    }
    watcher.onReady(events);
    synchronized (w) {
      if (readyEvents() != 0) {
        ready.add(this);
      }
    }
  }

  // ------------------------------------------------------------------ receive

  /** Hands up to {@code max} queued datagrams to {@code sink}, after a pending socket error. */
  @Override
  public int recv(RecvSink sink, int max) {
    ByteBuffer buf = ctx.recvBuffer();
    for (int i = 0; i < max; i++) {
      Rx rx;
      int want;
      long now;
      synchronized (w) {
        if (i == 0 && pendingError != 0) {
          int e = pendingError; // reading reports sk_err, and clears it
          pendingError = 0;
          return e;
        }
        if (closed || rxq.isEmpty()) {
          return i == 0 ? AGAIN : i;
        }
        rx = rxq.poll();
        rmem -= rx.truesize;
        want = wantRecvInfo;
        now = rx.arrivedMicros;
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
      if ((want & RecvInfo.PKTINFO) != 0) {
        recvInfo.setLocalAddress(rx.p.dst);
        recvInfo.interfaceIndex = rx.ifindex;
      }
      if ((want & RecvInfo.TOS) != 0) {
        recvInfo.tos = rx.p.tos & 0xff;
      }
      if ((want & RecvInfo.TTL) != 0) {
        recvInfo.ttl = rx.p.ttl; // as it arrived: one less for each router it crossed
      }
      if ((want & RecvInfo.TIMESTAMP) != 0) {
        recvInfo.timestampNanos = now * 1000L; // when the socket queued it, on the world's clock
      }
      if (!sink.onDatagram(buf, from, recvInfo)) {
        return i + 1;
      }
    }
    return max;
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
    return ipv6 && !p.v6() && (flags & UdpHandle.IPV6ONLY) == 0 && local.getAddress().isAnyLocalAddress() && remote == null;
  }

  /** @return true for a socket of the datagram's own family (Linux prefers it: compute_score) */
  boolean sameFamily(Packet p) {
    return ipv6 == p.v6();
  }

  /** The kernel queues a datagram on this socket, or drops it when the buffer is full. */
  void enqueue(Packet p, KNic nic) {
    if (rmem > rcvbuf) {
      drops++;
      w.trace(p.tag, node(), KLayer.SOCKET, "drop", "receive buffer full on :" + local.getPort() + " (" + rmem + " > SO_RCVBUF " + rcvbuf + ")");
      return;
    }
    int ts = truesize(p.payload.length);
    rmem += ts;
    rxq.add(new Rx(p, nic.index, ts, w.nowMicros()));
    if (w.tracing()) {
      w.trace(p.tag, node(), KLayer.SOCKET, "deliver", "queued on socket " + Prefix.format(local.getAddress()) + ":" + local.getPort() + " from " + Prefix.format(p.src) + ":" + p.srcPort + " via " + nic.name);
    }
    if ((interest & READABLE) != 0) {
      ready.add(this);
    }
  }

  /** Under the monitor: whether ICMP errors go to the error queue (IP_RECVERR). */
  boolean wantsErrorQueue() {
    return (wantRecvInfo & RecvInfo.ERRORS) != 0 && !closed;
  }

  /** Under the monitor: an error queue entry (ip_icmp_error). */
  void queueError(InetSocketAddress destination, int errno, int type, int code, InetAddress reporter, int mtu) {
    queue(new QueuedError(destination, errno,
        destination.getAddress() instanceof Inet6Address ? ErrorReport.ICMP6 : ErrorReport.ICMP, type, code, reporter, mtu));
  }

  private void queue(QueuedError e) {
    if (errq.size() >= 64) {
      return; // bounded, as the kernel bounds it by the socket's receive buffer
    }
    errq.add(e);
    if (interest != 0) {
      ready.add(this);
    }
  }

  private final ErrorReport report = new ErrorReport();

  @Override
  public int recvErrors(ErrorSink sink, int max) {
    for (int i = 0; i < max; i++) {
      QueuedError e;
      synchronized (w) {
        e = errq.poll();
      }
      if (e == null) {
        return i == 0 ? AGAIN : i;
      }
      report.destination = e.destination();
      report.errno = e.errno();
      report.origin = e.origin();
      report.type = e.type();
      report.code = e.code();
      report.reporter = e.reporter();
      report.mtu = e.mtu();
      sink.onError(report);
    }
    return max;
  }

  /** An ICMP error on a connected socket (sk_err): reported by the next receive or send. */
  void socketError(int errno) {
    pendingError = errno;
    if ((interest & READABLE) != 0) {
      ready.add(this);
    }
  }

  // ------------------------------------------------------------------ send

  @Override
  public int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
    synchronized (w) {
      return closed ? Errno.EBADF : sendmsg(data, dest, info);
    }
  }

  /**
   * A segmented send, modelled: the host either takes it (the receiver gets ordinary datagrams,
   * as from a real UDP_SEGMENT send) or, when its kernel has no segmentation offload, refuses it
   * as Linux does (EIO), before anything leaves.
   */
  @Override
  public int trySendBatch(NativeBatch batch, int from, InetSocketAddress dest, boolean gso) {
    int k = gso && batch.segmentable(from) ? Math.min(64, batch.count() - from) : 1;
    synchronized (w) {
      if (closed) {
        return Errno.EBADF;
      }
      if (k >= 2 && !host.gso) {
        w.trace("-", node(), KLayer.UDP, "error", "UDP_SEGMENT refused: no segmentation offload (EIO)");
        return GSO_REFUSED;
      }
      for (int j = 0; j < k; j++) {
        int r = sendmsg(batch.view(from + j), dest, batch.info(from + j));
        if (r < 0) {
          return j > 0 ? j : r; // as sendmmsg: what went counts; the error is met by the next call
        }
      }
      return k;
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

  /** Under the monitor: udp_sendmsg. @return bytes sent, a negative errno, or AGAIN (send buffer full) */
  private int sendmsg(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
    int size = data.remaining();
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
    if (size > (ipv6 ? 65527 : 65507)) {
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
      w.trace("-", node(), KLayer.IP, "error", "sendto " + Prefix.format(da) + ": no route (ENETUNREACH)");
      return Errno.ENETUNREACH;
    }
    boolean mcast = da.isMulticastAddress();
    boolean bcast = !mcast && !path.local() && (isLimitedBroadcast(da) || path.nic().isBroadcastFor(da));
    if (bcast && !broadcast) {
      w.trace("-", node(), KLayer.IP, "error", "sendto " + Prefix.format(da) + ": broadcast without SO_BROADCAST (EACCES)");
      return Errno.EACCES;
    }
    InetAddress la = local.getAddress();
    InetAddress src = !la.isAnyLocalAddress() && !la.isMulticastAddress() && !isBroadcastAddress(la) ? la : path.source();
    if (info != null && info.ifindex > 0) {
      KNic n = host.nicByIndex(info.ifindex); // IP_PKTINFO's ipi_ifindex: out of that interface
      if (n == null) {
        return Errno.ENXIO;
      }
      path = new KHost.Path(n, path.nextHop(), host.sourceFor(n, da, ipv6), path.local());
      src = info.source == null ? path.source() : src;
    }
    if (info != null && info.source != null) {
      if (!host.isLocalAddress(info.source)) {
        return Errno.EINVAL; // ipi_spec_dst must be one of this host's addresses
      }
      src = info.source; // answer from the address the request was sent to
    }
    if (src == null) {
      return Errno.EADDRNOTAVAIL;
    }
    if (dontFragment && !path.local()) {
      int mtu = host.mtuTowards(path.nic(), da);
      if (size + (ipv6 ? 48 : 28) > mtu) {
        // ip_fragment refuses, and with IP_RECVERR ip_local_error queues the MTU too
        if ((wantRecvInfo & RecvInfo.ERRORS) != 0) {
          queue(new QueuedError(dest, Errno.EMSGSIZE, ErrorReport.LOCAL, 0, 0, null, mtu));
        }
        return Errno.EMSGSIZE;
      }
    }
    Packet p = new Packet();
    p.df = dontFragment;
    p.tag = w.nextDatagramTag();
    p.src = src;
    p.dst = da;
    p.srcPort = local.getPort();
    p.dstPort = dest.getPort();
    p.proto = Packet.UDP;
    p.ttl = info != null && info.ttl > 0 ? info.ttl : mcast ? mcastTtl : ttl;
    int t = info == null ? -1 : info.tosWith(tos);
    p.tos = t >= 0 ? t : tos;
    p.ipId = ++w.ipIds;
    byte[] payload = new byte[size];
    data.duplicate().get(payload);
    p.payload = payload;
    if (w.tracing()) {
      w.trace(p.tag, node(), KLayer.SOCKET, "send", Prefix.format(src) + ":" + p.srcPort + " -> " + Prefix.format(da) + ":" + p.dstPort + " (" + size + " bytes)");
    }
    if (path.local()) {
      host.loopback(p, host.lo);
      return size;
    }
    int ts = truesize(size);
    wmem += ts;
    Runnable sent = () -> { // the frame left the card: its memory is the socket's again
      wmem -= ts;
      if ((interest & WRITABLE) != 0 && !closed) {
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
        w.trace(p.tag, node(), KLayer.IP, "drop", "multicast TTL 0: not sent on the wire");
        sent.run();
        return size;
      }
      p.dstMac = Packet.multicastMac(da);
    } else if (bcast) {
      host.loopback(p.copy(), path.nic()); // broadcasts are looped back to the sending host
      p.dstMac = Packet.BROADCAST_MAC;
    } else {
      byte[] mac = host.resolve(path.nic(), path.nextHop());
      if (mac == null) {
        w.trace(p.tag, node(), KLayer.NEIGH, "drop", "no neighbour answers for " + Prefix.format(path.nextHop()) + " on " + path.nic().name);
        sent.run();
        return size;
      }
      p.dstMac = mac;
    }
    p.srcMac = path.nic().mac;
    boolean direct = mcast || bcast || path.nextHop().equals(da);
    if (w.tracing()) {
      w.trace(p.tag, node(), KLayer.IP, "route", "out " + path.nic().name + (direct ? "" : " via " + Prefix.format(path.nextHop())) + ", src " + Prefix.format(src) + ", ttl " + p.ttl);
    }
    path.nic().transmit(p, sent);
    return size;
  }

  // ------------------------------------------------------------------ options

  @Override
  public void setBroadcast(boolean on) {
    synchronized (w) {
      broadcast = on;
    }
  }

  @Override
  public void setDontFragment(boolean on) {
    synchronized (w) {
      dontFragment = on;
    }
  }

  /** IP_MTU: the route's card, or less where a router said so. */
  @Override
  public int pathMtu() {
    synchronized (w) {
      if (remote == null) {
        throw new SysError(Errno.ENOTCONN);
      }
      KHost.Path path = pathTo(remote.getAddress());
      if (path == null) {
        throw new SysError(Errno.ENETUNREACH);
      }
      return host.mtuTowards(path.nic(), remote.getAddress());
    }
  }

  @Override
  public void setTOS(int value) {
    synchronized (w) {
      tos = value;
    }
  }

  @Override
  public void setTTL(int value) {
    synchronized (w) {
      ttl = value;
    }
  }

  @Override
  public void setMulticastTTL(int value) {
    synchronized (w) {
      mcastTtl = value;
    }
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    synchronized (w) {
      mcastLoop = on;
    }
  }

  @Override
  public void setMulticastInterface(InetAddress iface, String scope) {
    synchronized (w) {
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

  /** Linux answers an IPv4 membership on a udp6 socket of the model with EINVAL. */
  private void membershipPreamble(InetAddress group, InetAddress source) {
    if (wrongFamily(group) || (source != null && wrongFamily(source))) {
      throw new SysError(Errno.EINVAL);
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
  public void wantRecvInfo(int what) {
    synchronized (w) {
      wantRecvInfo |= what;
    }
  }

  @Override
  public long receiveDrops() {
    synchronized (w) {
      return drops;
    }
  }

  @Override
  public void close(Runnable onReleased) {
    synchronized (w) {
      if (!closed) {
        closed = true;
        open = false;
        for (Mem m : List.copyOf(memberships)) {
          dropMembership(m); // ip_mc_drop_socket
        }
        host.sockets.remove(this);
        hashed = false;
        rxq.clear();
        errq.clear();
        rmem = 0;
        ready.remove(this);
      }
    }
    ctx.nextTick(onReleased);
  }
}
