package dev.jdgram.handle;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Strict IP literal parsing and formatting, without any name resolution.
 *
 * <p>What counts as a literal is exactly what Node's {@code net.isIP} accepts: an IPv4 dotted quad
 * of four decimal parts 0-255 without leading zeros ({@code 01.2.3.4} and {@code 127.1} are not
 * literals), or an IPv6 address with at most one {@code ::} (standing for at least one group), an
 * optional embedded IPv4 tail ({@code ::ffff:1.2.3.4}) and an optional {@code %zone} suffix of
 * one or more characters from {@code [0-9a-zA-Z-.:]}. Nothing here ever calls the resolver: an
 * {@link InetAddress} is only built from bytes this class has parsed itself.
 *
 * <p>Formatting follows what Node prints in {@code rinfo.address}: IPv4 dotted, IPv6 as libuv's
 * {@code inet_ntop} writes it (lower-case, the first longest run of two or more zero groups
 * compressed to {@code ::}, {@code ::ffff:a.b.c.d} and {@code ::a.b.c.d} tails in dotted form),
 * with {@code %scope} appended to link-local addresses that carry a scope, as Node does.
 */
public final class IpLiteral {
  private IpLiteral() {}

  /**
   * The family of a literal, as Node's {@code net.isIP}.
   *
   * @param s the text, may be null
   * @return 4 for an IPv4 literal, 6 for an IPv6 literal (with or without a zone), else 0
   */
  public static int family(String s) {
    if (s == null) {
      return 0;
    }
    int n = s.length();
    if (parse4(s, 0, n) >= 0) {
      return 4;
    }
    int end = zoneStart(s);
    if (end < 0) {
      return 0;
    }
    return parse6(s, 0, end, null) ? 6 : 0;
  }

  /**
   * True when {@code s} is an IPv4 literal ({@code net.isIPv4}).
   *
   * @param s the text, may be null
   * @return whether it is a dotted-quad IPv4 literal
   */
  public static boolean isIPv4(String s) {
    return s != null && parse4(s, 0, s.length()) >= 0;
  }

  /**
   * True when {@code s} is an IPv6 literal ({@code net.isIPv6}), zone allowed.
   *
   * @param s the text, may be null
   * @return whether it is an IPv6 literal
   */
  public static boolean isIPv6(String s) {
    return family(s) == 6;
  }

  /**
   * The address a literal denotes, built without any look-up.
   *
   * <p>IPv4 literals give an {@link Inet4Address}; IPv6 literals (including IPv4-mapped ones such
   * as {@code ::ffff:1.2.3.4}, which stay IPv6 as in Node) give an {@link Inet6Address}. A numeric
   * zone becomes the scope id; a named zone becomes the scope of the interface of that name, or
   * that interface's index when Java refuses to attach the interface itself (it has no address of
   * the same scope), or no scope when no such interface exists.
   *
   * @param s the text, may be null
   * @return the address, or null when {@code s} is null or not a literal
   */
  public static InetAddress parse(String s) {
    if (s == null) {
      return null;
    }
    int n = s.length();
    long v4 = parse4(s, 0, n);
    try {
      if (v4 >= 0) {
        return InetAddress.getByAddress(null, toBytes4((int) v4));
      }
      int end = zoneStart(s);
      if (end < 0) {
        return null;
      }
      byte[] b = new byte[16];
      if (!parse6(s, 0, end, b)) {
        return null;
      }
      if (end == n) {
        return Inet6Address.getByAddress(null, b, -1);
      }
      String zone = s.substring(end + 1);
      int numeric = parseScopeNumber(zone);
      if (numeric >= 0) {
        return Inet6Address.getByAddress(null, b, numeric);
      }
      NetworkInterface nif;
      try {
        nif = NetworkInterface.getByName(zone);
      } catch (SocketException e) {
        nif = null;
      }
      if (nif == null) {
        return Inet6Address.getByAddress(null, b, -1);
      }
      try {
        return Inet6Address.getByAddress(null, b, nif);
      } catch (UnknownHostException e) {
        int index = nif.getIndex();
        return Inet6Address.getByAddress(null, b, index > 0 ? index : -1);
      }
    } catch (UnknownHostException e) {
      // Cannot happen: the byte arrays have the right lengths.
      return null;
    }
  }

  /**
   * The raw bytes of a literal, zone ignored.
   *
   * @param s the text, may be null
   * @return 4 bytes for IPv4, 16 for IPv6 (also for IPv4-mapped IPv6), or null
   */
  public static byte[] bytes(String s) {
    if (s == null) {
      return null;
    }
    int n = s.length();
    long v4 = parse4(s, 0, n);
    if (v4 >= 0) {
      return toBytes4((int) v4);
    }
    int end = zoneStart(s);
    if (end < 0) {
      return null;
    }
    byte[] b = new byte[16];
    return parse6(s, 0, end, b) ? b : null;
  }

