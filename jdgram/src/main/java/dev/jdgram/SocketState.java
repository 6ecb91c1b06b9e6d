package dev.jdgram;

import dev.jdgram.handle.UdpHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket's mutable state in one place, like Node's {@code this[kStateSymbol]}: the handle
 * (null once closed), {@code bindState}, {@code connectState}, and the queue of work waiting for
 * {@code listening}. Guarded by the socket's lock.
 */
final class SocketState {
  enum BindState { UNBOUND, BINDING, BOUND }

  enum ConnectState { DISCONNECTED, CONNECTING, CONNECTED }

  /** Work that waits for a state change: run it when the state arrives, or fail it. */
  interface QueuedOp {
    void run();

    void fail(DgramException error);
  }

  UdpHandle handle;
  BindState bindState = BindState.UNBOUND;
  ConnectState connectState = ConnectState.DISCONNECTED;
  /** Node's {@code state.queue}: work waiting for {@code listening}; null when none. */
  List<QueuedOp> queue;
  /** Sends without a destination made while connecting; they go once connected. */
  List<QueuedOp> connectQueue;
  boolean receiving;
  boolean refed = true;
  /**
   * How many pause requests hold the socket's reading off (a {@link DatagramPublisher} without
   * demand); the handle receives only at 0. The socket stays active for the loop's reference
   * count meanwhile: it is listening, only back-pressured.
   */
  int recvPauses;
  /** The kernel's drop count when the socket closed (-1: unknown), for stats() afterwards. */
  long dropsAtClose = -1;

  SocketState(UdpHandle handle) {
    this.handle = handle;
  }

  void enqueue(QueuedOp op) {
    if (queue == null) {
      queue = new ArrayList<>();
    }
    queue.add(op);
  }

  void enqueueUntilConnected(QueuedOp op) {
    if (connectQueue == null) {
      connectQueue = new ArrayList<>();
    }
    connectQueue.add(op);
  }

  List<QueuedOp> takeQueue() {
    List<QueuedOp> q = queue;
    queue = null;
    return q == null ? List.of() : q;
  }

  List<QueuedOp> takeConnectQueue() {
    List<QueuedOp> q = connectQueue;
    connectQueue = null;
    return q == null ? List.of() : q;
  }
}
