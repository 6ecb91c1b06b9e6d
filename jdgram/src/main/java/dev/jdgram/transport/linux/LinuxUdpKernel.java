package dev.jdgram.transport.linux;

import static dev.jdgram.transport.linux.LinuxConstants.AF_INET;
import static dev.jdgram.transport.linux.LinuxConstants.AF_INET6;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLLERR;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLLIN;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLLOUT;
import static dev.jdgram.transport.linux.LinuxConstants.IPPROTO_IP;
import static dev.jdgram.transport.linux.LinuxConstants.IPPROTO_IPV6;
import static dev.jdgram.transport.linux.LinuxConstants.MSG_DONTWAIT;
import static dev.jdgram.transport.linux.LinuxConstants.SOCK_CLOEXEC;
import static dev.jdgram.transport.linux.LinuxConstants.SOCK_DGRAM;
import static dev.jdgram.transport.linux.LinuxConstants.SOCK_NONBLOCK;
import static dev.jdgram.transport.linux.LinuxConstants.SOL_SOCKET;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.ErrorReport;
import dev.jdgram.handle.ErrorSink;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.NativeBatch;
import dev.jdgram.handle.PullReader;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.UdpKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Linux kernel's UDP socket reached through the FFM API, under the one {@link UdpHandle}:
 * {@code socket}, {@code bind}, {@code setsockopt} and the rest as system calls; reads with
 * {@code recvmmsg} into the loop's one receive batch (GRO receives split back into datagrams,
 * control messages read by offset, the last sender cached: nothing allocated per datagram);
 * sends with {@code sendmsg}, {@code sendmmsg} and {@code UDP_SEGMENT} from the loop's send batch.
 *
 * <p>The datagrams the kernel dropped for want of receive buffer space are read when asked for,
 * from the socket's own counter (SO_MEMINFO's sk_drops, the number SO_RXQ_OVFL would stamp on
 * every datagram): no control message per datagram, and the count is current even before the
 * next datagram arrives.
 */
public final class LinuxUdpKernel implements UdpKernel, EpollPoller.Watcher {
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final LoopContext ctx;
  private final EpollPoller poller;
  private final boolean ipv6;
  private final UdpKernel.Watcher watcher;
  /** The last sender, decoded once: a stream from one peer allocates no address per datagram. */
  private final MemorySegment lastName = Arena.ofAuto().allocate(Structs.SOCKADDR_IN6_SIZE, 8);
  private final RecvInfo recvInfo = new RecvInfo();

  // Mutable state. fd: written on the loop thread (bind, close) under the handle's monitor, read
  // by option calls from any thread, hence volatile. The rest: loop thread only.
  private volatile int fd = -1;
  /**
   * Threads inside a {@link #pull} (a {@link LinuxPullReader}'s read, off the loop thread):
   * {@link #close} waits for them to leave before it releases the descriptor, so that no read
   * ever reaches a descriptor number the process has reused for something else.
   */
  private final AtomicInteger pulling = new AtomicInteger();
  /** Bound with UDP_GRO: its receives must be split, which only the loop's reads do. */
  private boolean gro;
  private boolean registered;
  private int lastNameLen;
  private InetSocketAddress lastFrom;
  private int groSize; // the segment size of the datagram being delivered, 0 without GRO
  /** The socket's own TOS byte (IP_TOS, 0 until set): an ECN-only datagram keeps its DSCP bits. */
  private volatile int socketTos;

  LinuxUdpKernel(LoopContext ctx, boolean ipv6, UdpKernel.Watcher watcher) {
    this.ctx = ctx;
    this.poller = (EpollPoller) ctx.poller();
    this.ipv6 = ipv6;
    this.watcher = watcher;
  }

  @Override
  public boolean hasSocket() {
    return fd >= 0;
  }

