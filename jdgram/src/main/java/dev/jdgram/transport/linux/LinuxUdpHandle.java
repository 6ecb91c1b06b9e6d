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

import dev.jdgram.handle.BatchCounter;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.HandleListener;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.NativeBatch;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.WriteQueue;
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
import java.util.Iterator;
import java.util.Objects;

/**
 * A UDP handle on a kernel socket reached through the FFM API: libuv's {@code uv_udp_t} on
 * Linux. The socket is created at bind (or by a membership call on an unbound handle, as libuv
 * does); reads take up to {@value #RECV_PER_WAKEUP} datagrams per wake-up with
 * {@code recvmmsg}; a send goes to the kernel at once with {@code sendmsg} when nothing is
 * queued, else waits on the write queue, which is drained with {@code sendmmsg} on writability.
 *
 * <p>The datagrams the kernel dropped for want of receive buffer space are read when asked for,
 * from the socket's own counter (SO_MEMINFO's sk_drops, the number SO_RXQ_OVFL would stamp on
 * every datagram): no control message per datagram, and the count is current even before the
 * next datagram arrives.
 */
public final class LinuxUdpHandle implements UdpHandle, EpollPoller.Watcher {
  /** libuv's cap on datagrams read per wake-up, so one busy socket cannot starve the others. */
  static final int RECV_PER_WAKEUP = 32;
  private static final int AGAIN = WriteQueue.AGAIN;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final LoopContext ctx;
  private final EpollPoller poller;
  private final boolean ipv6;
  private final WriteQueue writeQueue;
  private volatile int fd = -1;
  private volatile boolean closed;
  private boolean wantRecvInfo; // IP_PKTINFO asked for (guarded by this)
  private boolean registered;
  private int interest;
  private HandleListener listener;
  private boolean receiving;
  private boolean connected;
  // The last sender, decoded once: a stream from one peer allocates no address per datagram.
  private final MemorySegment lastName = Arena.ofAuto().allocate(Structs.SOCKADDR_IN6_SIZE, 8);
  private int lastNameLen;
  private InetSocketAddress lastFrom;
  private final RecvInfo recvInfo = new RecvInfo();
  private int groSize; // the segment size of the datagram being delivered, 0 without GRO

  LinuxUdpHandle(LoopContext ctx, EpollPoller poller, boolean ipv6) {
    this.ctx = ctx;
    this.poller = poller;
    this.ipv6 = ipv6;
    this.writeQueue = new WriteQueue(ctx);
  }

  @Override
  public boolean ipv6() {
    return ipv6;
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
      int size = 4 * LinuxConstants.SK_MEMINFO_VARS;
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
      return v.get(INT, 4L * LinuxConstants.SK_MEMINFO_DROPS) & 0xffffffffL;
    }
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public synchronized void bind(InetSocketAddress local, int flags) {
    checkOpen();
    if (fd >= 0) {
      throw new SysError(Errno.EINVAL); // the kernel socket is bound already (libuv: EINVAL)
    }
    if (!ipv6 && local.getAddress() instanceof Inet6Address) {
      throw new SysError(Errno.EINVAL);
    }
    MemorySegment cs = Syscalls.threadCaptureState();
    int s = Syscalls.socket(cs, ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) {
      throw new SysError(s);
    }
    try (Arena a = Arena.ofConfined()) {
      if ((flags & REUSEADDR) != 0) {
        check(setInt(a, cs, s, SOL_SOCKET, LinuxConstants.SO_REUSEADDR, 1));
      }
      if ((flags & REUSEPORT) != 0) {
        check(setInt(a, cs, s, SOL_SOCKET, LinuxConstants.SO_REUSEPORT, 1));
      }
      if (ipv6 && (flags & IPV6ONLY) != 0) {
        check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_V6ONLY, 1));
      }
      if ((flags & GRO) != 0) {
        check(setInt(a, cs, s, LinuxConstants.IPPROTO_UDP, LinuxConstants.UDP_GRO, 1));
      }
      if (wantRecvInfo) {
        enablePktinfo(a, cs, s);
      }
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
   * Each datagram's destination address and arrival interface (for a multi-homed host):
   * the kernel builds a control message per datagram for it, which costs a receiver about a
   * tenth of its rate, so it is asked for only once a listener can read it.
   */
  private void enablePktinfo(Arena a, MemorySegment cs, int s) {
    check(setInt(a, cs, s, IPPROTO_IP, LinuxConstants.IP_PKTINFO, 1));
    if (ipv6) {
      check(setInt(a, cs, s, IPPROTO_IPV6, LinuxConstants.IPV6_RECVPKTINFO, 1));
    }
  }

