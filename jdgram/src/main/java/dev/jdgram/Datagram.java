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
