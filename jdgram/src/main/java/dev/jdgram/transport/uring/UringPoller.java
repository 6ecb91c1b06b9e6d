package dev.jdgram.transport.uring;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;
import dev.jdgram.transport.linux.LinuxTransport;
import dev.jdgram.transport.linux.LinuxUdpKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The poll phase over io_uring: one {@code io_uring_enter(GETEVENTS)} waits (its timeout given as
 * EXT_ARG), runs the ring's deferred work (DEFER_TASKRUN: completions are made on this thread,
 * inside this call, never by an interrupt on another core) and returns; the receive completions
 * are queued on their sockets, whose handles are then told they are readable.
 *
 * <p>Writability and socket errors come from the linux transport's epoll poller, whose descriptor
 * this ring watches with a POLL_ADD (re-armed after each firing, since epoll's readiness is
 * level-triggered); the wake-up from other threads is that poller's eventfd, which makes its
 * epoll readable. So a wake-up costs one eventfd write, as on the linux transport.
 *
 * <p>Owns the loop's io_uring, its provided-buffer ring and its send slots, made on first use
 * on the loop's thread (SINGLE_ISSUER binds a ring to the thread that made it).
 */
final class UringPoller implements Poller {
  private static final int OP_EPOLL = 1;
  private static final int OP_RECV = 2;
  private static final int OP_SEND = 3;
  private static final int OP_CANCEL = 4;
  private static final int POLLIN = 0x1;
  private static final int ETIME = -62;
  private static final int EBUSY = -16;
  private static final int EEXIST = -17;
  private static final int ASYNC_CANCEL_ANY = 1 << 2;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  /** The linux poller's epoll descriptor, read (never written) so that this ring can watch it. */
  private static final VarHandle EPOLL_FD;

  static {
    try {
      Class<?> epoll = Class.forName("dev.jdgram.transport.linux.EpollPoller");
      EPOLL_FD = MethodHandles.privateLookupIn(epoll, MethodHandles.lookup()).findVarHandle(epoll, "epfd", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Poller epoll = LinuxTransport.INSTANCE.newPoller();
  private final int epfd = (int) EPOLL_FD.get(epoll);
  private final Arena arena = Arena.ofShared();
  // Mutable state, loop thread only; closed: written under this poller's monitor.
  private Ring ring;
  private BufRing bufs;
  private SendSlots sendSlots;
  private MemorySegment recvMsghdr;
  private UringUdpKernel[] kernels = new UringUdpKernel[16];
  private int generation;
  private UringUdpKernel[] ready = new UringUdpKernel[16];
  private int readyHead;
  private int readyCount;
  private UringUdpKernel[] rearm = new UringUdpKernel[16];
  private int rearmCount;
  private int closingCount;
  private boolean epollArmed;
  private boolean epollReady;
  private final int[] sendRes = new int[SendSlots.MAX_MSGS];
  private int sendDone;
  private volatile boolean closed;

  /** @return the loop's io_uring, made on first use, on the loop's thread */
  private Ring ring() {
    if (ring == null) {
      Ring r = new Ring(arena, 256, 4096);
      try {
        bufs = new BufRing(arena, r, BufRing.configuredCount());
      } catch (SysError e) {
        r.close();
        throw e;
      }
      recvMsghdr = arena.allocate(SendSlots.MSGHDR_SIZE, 8);
      recvMsghdr.set(INT, 8, BufRing.NAME_SPACE); // msg_namelen: the room for the name in each buffer
      recvMsghdr.set(LONG, 40, BufRing.CONTROL_SPACE); // msg_controllen: the room for control messages
      ring = r;
    }
    return ring;
  }

  BufRing bufs() {
    return bufs;
  }

  SendSlots sendSlots() {
    if (sendSlots == null) {
      sendSlots = new SendSlots(arena);
    }
    return sendSlots;
  }

  /** The linux transport's kernel for one socket, on this poller's epoll. */
  LinuxUdpKernel linuxKernel(LoopContext ctx, boolean ipv6, UdpKernel.Watcher watcher) {
    return (LinuxUdpKernel) LinuxTransport.INSTANCE.newUdpKernel(new EpollContext(ctx, epoll), ipv6, null, watcher);
  }

  // ------------------------------------------------------------------ the kernels' table

  void register(UringUdpKernel k) {
    int s = 0;
    while (s < kernels.length && kernels[s] != null) {
      s++;
    }
    if (s == kernels.length) {
      if (s >= 0xffff) {
        throw new SysError(Errno.ENOBUFS);
      }
      kernels = Arrays.copyOf(kernels, s * 2);
    }
    kernels[s] = k;
    k.slot = s;
    k.generation = ++generation;
  }

  void unregister(UringUdpKernel k) {
    if (k.slot >= 0 && kernels[k.slot] == k) {
      kernels[k.slot] = null;
    }
    k.slot = -1;
  }

  void closing(UringUdpKernel k, boolean on) {
    closingCount += on ? 1 : -1;
  }

  @Override
  public boolean hasPendingCallbacks() {
    return closingCount > 0;
  }

  private static long userData(UringUdpKernel k, int op) {
    return ((long) k.generation << 32) | ((long) k.slot << 16) | op;
  }

  /** Queues a multishot RECVMSG for {@code k} into the provided buffers (sent with the next enter). */
  void armRecv(UringUdpKernel k, int fd) {
    MemorySegment sqe = ring().sqe();
    sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_OPCODE, (byte) Ring.OP_RECVMSG);
    sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_FLAGS, (byte) Ring.SQE_BUFFER_SELECT);
    sqe.set(ValueLayout.JAVA_SHORT, Ring.SQE_IOPRIO, (short) Ring.RECV_MULTISHOT);
    sqe.set(INT, Ring.SQE_FD, fd);
    sqe.set(LONG, Ring.SQE_ADDR, recvMsghdr.address());
    sqe.set(INT, Ring.SQE_LEN, 1);
    sqe.set(LONG, Ring.SQE_USER_DATA, userData(k, OP_RECV));
    sqe.set(ValueLayout.JAVA_SHORT, Ring.SQE_BUF_GROUP, (short) BufRing.GROUP);
  }

  /** Queues the cancel of {@code k}'s multishot receive. */
  void cancelRecv(UringUdpKernel k) {
    MemorySegment sqe = ring().sqe();
    sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_OPCODE, (byte) Ring.OP_ASYNC_CANCEL);
    sqe.set(INT, Ring.SQE_FD, -1);
    sqe.set(LONG, Ring.SQE_ADDR, userData(k, OP_RECV));
    sqe.set(LONG, Ring.SQE_USER_DATA, OP_CANCEL);
  }

