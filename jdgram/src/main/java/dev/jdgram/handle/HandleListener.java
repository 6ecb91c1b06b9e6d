package dev.jdgram.handle;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The handle's calls up to the socket layer ({@code UDPWrap::OnRecv} into {@code onMessage}).
 * Runs on the loop thread.
 */
public interface HandleListener {
  /**
   * One datagram arrived.
   *
   * @param data the datagram, position to limit, read-only; valid only during this call
   * @param from the sender
   * @param info its destination and arrival interface, where known; valid only during this call
   */
  void onRecv(ByteBuffer data, InetSocketAddress from, RecvInfo info);

  /**
   * Receiving failed ({@code recvmsg} returned an error, for example {@link Errno#ECONNREFUSED}
   * on a connected socket after an ICMP port unreachable).
   */
  void onRecvError(int errno);

  /** The write queue, which had sends waiting, has handed all of them to the kernel. */
  default void onWriteQueueDrained() {}

  /**
   * One entry of the socket's error queue (asked for with {@link RecvInfo#ERRORS}): an ICMP error
   * about one of its datagrams, naming that datagram's destination. {@code report} is valid
   * during the call only.
   */
  default void onErrorReport(ErrorReport report) {}
}