  @Override
  public synchronized void wantRecvInfo() {
    if (wantRecvInfo) {
      return;
    }
    wantRecvInfo = true;
    int s = fd;
    if (s >= 0) {
      try (Arena a = Arena.ofConfined()) {
        enablePktinfo(a, Syscalls.threadCaptureState(), s);
      }
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

  /** libuv's {@code uv__udp_maybe_deferred_bind}: membership on an unbound handle binds it. */
  private int socketForOption(boolean bindIfNeeded) {
    int s = fd;
    if (s >= 0) {
      return s;
    }
    if (closed || !bindIfNeeded) {
      throw new SysError(Errno.EBADF);
    }
    try {
      bind(new InetSocketAddress(InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]), 0), REUSEADDR);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
    return fd;
  }

  @Override
  public synchronized void connect(InetSocketAddress remote) {
    int s = socketForOption(false);
    if (!ipv6 && remote.getAddress() instanceof Inet6Address) {
      throw new SysError(Errno.EINVAL);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      int len = SockAddr.write(addr, remote, ipv6);
      check(Syscalls.connect(Syscalls.threadCaptureState(), s, addr, len));
      connected = true;
    }
  }

  @Override
  public synchronized void disconnect() {
    int s = socketForOption(false);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      int len = SockAddr.writeUnspec(addr);
      int r = Syscalls.connect(Syscalls.threadCaptureState(), s, addr, len);
      if (r < 0 && r != Errno.EAFNOSUPPORT) { // libuv ignores EAFNOSUPPORT here
        throw new SysError(r);
      }
      connected = false;
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
    int s = socketForOption(false);
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
  public synchronized void close(Runnable onClosed) {
    if (closed) {
      ctx.nextTick(onClosed);
      return;
    }
    // Sends made before close() but held for the end of the phase still go out, as they would
    // have unbatched.
    if (!writeQueue.isEmpty() && fd >= 0 && (interest & EPOLLOUT) == 0) {
      drainWriteQueue();
    }
    closed = true;
    receiving = false;
    listener = null;
    // What the kernel had no room for learns its fate: ECANCELED, as libuv's
    // uv__udp_finish_close does.
    writeQueue.cancelAll();
    int s = fd;
    fd = -1;
    if (s >= 0) {
      if (registered) {
        poller.remove(s);
        registered = false;
      }
      Syscalls.close(Syscalls.threadCaptureState(), s); // the port is free from here on
    }
    ctx.nextTick(onClosed);
  }

  private void checkOpen() {
    if (closed) {
      throw new SysError(Errno.EBADF);
    }
  }

  // ------------------------------------------------------------------ poller registration

  private void updateInterest() {
    int s = fd;
    if (closed || s < 0) {
      return;
    }
    int want = (receiving ? EPOLLIN : 0) | (writeQueue.isEmpty() ? 0 : EPOLLOUT);
    if (!registered) {
      if (want == 0) {
        return;
      }
      check(poller.add(s, this, want));
      registered = true;
    } else if (want != interest) {
      check(poller.modify(s, want));
    }
    interest = want;
  }

  @Override
  public void onReady(int events) {
    if ((events & (EPOLLOUT | EPOLLERR)) != 0 && !writeQueue.isEmpty()) {
      drainWriteQueue();
    }
    if ((events & (EPOLLIN | EPOLLERR)) != 0 && receiving) {
      readBatch();
    }
  }

  // ------------------------------------------------------------------ receive

  @Override
  public void recvStart(HandleListener l) {
    checkOpen();
    listener = Objects.requireNonNull(l);
    receiving = true;
    updateInterest();
  }

  @Override
  public void recvStop() {
    receiving = false;
    if (!closed) {
      updateInterest();
    }
  }

  /** libuv's {@code uv__udp_recvmsg}, batched: at most {@value #RECV_PER_WAKEUP}, then yield. */
  private void readBatch() {
    RecvBatch b = poller.recvBatch();
    MemorySegment cs = poller.cs;
    int total = 0;
    while (total < RECV_PER_WAKEUP && receiving && !closed) {
      int want = Math.min(b.size, RECV_PER_WAKEUP - total);
      b.prepare(want);
      int n = Syscalls.recvmmsg(cs, fd, b.msgvec, want, MSG_DONTWAIT);
      if (n < 0) {
        if (n == Errno.EAGAIN || n == Errno.EINTR || closed) {
          return;
        }
        listener.onRecvError(n); // an ICMP error on a connected socket: ECONNREFUSED
        if (n != Errno.ECONNREFUSED && n != Errno.EHOSTUNREACH && n != Errno.ENETUNREACH) {
          return;
        }
        total++;
        continue;
      }
      for (int i = 0; i < n && receiving && !closed; i++) {
        deliver(b, i);
      }
      total += n;
      if (n < want) {
        return; // the socket is drained
      }
    }
  }

  private void deliver(RecvBatch b, int i) {
    readControl(b, i);
    int len = b.length(i);
    if ((b.flags(i) & LinuxConstants.MSG_TRUNC) != 0) {
      len = Math.min(len, RecvBatch.BUF_SIZE); // cannot happen with 64 KiB buffers; never read past
    }
    InetSocketAddress from = sender(b, i);
    if (from == null) {
      return;
    }
    ByteBuffer view = b.views[i];
    if (len == 0) { // an empty datagram is a datagram too
      view.limit(0).position(0);
      listener.onRecv(view, from, recvInfo);
      return;
    }
    int seg = groSize > 0 && groSize < len ? groSize : len;
    // A GRO receive holds several datagrams of groSize (the last may be shorter): split it.
    for (int at = 0; at < len && receiving && !closed; at += seg) {
      view.limit(Math.min(at + seg, len)).position(at);
      listener.onRecv(view, from, recvInfo);
    }
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
      }
      off += Structs.cmsgAlign(len);
    }
  }

