package dev.jdgram;

import dev.jdgram.handle.PullReader;
import dev.jdgram.handle.UdpKernel;
import java.net.InetSocketAddress;

/**
 * A socket's {@link PullReader} that counts what it reads in the socket's {@link DgramSocket#stats()},
 * as the loop's receiver counts what it delivers: a socket read on its caller's thread (java.net's
 * {@code DatagramSocket} on jdgram) shows the same figures as one read by the loop.
 */
final class PulledCounts implements PullReader {
  private final PullReader reader;
  private final SocketCounters counters;
  /** The kernel ran empty since the last datagram (or none was read yet): the next one is stamped. */
  private boolean afterEmpty = true;

  PulledCounts(PullReader reader, SocketCounters counters) {
    this.reader = reader;
    this.counters = counters;
  }

  @Override
  public int read(byte[] dst, int off, int length) {
    int n = reader.read(dst, off, length);
    if (n >= 0) {
      counters.pulled(n, afterEmpty);
      afterEmpty = false;
    } else if (n == UdpKernel.AGAIN) {
      afterEmpty = true;
    }
    return n;
  }

  @Override
  public InetSocketAddress sender() {
    return reader.sender();
  }
}
