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
 *
 * <p>A batch carries one for its whole life and it is refilled at every send (a batch is sent by
 * one call at a time), and a send made on the loop thread to a remembered destination goes
 * straight to the handle: in steady state a batch send allocates nothing.
 */
final class BatchOp implements QueuedOp, BatchCounter.Done, Runnable {
  final DatagramBatch batch;
  private DgramSocket socket;
  private LoopContext ctx;
  private SocketOptions options;
  private int port; // -1: the connected peer
  private String address;
  private BatchCallback callback;
  private InetSocketAddress dest; // for run() as a task: submit there
  private DgramException outcome; // for deliver() on a later tick
  private int sent;
  private final Runnable deliver = this::deliver;
  /** Counted in the socket's SendsUnderway until the batch reaches the handle or ends. */
  private boolean onItsWay;

  BatchOp(DatagramBatch batch) {
    this.batch = batch;
  }

  /** Refills the op for one send; the batch is in flight from here until the callback. */
  BatchOp prepare(DgramSocket socket, int port, String address, BatchCallback callback) {
    this.socket = socket;
    this.ctx = socket.ctx();
    this.options = socket.options();
    this.port = port;
    this.address = address;
    this.callback = callback;
    return this;
  }

  /** The batch was accepted: until it reaches the handle, later sends wait behind it. */
  void setOff() {
    onItsWay = socket.sendsUnderway.setOff();
  }

  private void arrived() {
    onItsWay = socket.sendsUnderway.arrived(onItsWay);
  }

  /** As a queued op (flushed on the loop), or as a task handed to the loop by {@link #go}. */
  @Override
  public void run() {
    if (dest != null) {
      InetSocketAddress d = dest;
      dest = null;
      submit(d);
      return;
    }
    start();
  }

  /** Resolves the destination (or takes the remembered one) and hands the batch over. */
  void start() {
    if (port < 0) {
      go(null);
      return;
    }
    String target = address == null ? (socket.ipv6() ? "::1" : "127.0.0.1") : address;
    BatchDestination memory = socket.batchDestination();
    InetSocketAddress cached = options.sendBlockList == null && socket.resolver().literalsAreFinal()
        ? memory.get(target, port) : null;
    if (cached != null) {
      go(cached);
      return;
    }
    socket.resolver().destination(target, port, memory, options.sendBlockList, (err, d) -> {
      if (err != null) {
        finish(err, 0);
      } else {
        submit(d);
      }
    });
  }

  private void go(InetSocketAddress d) {
    if (ctx.inLoop()) {
      submit(d);
    } else {
      dest = d;
      ctx.execute(this);
    }
  }

  /** On the loop thread. */
  void submit(InetSocketAddress d) {
    arrived();
    UdpHandle h = socket.handle();
    // submit may run inside the caller's send(): every outcome from here is reported later
    if (h == null) {
      later(Errors.notRunning(), 0);
      return;
    }
    if (batch.nat.count() == 0) {
      later(null, 0);
      return;
    }
    if (!socket.belowHighWaterMark(h, batch.nat.bytes())) {
      later(Errors.withHostPort(Errno.ENOBUFS, "send", address, port), 0);
      socket.refusedAtHighWaterMark(h);
      return;
    }
    h.sendBatch(batch.nat, d, this);
  }

  @Override
  public void onBatchComplete(int sentCount, int errno) {
    finish(errno == 0 ? null : Errors.withHostPort(errno, "send", address, port), sentCount);
  }

  @Override
  public void completeLater(LoopContext loop, int sentCount, int errno) {
    later(errno == 0 ? null : Errors.withHostPort(errno, "send", address, port), sentCount);
  }

  private void later(DgramException error, int sentCount) {
    outcome = error;
    sent = sentCount;
    ctx.nextTick(deliver);
  }

  private void deliver() {
    finish(outcome, sent);
  }

  @Override
  public void fail(DgramException error) {
    finish(error, 0);
  }

  /** The socket's counters: what the kernel took (the first {@code sentCount}), and the error. */
  private void count(DgramException error, int sentCount) {
    SocketCounters c = socket.counters();
    if (sentCount > 0) {
      long bytes = 0;
      if (sentCount == batch.nat.count()) {
        bytes = batch.nat.bytes();
      } else {
        for (int i = 0; i < sentCount; i++) {
          bytes += batch.nat.length(i);
        }
      }
      c.sent(sentCount, bytes);
    }
    if (error != null) {
      c.sendError(error.code());
    }
  }

  private void finish(DgramException error, int sentCount) {
    arrived();
    BatchCallback cb = callback;
    count(error, sentCount);
    batch.end(); // from here the batch (and this op) may be sent again, even by the callback
    if (cb != null) {
      if (error != null) {
        socket.observeError(error);
      }
      try {
        cb.onSent(error, sentCount);
      } catch (Throwable t) {
        ctx.uncaught(t);
      }
    } else if (error != null) {
      socket.emitError(error);
    }
  }
}
