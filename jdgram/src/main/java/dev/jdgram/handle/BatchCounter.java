package dev.jdgram.handle;

/**
 * Folds the completions of a batch's datagrams, sent one request each, into the batch's one
 * completion: how many were sent, and the first error. Loop thread only.
 */
public final class BatchCounter implements SendReq.Completion {
  /** Told once when every datagram of the batch is done. */
  @FunctionalInterface
  public interface Done {
    /**
     * @param sent datagrams the kernel took
     * @param errno 0, or the first negative errno met
     */
    void onBatchComplete(int sent, int errno);

    /** The same, reported on a later tick (a transport that finished the batch at once). */
    default void completeLater(LoopContext ctx, int sent, int errno) {
      ctx.nextTick(() -> onBatchComplete(sent, errno));
    }
  }

  private final Done done;
  private int remaining;
  private int sent;
  private int errno;
  private boolean stopped;

  /**
   * @param alreadySent datagrams of the batch the kernel took before the rest were queued
   * @param remaining the datagrams still to complete
   */
  public BatchCounter(int alreadySent, int remaining, Done done) {
    this.sent = alreadySent;
    this.remaining = remaining;
    this.done = done;
  }

  /** The batch stopped before its last {@code k} datagrams: they will not complete. */
  public void skip(int k) {
    remaining -= k;
    if (remaining == 0) {
      done.onBatchComplete(sent, errno);
    }
  }

  @Override
  public boolean cancelled() {
    return stopped; // a batch stops at its first failed datagram
  }

  @Override
  public void failing(int status) {
    stopped = true;
  }

  @Override
  public void onComplete(SendReq req, int status) {
    if (status >= 0) {
      sent++;
    } else if (errno == 0) {
      errno = status;
    }
    if (--remaining == 0) {
      done.onBatchComplete(sent, errno);
    }
  }
}
