package dev.jdgram.handle;

import java.net.InetSocketAddress;

/**
 * Reads a socket's datagrams on the calling thread instead of the loop's: for blocking code
 * (java.net's {@code DatagramSocket.receive}), which then reads the kernel itself, as the JDK's
 * own socket does, rather than take each datagram from the loop thread through a queue. Made by
 * {@link UdpHandle#pullReader}; from then on the loop reads nothing of the socket and only tells
 * when it is readable ({@link UdpHandle#whenReadable}).
 *
 * <p>One thread at a time: the caller serializes its readers. A reader never blocks; a read on
 * a closed socket answers {@link Errno#EBADF}.
 */
public interface PullReader {
  /**
   * Takes the next datagram, without blocking, and copies up to {@code length} of its bytes to
   * {@code dst} from {@code off}; the rest of a longer datagram is discarded, as {@code recv(2)}
   * truncates.
   *
   * @return the datagram's whole length (which may exceed {@code length}),
   *     {@link UdpKernel#AGAIN} when the kernel has none, or a negative errno: EBADF once closed,
   *     or an error the kernel learned from ICMP for a connected socket (ECONNREFUSED, ...)
   */
  int read(byte[] dst, int off, int length);

  /** @return the sender of the datagram the last successful {@link #read} took */
  InetSocketAddress sender();
}
