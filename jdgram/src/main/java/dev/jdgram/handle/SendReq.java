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

  // A request is used by the loop thread only. Most are made for one send and dropped; a pooled
  // one (from the handle's SendSlots) owns a native slot and is filled again for each send, so
  // its fields other than the slot are not final.

  /** The whole datagram, position to limit. */
  public ByteBuffer data;
  /**
   * Where those bytes are in native memory, for a transport that hands the kernel an address
   * (no copy at send time); 0 when they are only in {@link #data} (a Java heap buffer).
   */
  public long address;
  /** Destination, or null on a connected handle. */
  public InetSocketAddress dest;
  /** Whom to tell. */
  public Completion completion;
  /** The datagram's size, fixed while queued, for queue accounting. */
  public int size;
  /** What the datagram asks of the kernel beyond bytes and destination, or null. */
  public SendInfo info;
  /** The socket layer's own for this send (on a pooled request: whom the completion tells), or null. */
  public Object attachment;
  /** The outcome, once known: bytes sent, or a negative errno (set by {@link WriteQueue}). */
  public int status = PENDING;
  /** The pool this request goes back to once completed; null for a request made for one send. */
  final SendSlots home;

  public SendReq(ByteBuffer data, InetSocketAddress dest, Completion completion) {
    this(data, dest, completion, null);
  }

  public SendReq(ByteBuffer data, InetSocketAddress dest, Completion completion, SendInfo info) {
    this.data = data;
    this.dest = dest;
    this.completion = completion;
    this.size = data.remaining();
    this.info = info;
    this.home = null;
  }

  /** A request over native memory that stays put until it completes (a batch's datagram). */
  SendReq(ByteBuffer data, long address, InetSocketAddress dest, Completion completion, SendInfo info) {
    this(data, dest, completion, info);
    this.address = address;
  }

  /** A pooled request owning the native slot {@code slot} at {@code address}. */
  SendReq(SendSlots home, ByteBuffer slot, long address) {
    this.home = home;
    this.data = slot;
    this.address = address;
  }

  /** After its completion ran: a pooled request goes back to its pool, emptied. */
  void recycle() {
    if (home != null) {
      dest = null;
      completion = null;
      info = null;
      attachment = null;
      status = PENDING;
      home.release(this);
    }
  }
}
