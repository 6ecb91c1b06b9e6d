package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jdgram.handle.PullReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A socket's datagrams read on the caller's thread: {@code recvmmsg} into a batch of the reader's
 * (the loop's batch is the loop thread's), handed out one per {@link #read}. One system call
 * brings up to {@link #BATCH} datagrams, where the JDK's socket makes one {@code recvfrom} per
 * datagram.
 *
 * <p>A reader holds a batch (512 KiB: 64 KiB per slot, any datagram fits whole, so a later read
 * into a larger packet gets all of it) only while the batch has datagrams not handed out, or
 * after a full one, when more are likely waiting; a batch the kernel could not fill goes back to
 * a pool shared by all readers once its last datagram is handed out. A program that opens a
 * socket per request (a DNS or NTP client, a TFTP transfer) so takes a batch made earlier, whose
 * pages are already mapped, and leaves it behind for the next socket, rather than make and fault
 * in half a megabyte per socket and leave it for the garbage collector to free. Batches beyond
 * the pool's {@link #POOL_MAX} are freed by the garbage collector, never explicitly: a batch is
 * never used by two readers at once, and one kept by a reader of a closed socket is freed with it.
 */
final class LinuxPullReader implements PullReader {
  /** Datagrams per {@code recvmmsg}: 512 KiB of buffers per batch. */
  static final int BATCH = 8;
  /** Batches kept for the next reader: 2 MiB of native memory at most, once made. */
  static final int POOL_MAX = 4;

  /**
   * A batch, the errno capture segment of its calls and its last sender: handed from reader to
   * reader whole. The sender is recognised by its sockaddr bytes, so a reader that takes the
   * batch over may use it as its own.
   */
  private static final class Batch {
    final RecvBatch recv;
    final MemorySegment cs;
    final MemorySegment lastName;
    int lastNameLen;
    InetSocketAddress lastSender;

    Batch(Arena arena) {
      recv = new RecvBatch(arena, BATCH);
      cs = Syscalls.newCaptureState(arena);
      lastName = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    }
  }

  private static final ConcurrentLinkedQueue<Batch> POOL = new ConcurrentLinkedQueue<>();
  /** Batches in {@link #POOL} (counted apart: the queue's size() walks it). */
  private static final AtomicInteger POOLED = new AtomicInteger();
  /** Batches made since the class was loaded. */
  private static final AtomicLong MADE = new AtomicLong();

  private final LinuxUdpKernel kernel;
  /** Null while this reader holds none. One thread at a time (the caller serializes readers). */
  private Batch batch;
  /** The batch's datagrams not handed out yet: from {@code next} to {@code count}. */
  private int next;
  private int count;
  private InetSocketAddress sender;

  LinuxPullReader(LinuxUdpKernel kernel) {
    this.kernel = kernel;
  }

  /** @return the batches made so far, by all readers: for tests of the pool */
  static long batchesMade() {
    return MADE.get();
  }

  @Override
  public int read(byte[] dst, int off, int length) {
    if (next == count) {
      if (batch == null) {
        batch = take();
      }
      int n = kernel.pull(batch.recv, batch.cs);
      if (n < 0) {
        give(); // nothing held while the kernel has nothing
        return n; // AGAIN, EBADF, or the error the kernel reports first (sk_err)
      }
      next = 0;
      count = n;
    }
    Batch bt = batch;
    RecvBatch b = bt.recv;
    int i = next++;
    int len = b.length(i); // a 64 KiB slot holds any datagram whole: never MSG_TRUNC
    sender = sender(bt, i);
    MemorySegment.copy(b.buffers, JAVA_BYTE, (long) RecvBatch.BUF_SIZE * i, dst, off, Math.min(len, length));
    if (next == count && count < BATCH) {
      give(); // the kernel had fewer than a batch: likely none left, and the socket may close now
    }
    return len;
  }

  @Override
  public InetSocketAddress sender() {
    return sender;
  }

  /** The sender, parsed once per flow: a datagram from the batch's last sender reuses its address. */
  private static InetSocketAddress sender(Batch bt, int i) {
    RecvBatch b = bt.recv;
    int nameLen = Math.min(b.nameLength(i), Structs.SOCKADDR_IN6_SIZE);
    long at = b.nameOffset(i);
    if (bt.lastSender != null && nameLen == bt.lastNameLen && SockAddr.same(b.names, at, bt.lastName, nameLen)) {
      return bt.lastSender;
    }
    MemorySegment.copy(b.names, at, bt.lastName, 0, nameLen);
    bt.lastNameLen = nameLen;
    return bt.lastSender = SockAddr.read(b.name(i));
  }

  private static Batch take() {
    Batch b = POOL.poll();
    if (b != null) {
      POOLED.decrementAndGet();
      return b;
    }
    MADE.incrementAndGet();
    return new Batch(Arena.ofAuto()); // any thread may read into it, one at a time
  }

  /** Hands the batch back (this reader touches it no more): to the pool, or to the collector. */
  private void give() {
    Batch b = batch;
    batch = null;
    next = count = 0;
    if (b == null) {
      return;
    }
    if (POOLED.incrementAndGet() <= POOL_MAX) {
      POOL.offer(b);
    } else {
      POOLED.decrementAndGet(); // the pool is full: the collector frees it
    }
  }
}
