package dev.jdgram.transport.uring;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.ErrorSink;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.NativeBatch;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.UdpKernel;
import dev.jdgram.transport.linux.LinuxUdpKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A UDP socket whose datagrams come in through io_uring: one multishot RECVMSG into the loop's
 * provided-buffer ring stays armed while the handle receives, and its completions wait here until
 * the handle reads them ({@link #recv}); sends go out as SENDMSG SQEs (linked, so that a
 * datagram the kernel has no room for stops the ones behind it, as sendmmsg would), a batch of
 * equal datagrams as one with a UDP_SEGMENT control message.
 *
 * <p>Everything else is the linux transport's, called, not copied: the socket itself (socket,
 * bind, connect, names), every option, the error queue, drop counts, the sends that carry
 * per-datagram facts (TOS, TTL, source), and writability, which its epoll reports through the
 * io_uring poller.
 */
final class UringUdpKernel implements UdpKernel {
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfShort NET_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  /** The linux kernel's socket descriptor, read (never written) to aim this transport's SQEs at it. */
  private static final VarHandle LINUX_FD;

  static {
    try {
      LINUX_FD = MethodHandles.privateLookupIn(LinuxUdpKernel.class, MethodHandles.lookup())
          .findVarHandle(LinuxUdpKernel.class, "fd", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // <sys/socket.h>, <netinet/in.h>, <linux/udp.h>
  private static final int MSG_TRUNC = 0x20;
  private static final int SOL_SOCKET = 1;
  private static final int IPPROTO_IP = 0;
  private static final int IPPROTO_UDP = 17;
  private static final int IPPROTO_IPV6 = 41;
  private static final int SO_TIMESTAMPNS = 35;
  private static final int IP_TOS = 1;
  private static final int IP_TTL = 2;
  private static final int IP_PKTINFO = 8;
  private static final int IPV6_PKTINFO = 50;
  private static final int IPV6_HOPLIMIT = 52;
  private static final int IPV6_TCLASS = 67;
  private static final int UDP_GRO = 104;
  private static final int CMSG_HDR = 16;

  final LinuxUdpKernel linux;
  private final UringPoller poller;
  private final boolean ipv6;
  private final UdpKernel.Watcher watcher;
  private final RecvInfo recvInfo = new RecvInfo();
  /** The last sender, decoded once: a stream from one peer allocates no address per datagram. */
  private final MemorySegment lastName = Arena.ofAuto().allocate(32, 8);

  // Mutable state, loop thread only (fd excepted, which the option calls read through the linux kernel).
  /** This kernel's place in the poller's table, and that place's generation (stale CQEs are told apart). */
  int slot = -1;
  int generation;
  /** The receive completions the handle has not read yet: res and flags, oldest first. */
  private int[] rxRes = new int[64];
  private int[] rxFlags = new int[64];
  private int rxHead;
  private int rxCount;
  boolean inReadyList;
  private boolean wantRecv;
  private boolean armed; // a multishot RECVMSG is live in the kernel
  private boolean cancelSent;
  private boolean registered; // with the linux kernel's epoll, for writability and EPOLLERR
  private boolean errorQueue; // IP_RECVERR: ICMP errors are read from the error queue, with their destination
  private Runnable onReleased; // set once closing, until the multishot has ended
  private int lastNameLen;
  private InetSocketAddress lastFrom;
  private int groSize;

  UringUdpKernel(LoopContext ctx, boolean ipv6, UdpKernel.Watcher watcher) {
    this.poller = (UringPoller) ctx.poller();
    this.ipv6 = ipv6;
    this.watcher = watcher;
    this.linux = poller.linuxKernel(ctx, ipv6, watcher);
  }

  private int fd() {
    return (int) LINUX_FD.getVolatile(linux);
  }

  // ------------------------------------------------------------------ the socket: the linux kernel's

  @Override
  public boolean hasSocket() {
    return linux.hasSocket();
  }

  @Override
  public void bind(InetSocketAddress local, int flags) {
    linux.bind(local, flags);
    errorQueue = ((flags >>> UdpHandle.RECV_SHIFT) & RecvInfo.ERRORS) != 0;
    poller.register(this);
  }

  @Override
  public void connect(InetSocketAddress remote) {
    linux.connect(remote);
  }

  @Override
  public void disconnect() {
    linux.disconnect();
  }

  @Override
  public InetSocketAddress localAddress() {
    return linux.localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return linux.remoteAddress();
  }

  @Override
  public long receiveDrops() {
    return linux.receiveDrops();
  }

  @Override
  public int recvErrors(ErrorSink sink, int max) {
    return linux.recvErrors(sink, max);
  }

  @Override
  public void setDontFragment(boolean on) {
    linux.setDontFragment(on);
  }

  @Override
  public int pathMtu() {
    return linux.pathMtu();
  }

  @Override
  public void setBroadcast(boolean on) {
    linux.setBroadcast(on);
  }

  @Override
  public void setTOS(int tos) {
    linux.setTOS(tos);
  }

  @Override
  public void setTTL(int ttl) {
    linux.setTTL(ttl);
  }

  @Override
  public void setMulticastTTL(int ttl) {
    linux.setMulticastTTL(ttl);
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    linux.setMulticastLoopback(on);
  }

  @Override
  public void setMulticastInterface(InetAddress iface, String scope) {
    linux.setMulticastInterface(iface, scope);
  }

  @Override
  public void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    linux.membership(group, iface, scope, join);
  }

  @Override
  public void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join) {
    linux.sourceMembership(source, group, iface, scope, join);
  }

  @Override
  public int bufferSize(boolean recv, int value) {
    return linux.bufferSize(recv, value);
  }

  @Override
  public void wantRecvInfo(int what) {
    linux.wantRecvInfo(what);
    if ((what & RecvInfo.ERRORS) != 0) {
      errorQueue = true;
    }
  }

  // ------------------------------------------------------------------ readiness

  /**
   * READABLE arms (or cancels) the multishot receive; WRITABLE goes to the linux kernel's epoll.
   * The socket stays registered there even with no interest, since epoll then still reports
   * EPOLLERR: the error queue's entries, which no receive completion announces.
   */
  @Override
  public void watch(int events) {
    if (!registered) {
      linux.watch(WRITABLE); // registers the socket ...
      registered = true;
    }
    linux.watch(events & WRITABLE); // ... whose interest may then be nothing at all
    boolean want = (events & READABLE) != 0;
    if (want == wantRecv) {
      return;
    }
    wantRecv = want;
    if (want && hasQueued()) {
      poller.markReady(this); // what came in before the handle stopped receiving
    }
    if (want && !armed) {
      arm();
    } else if (!want && armed && !cancelSent) {
      poller.cancelRecv(this);
      cancelSent = true;
    }
  }

  private void arm() {
    poller.armRecv(this, fd());
    armed = true;
    cancelSent = false;
  }

  /**
   * A receive completion. One without IORING_CQE_F_MORE ends the multishot (an error, a full
   * provided-buffer ring, a cancel): it is armed again while the handle still receives.
   *
   * @return true if a datagram or an error now waits for the handle
   */
  boolean onRecvCompletion(int res, int flags) {
    if ((flags & Ring.CQE_F_MORE) == 0) {
      armed = false;
      cancelSent = false;
      if (onReleased != null) {
        if ((flags & Ring.CQE_F_BUFFER) != 0) {
          poller.giveBack(flags >>> Ring.CQE_BUFFER_SHIFT);
        }
        finishClose();
        return false;
      }
      if (wantRecv) {
        poller.rearmLater(this);
      }
    }
    if ((flags & Ring.CQE_F_BUFFER) == 0 && (res == Errno.ENOBUFS || res == Errno.ECANCELED || res >= 0)) {
      return false; // out of buffers, or cancelled: no datagram, nothing to report
    }
    if (onReleased != null) {
      if ((flags & Ring.CQE_F_BUFFER) != 0) {
        poller.giveBack(flags >>> Ring.CQE_BUFFER_SHIFT);
      }
      return false;
    }
    if (rxCount == rxRes.length) {
      rxRes = grow(rxRes);
      rxFlags = grow(rxFlags);
      rxHead = 0;
    }
    int at = (rxHead + rxCount) % rxRes.length;
    rxRes[at] = res;
    rxFlags[at] = flags;
    rxCount++;
    return true;
  }

  private int[] grow(int[] a) {
    int[] b = new int[a.length * 2];
    for (int i = 0; i < rxCount; i++) {
      b[i] = a[(rxHead + i) % a.length];
    }
    return b;
  }

  boolean hasQueued() {
    return rxCount > 0;
  }

  boolean wantsRecv() {
    return wantRecv && onReleased == null;
  }

  /** Re-arms the multishot receive if it ended while the handle still receives. */
  void rearmIfNeeded() {
    if (wantRecv && !armed && onReleased == null && fd() >= 0) {
      arm();
    }
  }

  /** The poller's dispatch: the handle is told that datagrams wait. */
  void dispatchReadable() {
    watcher.onReady(READABLE);
  }

  @Override
  public void close(Runnable released) {
    wantRecv = false;
    while (rxCount > 0) { // datagrams nobody will read: their buffers go back
      int f = rxFlags[rxHead];
      if ((f & Ring.CQE_F_BUFFER) != 0) {
        poller.giveBack(f >>> Ring.CQE_BUFFER_SHIFT);
      }
      rxHead = (rxHead + 1) % rxRes.length;
      rxCount--;
    }
    poller.publishBuffers();
    if (!linux.hasSocket()) {
      linux.close(released);
      return;
    }
    if (!armed) {
      poller.unregister(this);
      linux.close(released);
      return;
    }
    // The multishot receive holds the socket's file: its port is free only once the cancel has
    // ended it. Until then the poller keeps the loop alive, as libuv's closing handles do.
    onReleased = released;
    poller.closing(this, true);
    if (!cancelSent) {
      poller.cancelRecv(this);
      cancelSent = true;
    }
  }

  private void finishClose() {
    Runnable r = onReleased;
    poller.closing(this, false);
    poller.unregister(this);
    linux.close(r);
  }

  // ------------------------------------------------------------------ receive

  /**
   * Hands the waiting receive completions to {@code sink}, at most {@code max}: each buffer is
   * parsed as io_uring_recvmsg_out (sender, control messages, payload) and given back to the ring
   * once its callback has returned.
   */
  @Override
  public int recv(RecvSink sink, int max) {
    if (rxCount == 0) {
      return AGAIN;
    }
    BufRing bufs = poller.bufs();
    int total = 0;
    try {
      while (total < max && rxCount > 0) {
        int res = rxRes[rxHead];
        int flags = rxFlags[rxHead];
        if (res < 0 && (flags & Ring.CQE_F_BUFFER) == 0) {
          if (total > 0) {
            return total; // the error is met first by the next read
          }
          pop();
          if (errorQueue && isIcmp(res)) {
            continue; // the error queue's entry reports it, with its destination
          }
          return res;
        }
        pop();
        int bid = flags >>> Ring.CQE_BUFFER_SHIFT;
        total++;
        boolean more;
        try {
          more = deliver(sink, bufs, bid);
        } finally {
          bufs.put(bid);
        }
        if (!more) {
          return total;
        }
      }
      return total == 0 ? AGAIN : total;
    } finally {
      bufs.publish();
    }
  }

  private static boolean isIcmp(int errno) {
    return errno == Errno.ECONNREFUSED || errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH
        || errno == Errno.EMSGSIZE;
  }

  private void pop() {
    rxHead = (rxHead + 1) % rxRes.length;
    rxCount--;
  }

  /** @return false if the sink asked for no more */
  private boolean deliver(RecvSink sink, BufRing bufs, int bid) {
    MemorySegment m = bufs.buffers;
    long base = bufs.offset(bid);
    int nameLen = Math.min(m.get(INT, base), BufRing.NAME_SPACE);
    int controlLen = Math.min(m.get(INT, base + 4), BufRing.CONTROL_SPACE);
    int len = m.get(INT, base + 8);
    int outFlags = m.get(INT, base + 12);
    if ((outFlags & MSG_TRUNC) != 0 || len > BufRing.BUF_SIZE - BufRing.PAYLOAD_AT) {
      len = Math.min(len, BufRing.BUF_SIZE - BufRing.PAYLOAD_AT); // never read past the buffer
    }
    readControl(m, base + BufRing.OUT_SIZE + BufRing.NAME_SPACE, controlLen);
    InetSocketAddress from = sender(m, base + BufRing.OUT_SIZE, nameLen);
    if (from == null) {
      return true;
    }
    ByteBuffer view = bufs.views[bid];
    if (len == 0) { // an empty datagram is a datagram too
      view.limit(0).position(0);
      return sink.onDatagram(view, from, recvInfo);
    }
    int seg = groSize > 0 && groSize < len ? groSize : len;
    // A GRO receive holds several datagrams of groSize (the last may be shorter): split it.
    for (int at = 0; at < len; at += seg) {
      view.limit(Math.min(at + seg, len)).position(at);
      if (!sink.onDatagram(view, from, recvInfo)) {
        return false;
      }
    }
    return true;
  }

  private InetSocketAddress sender(MemorySegment m, long at, int nameLen) {
    if (lastFrom != null && nameLen == lastNameLen
        && MemorySegment.mismatch(m, at, at + nameLen, lastName, 0, nameLen) == -1) {
      return lastFrom;
    }
    InetSocketAddress from = readName(m, at, nameLen);
    if (from != null) {
      MemorySegment.copy(m, at, lastName, 0, nameLen);
      lastNameLen = nameLen;
      lastFrom = from;
    }
    return from;
  }

  /** sockaddr_in / sockaddr_in6 (a mapped IPv4 address becomes an Inet4Address, as java.nio does). */
  private static InetSocketAddress readName(MemorySegment m, long at, int nameLen) {
    int family = m.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
    int port = m.get(NET_SHORT, at + 2) & 0xffff;
    try {
      if (family == 2 && nameLen >= 16) {
        byte[] b = new byte[4];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at + 4, b, 0, 4);
        return new InetSocketAddress(InetAddress.getByAddress(b), port);
      }
      if (family == 10 && nameLen >= 28) {
        byte[] b = new byte[16];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at + 8, b, 0, 16);
        int scope = m.get(INT, at + 24);
        boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
          mapped = b[i] == 0;
        }
        InetAddress ip = mapped || scope == 0 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, scope);
        return new InetSocketAddress(ip, port);
      }
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // a 4- or 16-byte array is always accepted
    }
    return null;
  }

  /** The control messages the kernel wrote into the buffer (CMSG_FIRSTHDR / CMSG_NXTHDR). */
  private void readControl(MemorySegment c, long base, int clen) {
    recvInfo.clear();
    groSize = 0;
    long end = base + clen;
    long off = base;
    while (off + CMSG_HDR <= end) {
      long len = c.get(LONG, off);
      if (len < CMSG_HDR || off + len > end) {
        return;
      }
      int level = c.get(INT, off + 8);
      int type = c.get(INT, off + 12);
      long v = off + CMSG_HDR;
      if (level == IPPROTO_UDP && type == UDP_GRO && len >= CMSG_HDR + 2) {
        groSize = len >= CMSG_HDR + 4 ? c.get(INT, v) : c.get(ValueLayout.JAVA_SHORT_UNALIGNED, v) & 0xffff;
      } else if (level == IPPROTO_IP && type == IP_PKTINFO && len >= CMSG_HDR + 12) {
        recvInfo.interfaceIndex = c.get(INT, v); // struct in_pktinfo { int ipi_ifindex; spec_dst; addr; }
        recvInfo.setLocalAddressBytes(c, v + 8, 4);
      } else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && len >= CMSG_HDR + 20) {
        recvInfo.interfaceIndex = c.get(INT, v + 16); // struct in6_pktinfo { addr[16]; int ifindex; }
        recvInfo.setLocalAddressBytes(c, v, 16);
      } else if (level == IPPROTO_IP && type == IP_TOS && len >= CMSG_HDR + 1) {
        recvInfo.tos = c.get(ValueLayout.JAVA_BYTE, v) & 0xff; // one byte, not an int
      } else if (level == IPPROTO_IP && type == IP_TTL && len >= CMSG_HDR + 4) {
        recvInfo.ttl = c.get(INT, v);
      } else if (level == IPPROTO_IPV6 && type == IPV6_TCLASS && len >= CMSG_HDR + 4) {
        recvInfo.tos = c.get(INT, v) & 0xff;
      } else if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT && len >= CMSG_HDR + 4) {
        recvInfo.ttl = c.get(INT, v);
      } else if (level == SOL_SOCKET && type == SO_TIMESTAMPNS && len >= CMSG_HDR + 16) {
        recvInfo.timestampNanos = c.get(LONG, v) * 1_000_000_000L + c.get(LONG, v + 8);
      }
      off += (len + 7) & ~7L;
    }
  }

  // ------------------------------------------------------------------ send

  /** One SENDMSG SQE, or the linux kernel's sendmsg for a datagram with facts of its own. */
  @Override
  public int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
    if (info != null) {
      return linux.trySend(data, dest, info);
    }
    SendSlots s = poller.sendSlots();
    s.reset();
    s.add(data, dest, ipv6);
    int[] res = poller.send(fd(), s, 1);
    return res[0] == Errno.EAGAIN ? AGAIN : res[0];
  }

  @Override
  public int maxSendMany() {
    return SendSlots.MAX_MSGS;
  }

  /** Linked SENDMSG SQEs, one io_uring_enter for the lot. */
  @Override
  public int trySendMany(SendReq[] reqs, int count) {
    for (int i = 0; i < count; i++) {
      if (reqs[i].info != null) {
        return linux.trySendMany(reqs, count);
      }
    }
    SendSlots s = poller.sendSlots();
    s.reset();
    for (int i = 0; i < count && s.fits(reqs[i].size); i++) {
      s.add(reqs[i].data, reqs[i].dest, ipv6);
    }
    return sent(poller.send(fd(), s, s.count()), s.count());
  }

  /** @return how many of the first {@code n} went whole, else the first one's errno or AGAIN */
  private static int sent(int[] res, int n) {
    int k = 0;
    while (k < n && res[k] >= 0) {
      k++;
    }
    if (k > 0) {
      return k;
    }
    return res[0] == Errno.EAGAIN ? AGAIN : res[0];
  }

  /**
   * Datagrams of {@code batch} from {@code from}: one SENDMSG with UDP_SEGMENT when they share a
   * size (and {@code gso}), else linked SENDMSGs.
   */
  @Override
  public int trySendBatch(NativeBatch batch, int from, InetSocketAddress dest, boolean gso) {
    if (batch.info(from) != null) {
      return linux.trySendBatch(batch, from, dest, gso);
    }
    SendSlots s = poller.sendSlots();
    long base = batch.segment().address();
    if (gso && batch.segmentable(from)) {
      int size = batch.length(from);
      int k = Math.min(Math.min(64, 65507 / Math.max(size, 1)), batch.count() - from);
      if (k >= 2) {
        long total = batch.offset(from + k - 1) + batch.length(from + k - 1) - batch.offset(from);
        s.segmented(base + batch.offset(from), (int) total, size, dest, ipv6);
        int r = poller.send(fd(), s, 1)[0];
        if (r >= 0) {
          return k;
        }
        if (r == Errno.EAGAIN) {
          return AGAIN;
        }
        if (r == Errno.EINVAL || r == Errno.EIO || r == Errno.ENOPROTOOPT || r == Errno.ENOTSUP) {
          return GSO_REFUSED; // no UDP_SEGMENT here (kernel, device or route): the handle falls back
        }
        return r;
      }
    }
    s.reset();
    int k = Math.min(SendSlots.MAX_MSGS, batch.count() - from);
    for (int j = 0; j < k; j++) {
      if (batch.info(from + j) != null) {
        k = j; // a datagram with facts of its own goes through the linux kernel, in its turn
        break;
      }
      s.addRaw(base + batch.offset(from + j), batch.length(from + j), dest, ipv6);
    }
    return sent(poller.send(fd(), s, k), k);
  }

}
