package dev.jdgram.compat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Datagrams on their way from the event loop (which receives them) to {@code receive()} (which
 * blocks for them), bounded in bytes like a kernel socket buffer: a datagram that does not fit
 * is dropped and counted, never kept. A receiver blocks on a {@link Condition}, so a virtual
 * thread waiting here parks without holding its carrier.
 */
final class ReceiveQueue {
  /**
   * What a queued datagram costs beyond its payload (the entry, the array header, the sender),
   * so that a flood of empty datagrams is bounded too, as the kernel charges each skb's truesize.
   */
  static final int ENTRY_OVERHEAD = 64;

  /** One received datagram. */
  record Entry(byte[] data, InetAddress address, int port) {}

  /**
   * Guards every field below. Held only for bookkeeping: never while calling into jdgram or user
   * code, and given up while a receiver waits ({@link Condition#awaitNanos}).
   */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes;
  private long capacity;
  private long dropped;
  private boolean closed;
  private IOException pendingError; // a receive error (an ICMP error on a connected socket)

  ReceiveQueue(long capacity) {
    this.capacity = capacity;
  }

  /** Loop thread. @return false if the datagram was dropped for want of room */
  boolean offer(byte[] data, InetAddress address, int port) {
    long cost = (long) data.length + ENTRY_OVERHEAD;
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      if (bytes + cost > capacity) {
        dropped++;
        return false;
      }
      entries.addLast(new Entry(data, address, port));
      bytes += cost;
      changed.signal();
      return true;
    } finally {
      lock.unlock();
    }
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
    lock.lock();
    try {
      long nanos = timeoutMillis == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (true) {
        if (closed) {
          throw new SocketException("Socket closed");
        }
        if (pendingError != null) {
          // the kernel reports sk_err before the queued datagrams (udp_recvmsg): so do we
          IOException e = pendingError;
          pendingError = null;
          throw e;
        }
        Entry e = entries.pollFirst();
        if (e != null) {
          bytes -= (long) e.data.length + ENTRY_OVERHEAD;
          return e;
        }
        if (nanos <= 0) {
          throw new SocketTimeoutException("Receive timed out");
        }
        try {
          if (timeoutMillis == 0) {
            changed.await();
          } else {
            nanos = changed.awaitNanos(nanos);
          }
        } catch (InterruptedException ie) {
          throw new InterruptedIOException("receive interrupted");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops what is queued (uncounted: the socket asked for it, as the JDK flushes on connect). */
  void clear() {
    lock.lock();
    try {
      entries.clear();
      bytes = 0;
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
      entries.clear();
      bytes = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void capacity(long bytes) {
    lock.lock();
    try {
      capacity = bytes;
    } finally {
      lock.unlock();
    }
  }

  long capacity() {
    lock.lock();
    try {
      return capacity;
    } finally {
      lock.unlock();
    }
  }

  long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }
}
