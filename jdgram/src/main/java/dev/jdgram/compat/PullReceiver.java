package dev.jdgram.compat;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.PullReader;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code receive} reading the kernel on the caller's thread, as the JDK's socket does, where the
 * transport can ({@link UdpHandle#pullReader}; linux): no loop thread between the kernel and
 * the caller, no queue and no copy in between, and a system call per batch of datagrams rather
 * than one per datagram. When the kernel has nothing, the receiver asks the loop to tell it once
 * the socket is readable and parks on a {@link Condition}: a virtual thread unmounts, it never
 * holds its carrier in a system call.
 *
 * <p>One receiver reads at a time ({@link #lockReader}), and it keeps that turn while it waits,
 * as the JDK's read lock does.
 */
final class PullReceiver {
  /** The most datagrams a connect's flush discards. */
  private static final int FLUSH_MAX = 65_536;

  private final PullReader reader;
  private final EventLoop loop;
  private final ReentrantLock readLock = new ReentrantLock();

  /** Guards {@code told} and {@code asked}; the loop's {@link #onReadable} signals under it. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  /** Times the loop said "readable": a waiter waits for it to change. */
  private long told;
  /** A {@link UdpHandle#whenReadable} is asked for and not told yet: one at a time. */
  private boolean asked;
  private volatile boolean closed;
  private final Runnable ask;

  PullReceiver(PullReader reader, UdpHandle handle, EventLoop loop) {
    this.reader = reader;
    this.loop = loop;
    Runnable onReadable = this::onReadable;
    this.ask = () -> handle.whenReadable(onReadable);
  }

  /**
   * Takes the reader's turn, waiting for another receiver to finish.
   *
   * @param timeoutMillis SO_TIMEOUT, 0 for none
   * @throws SocketTimeoutException when another receiver held it throughout the timeout
   * @throws InterruptedIOException when the waiting thread is interrupted
   */
  void lockReader(int timeoutMillis) throws IOException {
    try {
      if (timeoutMillis == 0) {
        readLock.lockInterruptibly();
      } else if (!readLock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new SocketTimeoutException("Receive timed out");
      }
    } catch (InterruptedException ie) {
      throw new InterruptedIOException("receive interrupted");
    }
  }

  void unlockReader() {
    readLock.unlock();
  }

  /**
   * The next datagram, without waiting (the reader's turn held): as {@link PullReader#read}.
   *
   * @throws SocketException once closed
   */
  int read(byte[] dst, int off, int length) throws SocketException {
    if (closed) {
      throw new SocketException("Socket closed");
    }
    int n = reader.read(dst, off, length);
    if (n == Errno.EBADF) {
      throw new SocketException("Socket closed");
    }
    return n;
  }

  /** @return the sender of the datagram {@link #read} took last */
  InetSocketAddress sender() {
    return reader.sender();
  }

  /**
   * Waits (the reader's turn held) until the loop says the socket is readable.
   *
   * @param deadline {@link System#nanoTime} to give up at, 0 for never
   * @throws SocketTimeoutException when the deadline passes first
   * @throws InterruptedIOException when the waiting thread is interrupted
   * @throws SocketException once closed
   */
  void awaitReadable(long deadline) throws IOException {
    lock.lock();
    try {
      long seen = told;
      if (!asked && !closed) {
        asked = true;
        try {
          loop.execute(ask);
        } catch (RuntimeException e) {
          closed = true; // the loop is closed: so is the socket
        }
      }
      while (told == seen && !closed) {
        if (deadline == 0) {
          readable.await();
        } else {
          long nanos = deadline - System.nanoTime();
          if (nanos <= 0) {
            throw new SocketTimeoutException("Receive timed out");
          }
          readable.awaitNanos(nanos);
        }
      }
    } catch (InterruptedException ie) {
      throw new InterruptedIOException("receive interrupted");
    } finally {
      lock.unlock();
    }
    if (closed) {
      throw new SocketException("Socket closed");
    }
  }

  /** Loop thread: the socket is readable (or has an error a read reports). */
  private void onReadable() {
    lock.lock();
    try {
      asked = false;
      told++;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * What the kernel holds now goes, unread: the JDK flushes a socket's buffer when it connects.
   * Done only if no receiver holds the turn; one that does waits for a datagram that arrives
   * after this (the connect) anyway, and one from another sender is filtered by the caller.
   */
  void flush() {
    if (!readLock.tryLock()) {
      return;
    }
    try {
      byte[] scratch = new byte[1];
      // bounded: a flood that keeps coming is not all from before the connect
      for (int k = 0; k < FLUSH_MAX && !closed && reader.read(scratch, 0, 0) >= 0; k++) {
        // discarded
      }
    } finally {
      readLock.unlock();
    }
  }

  /** Wakes every waiting receiver, which then reports the socket closed. Any thread. */
  void close() {
    lock.lock();
    try {
      closed = true;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