  /**
   * The text Node prints for an address in {@code rinfo.address}.
   *
   * @param a the address, may be null
   * @return dotted IPv4, compressed IPv6 with {@code %scope} for scoped link-local addresses, or
   *     null for null
   */
  public static String format(InetAddress a) {
    if (a == null) {
      return null;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address a6) {
      StringBuilder sb = new StringBuilder(46);
      appendIPv6(sb, b, 0);
      if (isLinkLocal(b, 0)) {
        NetworkInterface nif = a6.getScopedInterface();
        if (nif != null) {
          sb.append('%').append(nif.getName());
        } else if (a6.getScopeId() > 0) {
          sb.append('%').append(scopeName(a6.getScopeId()));
        }
      }
      return sb.toString();
    }
    return format4(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8)
        | (b[3] & 0xff));
  }

  /**
   * Formats raw address bytes as Node would, for transports that hold a {@code sockaddr}.
   *
   * @param addr 4 or 16 bytes
   * @param scopeId the IPv6 scope id, 0 for none; used only for link-local addresses
   * @return the text
   */
  public static String format(byte[] addr, int scopeId) {
    if (addr.length == 4) {
      return format4(((addr[0] & 0xff) << 24) | ((addr[1] & 0xff) << 16)
          | ((addr[2] & 0xff) << 8) | (addr[3] & 0xff));
    }
    if (addr.length != 16) {
      throw new IllegalArgumentException("address must have 4 or 16 bytes");
    }
    StringBuilder sb = new StringBuilder(46);
    appendIPv6(sb, addr, 0);
    if (scopeId > 0 && isLinkLocal(addr, 0)) {
      sb.append('%').append(scopeName(scopeId));
    }
    return sb.toString();
  }

  /**
   * Formats an IPv4 address held in an int, most significant byte first.
   *
   * @param addr the address, {@code 0x7f000001} for 127.0.0.1
   * @return the dotted quad
   */
  public static String format4(int addr) {
    StringBuilder sb = new StringBuilder(15);
    appendIPv4(sb, addr);
    return sb.toString();
  }

  /**
   * Formats an IPv6 address held in two longs, most significant first, without any scope.
   *
   * @param hi the first 8 bytes
   * @param lo the last 8 bytes
   * @return the compressed text, as {@code inet_ntop}
   */
  public static String format6(long hi, long lo) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    StringBuilder sb = new StringBuilder(39);
    appendIPv6(sb, b, 0);
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  /**
   * Parses {@code s[from, to)} as a dotted-quad IPv4 literal, Node/libuv rules (decimal parts
   * 0-255, no leading zeros, exactly four parts).
   *
   * @return the address as an unsigned 32-bit value, or -1
   */
  public static long parse4(CharSequence s, int from, int to) {
    int len = to - from;
    if (len < 7 || len > 15) {
      return -1;
    }
    long result = 0;
    int parts = 0;
    int i = from;
    while (true) {
      int start = i;
      int v = 0;
      while (i < to) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        v = v * 10 + (c - '0');
        i++;
        if (i - start > 3) {
          return -1;
        }
      }
      int digits = i - start;
      if (digits == 0 || v > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      result = (result << 8) | v;
      parts++;
      if (parts == 4) {
        return i == to ? result : -1;
      }
      if (i >= to || s.charAt(i) != '.') {
        return -1;
      }
      i++;
    }
  }

  /**
   * Parses {@code s[from, to)} (no zone) as an IPv6 literal with {@code net.isIPv6}'s rules.
   *
   * @param out 16 bytes to fill, or null only to validate
   * @return whether it is a literal; {@code out} is only meaningful when true
   */
  public static boolean parse6(CharSequence s, int from, int to, byte[] out) {
    if (to - from < 2 || to - from > 45) {
      return false;
    }
    int groups = 0;
    int gap = -1; // group index where "::" stands
    int i = from;
    // Groups are collected in a long pair first to allow validation without an output array.
    long hi = 0;
    long lo = 0;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return false;
      }
      gap = 0;
      i += 2;
    }
    while (i < to) {
      int start = i;
      int v = 0;
      int h;
      while (i < to && (h = hex(s.charAt(i))) >= 0) {
        v = (v << 4) | h;
        i++;
        if (i - start > 4) {
          return false;
        }
      }
      if (i == start) {
        return false;
      }
      if (i < to && s.charAt(i) == '.') {
        if (groups > 6) {
          return false;
        }
        long v4 = parse4(s, start, to);
        if (v4 < 0) {
          return false;
        }
        // two groups
        long g1 = (v4 >>> 16) & 0xffff;
        long g2 = v4 & 0xffff;
        if (groups < 4) {
          hi |= g1 << (48 - 16 * groups);
        } else {
          lo |= g1 << (48 - 16 * (groups - 4));
        }
        groups++;
        if (groups < 4) {
          hi |= g2 << (48 - 16 * groups);
        } else {
          lo |= g2 << (48 - 16 * (groups - 4));
        }
        groups++;
        i = to;
        break;
      }
      if (groups >= 8) {
        return false;
      }
      if (groups < 4) {
        hi |= (long) v << (48 - 16 * groups);
      } else {
        lo |= (long) v << (48 - 16 * (groups - 4));
      }
      groups++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return false;
      }
      i++;
      if (i == to) {
        return false; // a single trailing colon
      }
      if (s.charAt(i) == ':') {
        if (gap >= 0) {
          return false;
        }
        gap = groups;
        i++;
      }
    }
    if (gap < 0 ? groups != 8 : groups > 7) {
      return false;
    }
    if (out != null) {
      // Write groups, moving those after the gap to the end.
      java.util.Arrays.fill(out, (byte) 0);
      int shift = 8 - groups;
      for (int g = 0; g < groups; g++) {
        int value = (int) ((g < 4 ? hi >>> (48 - 16 * g) : lo >>> (48 - 16 * (g - 4))) & 0xffff);
        int pos = (gap >= 0 && g >= gap) ? g + shift : g;
        out[2 * pos] = (byte) (value >>> 8);
        out[2 * pos + 1] = (byte) value;
      }
    }
    return true;
  }

  /**
   * Where the address part of a possible IPv6 literal ends: the index of {@code %} when it is
   * followed by a valid zone, the length when there is no {@code %}, -1 when the zone is invalid.
   */
  private static int zoneStart(String s) {
    int pct = s.indexOf('%');
    if (pct < 0) {
      return s.length();
    }
    int n = s.length();
    if (pct == n - 1) {
      return -1;
    }
    for (int i = pct + 1; i < n; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || c == '-' || c == '.' || c == ':';
      if (!ok) {
        return -1;
      }
    }
    return pct;
  }

  private static int parseScopeNumber(String zone) {
    int n = zone.length();
    if (n == 0 || n > 10) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      char c = zone.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v > Integer.MAX_VALUE ? -1 : (int) v;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * @return the wildcard address of a family ({@code 0.0.0.0} or {@code ::}): where a deferred
   *     bind puts a socket
   */
  public static InetAddress wildcard(boolean ipv6) {
    try {
      return InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // four or sixteen bytes are always an address
    }
  }

  private static byte[] toBytes4(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting

  private static boolean isLinkLocal(byte[] b, int off) {
    return (b[off] & 0xff) == 0xfe && (b[off + 1] & 0xc0) == 0x80;
  }

  private static String scopeName(int scopeId) {
    try {
      NetworkInterface nif = NetworkInterface.getByIndex(scopeId);
      if (nif != null) {
        return nif.getName();
      }
    } catch (SocketException e) {
      // fall through to the number, as Node does when if_indextoname fails
    }
    return Integer.toString(scopeId);
  }

  private static void appendIPv4(StringBuilder sb, int v) {
    sb.append((v >>> 24) & 0xff).append('.').append((v >>> 16) & 0xff).append('.')
        .append((v >>> 8) & 0xff).append('.').append(v & 0xff);
  }

  /** BIND/libuv {@code inet_ntop6}: the rules Node's printed addresses follow. */
  public static void appendIPv6(StringBuilder sb, byte[] b, int off) {
    int bestBase = -1;
    int bestLen = 0;
    int curBase = -1;
    int curLen = 0;
    for (int g = 0; g < 8; g++) {
      boolean zero = b[off + 2 * g] == 0 && b[off + 2 * g + 1] == 0;
      if (zero) {
        if (curBase < 0) {
          curBase = g;
          curLen = 1;
        } else {
          curLen++;
        }
      } else if (curBase >= 0) {
        if (bestBase < 0 || curLen > bestLen) {
          bestBase = curBase;
          bestLen = curLen;
        }
        curBase = -1;
      }
    }
    if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
      bestBase = curBase;
      bestLen = curLen;
    }
    if (bestBase >= 0 && bestLen < 2) {
      bestBase = -1;
    }
    for (int g = 0; g < 8; g++) {
      if (bestBase >= 0 && g >= bestBase && g < bestBase + bestLen) {
        if (g == bestBase) {
          sb.append(':');
        }
        continue;
      }
      if (g != 0) {
        sb.append(':');
      }
      // Encapsulated IPv4: ::a.b.c.d or ::ffff:a.b.c.d
      if (g == 6 && bestBase == 0
          && (bestLen == 6 || (bestLen == 5 && b[off + 10] == (byte) 0xff
              && b[off + 11] == (byte) 0xff))) {
        appendIPv4(sb, ((b[off + 12] & 0xff) << 24) | ((b[off + 13] & 0xff) << 16)
            | ((b[off + 14] & 0xff) << 8) | (b[off + 15] & 0xff));
        return;
      }
      sb.append(Integer.toHexString(((b[off + 2 * g] & 0xff) << 8) | (b[off + 2 * g + 1] & 0xff)));
    }
    if (bestBase >= 0 && bestBase + bestLen == 8) {
      sb.append(':');
    }
  }
}
