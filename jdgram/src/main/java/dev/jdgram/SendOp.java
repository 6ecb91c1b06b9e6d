package dev.jdgram;

import dev.jdgram.SocketState.ConnectState;
import dev.jdgram.SocketState.QueuedOp;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.UdpHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One datagram on its way: look-up, block list, high-water mark, handle, callback (exactly
 * once). A class of its own because a send outlives the call that made it: it may wait in the
 * socket's queue for {@code listening} or for {@code connect}, then for its look-up, then for
 * the kernel.
 */
final class SendOp implements QueuedOp, SendReq.Completion {
  private final DgramSocket socket;
  private final LoopContext ctx;
  private final SocketOptions options;
  final ByteBuffer data;
  final int port; // -1: to the connected peer
  final String address;
  final SendCallback callback;
  /** The datagram's own TOS, TTL, source, or null (set before the op starts). */
  SendInfo info;
  String shownAddress;
  /** Counted in the socket's SendsUnderway until the send reaches the handle or ends. */
  private boolean onItsWay;

  SendOp(DgramSocket socket, ByteBuffer data, int port, String address, SendCallback callback) {
    this.socket = socket;
    this.ctx = socket.ctx();
    this.options = socket.options();
    this.data = data;
    this.port = port;
    this.address = address;
    this.callback = callback;
  }

  /** The send was accepted: until it reaches the handle, later sends wait behind it. */
  void setOff() {
    onItsWay = socket.sendsUnderway.setOff();
  }

  private void arrived() {
    onItsWay = socket.sendsUnderway.arrived(onItsWay);
  }

  @Override
  public void run() {
    if (port < 0) {
      // Flushed from the bind queue: the connect queued before it may still be on its way.
      ConnectState cs = socket.connectStateOrWait(this);
      if (cs == ConnectState.CONNECTING) {
        return;
      }
      if (cs == ConnectState.DISCONNECTED) {
        ctx.execute(() -> complete(Errors.notConnected(), 0));
      } else if (ctx.inLoop()) {
        // Node sends to the connected peer at once, inside send() (no look-up to wait for):
        // so does jdgram on the loop thread, without a task per datagram
        submitNow();
      } else {
        ctx.execute(() -> submit(null));
      }
      return;
    }
    String target = address == null ? (socket.ipv6() ? "::1" : "127.0.0.1") : address;
    shownAddress = target;
    socket.resolver().destination(target, port, socket.sendDestination(), options.sendBlockList,
        (err, dest) -> {
          if (err != null) {
            complete(err, 0);
          } else {
            submit(dest);
          }
        });
  }

  /**
   * {@link #submit} to the connected peer from inside the caller's {@code send()}: the rare
   * refusals (no handle, the high-water mark) complete on the next tick, so that a callback
   * never runs before {@code send()} has returned.
   */
  private void submitNow() {
    UdpHandle h = socket.handle();
    if (h == null || !socket.belowHighWaterMark(h, data.remaining())) {
      ctx.nextTick(() -> submit(null));
      return;
    }
    arrived();
    h.send(new SendReq(data, null, this, info));
  }

  /** On the loop thread. */
  void submit(InetSocketAddress dest) {
    UdpHandle h = socket.handle();
    if (h == null) {
      complete(Errors.notRunning(), 0);
      return;
    }
    if (!socket.belowHighWaterMark(h, data.remaining())) {
      // bounded: refuse rather than buffer without limit
      complete(Errors.withHostPort(Errno.ENOBUFS, "send", shownAddress, port), 0);
      socket.refusedAtHighWaterMark(h);
      return;
    }
    arrived();
    h.send(new SendReq(data, dest, this, info));
  }

  @Override
  public void onComplete(SendReq req, int status) {
    if (status >= 0) {
      socket.counters().sent(1, status);
      complete(null, status);
    } else {
      complete(Errors.withHostPort(status, "send", shownAddress, port), 0);
    }
  }

  @Override
  public void fail(DgramException error) {
    arrived();
    socket.counters().sendError(error.code());
    if (callback != null) {
      socket.observeError(error);
      socket.invoke(() -> callback.onSent(error, 0));
    } // without a callback, the error that failed the queue was emitted already
  }

  private void complete(DgramException error, int bytes) {
    arrived();
    if (error != null) {
      socket.counters().sendError(error.code());
    }
    if (callback != null) {
      if (error != null) {
        socket.observeError(error);
      }
      socket.invoke(() -> callback.onSent(error, bytes));
    } else if (error != null) {
      socket.emitError(error); // Node drops it silently; jdgram never swallows an error
    }
  }
}
