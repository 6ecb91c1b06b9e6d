package dev.jdgram.transport.uring;

import dev.jdgram.handle.SysError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: the submission and completion rings mapped from the kernel, the SQE
 * array, and {@code io_uring_enter}. Loop thread only (the ring is made with SINGLE_ISSUER and
 * DEFER_TASKRUN where the kernel takes them, which bind it to the thread that made it).
 *
 * <pre>
 * struct io_uring_params (120 bytes)            struct io_uring_sqe (64 bytes)
 *   0 sq_entries   4 cq_entries   8 flags          0 opcode(u8) 1 flags(u8) 2 ioprio(u16) 4 fd
 *  12 sq_thread_cpu 16 sq_thread_idle 20 features  8 off / addr2      16 addr
 *  24 wq_fd  28 resv[3]                            24 len             28 op flags (msg_flags, poll32_events)
 *  40 sq_off: head tail ring_mask ring_entries     32 user_data       40 buf_group(u16) 42 personality
 *             flags dropped array resv1 (u32 each), user_addr(u64)    44 file_index      48 addr3 56 pad
 *  80 cq_off: head tail ring_mask ring_entries   struct io_uring_cqe (16 bytes)
 *             overflow cqes flags resv1, user_addr   0 user_data  8 res(s32)  12 flags
 * </pre>
 */
final class Ring implements AutoCloseable {
  // <linux/io_uring.h>
  static final int SETUP_CQSIZE = 1 << 3;
  static final int SETUP_SUBMIT_ALL = 1 << 7;
  static final int SETUP_SINGLE_ISSUER = 1 << 12;
  static final int SETUP_DEFER_TASKRUN = 1 << 13;
  static final int FEAT_SINGLE_MMAP = 1;
  static final int FEAT_EXT_ARG = 1 << 8;
  static final int ENTER_GETEVENTS = 1;
  static final int ENTER_EXT_ARG = 1 << 3;
  static final long OFF_SQ_RING = 0L;
  static final long OFF_CQ_RING = 0x8000000L;
  static final long OFF_SQES = 0x10000000L;

  static final int OP_POLL_ADD = 6;
  static final int OP_SENDMSG = 9;
  static final int OP_RECVMSG = 10;
  static final int OP_ASYNC_CANCEL = 14;
  static final int SQE_IO_LINK = 1 << 2;
  static final int SQE_BUFFER_SELECT = 1 << 5;
  static final int RECV_MULTISHOT = 1 << 1;
  static final int CQE_F_BUFFER = 1;
  static final int CQE_F_MORE = 1 << 1;
  static final int CQE_BUFFER_SHIFT = 16;

  static final int SQE_SIZE = 64;
  static final int CQE_SIZE = 16;
  static final int SQE_OPCODE = 0;
  static final int SQE_FLAGS = 1;
  static final int SQE_IOPRIO = 2;
  static final int SQE_FD = 4;
  static final int SQE_OFF = 8;
  static final int SQE_ADDR = 16;
  static final int SQE_LEN = 24;
  static final int SQE_OP_FLAGS = 28;
  static final int SQE_USER_DATA = 32;
  static final int SQE_BUF_GROUP = 40;

  private static final int PARAMS_SIZE = 120;
  private static final int P_SQ_ENTRIES = 0;
  private static final int P_CQ_ENTRIES = 4;
  private static final int P_FLAGS = 8;
  private static final int P_FEATURES = 20;
  private static final int P_SQ_OFF = 40;
  private static final int P_CQ_OFF = 80;
  // offsets inside io_sqring_offsets / io_cqring_offsets
  private static final int O_HEAD = 0;
  private static final int O_TAIL = 4;
  private static final int O_RING_MASK = 8;
  private static final int O_SQ_ARRAY = 24;
  private static final int O_CQ_CQES = 20;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  /** Head and tail words are shared with the kernel: read with acquire, written with release. */
  private static final VarHandle SHARED_INT = ValueLayout.JAVA_INT.varHandle();

  final int fd;
  /** The setup flags the kernel took (DEFER_TASKRUN and SINGLE_ISSUER, or neither). */
  final int flags;
  private final MemorySegment cs;
  private final MemorySegment sqRing;
  private final MemorySegment cqRing; // the same mapping as sqRing with FEAT_SINGLE_MMAP
  private final MemorySegment sqes;
  private final long sqHead;
  private final long sqTail;
  private final int sqMask;
  private final int sqEntries;
  private final long cqHead;
  private final long cqTail;
  private final int cqMask;
  private final long cqes;
  private final MemorySegment waitArg;
  private final MemorySegment timespec;
  private int sqLocalTail; // SQEs written but not yet published
  private int sqPublished; // published but not yet handed over by io_uring_enter

