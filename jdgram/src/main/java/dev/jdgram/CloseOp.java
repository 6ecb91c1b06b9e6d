package dev.jdgram;

import dev.jdgram.SocketState.QueuedOp;

/**
 * A close made while binding: it waits in the socket's queue and runs after {@code listening},
 * or after the bind failed, as in Node. Unless something closed the socket first.
 */
final class CloseOp implements QueuedOp {
  private final DgramSocket socket;

  CloseOp(DgramSocket socket) {
    this.socket = socket;
  }

  @Override
  public void run() {
    if (socket.isClosed()) {
      return;
    }
    socket.close(null);
  }

  @Override
  public void fail(DgramException error) {
    run(); // the user asked for a close: a failed bind does not cancel it
  }
}
