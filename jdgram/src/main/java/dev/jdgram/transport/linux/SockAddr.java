package dev.jdgram.transport.linux;

import static dev.jdgram.transport.linux.LinuxConstants.AF_INET;
import static dev.jdgram.transport.linux.LinuxConstants.AF_INET6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * sockaddr_in / sockaddr_in6 to and from Java addresses. An IPv4 address given to an IPv6
 * socket is written IPv4-mapped ({@code ::ffff:a.b.c.d}), as the kernel wants it; a mapped
 * address read back becomes an {@link Inet4Address}, as java.nio does.
 */
final class SockAddr {
  private SockAddr() {}

  private static final ValueLayout.OfShort NET_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfShort HOST_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;

  /**
   * Writes {@code a} into {@code out} (at least 28 bytes) for a socket of the given family.
   *
   * @return the sockaddr's length
   */
  static int write(MemorySegment out, InetSocketAddress a, boolean ipv6Socket) {
    InetAddress ip = a.getAddress();
    int port = a.getPort();
    if (!ipv6Socket) {
      clear(out, Structs.SOCKADDR_IN_SIZE);
      out.set(HOST_SHORT, Structs.SIN_FAMILY, (short) AF_INET);
      out.set(NET_SHORT, Structs.SIN_PORT, (short) port);
      MemorySegment.copy(ip.getAddress(), 0, out, ValueLayout.JAVA_BYTE, Structs.SIN_ADDR, 4);
      return Structs.SOCKADDR_IN_SIZE;
    }
    clear(out, Structs.SOCKADDR_IN6_SIZE);
    out.set(HOST_SHORT, 0, (short) AF_INET6);
    out.set(NET_SHORT, Structs.SIN6_PORT, (short) port);
    byte[] raw = ip.getAddress();
    if (raw.length == 4) {
      out.set(ValueLayout.JAVA_BYTE, Structs.SIN6_ADDR + 10, (byte) 0xff);
      out.set(ValueLayout.JAVA_BYTE, Structs.SIN6_ADDR + 11, (byte) 0xff);
      MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, Structs.SIN6_ADDR + 12, 4);
    } else {
      MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, Structs.SIN6_ADDR, 16);
      if (ip instanceof Inet6Address a6) {
        out.set(HOST_INT, Structs.SIN6_SCOPE_ID, a6.getScopeId());
      }
    }
    return Structs.SOCKADDR_IN6_SIZE;
  }

  /** Zeroes the first {@code len} bytes (a multiple of 4) without making a slice. */
  private static void clear(MemorySegment out, int len) {
    for (int k = 0; k < len; k += 4) {
      out.set(HOST_INT, k, 0);
    }
  }

  /** Writes an AF_UNSPEC address (for disconnect); @return its length. */
  static int writeUnspec(MemorySegment out) {
    out.asSlice(0, Structs.SOCKADDR_IN6_SIZE).fill((byte) 0);
    return Structs.SOCKADDR_IN6_SIZE;
  }

  static int family(MemorySegment in) {
    return in.get(HOST_SHORT, 0) & 0xffff;
  }

  static int port(MemorySegment in) {
    return in.get(NET_SHORT, Structs.SIN_PORT) & 0xffff;
  }

  /** @return the address in {@code in}, or null for a family other than AF_INET/AF_INET6 */
  static InetSocketAddress read(MemorySegment in) {
    int family = family(in);
    int port = port(in);
    try {
      if (family == AF_INET) {
        byte[] b = new byte[4];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, Structs.SIN_ADDR, b, 0, 4);
        return new InetSocketAddress(InetAddress.getByAddress(b), port);
      }
      if (family == AF_INET6) {
        byte[] b = new byte[16];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, Structs.SIN6_ADDR, b, 0, 16);
        int scope = in.get(HOST_INT, Structs.SIN6_SCOPE_ID);
        InetAddress ip = isMapped(b) || scope == 0
            ? InetAddress.getByAddress(b) // a mapped address becomes an Inet4Address
            : Inet6Address.getByAddress(null, b, scope);
        return new InetSocketAddress(ip, port);
      }
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // a 4- or 16-byte array is always accepted
    }
    return null;
  }

  private static boolean isMapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  /** @return true if the {@code len} bytes at {@code in}+{@code at} equal those at {@code cached} */
  static boolean same(MemorySegment in, long at, MemorySegment cached, int len) {
    return MemorySegment.mismatch(in, at, at + len, cached, 0, len) == -1;
  }
}