  // ------------------------------------------------------------------ send

  /**
   * libuv's send, batched: the first send of a phase goes to the kernel at once (a lone reply
   * waits for nothing); the sends that follow it in the same phase (a burst from a callback, or
   * tasks handed in from another thread) wait in the write queue until the phase ends and then
   * go out together, up to 64 per {@code sendmmsg}.
   */
  @Override
  public void send(SendReq req) {
    if (closed) {
      writeQueue.completeLater(req, Errno.EBADF);
      return;
    }
    if (writeQueue.isEmpty() && !sentThisPhase && !ctx.moreTasksQueued()) {
      if (writeQueue.sendOrQueue(req, false, trySendOne)) {
        updateInterest(); // the kernel is full: wait for writability
      } else {
        sentThisPhase = true;
        scheduleFlush();
      }
      return;
    }
    writeQueue.enqueue(req);
    if ((interest & EPOLLOUT) != 0) {
      return; // the kernel is full: writability will drain the queue
    }
    if (writeQueue.count() >= SendBatch.MAX_MSGS) {
      drainWriteQueue(); // a full sendmmsg's worth: no need to wait, and the batch stays bounded
    } else {
      scheduleFlush();
    }
  }

  @Override
  public int blockedBytes() {
    // Held for the end of the phase is not blocked: only a full kernel makes sends wait.
    return (interest & EPOLLOUT) != 0 ? writeQueue.bytes() : 0;
  }