  /** {@code k}'s multishot ended while its handle still receives: armed again before the next wait. */
  void rearmLater(UringUdpKernel k) {
    if (rearmCount == rearm.length) {
      rearm = Arrays.copyOf(rearm, rearmCount * 2);
    }
    rearm[rearmCount++] = k;
  }

  void markReady(UringUdpKernel k) {
    if (k.inReadyList) {
      return;
    }
    if (readyCount == ready.length) {
      UringUdpKernel[] b = new UringUdpKernel[ready.length * 2];
      for (int i = 0; i < readyCount; i++) {
        b[i] = ready[(readyHead + i) % ready.length];
      }
      ready = b;
      readyHead = 0;
    }
    ready[(readyHead + readyCount) % ready.length] = k;
    readyCount++;
    k.inReadyList = true;
  }

  void giveBack(int bid) {
    bufs.put(bid);
  }

  void publishBuffers() {
    if (bufs != null) {
      bufs.publish();
    }
  }

  // ------------------------------------------------------------------ send

  /**
   * The first {@code n} message headers of {@code s} as SENDMSG SQEs on {@code fd}, linked (a
   * failure cancels the rest, so nothing overtakes a datagram the kernel had no room for) and
   * MSG_DONTWAIT (no room is EAGAIN, not a wait), handed over with one io_uring_enter. Such sends
   * complete inline, so their completions are in when the enter returns.
   *
   * @return each one's result: bytes sent or a negative errno (ECANCELED behind a failure)
   */
  int[] send(int fd, SendSlots s, int n) {
    Ring r = ring();
    for (int i = 0; i < n; i++) {
      MemorySegment sqe = r.sqe();
      sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_OPCODE, (byte) Ring.OP_SENDMSG);
      sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_FLAGS, (byte) (i < n - 1 ? Ring.SQE_IO_LINK : 0));
      sqe.set(INT, Ring.SQE_FD, fd);
      sqe.set(LONG, Ring.SQE_ADDR, s.header(i));
      sqe.set(INT, Ring.SQE_LEN, 1);
      sqe.set(INT, Ring.SQE_OP_FLAGS, 0x40); // MSG_DONTWAIT
      sqe.set(LONG, Ring.SQE_USER_DATA, ((long) i << 8) | OP_SEND);
      sendRes[i] = Errno.ECANCELED;
    }
    sendDone = 0;
    int rc = r.submit();
    while (true) {
      if (rc < 0 && rc != Errno.EINTR && rc != ETIME && rc != Errno.EAGAIN && rc != EBUSY) {
        throw new SysError(rc);
      }
      reap();
      if (sendDone >= n) {
        return sendRes;
      }
      rc = r.enter(1, -1); // not expected with MSG_DONTWAIT: a send punted to a worker
    }
  }

  // ------------------------------------------------------------------ poll

  @Override
  public int poll(long timeoutMillis) {
    if (closed) {
      return 0;
    }
    Ring r = ring();
    if (!epollArmed) {
      MemorySegment sqe = r.sqe();
      sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_OPCODE, (byte) Ring.OP_POLL_ADD);
      sqe.set(INT, Ring.SQE_FD, epfd);
      sqe.set(INT, Ring.SQE_OP_FLAGS, POLLIN);
      sqe.set(LONG, Ring.SQE_USER_DATA, OP_EPOLL);
      epollArmed = true;
    }
    for (int i = 0; i < rearmCount; i++) {
      rearm[i].rearmIfNeeded();
      rearm[i] = null;
    }
    rearmCount = 0;
    bufs.publish();
    int rc;
    if (readyCount > 0 || epollReady || timeoutMillis == 0) {
      rc = r.enter(0, 0L);
    } else {
      rc = r.enter(1, timeoutMillis < 0 ? -1L : timeoutMillis * 1_000_000L);
    }
    if (rc < 0 && rc != ETIME && rc != Errno.EINTR && rc != Errno.EAGAIN && rc != EBUSY) {
      throw new SysError(rc == EEXIST ? Errno.EINVAL : rc); // EEXIST: a thread other than the ring's
    }
    reap();
    int dispatched = 0;
    if (epollReady) {
      epollReady = false;
      dispatched += epoll.poll(0);
    }
    for (int n = readyCount; n > 0 && readyCount > 0; n--) {
      UringUdpKernel k = ready[readyHead];
      ready[readyHead] = null;
      readyHead = (readyHead + 1) % ready.length;
      readyCount--;
      k.inReadyList = false;
      if (k.wantsRecv() && k.hasQueued()) {
        k.dispatchReadable();
        dispatched++;
        if (k.wantsRecv() && k.hasQueued()) {
          markReady(k); // the handle's cap per wake-up left some: the next poll does not wait
        }
      }
    }
    return dispatched;
  }

  /** Reads every completion the CQ holds. */
  private void reap() {
    Ring r = ring;
    int head = r.cqHead();
    int tail = r.cqTail();
    while (head != tail) {
      for (; head != tail; head++) {
        long ud = r.cqeUserData(head);
        int res = r.cqeRes(head);
        int flags = r.cqeFlags(head);
        switch ((int) ud & 0xff) {
          case OP_RECV -> {
            int slot = (int) (ud >>> 16) & 0xffff;
            UringUdpKernel k = slot < kernels.length ? kernels[slot] : null;
            if (k == null || k.generation != (int) (ud >>> 32)) {
              if ((flags & Ring.CQE_F_BUFFER) != 0) {
                bufs.put(flags >>> Ring.CQE_BUFFER_SHIFT); // a closed socket's late datagram
              }
            } else if (k.onRecvCompletion(res, flags) && k.wantsRecv()) {
              markReady(k);
            }
          }
          case OP_SEND -> {
            sendRes[(int) (ud >>> 8) & 0xff] = res;
            sendDone++;
          }
          case OP_EPOLL -> {
            epollArmed = false;
            epollReady = true;
          }
          default -> { } // a cancel's own completion
        }
      }
      r.cqAdvance(head);
      tail = r.cqTail();
    }
    bufs.publish();
  }

  @Override
  public void wakeup() {
    epoll.wakeup();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ring != null) {
      // Cancel every receive before the buffers they write into are freed. With SINGLE_ISSUER
      // only the ring's thread may enter; from another thread closing the ring cancels them.
      MemorySegment sqe = ring.sqe();
      sqe.set(ValueLayout.JAVA_BYTE, Ring.SQE_OPCODE, (byte) Ring.OP_ASYNC_CANCEL);
      sqe.set(INT, Ring.SQE_FD, -1);
      sqe.set(INT, Ring.SQE_OP_FLAGS, ASYNC_CANCEL_ANY);
      sqe.set(LONG, Ring.SQE_USER_DATA, OP_CANCEL);
      ring.submit();
      ring.close();
    }
    epoll.close();
    arena.close();
  }

  /** The loop's context as the linux kernels see it: the same, but with the epoll poller. */
  private record EpollContext(LoopContext ctx, Poller epoll) implements LoopContext {
    @Override
    public Transport transport() {
      return ctx.transport();
    }

    @Override
    public Poller poller() {
      return epoll;
    }

    @Override
    public boolean inLoop() {
      return ctx.inLoop();
    }

    @Override
    public void execute(Runnable task) {
      ctx.execute(task);
    }

    @Override
    public void nextTick(Runnable task) {
      ctx.nextTick(task);
    }

    @Override
    public void atPhaseEnd(Runnable task) {
      ctx.atPhaseEnd(task);
    }

    @Override
    public boolean moreTasksQueued() {
      return ctx.moreTasksQueued();
    }

    @Override
    public void refHandle() {
      ctx.refHandle();
    }

    @Override
    public void unrefHandle() {
      ctx.unrefHandle();
    }

    @Override
    public void reqStart() {
      ctx.reqStart();
    }

    @Override
    public void reqDone() {
      ctx.reqDone();
    }

    @Override
    public ByteBuffer recvBuffer() {
      return ctx.recvBuffer();
    }

    @Override
    public void track(AutoCloseable owner) {
      ctx.track(owner);
    }

    @Override
    public void untrack(AutoCloseable owner) {
      ctx.untrack(owner);
    }

    @Override
    public boolean isOpen() {
      return ctx.isOpen();
    }

    @Override
    public void uncaught(Throwable error) {
      ctx.uncaught(error);
    }
  }
}
