package dev.jdgram.transport.sim;

import java.net.Inet6Address;
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

  /** @return the address of an IP literal (no name look-up ever), or null */
  public static InetAddress parseLiteral(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = !v4 && s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s); // a literal: never resolved
    } catch (Exception e) {
      return null;
    }
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

  /** @return the address as text: dotted quad, or compressed IPv6 without a scope */
  public static String format(InetAddress a) {
    if (a == null) {
      return "*";
    }
    if (!(a instanceof Inet6Address)) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestAt) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(w[i]));
    }
    return sb.toString();
  }
}
