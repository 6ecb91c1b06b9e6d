package dev.jdgram.transport.sim;

import dev.jdgram.handle.IpLiteral;
import java.net.InetAddress;

/** An address with a prefix length ({@code 10.0.0.1/24}): an interface address or a route. */
public record Prefix(InetAddress address, int length) {
  /** Parses {@code "10.0.0.1/24"}, {@code "fd00::1/64"}; without a length, a host route. */
  public static Prefix parse(String text) {
    int slash = text.indexOf('/');
    InetAddress a = parseLiteral(slash < 0 ? text : text.substring(0, slash));
    if (a == null) {
      throw new IllegalArgumentException("not an address or prefix: " + text);
    }
    int bits = a.getAddress().length * 8;
    int len = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    if (len < 0 || len > bits) {
      throw new IllegalArgumentException("bad prefix length: " + text);
    }
    return new Prefix(a, len);
  }

  /** @return the address of an IP literal (no name look-up ever), or null: the library's one parser */
  public static InetAddress parseLiteral(String s) {
    return IpLiteral.parse(s);
  }

  public boolean contains(InetAddress a) {
    byte[] p = address.getAddress();
    byte[] x = a.getAddress();
    if (p.length != x.length) {
      return false;
    }
    int full = length / 8;
    for (int i = 0; i < full; i++) {
      if (p[i] != x[i]) {
        return false;
      }
    }
    int rest = length % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (p[full] & mask) == (x[full] & mask);
  }

  /** @return the directed broadcast address of an IPv4 prefix shorter than /31, else null */
  public InetAddress broadcast() {
    byte[] p = address.getAddress();
    if (p.length != 4 || length >= 31) {
      return null;
    }
    int v = ((p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    v |= (int) (0xffffffffL >>> length);
    return Packet.addr(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }

  @Override
  public String toString() {
    return format(address) + "/" + length;
  }

  /** @return the address as text, as Node prints it (the library's one formatter), without a scope */
  public static String format(InetAddress a) {
    return a == null ? "*" : IpLiteral.format(a.getAddress(), 0);
  }
}