  private boolean flushScheduled;
  private boolean sentThisPhase;
  private final Runnable flush = this::flush;

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.atPhaseEnd(flush);
    }
  }

  /** The end of a phase: what the phase queued goes out now, in sendmmsg batches. */
  private void flush() {
    flushScheduled = false;
    sentThisPhase = false;
    if (!closed && !writeQueue.isEmpty() && (interest & EPOLLOUT) == 0) {
      drainWriteQueue();
    }
  }

  private int checkDest(SendReq req) {
    return checkDest(req.dest);
  }

  private int checkDest(InetSocketAddress dest) {
    if (dest == null) {
      return connected ? 0 : Errno.EDESTADDRREQ;
    }
    if (!ipv6 && dest.getAddress() instanceof Inet6Address) {
      return Errno.EINVAL;
    }
    return 0;
  }

  /** One sendmsg, made once: the hot path allocates no method reference. */
  private final WriteQueue.KernelSend trySendOne = this::sendOne;

  /** @return bytes sent, a negative errno, or {@link #AGAIN} */
  private int sendOne(SendReq req) {
    int s = fd;
    if (s < 0) {
      return Errno.EBADF;
    }
    int bad = checkDest(req);
    if (bad < 0) {
      return bad;
    }
    SendBatch b = poller.sendBatch();
    b.reset();
    b.add(req.data, req.dest, ipv6);
    long r = Syscalls.sendmsg(poller.cs, s, b.msgvec, 0);
    if (r == Errno.EAGAIN) {
      return AGAIN;
    }
    return (int) r;
  }

  /** Whether this kernel takes UDP_SEGMENT: unknown until the first GSO send says. */
  private static volatile int gsoSupport; // 0 unknown, 1 yes, -1 no

  /** @return true once a GSO send has worked, false once one was refused; null before */
  static Boolean gsoSupported() {
    return gsoSupport == 0 ? null : gsoSupport > 0;
  }

  @Override
  public void sendBatch(NativeBatch batch, InetSocketAddress dest, BatchCounter.Done done) {
    int n = batch.count();
    int bad = closed ? Errno.EBADF : checkDest(dest);
    int sent = 0;
    int err = bad;
    if (bad == 0 && writeQueue.isEmpty()) {
      while (sent < n) {
        int r = sendChunk(batch, sent, dest);
        if (r == AGAIN) {
          break;
        }
        if (r < 0) {
          err = r; // the datagram at 'sent' failed; the batch stops there, as a stream would
          break;
        }
        sent += r;
      }
    }
    if (err != 0 || sent == n) {
      int s = sent;
      int e = err;
      done.completeLater(ctx, s, e);
      return;
    }
    // The kernel is full (or sends are queued): the rest waits in the write queue, in order.
    BatchCounter counter = new BatchCounter(sent, n - sent, done);
    for (int i = sent; i < n; i++) {
      writeQueue.enqueue(new SendReq(batch.view(i), dest, counter));
    }
    updateInterest();
  }

  /**
   * Sends datagrams of {@code batch} from {@code from} straight from its native memory: one
   * UDP_SEGMENT send when they share a size, else one sendmmsg.
   *
   * @return datagrams sent, a negative errno for the datagram at {@code from}, or AGAIN
   */
  private int sendChunk(NativeBatch batch, int from, InetSocketAddress dest) {
    SendBatch sb = poller.sendBatch();
    long base = batch.segment().address();
    if (gsoSupport >= 0 && batch.segmentable(from)) {
      int size = batch.length(from);
      int k = Math.min(Math.min(64, 65507 / Math.max(size, 1)), batch.count() - from);
      if (k >= 2) {
        long total = batch.offset(from + k - 1) + batch.length(from + k - 1) - batch.offset(from);
        sb.segmented(base + batch.offset(from), (int) total, size, dest, ipv6);
        long r = Syscalls.sendmsg(poller.cs, fd, sb.msgvec, 0);
        if (r >= 0) {
          gsoSupport = 1;
          return k;
        }
        if (r == Errno.EAGAIN) {
          return AGAIN;
        }
        if (gsoSupport == 0 && (r == Errno.EINVAL || r == Errno.EIO || r == Errno.ENOPROTOOPT || r == Errno.ENOTSUP)) {
          gsoSupport = -1; // this kernel or device has no GSO: fall back, and remember
        } else {
          return (int) r;
        }
      }
    }
    sb.reset();
    int k = Math.min(SendBatch.MAX_MSGS, batch.count() - from);
    for (int j = 0; j < k; j++) {
      sb.addRaw(base + batch.offset(from + j), batch.length(from + j), dest, ipv6);
    }
    int r = Syscalls.sendmmsg(poller.cs, fd, sb.msgvec, k, 0);
    return r == Errno.EAGAIN ? AGAIN : r;
  }

  /** Drains the write queue with sendmmsg, in batches, until the kernel says EAGAIN. */
  private void drainWriteQueue() {
    SendBatch b = poller.sendBatch();
    while (!closed) {
      writeQueue.dropCancelledHead();
      SendReq head = writeQueue.peek();
      if (head == null) {
        break;
      }
      int bad = checkDest(head);
      if (bad < 0) {
        writeQueue.completeLater(writeQueue.dequeue(), bad);
        continue;
      }
      b.reset();
      Iterator<SendReq> it = writeQueue.iterator();
      while (it.hasNext()) {
        SendReq r = it.next();
        if (!b.fits(r.size) || checkDest(r) < 0 || r.completion.cancelled()) {
          break;
        }
        b.add(r.data, r.dest, ipv6);
      }
      int n = Syscalls.sendmmsg(poller.cs, fd, b.msgvec, b.count(), 0);
      if (n == Errno.EAGAIN) {
        break;
      }
      if (n < 0) {
        writeQueue.completeLater(writeQueue.dequeue(), n); // the first message failed
        continue;
      }
      for (int i = 0; i < n; i++) {
        writeQueue.completeLater(writeQueue.dequeue(), b.sent(i));
      }
    }
    updateInterest();
    if (writeQueue.isEmpty() && listener != null) {
      listener.onWriteQueueDrained();
    }
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

  private void setOption(int level, int name, int value) {
    int s = socketForOption(false);
    try (Arena a = Arena.ofConfined()) {
      check(setInt(a, Syscalls.threadCaptureState(), s, level, name, value));
    }
  }

  @Override
  public void setBroadcast(boolean on) {
    setOption(SOL_SOCKET, LinuxConstants.SO_BROADCAST, on ? 1 : 0);
  }

  @Override
  public void setTTL(int ttl) {
    if (ttl < 1 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
    if (ipv6) {
      setOption(IPPROTO_IPV6, LinuxConstants.IPV6_UNICAST_HOPS, ttl);
    } else {
      setOption(IPPROTO_IP, LinuxConstants.IP_TTL, ttl);
    }
  }

  @Override
  public void setMulticastTTL(int ttl) {
    if (ttl < 0 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
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
  public synchronized void setMulticastInterface(InetAddress iface, String scope) {
    int s = socketForOption(false);
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
  public synchronized void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    checkOpen();
    int s = socketForOption(true);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (group instanceof Inet4Address) {
        if (iface instanceof Inet6Address) {
          throw new SysError(Errno.EINVAL);
        }
        MemorySegment m = a.allocate(Structs.IP_MREQ_SIZE, 4);
        MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 0, 4);
        if (iface != null) {
          MemorySegment.copy(iface.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 4, 4);
        }
        int opt = join ? LinuxConstants.IP_ADD_MEMBERSHIP : LinuxConstants.IP_DROP_MEMBERSHIP;
        check(Syscalls.setsockopt(cs, s, IPPROTO_IP, opt, m, Structs.IP_MREQ_SIZE));
        return;
      }
      if (!ipv6) {
        throw new SysError(Errno.EINVAL);
      }
      MemorySegment m = a.allocate(Structs.IPV6_MREQ_SIZE, 4);
      MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 0, 16);
      m.set(INT, 16, scope != null ? indexOfScope(a, cs, scope) : indexOf(iface));
      int opt = join ? LinuxConstants.IPV6_ADD_MEMBERSHIP : LinuxConstants.IPV6_DROP_MEMBERSHIP;
      check(Syscalls.setsockopt(cs, s, IPPROTO_IPV6, opt, m, Structs.IPV6_MREQ_SIZE));
    }
  }

  @Override
  public synchronized void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope,
      boolean join) {
    checkOpen();
    if (!group.isMulticastAddress() || (source instanceof Inet4Address) != (group instanceof Inet4Address)) {
      throw new SysError(Errno.EINVAL);
    }
    int s = socketForOption(true);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cs = Syscalls.threadCaptureState();
      if (group instanceof Inet4Address) {
        MemorySegment m = a.allocate(Structs.IP_MREQ_SOURCE_SIZE, 4);
        MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 0, 4);
        if (iface != null) {
          MemorySegment.copy(iface.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 4, 4);
        }
        MemorySegment.copy(source.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 8, 4);
        int opt = join ? LinuxConstants.IP_ADD_SOURCE_MEMBERSHIP : LinuxConstants.IP_DROP_SOURCE_MEMBERSHIP;
        check(Syscalls.setsockopt(cs, s, IPPROTO_IP, opt, m, Structs.IP_MREQ_SOURCE_SIZE));
        return;
      }
      if (!ipv6) {
        throw new SysError(Errno.EINVAL);
      }
      MemorySegment m = a.allocate(Structs.GROUP_SOURCE_REQ_SIZE, 8);
      m.set(INT, 0, scope != null ? indexOfScope(a, cs, scope) : indexOf(iface));
      SockAddr.write(m.asSlice(Structs.GSR_GROUP, Structs.SOCKADDR_IN6_SIZE), new InetSocketAddress(group, 0), true);
      SockAddr.write(m.asSlice(Structs.GSR_SOURCE, Structs.SOCKADDR_IN6_SIZE), new InetSocketAddress(source, 0), true);
      int opt = join ? LinuxConstants.MCAST_JOIN_SOURCE_GROUP : LinuxConstants.MCAST_LEAVE_SOURCE_GROUP;
      check(Syscalls.setsockopt(cs, s, IPPROTO_IPV6, opt, m, Structs.GROUP_SOURCE_REQ_SIZE));
    }
  }

  @Override
  public int bufferSize(boolean recv, int value) {
    int s = socketForOption(false);
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
