package dev.jdgram.handle;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One send request ({@code uv_udp_send_t}): the datagram, where it goes, and who to tell.
 * Lives on the handle's write queue until the kernel took it or refused it.
 */
public final class SendReq {
  /** Told once, on the loop thread, when the request is done. */
  @FunctionalInterface
  public interface Completion {
    /**
     * @param req the request
     * @param status the bytes sent (0 or more), or a negative errno
     */
    void onComplete(SendReq req, int status);

    /**
     * @return true if the request should no longer be sent (a batch stopped at an earlier
     *     datagram); a queued request that says so completes with ECANCELED instead
     */
    default boolean cancelled() {
      return false;
    }

    /**
     * Told at once, before the completion runs, that this request failed: a batch learns it
     * must stop before its next datagram goes out.
     */
    default void failing(int status) {}
  }

  /** {@link #status} until the outcome is known. */
  public static final int PENDING = Integer.MIN_VALUE + 1;

  /** The whole datagram, position to limit. */
  public final ByteBuffer data;
  /** Destination, or null on a connected handle. */
  public final InetSocketAddress dest;
  /** Whom to tell. */
  public final Completion completion;
  /** The datagram's size, fixed at creation for queue accounting. */
  public final int size;
  /** What the datagram asks of the kernel beyond bytes and destination, or null. */
  public final SendInfo info;
  /** The outcome, once known: bytes sent, or a negative errno (set by {@link WriteQueue}). */
  public int status = PENDING;

  public SendReq(ByteBuffer data, InetSocketAddress dest, Completion completion) {
    this(data, dest, completion, null);
  }

  public SendReq(ByteBuffer data, InetSocketAddress dest, Completion completion, SendInfo info) {
    this.data = data;
    this.dest = dest;
    this.completion = completion;
    this.size = data.remaining();
    this.info = info;
  }
}
