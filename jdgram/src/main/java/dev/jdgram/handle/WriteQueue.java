package dev.jdgram.handle;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A handle's {@code write_queue} and {@code write_completed_queue}, as libuv keeps them: sends
 * the kernel had no room for wait here in order; finished requests wait in the completed queue
 * and their callbacks run together on one next-tick, after the current callback (never inside
 * {@code send}). The queue only keeps and completes requests; when to try the kernel is the
 * handle's decision. Loop thread only, except the byte and datagram counts, which any thread reads.
 */
public final class WriteQueue {
  private final LoopContext ctx;
  // Two slots each to start (not the default 17): an idle socket holds 48 bytes here rather than
  // 168; a queue grows once to the longest burst it meets, and keeps that room.
  private final ArrayDeque<SendReq> pending = new ArrayDeque<>(1);
  private final ArrayDeque<SendReq> completed = new ArrayDeque<>(1);
  private final Runnable flusher = this::runCompleted;
  private boolean flushScheduled;
  private volatile int bytes;
  private volatile int count;

  public WriteQueue(LoopContext ctx) {
    this.ctx = ctx;
  }

  /** @return true when no send waits for the kernel */
  public boolean isEmpty() {
    return pending.isEmpty();
  }

  /** @return the oldest waiting send, or null */
  public SendReq peek() {
    return pending.peek();
  }

  /** @return the waiting sends, oldest first (for batching; do not modify) */
  public Iterator<SendReq> iterator() {
    return pending.iterator();
  }

  /** Queues a send the kernel could not take now; it keeps the loop alive until done. */
  public void enqueue(SendReq r) {
    pending.add(r);
    bytes += r.size;
    count++;
    ctx.reqStart();
  }

  /** Takes the oldest waiting send off the queue. */
  public SendReq dequeue() {
    SendReq r = pending.poll();
    if (r != null) {
      bytes -= r.size;
      count--;
      ctx.reqDone();
    }
    return r;
  }

  /** @return bytes waiting (any thread) */
  public int bytes() {
    return bytes;
  }

  /** @return datagrams waiting (any thread) */
  public int count() {
    return count;
  }

  /** Records the outcome of {@code r}; its completion runs on the next tick. */
  public void completeLater(SendReq r, int status) {
    r.status = status;
    if (status < 0) {
      r.completion.failing(status);
    }
    completed.add(r);
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.nextTick(flusher);
    }
  }

  /**
   * Completes, with {@link Errno#ECANCELED}, the waiting sends at the head of the queue that
   * no longer want to go (their batch stopped at an earlier datagram).
   */
  public void dropCancelledHead() {
    SendReq r;
    while ((r = pending.peek()) != null && r.completion.cancelled()) {
      completeLater(dequeue(), Errno.ECANCELED);
    }
  }

  /** Every waiting send completes with {@link Errno#ECANCELED} (the handle is closing). */
  public void cancelAll() {
    SendReq r;
    while ((r = dequeue()) != null) {
      completeLater(r, Errno.ECANCELED);
    }
  }

  private void runCompleted() {
    flushScheduled = false;
    for (int n = completed.size(); n > 0; n--) {
      SendReq r = completed.poll();
      try {
        r.completion.onComplete(r, r.status);
      } catch (RuntimeException e) {
        ctx.uncaught(e);
      }
      r.recycle(); // a pooled request is free again once told
    }
  }
}
