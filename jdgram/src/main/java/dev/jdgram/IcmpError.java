package dev.jdgram;

/**
 * An ICMP error about one of this socket's datagrams (or a local one: a datagram over the path
 * MTU with don't-fragment set), told with the destination it concerns, also on an unconnected
 * socket: what Linux's IP_RECVERR error queue holds. Node has no such event; its closest is the
 * {@code error} event a connected socket gets, which names no destination.
 *
 * @param address the destination of the datagram that failed
 * @param port its port
 * @param code Node's error code: {@code ECONNREFUSED} (port unreachable), {@code EHOSTUNREACH},
 *     {@code ENETUNREACH}, {@code EMSGSIZE} (fragmentation needed, packet too big), ...
 * @param errno the negative errno, as {@link DgramException#errno()} reports it
 * @param icmpType the ICMP (or ICMPv6) type, 0 for a local error
 * @param icmpCode the ICMP code, 0 for a local error
 * @param reporter the host that sent the ICMP message, or null for a local error
 * @param mtu the path MTU the error reports ("fragmentation needed", "packet too big", a local
 *     EMSGSIZE), else 0
 */
public record IcmpError(String address, int port, String code, int errno, int icmpType, int icmpCode,
    String reporter, int mtu) {}
