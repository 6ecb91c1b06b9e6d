package dev.jdgram;

import java.nio.ByteBuffer;

/**
 * A received datagram seen in place, for {@link DgramSocket#onDatagram}: no copy and no
 * allocation per datagram. The object and its buffer are reused for the next datagram, so both
 * are valid only during the listener call; copy what must outlive it ({@link #toByteArray()},
 * {@link #remoteInfo()}).
 */
public interface Datagram {
  /** @return the payload, read-only, position 0 to limit {@link #size()} */
  ByteBuffer data();

  /** @return the payload's size in bytes */
  int size();

  /** @return the sender's address ({@code "127.0.0.1"}); one string per sender, reused */
  String address();

  /** @return {@code "IPv4"} or {@code "IPv6"} */
  String family();

  /** @return the sender's port */
  int port();

  /**
   * @return the address the datagram was sent to (IP_PKTINFO): on a socket bound to every
   *     address of a multi-homed host, the one the sender asked for; null where the transport
   *     cannot tell (nio)
   */
  String localAddress();

  /** @return the index of the interface it arrived on, or -1 where the transport cannot tell */
  int interfaceIndex();

  /** @return a copy of the payload */
  /**
   * @return the datagram's TOS byte (IPv4) or traffic class (IPv6) as it arrived, 0..255, or -1
   *     unless the socket asked for it ({@link SocketOptions#recvTos})
   */
  default int tos() {
    return -1;
  }

  /**
   * @return the ECN codepoint, the TOS byte's low two bits (0 not ECN-capable, 1 ECT(1), 2
   *     ECT(0), 3 congestion experienced), or -1 unless the socket asked for the TOS byte
   */
  default int ecn() {
    int tos = tos();
    return tos < 0 ? -1 : tos & 3;
  }

  /**
   * @return the TTL (IPv4) or hop limit (IPv6) the datagram arrived with, or -1 unless the socket
   *     asked for it ({@link SocketOptions#recvTtl})
   */
  default int ttl() {
    return -1;
  }

  /**
   * @return when the kernel took the datagram in, in nanoseconds since the epoch on the system's
   *     real-time clock (the simulated network's own clock there), or -1 unless the socket asked
   *     for it ({@link SocketOptions#recvTimestamp})
   */
  default long timestampNanos() {
    return -1;
  }

  default byte[] toByteArray() {
    byte[] b = new byte[size()];
    data().duplicate().get(b);
    return b;
  }

  /** @return the sender as a {@link RemoteInfo}, to keep */
  default RemoteInfo remoteInfo() {
    return new RemoteInfo(address(), family(), port(), size());
  }
}
