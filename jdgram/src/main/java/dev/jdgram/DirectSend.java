package dev.jdgram;

import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.UdpHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The loop thread's sends that nothing waits ahead of: to the connected peer, or to the IP
 * literal the socket sent to last, on a bound socket, below the high-water mark. They go to the
 * handle inside {@code send()}, their bytes copied once, into the handle's native send slots;
 * no {@link SendOp}, no request object, no task and no lambda is made for them, so a loop that
 * keeps sending with one callback (or none) allocates nothing per datagram. Every other send
 * takes the general path ({@link SendOp}); while one of those is on its way
 * ({@link SendsUnderway}), this path stands aside so that sends reach the kernel,
 * and complete, in the order they were made.
 *
 * <p>One per socket. It is also the completion of its sends: the callback rides on the request.
 * Loop thread only.
 */
final class DirectSend implements SendReq.Completion {
  /** What an unconnected send's completion needs: the callback, and the address as written. */
  private record Ticket(SendCallback callback, String target, int port) {}

  private final DgramSocket socket;
  private final SocketCounters counters;
  /** The last ticket, reused while the callback and the destination stay the same. */
  private Ticket ticket;

  DirectSend(DgramSocket socket, SocketCounters counters) {
    this.socket = socket;
    this.counters = counters;
  }

  /**
   * {@code len} bytes of {@code msg} from {@code off} to the connected peer, if this path may
   * take it.
   *
   * @return false if the caller must send it the general way (which also raises the errors)
   */
  boolean toPeer(byte[] msg, int off, int len, SendInfo info, SendCallback callback) {
    UdpHandle h = handle(true, len);
    return h != null && h.sendCopy(msg, off, len, null, info, this, callback);
  }

  /** As {@link #toPeer(byte[], int, int, SendInfo, SendCallback)}, the remaining bytes of {@code msg}. */
  boolean toPeer(ByteBuffer msg, SendInfo info, SendCallback callback) {
    UdpHandle h = handle(true, msg.remaining());
    return h != null && h.sendCopy(msg, null, info, this, callback);
  }

  /**
   * {@code len} bytes of {@code msg} from {@code off} to {@code address}:{@code port}, if this
   * path may take it: the address is the literal the socket sent to last (its
   * {@link BatchDestination} holds it, resolved, and no block list must see it).
   */
  boolean to(byte[] msg, int off, int len, int port, String address, SendInfo info, SendCallback callback) {
    InetSocketAddress dest = remembered(address, port);
    UdpHandle h = dest == null ? null : handle(false, len);
    return h != null && h.sendCopy(msg, off, len, dest, info, this, ticket(callback, address, port));
  }

  /** As {@link #to(byte[], int, int, int, String, SendInfo, SendCallback)}, the remaining bytes of {@code msg}. */
  boolean to(ByteBuffer msg, int port, String address, SendInfo info, SendCallback callback) {
    InetSocketAddress dest = remembered(address, port);
    UdpHandle h = dest == null ? null : handle(false, msg.remaining());
    return h != null && h.sendCopy(msg, dest, info, this, ticket(callback, address, port));
  }

  /** @return the resolved destination the socket remembers for this literal, or null */
  private InetSocketAddress remembered(String address, int port) {
    return address == null ? null : socket.sendDestination().get(address, port);
  }

  /** @return the handle, if this path may take {@code len} bytes now (below the high-water mark too), or null */
  private UdpHandle handle(boolean toPeer, int len) {
    UdpHandle h = socket.directHandle(toPeer);
    return h != null && socket.belowHighWaterMark(h, len) ? h : null;
  }

  private Ticket ticket(SendCallback callback, String target, int port) {
    Ticket t = ticket;
    if (t == null || t.callback != callback || t.port != port || !t.target.equals(target)) {
      t = new Ticket(callback, target, port);
      ticket = t;
    }
    return t;
  }

  @Override
  public void onComplete(SendReq req, int status) {
    SendCallback callback;
    String target;
    int port;
    if (req.attachment instanceof Ticket t) {
      callback = t.callback;
      target = t.target;
      port = t.port;
    } else {
      callback = (SendCallback) req.attachment;
      target = null;
      port = -1;
    }
    if (status >= 0) {
      counters.sent(1, status);
      if (callback != null) {
        call(callback, null, status);
      }
      return;
    }
    // as SendOp reports a failed send: the code, the address as the caller wrote it
    DgramException error = Errors.withHostPort(status, "send", target, port);
    counters.sendError(error.code());
    if (callback != null) {
      socket.observeError(error);
      call(callback, error, 0);
    } else {
      socket.emitError(error);
    }
  }

  private void call(SendCallback callback, DgramException error, int bytes) {
    try {
      callback.onSent(error, bytes);
    } catch (Throwable t) {
      socket.ctx().uncaught(t);
    }
  }
}
