package dev.jdgram.handle;

import java.net.InetAddress;

/**
 * What one outgoing datagram asks of the kernel beyond its bytes and destination: its TOS byte,
 * or only the ECN bits with the socket's own DSCP bits kept; its TTL or hop limit; the source
 * address and interface to send from (IP_PKTINFO / IPV6_PKTINFO on send). Immutable, made once
 * per distinct choice and shared by any number of datagrams, so that a send with it allocates
 * nothing more. Each field is "not asked" when negative (null for the address, 0 for the
 * interface).
 */
public final class SendInfo {
  /** The whole TOS / traffic class byte, 0..255, or -1. */
  public final int tos;
  /** Only the ECN codepoint, 0..3, keeping the socket's DSCP bits, or -1 (ignored when {@link #tos} is set). */
  public final int ecn;
  /** TTL / hop limit, 1..255, or -1. */
  public final int ttl;
  /** The source address to send from (one of this host's), or null. */
  public final InetAddress source;
  /** The interface index to send from, or 0. */
  public final int ifindex;

  public SendInfo(int tos, int ecn, int ttl, InetAddress source, int ifindex) {
    this.tos = tos;
    this.ecn = ecn;
    this.ttl = ttl;
    this.source = source;
    this.ifindex = ifindex;
  }

  /** @return the TOS byte to send with, given the socket's own TOS byte, or -1 to leave it */
  public int tosWith(int socketTos) {
    if (tos >= 0) {
      return tos;
    }
    return ecn >= 0 ? (socketTos & 0xfc) | ecn : -1;
  }

  /** @return true if the datagram picks its source address or interface */
  public boolean picksSource() {
    return source != null || ifindex > 0;
  }
}
