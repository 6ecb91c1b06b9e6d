package dev.jdgram.observe;

/**
 * What a UDP handle records: one {@link ReceiveBatchEvent} per wake-up that read datagrams, and
 * one {@link SendFlushEvent} per system call that handed datagrams to the kernel. Loop thread.
 *
 * <p>The handle calls, in its receive path ({@code uv__udp_recvmsg}'s place: the method that
 * reads up to its cap of datagrams per wake-up and delivers each to the listener):
 * <pre>{@code
 * ReceiveBatchEvent batch = HandleEvents.recvBatchBegin(); // first line: null when disabled
 * int datagrams = 0; long bytes = 0;
 * ... for each datagram delivered: datagrams++; bytes += len; listener.onRecv(...) ...
 * HandleEvents.recvBatchEnd(batch, transportName, datagrams, bytes); // on every way out (finally)
 * }</pre>
 * and around each system call that sends ({@code sendmsg}, {@code sendmmsg}, a GSO send, the
 * simulated kernel's send), in the write-queue flush ({@code uv__udp_sendmsg}'s place):
 * <pre>{@code
 * SendFlushEvent flush = HandleEvents.sendFlushBegin();    // just before the call
 * int r = sendmmsg(...);
 * HandleEvents.sendFlushEnd(flush, transportName, "sendmmsg", offered, sent, sentBytes, r);
 * }</pre>
 * When the events are disabled (the default), each call is a static-final load and an
 * {@code isEnabled()} check: no clock read, no allocation, no counting needed beyond what the
 * handle keeps anyway (the counting of {@code datagrams} and {@code bytes} may be skipped when
 * {@code batch == null}).
 */
public final class HandleEvents {
  private HandleEvents() {}

  /** @return the receive batch event, begun, or null when it is not being recorded */
  public static ReceiveBatchEvent recvBatchBegin() {
    if (!Jfr.on(Jfr.RECEIVE_BATCH)) {
      return null;
    }
    ReceiveBatchEvent e = new ReceiveBatchEvent();
    e.begin();
    return e;
  }

  /**
   * Ends and commits (above the thresholds) a batch begun by {@link #recvBatchBegin()}; nothing
   * for null, or for a wake-up that delivered no datagram.
   *
   * @param e the event, or null
   * @param transport the transport's name ({@code linux}, {@code nio}, {@code sim})
   * @param datagrams datagrams delivered in this wake-up
   * @param bytes their bytes
   */
  public static void recvBatchEnd(ReceiveBatchEvent e, String transport, int datagrams, long bytes) {
    if (e == null || datagrams == 0) {
      return;
    }
    e.end();
    e.datagrams = datagrams;
    e.bytes = bytes;
    if (e.shouldCommit()) {
      e.transport = transport;
      e.commit();
    }
  }

  /** @return the send flush event, begun, or null when it is not being recorded */
  public static SendFlushEvent sendFlushBegin() {
    if (!Jfr.on(Jfr.SEND_FLUSH)) {
      return null;
    }
    SendFlushEvent e = new SendFlushEvent();
    e.begin();
    return e;
  }

  /**
   * Ends and commits (above the thresholds) a call begun by {@link #sendFlushBegin()}; nothing
   * for null.
   *
   * @param e the event, or null
   * @param transport the transport's name
   * @param syscall the call ({@code "sendmsg"}, {@code "sendmmsg"}, ...)
   * @param offered datagrams handed to the call
   * @param sent datagrams the kernel took
   * @param bytes their bytes
   * @param result the call's return value (a negative errno on failure)
   */
  public static void sendFlushEnd(SendFlushEvent e, String transport, String syscall, int offered, int sent,
      long bytes, long result) {
    if (e == null) {
      return;
    }
    e.end();
    e.offered = offered;
    if (e.shouldCommit()) {
      e.transport = transport;
      e.syscall = syscall;
      e.datagrams = sent;
      e.bytes = bytes;
      e.result = result;
      e.commit();
    }
  }
}
