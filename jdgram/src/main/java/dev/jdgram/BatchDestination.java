package dev.jdgram;

import java.net.InetSocketAddress;

/**
 * The destination of a socket's last batch, resolved once: repeated batches to the same place
 * allocate nothing (no look-up, no {@link InetSocketAddress}). Kept only while the socket has no
 * send block list, which must see every batch's address.
 */
final class BatchDestination {
  private String lastAddress;
  private InetSocketAddress lastDest;

  /** @return the remembered destination for {@code target} and {@code port}, or null */
  InetSocketAddress get(String target, int port) {
    InetSocketAddress cached = lastDest;
    if (cached != null && cached.getPort() == port && target.equals(lastAddress)) {
      return cached;
    }
    return null;
  }

  void remember(String target, InetSocketAddress dest) {
    lastAddress = target;
    lastDest = dest;
  }
}
