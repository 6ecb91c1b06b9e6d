package dev.jdgram;

import dev.jdgram.SocketState.QueuedOp;
import java.util.function.Consumer;

/**
 * A connect waiting for {@code listening}, then for its look-up: the target, the caller's
 * callback, and the once-listener on {@code connect} that stands for it. The state changes it
 * leads to are the socket's ({@code DgramSocket.afterConnectLookup},
 * {@code DgramSocket.failQueuedConnect}); this class only carries the request to them.
 */
final class ConnectOp implements QueuedOp {
  private final DgramSocket socket;
  final int port;
  final String address;
  final Consumer<DgramException> callback;
  final Runnable onConnect;

  ConnectOp(DgramSocket socket, int port, String address, Consumer<DgramException> callback) {
    this.socket = socket;
    this.port = port;
    this.address = address;
    this.callback = callback;
    this.onConnect = callback == null ? null : () -> callback.accept(null);
  }

  @Override
  public void run() {
    String target = address == null || address.isEmpty() ? (socket.ipv6() ? "::1" : "127.0.0.1") : address;
    socket.resolver().resolve(target, (err, ip) -> socket.afterConnectLookup(this, err, ip, target));
  }

  @Override
  public void fail(DgramException error) {
    socket.failQueuedConnect(this, error);
  }
}