  /**
   * @return datagrams the kernel dropped because this socket's receive buffer was full, since
   *     bind; 0 without a socket; -1 (not supported) on a kernel without SO_MEMINFO's drop count
   */
  @Override
  public long receiveDrops() {
    int s = fd;
    if (s < 0) {
      return 0;
    }
    try (Arena a = Arena.ofConfined()) {
      int size = Structs.SK_MEMINFO_SIZE;
      MemorySegment v = a.allocate(size, 4);
      MemorySegment len = a.allocate(4, 4);
      len.set(INT, 0, size);
      int r = Syscalls.getsockopt(Syscalls.threadCaptureState(), s, SOL_SOCKET, LinuxConstants.SO_MEMINFO, v, len);
      if (r == Errno.ENOPROTOOPT || r == Errno.EINVAL) {
        return -1;
      }
      check(r);
      if (len.get(INT, 0) < size) {
        return -1;
      }
      return v.get(INT, Structs.SK_MEMINFO_DROPS_OFFSET) & 0xffffffffL;
    }
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void bind(InetSocketAddress local, int flags) {
    MemorySegment cs = Syscalls.threadCaptureState();
    int s = Syscalls.socket(cs, ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) {
      throw new SysError(s);
    }
    try (Arena a = Arena.ofConfined()) {
      if ((flags & UdpHandle.REUSEADDR) != 0) {
        check(setInt(a, cs, s, SOL_SOCKET, LinuxConstants.SO_REUSEADDR, 1));
      }
      if ((flags & UdpHandle.REUSEPORT) != 0) {
        check(setInt(a, cs, s, SOL_SOCKET, LinuxConstants.SO_REUSEPORT, 1));
      }
      if (ipv6 && (flags & UdpHandle.IPV6ONLY) != 0) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_V6ONLY, 1));
      }
      if ((flags & UdpHandle.GRO) != 0) {
        check(setInt(a, cs, s, LinuxConstants.IPPROTO_UDP, LinuxConstants.UDP_GRO, 1));
        gro = true;
      }
      enableRecvInfo(a, cs, s, flags >>> UdpHandle.RECV_SHIFT);
      MemorySegment addr = a.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      int len = SockAddr.write(addr, local, ipv6);
      check(Syscalls.bind(cs, s, addr, len));
    } catch (SysError e) {
      Syscalls.close(cs, s);
      throw e;
    }
    fd = s;
  }

  /**
   * Each datagram's facts as control messages: destination address and arrival interface (what a
   * multi-homed server needs to answer from the right address), TOS byte, TTL, receive time. The
   * kernel builds a control message per datagram for each (IP_PKTINFO alone costs a receiver
   * about a tenth of its rate), so only what was asked for is turned on. A udp6 socket asks at
   * both levels: the IPv4 datagrams a dual-stack socket receives carry the IPv4 ones.
   */
  private void enableRecvInfo(Arena a, MemorySegment cs, int s, int what) {
    if ((what & RecvInfo.PKTINFO) != 0) {
      check(setInt(a, cs, s, IPPROTO_IP, LinuxConstants.IP_PKTINFO, 1));
      if (ipv6) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_RECVPKTINFO, 1));
      }
    }
    if ((what & RecvInfo.TOS) != 0) {
      check(setInt(a, cs, s, IPPROTO_IP, LinuxConstants.IP_RECVTOS, 1));
      if (ipv6) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_RECVTCLASS, 1));
      }
    }
    if ((what & RecvInfo.TTL) != 0) {
      check(setInt(a, cs, s, IPPROTO_IP, LinuxConstants.IP_RECVTTL, 1));
      if (ipv6) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_RECVHOPLIMIT, 1));
      }
    }
    if ((what & RecvInfo.TIMESTAMP) != 0) {
      check(setInt(a, cs, s, SOL_SOCKET, LinuxConstants.SO_TIMESTAMPNS, 1));
    }
    if ((what & RecvInfo.ERRORS) != 0) {
      check(setInt(a, cs, s, IPPROTO_IP, LinuxConstants.IP_RECVERR, 1));
      if (ipv6) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_RECVERR, 1));
      }
    }
  }

  @Override
  public void wantRecvInfo(int what) {
    try (Arena a = Arena.ofConfined()) {
      enableRecvInfo(a, Syscalls.threadCaptureState(), fd, what);
    }
  }

  private static void check(int r) {
    if (r < 0) {
      throw new SysError(r);
    }
  }

  private static int setInt(Arena a, MemorySegment cs, int s, int level, int name, int value) {
    MemorySegment v = a.allocate(4, 4);
    v.set(INT, 0, value);
    return Syscalls.setsockopt(cs, s, level, name, v, 4);
  }

  @Override
  public void connect(InetSocketAddress remote) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      int len = SockAddr.write(addr, remote, ipv6);
      check(Syscalls.connect(Syscalls.threadCaptureState(), fd, addr, len));
    }
  }

  @Override
  public void disconnect() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      int len = SockAddr.writeUnspec(addr);
      int r = Syscalls.connect(Syscalls.threadCaptureState(), fd, addr, len);
      if (r < 0 && r != Errno.EAFNOSUPPORT) { // libuv ignores EAFNOSUPPORT here
        throw new SysError(r);
      }
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    return name(true);
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return name(false);
  }

  private InetSocketAddress name(boolean local) {
    int s = fd;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(Structs.SOCKADDR_STORAGE_SIZE, 8);
      MemorySegment len = a.allocate(4, 4);
      len.set(INT, 0, Structs.SOCKADDR_STORAGE_SIZE);
      MemorySegment cs = Syscalls.threadCaptureState();
      check(local ? Syscalls.getsockname(cs, s, addr, len) : Syscalls.getpeername(cs, s, addr, len));
      InetSocketAddress r = SockAddr.read(addr);
      if (r == null) {
        throw new SysError(Errno.EAFNOSUPPORT);
      }
      return r;
    }
  }

  @Override
  public void close(Runnable onReleased) {
    int s = fd;
    fd = -1;
    if (s >= 0) {
      if (registered) {
        poller.remove(s);
        registered = false;
      }
      awaitPullers();
      Syscalls.close(Syscalls.threadCaptureState(), s); // the port is free from here on
    }
    ctx.nextTick(onReleased);
  }

  // ------------------------------------------------------------------ poller registration

  @Override
  public void watch(int events) {
    int want = ((events & READABLE) != 0 ? EPOLLIN : 0) | ((events & WRITABLE) != 0 ? EPOLLOUT : 0);
    if (!registered) {
      if (want == 0) {
        return;
      }
      check(poller.add(fd, this, want));
      registered = true;
    } else if (want == 0) {
      // libuv's uv__io_stop: a socket watched for nothing leaves the epoll set, or a pending
      // error (EPOLLERR, reported whatever the mask) would wake the loop again and again
      poller.remove(fd);
      registered = false;
    } else {
      check(poller.modify(fd, want));
    }
  }

  @Override
  public boolean onReady(int events) {
    // EPOLLERR: a pending socket error (or error queue entry), which a read and a write would
    // both report.
    int ready = ((events & (EPOLLIN | EPOLLERR)) != 0 ? READABLE : 0)
        | ((events & (EPOLLOUT | EPOLLERR)) != 0 ? WRITABLE : 0)
        | ((events & EPOLLERR) != 0 ? ERROR : 0);
    return watcher.onReady(ready);
  }

  // ------------------------------------------------------------------ the error queue

  private final ErrorReport report = new ErrorReport();

  /**
   * {@code recvmmsg(MSG_ERRQUEUE)}: each entry is the failed datagram (its destination in the
   * name) with an IP_RECVERR control message. The socket error the same ICMP message set (sk_err)
   * is read away first with SO_ERROR: it is this entry, and would otherwise fail the next receive
   * or send a second time. Until the queue is empty epoll keeps saying EPOLLERR, so it is drained
   * here, never left to make the loop spin.
   */
  @Override
  public int recvErrors(ErrorSink sink, int max) {
    MemorySegment cs = poller.cs;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(4, 4);
      MemorySegment len = a.allocate(4, 4);
      len.set(INT, 0, 4);
      Syscalls.getsockopt(cs, fd, SOL_SOCKET, LinuxConstants.SO_ERROR, v, len); // clears sk_err
    }
    RecvBatch b = poller.recvBatch();
    int total = 0;
    while (total < max) {
      b.prepare(1);
      int n = Syscalls.recvmmsg(cs, fd, b.msgvec, 1, MSG_DONTWAIT | LinuxConstants.MSG_ERRQUEUE);
      if (n <= 0) {
        return total > 0 ? total : n == 0 ? AGAIN : readStatus(n);
      }
      total++;
      if (readError(b)) {
        sink.onError(report);
      }
    }
    return total;
  }

  /** @return true if message 0 of {@code b} held an extended error, now in {@link #report} */
  private boolean readError(RecvBatch b) {
    long clen = b.controlLength(0);
    MemorySegment c = b.controls;
    long off = b.controlOffset(0);
    long end = off + clen;
    while (off + Structs.CMSG_HDR <= end) {
      long len = c.get(LONG, off + Structs.CMSG_LEN);
      if (len < Structs.CMSG_HDR || off + len > end) {
        return false;
      }
      int level = c.get(INT, off + Structs.CMSG_LEVEL);
      int type = c.get(INT, off + Structs.CMSG_TYPE);
      if (((level == IPPROTO_IP && type == LinuxConstants.IP_RECVERR)
          || (level == IPPROTO_IPV6 && type == LinuxConstants.IPV6_RECVERR))
          && len >= Structs.CMSG_HDR + Structs.EE_OFFENDER) {
        long ee = off + Structs.CMSG_HDR;
        report.destination = SockAddr.read(b.name(0));
        report.errno = -c.get(INT, ee + Structs.EE_ERRNO);
        report.origin = c.get(ValueLayout.JAVA_BYTE, ee + Structs.EE_ORIGIN) & 0xff;
        report.type = c.get(ValueLayout.JAVA_BYTE, ee + Structs.EE_TYPE) & 0xff;
        report.code = c.get(ValueLayout.JAVA_BYTE, ee + Structs.EE_CODE) & 0xff;
        int info = c.get(INT, ee + Structs.EE_INFO);
        // ee_info is the MTU for "fragmentation needed", "packet too big" and a local EMSGSIZE
        report.mtu = report.errno == Errno.EMSGSIZE ? info : 0;
        InetSocketAddress offender = len >= Structs.CMSG_HDR + Structs.EE_OFFENDER + 8
            ? SockAddr.read(c.asSlice(ee + Structs.EE_OFFENDER, len - Structs.CMSG_HDR - Structs.EE_OFFENDER))
            : null;
        report.reporter = report.origin == LinuxConstants.SO_EE_ORIGIN_LOCAL || offender == null
            ? null : offender.getAddress();
        return true;
      }
      off += Structs.cmsgAlign(len);
    }
    return false;
  }

  @Override
  public void setDontFragment(boolean on) {
    // IP_PMTUDISC_DONT (0) when off: never set DF, the kernel fragments (the Linux default for
    // UDP is IP_PMTUDISC_WANT, which sets DF on a discovered path MTU; asked to turn it off, turn
    // it off)
    setOption(IPPROTO_IP, LinuxConstants.IP_MTU_DISCOVER, on ? LinuxConstants.IP_PMTUDISC_DO : 0);
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_MTU_DISCOVER, on ? LinuxConstants.IP_PMTUDISC_DO : 0);
    }
  }

  @Override
  public int pathMtu() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(4, 4);
      MemorySegment len = a.allocate(4, 4);
      len.set(INT, 0, 4);
      int r = Syscalls.getsockopt(Syscalls.threadCaptureState(), fd, ipv6 ? IPPROTO_IPV6 : IPPROTO_IP,
          ipv6 ? LinuxConstants.IPV6_MTU : LinuxConstants.IP_MTU, v, len);
      check(r);
      return v.get(INT, 0);
    }
  }

  // ------------------------------------------------------------------ receive

  /** {@code recvmmsg} in chunks of the loop's batch, until {@code max} or the queue is empty. */
  @Override
  public int recv(RecvSink sink, int max) {
    RecvBatch b = poller.recvBatch();
    MemorySegment cs = poller.cs;
    int total = 0;
    while (total < max) {
      int want = Math.min(b.size, max - total);
      b.prepare(want);
      int n = Syscalls.recvmmsg(cs, fd, b.msgvec, want, MSG_DONTWAIT);
      if (n < 0) {
        if (total > 0) {
          return total; // the error (or EAGAIN) is met again by the next read
        }
        return readStatus(n);
      }
      for (int i = 0; i < n; i++) {
        if (!deliver(sink, b, i)) {
          return total + i + 1;
        }
      }
      total += n;
      if (n < want) {
        return total; // the socket is drained
      }
    }
    return total;
  }

  /** @return false if the sink asked for no more */
  private boolean deliver(RecvSink sink, RecvBatch b, int i) {
    readControl(b, i);
    int len = b.length(i);
    if ((b.flags(i) & LinuxConstants.MSG_TRUNC) != 0) {
      len = Math.min(len, RecvBatch.BUF_SIZE); // cannot happen with 64 KiB buffers; never read past
    }
    InetSocketAddress from = sender(b, i);
    if (from == null) {
      return true;
    }
    ByteBuffer view = b.views[i];
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

  @Override
  public PullReader pullReader() {
    return gro ? null : new LinuxPullReader(this);
  }

  /**
   * A {@link LinuxPullReader}'s {@code recvmmsg}, on its thread, into its batch: counted in
   * {@link #pulling} so that {@link #close} does not release the descriptor under it.
   *
   * @return datagrams read, {@link #AGAIN}, or a negative errno (EBADF once closed)
   */
  int pull(RecvBatch b, MemorySegment cs) {
    pulling.incrementAndGet();
    try {
      int s = fd; // read after the count went up: close either sees this reader or it sees -1
      if (s < 0) {
        return Errno.EBADF;
      }
      b.prepare(b.size);
      int n = Syscalls.recvmmsg(cs, s, b.msgvec, b.size, MSG_DONTWAIT);
      return readStatus(n);
    } finally {
      pulling.decrementAndGet();
    }
  }

  /**
   * Waits, on the loop thread, for the readers inside a {@link #pull} to leave. Their calls do
   * not block (MSG_DONTWAIT), so this is a few microseconds at most, unless a reader's thread
   * lost its core in between: then yield it the core.
   */
  private void awaitPullers() {
    for (int spins = 0; pulling.get() != 0; spins++) {
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /** A failed {@code recvmmsg}'s status: nothing to read now (EAGAIN, or a signal) is {@link #AGAIN}. */
  private static int readStatus(int n) {
    return n == Errno.EAGAIN || n == Errno.EINTR ? AGAIN : n;
  }

  private InetSocketAddress sender(RecvBatch b, int i) {
    int nameLen = Math.min(b.nameLength(i), Structs.SOCKADDR_IN6_SIZE);
    long at = b.nameOffset(i); // offsets, not slices: nothing is allocated per datagram
    if (lastFrom != null && nameLen == lastNameLen && SockAddr.same(b.names, at, lastName, nameLen)) {
      return lastFrom;
    }
    InetSocketAddress from = SockAddr.read(b.name(i));
    MemorySegment.copy(b.names, at, lastName, 0, nameLen);
    lastNameLen = nameLen;
    lastFrom = from;
    return from;
  }

  /** Walks message {@code i}'s control messages (CMSG_FIRSTHDR / CMSG_NXTHDR). */
  private void readControl(RecvBatch b, int i) {
    recvInfo.clear();
    groSize = 0;
    long clen = b.controlLength(i);
    if (clen <= 0) {
      return;
    }
    MemorySegment c = b.controls; // offsets into the batch's control area: no slice per datagram
    long base = b.controlOffset(i);
    long end = base + clen;
    long off = base;
    while (off + Structs.CMSG_HDR <= end) {
      long len = c.get(LONG, off + Structs.CMSG_LEN);
      if (len < Structs.CMSG_HDR || off + len > end) {
        return;
      }
      int level = c.get(INT, off + Structs.CMSG_LEVEL);
      int type = c.get(INT, off + Structs.CMSG_TYPE);
      if (level == LinuxConstants.IPPROTO_UDP && type == LinuxConstants.UDP_GRO && len >= Structs.CMSG_HDR + 2) {
        groSize = len >= Structs.CMSG_HDR + 4
            ? c.get(INT, off + Structs.CMSG_HDR)
            : c.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + Structs.CMSG_HDR) & 0xffff;
      } else if (level == IPPROTO_IP && type == LinuxConstants.IP_PKTINFO && len >= Structs.CMSG_HDR + 12) {
        recvInfo.interfaceIndex = c.get(INT, off + Structs.CMSG_HDR + Structs.IPI_IFINDEX);
        recvInfo.setLocalAddressBytes(c, off + Structs.CMSG_HDR + Structs.IPI_ADDR, 4);
      } else if (level == IPPROTO_IPV6 && type == LinuxConstants.IPV6_PKTINFO && len >= Structs.CMSG_HDR + 20) {
        recvInfo.interfaceIndex = c.get(INT, off + Structs.CMSG_HDR + Structs.IPI6_IFINDEX);
        recvInfo.setLocalAddressBytes(c, off + Structs.CMSG_HDR + Structs.IPI6_ADDR, 16);
      } else if (level == IPPROTO_IP && type == LinuxConstants.IP_TOS && len >= Structs.CMSG_HDR + 1) {
        recvInfo.tos = c.get(ValueLayout.JAVA_BYTE, off + Structs.CMSG_HDR) & 0xff; // one byte, not an int
      } else if (level == IPPROTO_IP && type == LinuxConstants.IP_TTL && len >= Structs.CMSG_HDR + 4) {
        recvInfo.ttl = c.get(INT, off + Structs.CMSG_HDR);
      } else if (level == IPPROTO_IPV6 && type == LinuxConstants.IPV6_TCLASS && len >= Structs.CMSG_HDR + 4) {
        recvInfo.tos = c.get(INT, off + Structs.CMSG_HDR) & 0xff;
      } else if (level == IPPROTO_IPV6 && type == LinuxConstants.IPV6_HOPLIMIT && len >= Structs.CMSG_HDR + 4) {
        recvInfo.ttl = c.get(INT, off + Structs.CMSG_HDR);
      } else if (level == SOL_SOCKET && type == LinuxConstants.SO_TIMESTAMPNS && len >= Structs.CMSG_HDR + 16) {
        long sec = c.get(LONG, off + Structs.CMSG_HDR); // struct timespec { tv_sec; tv_nsec; }
        recvInfo.timestampNanos = sec * 1_000_000_000L + c.get(LONG, off + Structs.CMSG_HDR + 8);
      }
      off += Structs.cmsgAlign(len);
    }
  }

  // ------------------------------------------------------------------ send

  /** One {@code sendmsg} from the loop's send batch. */
  @Override
  public int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
    SendBatch b = poller.sendBatch();
    b.reset();
    b.add(data, dest, ipv6);
    return sendOne(b, info);
  }

  /** The send batch's one datagram, with what {@code info} asks: one {@code sendmsg}. */
  private int sendOne(SendBatch b, SendInfo info) {
    b.setInfo(0, info, socketTos, ipv6);
    long r = Syscalls.sendmsg(poller.cs, fd, b.msgvec, 0);
    return r == Errno.EAGAIN ? AGAIN : (int) r;
  }

  @Override
  public int maxSendMany() {
    return SendBatch.MAX_MSGS;
  }

  /** A request whose bytes are in native memory goes from there: the datagram is not copied again. */
  @Override
  public int trySend(SendReq req) {
    if (req.address == 0) {
      return trySend(req.data, req.dest, req.info);
    }
    SendBatch b = poller.sendBatch();
    b.reset();
    b.addRaw(req.address, req.size, req.dest, ipv6);
    return sendOne(b, req.info);
  }

  /** One {@code sendmmsg} of as many of {@code reqs} as the loop's send batch holds. */
  @Override
  public int trySendMany(SendReq[] reqs, int count) {
    SendBatch b = poller.sendBatch();
    b.reset();
    for (int i = 0; i < count; i++) {
      SendReq r = reqs[i];
      if (r.address != 0 && b.count() < SendBatch.MAX_MSGS) {
        b.addRaw(r.address, r.size, r.dest, ipv6); // already in native memory
      } else if (b.fits(r.size)) {
        b.add(r.data, r.dest, ipv6);
      } else {
        break;
      }
      b.setInfo(i, r.info, socketTos, ipv6);
    }
    int n = Syscalls.sendmmsg(poller.cs, fd, b.msgvec, b.count(), 0);
    return n == Errno.EAGAIN ? AGAIN : n;
  }

  /**
   * Datagrams of {@code batch} from {@code from}, straight from its native memory: one
   * UDP_SEGMENT send when they share a size (and {@code gso}), else one sendmmsg.
   */
  @Override
  public int trySendBatch(NativeBatch batch, int from, InetSocketAddress dest, boolean gso) {
    SendBatch sb = poller.sendBatch();
    long base = batch.segment().address();
    if (gso && batch.segmentable(from)) {
      int size = batch.length(from);
      int k = Math.min(Math.min(64, 65507 / Math.max(size, 1)), batch.count() - from);
      if (k >= 2) {
        long total = batch.offset(from + k - 1) + batch.length(from + k - 1) - batch.offset(from);
        sb.segmented(base + batch.offset(from), (int) total, size, dest, ipv6);
        sb.setInfo(0, batch.info(from), socketTos, ipv6); // one for all: segmentable() checked
        long r = Syscalls.sendmsg(poller.cs, fd, sb.msgvec, 0);
        if (r >= 0) {
          return k;
        }
        if (r == Errno.EAGAIN) {
          return AGAIN;
        }
        if (r == Errno.EINVAL || r == Errno.EIO || r == Errno.ENOPROTOOPT || r == Errno.ENOTSUP) {
          return GSO_REFUSED; // no UDP_SEGMENT here (kernel, device or route): the handle falls back
        }
        return (int) r;
      }
    }
    sb.reset();
    int k = Math.min(SendBatch.MAX_MSGS, batch.count() - from);
    for (int j = 0; j < k; j++) {
      sb.addRaw(base + batch.offset(from + j), batch.length(from + j), dest, ipv6);
      sb.setInfo(j, batch.info(from + j), socketTos, ipv6);
    }
    int r = Syscalls.sendmmsg(poller.cs, fd, sb.msgvec, k, 0);
    return r == Errno.EAGAIN ? AGAIN : r;
  }

  // ------------------------------------------------------------------ options

  private void setOption(int level, int name, int value) {
    try (Arena a = Arena.ofConfined()) {
      check(setInt(a, Syscalls.threadCaptureState(), fd, level, name, value));
    }
  }

  @Override
  public void setBroadcast(boolean on) {
    setOption(SOL_SOCKET, LinuxConstants.SO_BROADCAST, on ? 1 : 0);
  }

  @Override
  public void setTOS(int tos) {
    setOption(IPPROTO_IP, LinuxConstants.IP_TOS, tos);
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_TCLASS, tos);
    }
    socketTos = tos;
  }

  @Override
  public void setTTL(int ttl) {
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_UNICAST_HOPS, ttl);
    } else {
      setOption(IPPROTO_IP, LinuxConstants.IP_TTL, ttl);
    }
  }

  @Override
  public void setMulticastTTL(int ttl) {
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_MULTICAST_HOPS, ttl);
    } else {
      setOption(IPPROTO_IP, LinuxConstants.IP_MULTICAST_TTL, ttl);
    }
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_MULTICAST_LOOP, on ? 1 : 0);
    } else {
      setOption(IPPROTO_IP, LinuxConstants.IP_MULTICAST_LOOP, on ? 1 : 0);
    }
  }

  @Override
  public void setMulticastInterface(InetAddress iface, String scope) {
    int s = fd;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (iface instanceof Inet4Address || (iface == null && !ipv6)) {
        MemorySegment v = a.allocate(4, 4);
        if (iface != null) {
          MemorySegment.copy(iface.getAddress(), 0, v, ValueLayout.JAVA_BYTE, 0, 4);
        }
        check(Syscalls.setsockopt(cs, s, IPPROTO_IP, LinuxConstants.IP_MULTICAST_IF, v, 4));
        return;
      }
      int index = scope != null ? indexOfScope(a, cs, scope) : indexOf(iface);
      MemorySegment v = a.allocate(4, 4);
      v.set(INT, 0, index);
      check(Syscalls.setsockopt(cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_MULTICAST_IF, v, 4));
    }
  }

  /** @return the index of the interface named or numbered {@code scope}; 0 if none has it */
  private static int indexOfScope(Arena a, MemorySegment cs, String scope) {
    if (!scope.isEmpty() && scope.chars().allMatch(Character::isDigit)) {
      try {
        return Integer.parseInt(scope);
      } catch (NumberFormatException e) {
        throw new SysError(Errno.EINVAL);
      }
    }
    // As libuv's uv_ip6_addr: an unknown interface name gives scope 0, the system's default.
    return Syscalls.ifNameToIndex(cs, a.allocateFrom(scope, StandardCharsets.US_ASCII));
  }

  /** @return the interface index of {@code addr}'s scope, else of the interface holding it; 0 (any) for null or "::" */
  private static int indexOf(InetAddress addr) {
    if (addr instanceof Inet6Address a6) {
      // "::%eth1": the scope names the interface, as in libuv. Java keeps a named scope as the
      // interface itself (its numeric scope id may stay 0), a numeric one as the id.
      if (a6.getScopedInterface() != null) {
        return a6.getScopedInterface().getIndex();
      }
      if (a6.getScopeId() != 0) {
        return a6.getScopeId();
      }
    }
    if (addr == null || addr.isAnyLocalAddress()) {
      return 0;
    }
    try {
      NetworkInterface n = NetworkInterface.getByInetAddress(addr);
      if (n == null) {
        throw new SysError(Errno.EADDRNOTAVAIL);
      }
      return n.getIndex();
    } catch (SocketException e) {
      throw new SysError(Errno.EADDRNOTAVAIL);
    }
  }

  @Override
  public void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    int s = fd;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (group instanceof Inet4Address) {
        if (iface instanceof Inet6Address) {
          throw new SysError(Errno.EINVAL);
        }
        MemorySegment m = a.allocate(Structs.IP_MREQ_SIZE, 4);
        MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IMR_MULTIADDR, 4);
        if (iface != null) {
          MemorySegment.copy(iface.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IMR_INTERFACE, 4);
        }
        int opt = join ? LinuxConstants.IP_ADD_MEMBERSHIP : LinuxConstants.IP_DROP_MEMBERSHIP;
        check(Syscalls.setsockopt(cs, s, IPPROTO_IP, opt, m, Structs.IP_MREQ_SIZE));
        return;
      }
      MemorySegment m = a.allocate(Structs.IPV6_MREQ_SIZE, 4);
      MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IPV6MR_MULTIADDR, 16);
      m.set(INT, Structs.IPV6MR_INTERFACE, scope != null ? indexOfScope(a, cs, scope) : indexOf(iface));
      int opt = join ? LinuxConstants.IPV6_ADD_MEMBERSHIP : LinuxConstants.IPV6_DROP_MEMBERSHIP;
      check(Syscalls.setsockopt(cs, s, IPPROTO_IPV6, opt, m, Structs.IPV6_MREQ_SIZE));
    }
  }

  @Override
  public void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope,
      boolean join) {
    int s = fd;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (group instanceof Inet4Address) {
        MemorySegment m = a.allocate(Structs.IP_MREQ_SOURCE_SIZE, 4);
        MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IMR_MULTIADDR, 4);
        if (iface != null) {
          MemorySegment.copy(iface.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IMR_INTERFACE, 4);
        }
        MemorySegment.copy(source.getAddress(), 0, m, ValueLayout.JAVA_BYTE, Structs.IMR_SOURCEADDR, 4);
        int opt = join ? LinuxConstants.IP_ADD_SOURCE_MEMBERSHIP : LinuxConstants.IP_DROP_SOURCE_MEMBERSHIP;
        check(Syscalls.setsockopt(cs, s, IPPROTO_IP, opt, m, Structs.IP_MREQ_SOURCE_SIZE));
        return;
      }
      MemorySegment m = a.allocate(Structs.GROUP_SOURCE_REQ_SIZE, 8);
      m.set(INT, Structs.GSR_INTERFACE, scope != null ? indexOfScope(a, cs, scope) : indexOf(iface));
      SockAddr.write(m.asSlice(Structs.GSR_GROUP, Structs.SOCKADDR_IN6_SIZE), new InetSocketAddress(group, 0), true);
      SockAddr.write(m.asSlice(Structs.GSR_SOURCE, Structs.SOCKADDR_IN6_SIZE), new InetSocketAddress(source, 0), true);
      int opt = join ? LinuxConstants.MCAST_JOIN_SOURCE_GROUP : LinuxConstants.MCAST_LEAVE_SOURCE_GROUP;
      check(Syscalls.setsockopt(cs, s, IPPROTO_IPV6, opt, m, Structs.GROUP_SOURCE_REQ_SIZE));
    }
  }

  @Override
  public int bufferSize(boolean recv, int value) {
    int s = fd;
    int name = recv ? LinuxConstants.SO_RCVBUF : LinuxConstants.SO_SNDBUF;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (value != 0) {
        check(setInt(a, cs, s, SOL_SOCKET, name, value));
      }
      MemorySegment v = a.allocate(4, 4);
      MemorySegment len = a.allocate(4, 4);
      len.set(INT, 0, 4);
      check(Syscalls.getsockopt(cs, s, SOL_SOCKET, name, v, len));
      return v.get(INT, 0);
    }
  }
}
