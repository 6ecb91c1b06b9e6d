package dev.jdgram;

import dev.jdgram.SocketState.QueuedOp;
import dev.jdgram.handle.BatchCounter;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.UdpHandle;
import java.net.InetSocketAddress;

/**
 * One batch on its way: destination (looked up once, then remembered in the socket's
 * {@link BatchDestination}), block list, high-water mark, handle, one callback. A class of its
 * own for the same reason as {@link SendOp}: it may wait for {@code listening} or
 * {@code connect}, then for the kernel; and it ends the batch exactly once, whatever happens.
 */
final class BatchOp implements QueuedOp, BatchCounter.Done {
  private final DgramSocket socket;
  private final LoopContext ctx;
  private final SocketOptions options;
  final DatagramBatch batch;
  final int port; // -1: the connected peer
  final String address;
  final BatchCallback callback;

  BatchOp(DgramSocket socket, DatagramBatch batch, int port, String address, BatchCallback callback) {
    this.socket = socket;
    this.ctx = socket.ctx();
    this.options = socket.options();
    this.batch = batch;
    this.port = port;
    this.address = address;
    this.callback = callback;
  }

  @Override
  public void run() {
    String target = port < 0 ? null : address == null ? (socket.ipv6() ? "::1" : "127.0.0.1") : address;
    if (target == null) {
      socket.onLoop(() -> submit(null));
      return;
    }
    socket.resolver().destination(target, port, socket.batchDestination(), options.sendBlockList,
        (err, dest) -> {
          if (err != null) {
            finish(err, 0);
          } else {
            submit(dest);
          }
        });
  }

  /** On the loop thread. */
  void submit(InetSocketAddress dest) {
    UdpHandle h = socket.handle();
    // submit may run inside the caller's send(): every outcome from here is reported later
    if (h == null) {
      ctx.nextTick(() -> finish(Errors.notRunning(), 0));
      return;
    }
    if (batch.nat.count() == 0) {
      ctx.nextTick(() -> finish(null, 0));
      return;
    }
    if ((long) h.blockedBytes() + batch.nat.bytes() > options.sendQueueHighWaterMark) {
      ctx.nextTick(() -> finish(Errors.withHostPort(Errno.ENOBUFS, "send", address, port), 0));
      socket.refusedAtHighWaterMark(h);
      return;
    }
    h.sendBatch(batch.nat, dest, this);
  }

  @Override
  public void onBatchComplete(int sent, int errno) {
    finish(errno == 0 ? null : Errors.withHostPort(errno, "send", address, port), sent);
  }

  @Override
  public void fail(DgramException error) {
    batch.end();
    if (callback != null) {
      socket.invoke(() -> callback.onSent(error, 0));
    }
  }

  private void finish(DgramException error, int sent) {
    batch.end();
    if (callback != null) {
      socket.invoke(() -> callback.onSent(error, sent));
    } else if (error != null) {
      socket.emitError(error);
    }
  }
}
