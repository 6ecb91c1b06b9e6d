package dev.jdgram.compat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Datagrams on their way from the event loop (which receives them) to {@code receive()} (which
 * blocks for them), bounded in bytes like a kernel socket buffer: a datagram that does not fit
 * is dropped and counted, never kept. A receiver blocks on a {@link Condition}, so a virtual
 * thread waiting here parks without holding its carrier.
 *
 * <p>The loop and the receiver meet once per turn of the loop, not once per datagram. The loop
 * collects what its I/O phase reads in a deque of its own ({@code pending}), and publishes it
 * after that phase (a task it runs then: {@code EventLoop.setImmediate}), into the shared
 * {@code arrived} under {@link #lock}. The receiver, when its own {@code taken} deque is empty,
 * swaps it with {@code arrived} under that lock, then hands out what it took without touching
 * the lock again. Receivers take turns through {@link #receiveLock}, so {@code taken} has one
 * reader at a time.
 *
 * <p>Waking a receiver that has caught up (an unpark, after the park before it; for a virtual
 * thread, its carrier going idle and being woken) is the dearest step on this path, so it is
 * rationed. A publish wakes the receiver when the loop's turn read the kernel dry (the next
 * turn, polled at once, found nothing more), or when {@link #WAKE_BYTES} are waiting, or after
 * {@link #MAX_DEFERRALS} turns. Under a flood the receiver then takes hundreds of datagrams per
 * wake-up instead of a batch or one; a lone datagram waits one more turn of the loop (a poll
 * that does not block), a few microseconds.
 */
final class ReceiveQueue {
  /**
   * What a queued datagram costs beyond its payload (the entry, the array header, the sender),
   * so that a flood of empty datagrams is bounded too, as the kernel charges each skb's truesize.
   */
  static final int ENTRY_OVERHEAD = 64;
  /** A publish wakes the receiver once this much waits (or a quarter of the capacity, if less). */
  static final long WAKE_BYTES = 64 * 1024;
  /** A publish wakes the receiver after this many turns of the loop that each read more. */
  static final int MAX_DEFERRALS = 8;

  /** One received datagram. */
  record Entry(byte[] data, InetAddress address, int port) {}

  /**
   * Guards {@code arrived}, {@code capacity} and {@code waiting}. Held only for bookkeeping:
   * never while calling into jdgram or user code, and given up while a receiver waits
   * ({@link Condition#awaitNanos}).
   */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private ArrayDeque<Entry> arrived = new ArrayDeque<>();
  private volatile long capacity;
  /** A receiver waits on {@link #changed}: only a publish that finds it so signals. */
  private boolean waiting;

  // Loop thread only: what its current turn read, not yet published.
  private ArrayDeque<Entry> pending = new ArrayDeque<>();
  private long pendingBytes;
  private boolean publishDue; // a publish is scheduled after this turn's I/O
  private int deferrals; // turns that published more while the receiver waited, unwoken
  /** Runs a task on the loop after its I/O phase ({@code EventLoop.setImmediate}). */
  private final Consumer<Runnable> afterIo;
  private final Runnable publish = this::publish;

  /**
   * One receiver at a time; the holder alone touches the fields below it. Never taken by the
   * loop thread, which must never wait for a receiver.
   */
  private final ReentrantLock receiveLock = new ReentrantLock();
  private ArrayDeque<Entry> taken = new ArrayDeque<>();
  private long takenEpoch;

  /**
   * The bytes of the datagrams published and not yet handed out ({@code arrived} and
   * {@code taken}): a publish adds, a receiver subtracts as it hands each one out.
   */
  private final AtomicLong bytes = new AtomicLong();
  private volatile long dropped; // written by the loop thread only
  /** Bumped by {@link #clear}: what a receiver took before is flushed too. */
  private volatile long flushEpoch;
  private volatile boolean closed;
  private volatile IOException pendingError; // a receive error (an ICMP error on a connected socket)

  /**
   * @param capacity the bound in bytes
   * @param afterIo runs a task on the loop thread once the loop's current I/O phase is over
   */
  ReceiveQueue(long capacity, Consumer<Runnable> afterIo) {
    this.capacity = capacity;
    this.afterIo = afterIo;
  }

  private static long cost(Entry e) {
    return (long) e.data.length + ENTRY_OVERHEAD;
  }

  /** Loop thread. @return false if the datagram was dropped for want of room */
  boolean offer(byte[] data, InetAddress address, int port) {
    if (closed) {
      return false;
    }
    long cost = (long) data.length + ENTRY_OVERHEAD;
    if (bytes.get() + pendingBytes + cost > capacity) {
      dropped++; // (volatile, one writer)
      return false;
    }
    pending.addLast(new Entry(data, address, port));
    pendingBytes += cost;
    schedulePublish();
    return true;
  }

  private void schedulePublish() {
    if (!publishDue) {
      publishDue = true;
      afterIo.accept(publish);
    }
  }

  /** Loop thread, after its I/O phase: hands what the phase read to the receivers. */
  private void publish() {
    publishDue = false;
    boolean more = !pending.isEmpty();
    lock.lock();
    try {
      if (closed) {
        pending.clear();
        pendingBytes = 0;
        return;
      }
      if (more) {
        if (arrived.isEmpty()) {
          ArrayDeque<Entry> full = pending;
          pending = arrived; // empty: the two trade places
          arrived = full;
        } else {
          arrived.addAll(pending);
          pending.clear();
        }
        bytes.addAndGet(pendingBytes);
        pendingBytes = 0;
      }
      if (!waiting || arrived.isEmpty()) {
        deferrals = 0;
        return;
      }
      if (!more || bytes.get() >= Math.min(WAKE_BYTES, capacity / 4) || ++deferrals >= MAX_DEFERRALS) {
        deferrals = 0;
        waiting = false;
        changed.signal(); // the receiver takes all that arrived
        return;
      }
    } finally {
      lock.unlock();
    }
    // The turn read more and the receiver has not much to take yet: look again after the next
    // turn (whose poll does not block while this task is queued).
    schedulePublish();
  }

  /**
   * Waits for a datagram or an error.
   *
   * @param timeoutMillis 0 for no timeout
   * @return the oldest datagram
   * @throws SocketTimeoutException when the timeout passes first
   * @throws SocketException once closed
   * @throws IOException a pending receive error, reported once
   * @throws InterruptedIOException when the waiting thread is interrupted
   */
  Entry take(int timeoutMillis) throws IOException {
    long deadline = timeoutMillis == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      if (timeoutMillis == 0) {
        receiveLock.lockInterruptibly();
      } else if (!receiveLock.tryLock(TimeUnit.MILLISECONDS.toNanos(timeoutMillis), TimeUnit.NANOSECONDS)) {
        throw new SocketTimeoutException("Receive timed out"); // another receiver held it throughout
      }
    } catch (InterruptedException ie) {
      throw new InterruptedIOException("receive interrupted");
    }
    try {
      while (true) {
        if (closed) {
          taken.clear();
          throw new SocketException("Socket closed");
        }
        if (pendingError != null) {
          IOException e = takeError();
          if (e != null) {
            // the kernel reports sk_err before the queued datagrams (udp_recvmsg): so do we
            throw e;
          }
        }
        if (takenEpoch != flushEpoch) { // flushed (a connect) since this batch was taken
          discardTaken();
        }
        Entry e = taken.pollFirst();
        if (e != null) {
          bytes.addAndGet(-cost(e));
          return e;
        }
        refill(deadline);
      }
    } finally {
      receiveLock.unlock();
    }
  }

  /** Receiver, {@code taken} empty: swaps in what has arrived, waiting for something if need be. */
  private void refill(long deadline) throws IOException {
    lock.lock();
    try {
      while (arrived.isEmpty() && !closed && pendingError == null) {
        long nanos = deadline == 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (nanos <= 0) {
          throw new SocketTimeoutException("Receive timed out");
        }
        waiting = true;
        try {
          if (deadline == 0) {
            changed.await();
          } else {
            changed.awaitNanos(nanos);
          }
        } catch (InterruptedException ie) {
          throw new InterruptedIOException("receive interrupted");
        } finally {
          waiting = false;
        }
      }
      ArrayDeque<Entry> full = arrived;
      arrived = taken; // empty: the two deques trade places, nothing is allocated
      taken = full;
      takenEpoch = flushEpoch;
    } finally {
      lock.unlock();
    }
  }

  private IOException takeError() {
    lock.lock();
    try {
      IOException e = pendingError;
      pendingError = null;
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** Receiver: what it took before a flush goes, uncounted, as the rest of the flush. */
  private void discardTaken() {
    long freed = 0;
    for (Entry e : taken) {
      freed += cost(e);
    }
    taken.clear();
    bytes.addAndGet(-freed);
    takenEpoch = flushEpoch;
  }

  /**
   * Loop thread: drops what is queued (uncounted: the socket asked for it, as the JDK flushes on
   * connect).
   */
  void clear() {
    pending.clear();
    pendingBytes = 0;
    lock.lock();
    try {
      long freed = 0;
      for (Entry e : arrived) {
        freed += cost(e);
      }
      arrived.clear();
      bytes.addAndGet(-freed);
      // What a receiver took but has not handed out yet goes too: its next take drops it (and
      // frees its room then: until that take, the flushed datagrams still count against the bound).
      flushEpoch++;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@link #take} throws {@code error}. */
  void fail(IOException error) {
    lock.lock();
    try {
      pendingError = error;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a pending error (a disconnect dissolves what an ICMP error was about). */
  void clearError() {
    lock.lock();
    try {
      pendingError = null;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting receiver with "Socket closed" and refuses what still arrives. */
  void close() {
    lock.lock();
    try {
      closed = true;
      arrived.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (receiveLock.tryLock()) { // else the receiver holding it sees closed and clears them itself
      try {
        taken.clear();
      } finally {
        receiveLock.unlock();
      }
    }
  }

  void capacity(long bytes) {
    capacity = bytes;
  }

  long capacity() {
    return capacity;
  }

  long dropped() {
    return dropped;
  }
}