  /**
   * @param entries SQ entries (a power of two)
   * @param cqEntries CQ entries (a power of two, more than {@code entries}): room for every
   *     buffer of the provided ring at once, so multishot receives never overflow it
   */
  Ring(Arena arena, int entries, int cqEntries) {
    cs = UringSyscalls.newCaptureState(arena);
    MemorySegment p = arena.allocate(PARAMS_SIZE, 8);
    int want = SETUP_CQSIZE | SETUP_SUBMIT_ALL | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN;
    int r = setup(p, entries, cqEntries, want);
    if (r == dev.jdgram.handle.Errno.EINVAL) {
      // a kernel before 6.1 has no DEFER_TASKRUN (before 6.0 no SINGLE_ISSUER): plain rings
      want = SETUP_CQSIZE | SETUP_SUBMIT_ALL;
      r = setup(p, entries, cqEntries, want);
    }
    if (r < 0) {
      throw new SysError(r);
    }
    fd = r;
    flags = want;
    int features = p.get(INT, P_FEATURES);
    if ((features & FEAT_EXT_ARG) == 0 || (features & FEAT_SINGLE_MMAP) == 0) {
      UringSyscalls.close(cs, fd);
      throw new SysError(dev.jdgram.handle.Errno.ENOTSUP); // before 5.11: the wait needs EXT_ARG
    }
    sqEntries = p.get(INT, P_SQ_ENTRIES);
    int cqN = p.get(INT, P_CQ_ENTRIES);
    long sqSize = p.get(INT, P_SQ_OFF + O_SQ_ARRAY) + 4L * sqEntries;
    long cqSize = p.get(INT, P_CQ_OFF + O_CQ_CQES) + (long) CQE_SIZE * cqN;
    int[] err = new int[1];
    sqRing = UringSyscalls.mmap(cs, Math.max(sqSize, cqSize), fd, OFF_SQ_RING, err);
    if (sqRing == null) {
      UringSyscalls.close(cs, fd);
      throw new SysError(err[0]);
    }
    cqRing = sqRing;
    sqes = UringSyscalls.mmap(cs, (long) SQE_SIZE * sqEntries, fd, OFF_SQES, err);
    if (sqes == null) {
      UringSyscalls.munmap(cs, sqRing);
      UringSyscalls.close(cs, fd);
      throw new SysError(err[0]);
    }
    sqHead = p.get(INT, P_SQ_OFF + O_HEAD);
    sqTail = p.get(INT, P_SQ_OFF + O_TAIL);
    sqMask = sqRing.get(INT, p.get(INT, P_SQ_OFF + O_RING_MASK));
    cqHead = p.get(INT, P_CQ_OFF + O_HEAD);
    cqTail = p.get(INT, P_CQ_OFF + O_TAIL);
    cqMask = cqRing.get(INT, p.get(INT, P_CQ_OFF + O_RING_MASK));
    cqes = p.get(INT, P_CQ_OFF + O_CQ_CQES);
    // The SQ index array maps slot i to SQE i, once: SQEs are used in ring order.
    long array = p.get(INT, P_SQ_OFF + O_SQ_ARRAY);
    for (int i = 0; i < sqEntries; i++) {
      sqRing.set(INT, array + 4L * i, i);
    }
    sqLocalTail = (int) SHARED_INT.getAcquire(sqRing, sqTail);
    waitArg = arena.allocate(24, 8); // io_uring_getevents_arg { u64 sigmask; u32 sigmask_sz; u32 min_wait_usec; u64 ts; }
    timespec = arena.allocate(16, 8);
  }

  private int setup(MemorySegment p, int entries, int cqEntries, int setupFlags) {
    p.fill((byte) 0);
    p.set(INT, P_FLAGS, setupFlags);
    p.set(INT, P_CQ_ENTRIES, cqEntries);
    return (int) UringSyscalls.syscall(cs, UringSyscalls.SYS_IO_URING_SETUP, entries, p.address(), 0, 0, 0, 0);
  }

