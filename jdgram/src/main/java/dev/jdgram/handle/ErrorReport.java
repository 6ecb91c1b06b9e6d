package dev.jdgram.handle;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One entry of a socket's error queue (IP_RECVERR's {@code struct sock_extended_err} and what
 * comes with it): an ICMP error that a router or host sent back about one of this socket's
 * datagrams, or a local one. One instance per handle, refilled for each entry; valid during the
 * call only. Loop thread only.
 */
public final class ErrorReport {
  /** {@link #origin}: the local stack (a datagram over the path MTU with don't-fragment set). */
  public static final int LOCAL = 1;
  /** {@link #origin}: an ICMP (IPv4) message. */
  public static final int ICMP = 2;
  /** {@link #origin}: an ICMPv6 message. */
  public static final int ICMP6 = 3;

  /** The destination the failed datagram was sent to. */
  public InetSocketAddress destination;
  /** The error, as a negative errno ({@code ECONNREFUSED}, {@code EHOSTUNREACH}, {@code EMSGSIZE}, ...). */
  public int errno;
  /** {@link #LOCAL}, {@link #ICMP} or {@link #ICMP6}. */
  public int origin;
  /** The ICMP type and code (0 for a local error). */
  public int type;
  public int code;
  /** The host that reported it, or null (a local error). */
  public InetAddress reporter;
  /** The path MTU, for "fragmentation needed" / "packet too big" and local EMSGSIZE; else 0. */
  public int mtu;
}
