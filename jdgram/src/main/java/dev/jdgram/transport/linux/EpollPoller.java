package dev.jdgram.transport.linux;

import static dev.jdgram.transport.linux.LinuxConstants.EFD_CLOEXEC;
import static dev.jdgram.transport.linux.LinuxConstants.EFD_NONBLOCK;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLLIN;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLL_CLOEXEC;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLL_CTL_ADD;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLL_CTL_DEL;
import static dev.jdgram.transport.linux.LinuxConstants.EPOLL_CTL_MOD;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.SysError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The poll phase over {@code epoll} (level-triggered, as libuv uses it), with an {@code eventfd}
 * for wake-ups from other threads. Also owns the loop's receive and send batches: the loop runs
 * one handle at a time and a datagram's buffer is valid only during its callback, so one set of
 * buffers per loop serves every socket on it (libuv's one slab per loop), whatever their number.
 */
final class EpollPoller implements Poller {
  /** What a registered descriptor's owner does when it is ready. */
  interface Watcher {
    /**
     * On the loop thread, with the ready events ({@code EPOLLIN}, {@code EPOLLOUT}, ...).
     *
     * @return true if it read up to its cap and very likely has more to read
     */
    boolean onReady(int events);
  }

  private static final int MAX_EVENTS = 256;
  /**
   * Polls in a row that may skip {@code epoll_wait} for a sole busy socket (see {@link #poll}):
   * 8 × 32 datagrams at most before the kernel is asked again which descriptors are ready.
   */
  static final int SOLE_REPEATS = 8;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final Arena arena = Arena.ofShared();
  /** errno capture for calls on the loop thread. */
  final MemorySegment cs = Syscalls.newCaptureState(arena);
  private final int epfd;
  private final int wakeFd;
  private final MemorySegment events;
  private final MemorySegment ctlEvent;
  private final MemorySegment wakeRead;
  private final MemorySegment wakeOne;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  // Mutable state. watchers and the batches: loop thread only. wakePending: any thread (the
  // wake-up's one write per poll). closed: written under this poller's monitor, which wakeup()
  // takes so that it never writes to a descriptor close() has given back.
  private Watcher[] watchers = new Watcher[256];
  private RecvBatch recvBatch;
  private SendBatch sendBatch;
  /** The one socket the last poll found ready that stopped at its cap (-1: none), and for how many polls. */
  private int soleFd = -1;
  private Watcher soleWatcher;
  private int soleRepeats;
  private volatile boolean closed;

  EpollPoller() {
    epfd = Syscalls.epollCreate1(cs, EPOLL_CLOEXEC);
    if (epfd < 0) {
      arena.close();
      throw new SysError(epfd);
    }
    wakeFd = Syscalls.eventfd(cs, 0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd < 0) {
      Syscalls.close(cs, epfd);
      arena.close();
      throw new SysError(wakeFd);
    }
    events = arena.allocate((long) MAX_EVENTS * Structs.EPOLL_EVENT_SIZE, 8);
    ctlEvent = arena.allocate(Structs.EPOLL_EVENT_SIZE, 8);
    wakeRead = arena.allocate(8, 8);
    wakeOne = arena.allocate(8, 8);
    wakeOne.set(LONG, 0, 1L);
    int r = ctl(EPOLL_CTL_ADD, wakeFd, EPOLLIN);
    if (r < 0) {
      close();
      throw new SysError(r);
    }
  }

  /** The loop's receive batch, made on first use. */
  RecvBatch recvBatch() {
    if (recvBatch == null) {
      recvBatch = new RecvBatch(arena, RecvBatch.configuredSize());
    }
    return recvBatch;
  }

  /** The loop's send batch, made on first use. */
  SendBatch sendBatch() {
    if (sendBatch == null) {
      sendBatch = new SendBatch(arena);
    }
    return sendBatch;
  }

  private int ctl(int op, int fd, int ev) {
    ctlEvent.set(INT, Structs.EPOLL_EVENTS, ev);
    ctlEvent.set(LONG, Structs.EPOLL_DATA, fd);
    return Syscalls.epollCtl(cs, epfd, op, fd, ctlEvent);
  }

  /** Registers {@code fd} with interest {@code ev}; @return 0 or a negative errno. */
  int add(int fd, Watcher w, int ev) {
    if (fd >= watchers.length) {
      watchers = Arrays.copyOf(watchers, Math.max(fd + 1, watchers.length * 2));
    }
    int r = ctl(EPOLL_CTL_ADD, fd, ev);
    if (r == 0) {
      watchers[fd] = w;
    }
    return r;
  }

  /** Changes the interest of a registered {@code fd}. */
  int modify(int fd, int ev) {
    return ctl(EPOLL_CTL_MOD, fd, ev);
  }

  /**
   * Forgets {@code fd}, before it is closed: events already fetched for it in this poll are
   * dropped, so a descriptor number reused at once is not woken for its predecessor.
   */
  void remove(int fd) {
    if (fd < watchers.length) {
      watchers[fd] = null;
    }
    ctl(EPOLL_CTL_DEL, fd, 0);
  }

  /**
   * One poll. When the last one found a single socket ready and that socket stopped reading at
   * its cap, level-triggered epoll would report it again at once: the poll reads it again
   * without the {@code epoll_wait}, up to {@value #SOLE_REPEATS} times in a row. The loop still
   * runs its timers, tasks and immediates between polls, as libuv's cap of 32 intends; what
   * waits is only another descriptor's turn, by at most that many batches (it is asked about
   * at the next real wait), so a sole flooded socket costs one system call fewer per batch.
   */
  @Override
  public int poll(long timeoutMillis) {
    if (soleFd >= 0) {
      Watcher w = soleFd < watchers.length ? watchers[soleFd] : null;
      if (w == soleWatcher && soleRepeats < SOLE_REPEATS) { // still registered, same owner
        soleRepeats++;
        if (!w.onReady(EPOLLIN)) {
          soleFd = -1;
          soleWatcher = null;
        }
        return 1;
      }
      soleFd = -1;
      soleWatcher = null;
    }
    int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
    int n = Syscalls.epollWait(cs, epfd, events, MAX_EVENTS, timeout);
    if (n < 0) {
      if (n == Errno.EINTR) {
        return 0;
      }
      throw new SysError(n);
    }
    int dispatched = 0;
    int capped = -1; // the descriptor of the last watcher that stopped at its cap
    Watcher cappedWatcher = null;
    for (int i = 0; i < n; i++) {
      long base = (long) i * Structs.EPOLL_EVENT_SIZE;
      int ev = events.get(INT, base + Structs.EPOLL_EVENTS);
      int fd = (int) events.get(LONG, base + Structs.EPOLL_DATA);
      if (fd == wakeFd) {
        // Read first, then re-arm: a wake-up between the two finds the flag still set and
        // writes nothing, and its task is drained after this poll anyway. The other order
        // could swallow a write and leave the flag set for good.
        Syscalls.read(cs, wakeFd, wakeRead, 8);
        wakePending.set(false);
        continue;
      }
      Watcher w = fd < watchers.length ? watchers[fd] : null;
      if (w != null) {
        if (w.onReady(ev)) {
          capped = fd;
          cappedWatcher = w;
        }
        dispatched++;
      }
    }
    if (dispatched == 1 && capped >= 0) {
      soleFd = capped;
      soleWatcher = cappedWatcher;
      soleRepeats = 0;
    }
    return dispatched;
  }

  @Override
  public void wakeup() {
    if (!closed && wakePending.compareAndSet(false, true)) {
      synchronized (this) { // never write to a descriptor number close() has given back
        if (!closed) {
          Syscalls.write(Syscalls.threadCaptureState(), wakeFd, wakeOne, 8);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Syscalls.close(cs, wakeFd);
    Syscalls.close(cs, epfd);
    arena.close();
  }
}