  /** @return true if the kernel took DEFER_TASKRUN (completions are posted only inside {@link #enter}) */
  boolean deferTaskrun() {
    return (flags & SETUP_DEFER_TASKRUN) != 0;
  }

  /**
   * The next free SQE, zeroed; hands the pending ones to the kernel first when the ring is full.
   */
  MemorySegment sqe() {
    int head = (int) SHARED_INT.getAcquire(sqRing, sqHead);
    if (sqLocalTail - head >= sqEntries) {
      submit();
      head = (int) SHARED_INT.getAcquire(sqRing, sqHead);
      if (sqLocalTail - head >= sqEntries) {
        throw new SysError(dev.jdgram.handle.Errno.ENOBUFS);
      }
    }
    MemorySegment s = sqes.asSlice((long) (sqLocalTail & sqMask) * SQE_SIZE, SQE_SIZE);
    s.fill((byte) 0);
    sqLocalTail++;
    return s;
  }

  /** Publishes the SQEs written since the last call. @return how many wait for io_uring_enter */
  private int publish() {
    int n = sqLocalTail - (int) sqRing.get(INT, sqTail);
    if (n > 0) {
      SHARED_INT.setRelease(sqRing, sqTail, sqLocalTail);
      sqPublished += n;
    }
    return sqPublished;
  }

  /** @return true if SQEs wait to be handed to the kernel */
  boolean hasUnsubmitted() {
    return sqLocalTail != (int) sqRing.get(INT, sqTail) || sqPublished > 0;
  }

  /**
   * Hands pending SQEs to the kernel and, with DEFER_TASKRUN, runs the ring's deferred work so
   * that completions ready now are in the CQ when this returns. Never waits.
   *
   * @return 0 or a negative errno
   */
  int submit() {
    return enter(0, 0L);
  }

  /**
   * io_uring_enter: submits what is pending and waits for {@code minComplete} completions, at
   * most {@code timeoutNanos} (negative: no limit; 0 with minComplete 0: no wait).
   *
   * @return 0, or a negative errno (ETIME after the timeout, EINTR)
   */
  int enter(int minComplete, long timeoutNanos) {
    int toSubmit = publish();
    long arg = 0;
    int enterFlags = ENTER_GETEVENTS | ENTER_EXT_ARG;
    if (minComplete > 0 && timeoutNanos >= 0) {
      timespec.set(LONG, 0, timeoutNanos / 1_000_000_000L);
      timespec.set(LONG, 8, timeoutNanos % 1_000_000_000L);
      waitArg.set(LONG, 16, timespec.address());
    } else {
      waitArg.set(LONG, 16, 0L);
    }
    arg = waitArg.address();
    long r = UringSyscalls.syscall(cs, UringSyscalls.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, enterFlags, arg, 24);
    if (r >= 0) {
      sqPublished -= (int) Math.min(r, sqPublished);
      return 0;
    }
    return (int) r;
  }

  // ------------------------------------------------------------------ completions

  /** @return the CQ head (the first unread CQE's sequence number) */
  int cqHead() {
    return cqRing.get(INT, cqHead);
  }

  /** @return the CQ tail as the kernel last published it */
  int cqTail() {
    return (int) SHARED_INT.getAcquire(cqRing, cqTail);
  }

  long cqeUserData(int seq) {
    return cqRing.get(LONG, cqes + (long) (seq & cqMask) * CQE_SIZE);
  }

  int cqeRes(int seq) {
    return cqRing.get(INT, cqes + (long) (seq & cqMask) * CQE_SIZE + 8);
  }

  int cqeFlags(int seq) {
    return cqRing.get(INT, cqes + (long) (seq & cqMask) * CQE_SIZE + 12);
  }

  /** Gives the CQEs before {@code head} back to the kernel. */
  void cqAdvance(int head) {
    SHARED_INT.setRelease(cqRing, cqHead, head);
  }

  /** io_uring_register. @return its result or a negative errno */
  int register(int opcode, MemorySegment arg, int nrArgs) {
    return (int) UringSyscalls.syscall(cs, UringSyscalls.SYS_IO_URING_REGISTER, fd, opcode,
        arg.address(), nrArgs, 0, 0);
  }

  @Override
  public void close() {
    UringSyscalls.munmap(cs, sqes);
    UringSyscalls.munmap(cs, sqRing);
    UringSyscalls.close(cs, fd);
  }
}
