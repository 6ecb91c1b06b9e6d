package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * How a socket shows addresses, in one place because {@code address()}, {@code remoteAddress()}
 * and every received datagram must agree: Node's text form (a {@code udp6} socket shows IPv4
 * peers in the mapped form) and the family name, which follows the socket's family.
 */
final class AddressText {
  private final boolean ipv6;

  AddressText(boolean ipv6) {
    this.ipv6 = ipv6;
  }

  AddressInfo info(InetSocketAddress a) {
    String text = format(a.getAddress());
    return new AddressInfo(text, familyOf(a.getAddress()), a.getPort());
  }

  String format(InetAddress a) {
    if (ipv6 && a instanceof Inet4Address) {
      return "::ffff:" + a.getHostAddress(); // java.nio unmaps; Node shows the mapped form
    }
    return IpLiteral.format(a);
  }

  String familyOf(InetAddress a) {
    return ipv6 || a instanceof Inet6Address ? "IPv6" : "IPv4";
  }
}
