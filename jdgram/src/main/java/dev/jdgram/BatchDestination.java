package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import java.net.InetSocketAddress;

/**
 * The last destination a socket sent to, resolved once: repeated sends to the same IP literal
 * and port allocate nothing for it (no parse, no {@link InetSocketAddress}). Only literals are
 * kept, so a host name is still looked up at every send, as Node does; nothing is kept while the
 * socket has a send block list, which must see every address. Read on any thread, written on
 * the loop thread: the pair is replaced whole.
 */
final class BatchDestination {
  private record Entry(String target, InetSocketAddress dest) {}

  private volatile Entry last;

  /** @return the remembered destination for {@code target} and {@code port}, or null */
  InetSocketAddress get(String target, int port) {
    Entry e = last;
    if (e != null && e.dest.getPort() == port && target.equals(e.target)) {
      return e.dest;
    }
    return null;
  }

  /** Remembers {@code dest} for {@code target} if {@code target} is an IP literal. */
  void remember(String target, InetSocketAddress dest) {
    if (IpLiteral.family(target) != 0) {
      last = new Entry(target, dest);
    }
  }
}
