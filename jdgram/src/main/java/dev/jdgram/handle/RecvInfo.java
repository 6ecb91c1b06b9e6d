package dev.jdgram.handle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What the kernel says about a received datagram beyond its sender: the address it was sent to
 * and the interface it arrived on (IP_PKTINFO / IPV6_PKTINFO), its TOS or traffic class byte
 * (IP_RECVTOS / IPV6_RECVTCLASS), its TTL or hop limit as it arrived (IP_RECVTTL /
 * IPV6_RECVHOPLIMIT) and the time the kernel took it in (SO_TIMESTAMPNS). Each is there only when
 * the socket asked for it ({@link #PKTINFO}, {@link #TOS}, {@link #TTL}, {@link #TIMESTAMP}), since
 * each costs the kernel a control message per datagram. One instance per handle, refilled for each
 * datagram; valid during the receive callback only.
 *
 * <p>The destination address is decoded only when asked for: a transport hands over where its
 * bytes are, and most listeners never look (decoding it for every datagram cost a quarter of a
 * zero-copy receiver's time). A decoded address is reused while the bytes stay the same.
 */
public final class RecvInfo {
  /** Asks for the destination address and arrival interface. */
  public static final int PKTINFO = 1;
  /** Asks for the TOS / traffic class byte (its low two bits are the ECN codepoint). */
  public static final int TOS = 2;
  /** Asks for the TTL / hop limit the datagram arrived with. */
  public static final int TTL = 4;
  /** Asks for the kernel's receive time. */
  public static final int TIMESTAMP = 8;
  /**
   * Asks for ICMP errors (and local ones) as reports of their own, each naming the destination
   * it concerns, also on an unconnected socket (IP_RECVERR / IPV6_RECVERR): {@link ErrorReport}.
   */
  public static final int ERRORS = 16;

  /** The index of the arrival interface, or -1 where the transport cannot tell. */
  public int interfaceIndex = -1;
  /** The TOS / traffic class byte, 0..255, or -1 where not asked for or not told. */
  public int tos = -1;
  /** The TTL / hop limit as the datagram arrived, 0..255, or -1 where not asked for or not told. */
  public int ttl = -1;
  /**
   * When the kernel took the datagram in, in nanoseconds since the epoch on the system's real-time
   * clock (CLOCK_REALTIME, as SO_TIMESTAMPNS stamps it; the simulated network's virtual clock on
   * sim), or -1 where not asked for or not told.
   */
  public long timestampNanos = -1;

  private InetAddress address; // given whole (a simulated network)
  private MemorySegment rawSegment; // or as bytes in the kernel's control message
  private long rawAt;
  private int rawLength;
  private final byte[] last = new byte[16];
  private int lastLength;
  private InetAddress lastAddress;

  /** Forgets the previous datagram's facts. */
  public void clear() {
    interfaceIndex = -1;
    tos = -1;
    ttl = -1;
    timestampNanos = -1;
    address = null;
    rawSegment = null;
  }

  /** The destination address, known whole. */
  public void setLocalAddress(InetAddress a) {
    address = a;
    rawSegment = null;
  }

  /** The destination address as 4 or 16 bytes at {@code at} in {@code segment}, valid until the callback returns. */
  public void setLocalAddressBytes(MemorySegment segment, long at, int length) {
    address = null;
    rawSegment = segment;
    rawAt = at;
    rawLength = length;
  }

  /** @return the datagram's destination address, or null where the transport cannot tell */
  public InetAddress localAddress() {
    if (address != null || rawSegment == null) {
      return address;
    }
    boolean same = lastAddress != null && lastLength == rawLength;
    for (int k = 0; same && k < rawLength; k++) {
      same = rawSegment.get(ValueLayout.JAVA_BYTE, rawAt + k) == last[k];
    }
    if (!same) {
      MemorySegment.copy(rawSegment, ValueLayout.JAVA_BYTE, rawAt, last, 0, rawLength);
      lastLength = rawLength;
      try {
        lastAddress = InetAddress.getByAddress(java.util.Arrays.copyOf(last, rawLength));
      } catch (UnknownHostException e) {
        throw new AssertionError(e); // 4 or 16 bytes are always an address
      }
    }
    return lastAddress;
  }
}
