package dev.jdgram.transport.sim;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One frame on the simulated wire: Ethernet, IPv4 or IPv6, and UDP, IGMP or ICMPv6 (MLD). Kept
 * parsed; {@link #toFrame()} writes the real bytes (valid checksums) for captures.
 */
public final class Packet {
  public static final int UDP = 17;
  public static final int IGMP = 2;
  public static final int ICMPV6 = 58;
  public static final int ICMP = 1;
  static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

  byte[] srcMac;
  byte[] dstMac;
  InetAddress src;
  InetAddress dst;
  int ttl;
  /** The TOS / traffic class byte (DSCP and ECN), carried end to end. */
  int tos;
  /**
   * Never fragmented on the way (the sending socket's IP_MTU_DISCOVER is PMTUDISC_DO; IPv6 is
   * never fragmented in flight): a router whose next link is too narrow answers "fragmentation
   * needed" instead. Without it the model delivers the datagram whole, as fragments and their
   * reassembly would.
   */
  boolean df;
  int proto;
  int ipId;
  int srcPort;
  int dstPort;
  /** UDP payload, or the whole IGMP / ICMPv6 message. */
  byte[] payload;
  /** The trace name of what this frame carries: d12 (datagram), igmp3, mld4. */
  String tag;

  Packet copy() {
    Packet p = new Packet();
    p.srcMac = srcMac;
    p.dstMac = dstMac;
    p.src = src;
    p.dst = dst;
    p.ttl = ttl;
    p.tos = tos;
    p.df = df;
    p.proto = proto;
    p.ipId = ipId;
    p.srcPort = srcPort;
    p.dstPort = dstPort;
    p.payload = payload;
    p.tag = tag;
    return p;
  }

  boolean v6() {
    return dst instanceof Inet6Address;
  }

  /** @return the bytes of the IP packet and Ethernet header (the frame's size on the wire, no FCS) */
  int wireSize() {
    int l4 = proto == UDP ? 8 + payload.length : payload.length;
    return 14 + (v6() ? 40 + (proto == ICMPV6 ? 8 : 0) : 20 + (proto == IGMP ? 4 : 0)) + l4;
  }

  boolean isMulticastMac() {
    return (dstMac[0] & 1) != 0;
  }

  boolean isBroadcastMac() {
    return java.util.Arrays.equals(dstMac, BROADCAST_MAC);
  }

  // ---------------------------------------------------------------- addresses

  /** The multicast MAC of a group: 01:00:5e + low 23 bits (IPv4), 33:33 + low 32 bits (IPv6). */
  public static byte[] multicastMac(InetAddress group) {
    byte[] a = group.getAddress();
    if (a.length == 4) {
      return new byte[] {1, 0, 0x5e, (byte) (a[1] & 0x7f), a[2], a[3]};
    }
    return new byte[] {0x33, 0x33, a[12], a[13], a[14], a[15]};
  }

  public static String mac(byte[] m) {
    return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  }

  static InetAddress addr(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static InetAddress addr(String literal) {
    InetAddress a = dev.jdgram.transport.sim.Prefix.parseLiteral(literal);
    if (a == null) {
      throw new IllegalArgumentException("not an IP literal: " + literal);
    }
    return a;
  }

  // ---------------------------------------------------------------- IGMP / MLD messages

  static byte[] igmpV2(int type, InetAddress group) {
    byte[] m = new byte[8];
    m[0] = (byte) type;
    System.arraycopy(group.getAddress(), 0, m, 4, 4);
    put16(m, 2, checksum(m, 0, m.length, 0));
    return m;
  }

  /** IGMPv3 report with one record (type 5 ALLOW_NEW_SOURCES, 6 BLOCK_OLD_SOURCES, ...). */
  static byte[] igmpV3(int recordType, InetAddress group, InetAddress source) {
    byte[] m = new byte[8 + 8 + (source == null ? 0 : 4)];
    m[0] = 0x22;
    m[7] = 1; // one record
    m[8] = (byte) recordType;
    m[11] = (byte) (source == null ? 0 : 1);
    System.arraycopy(group.getAddress(), 0, m, 12, 4);
    if (source != null) {
      System.arraycopy(source.getAddress(), 0, m, 16, 4);
    }
    put16(m, 2, checksum(m, 0, m.length, 0));
    return m;
  }

  /** MLDv1 report (131) or done (132); the checksum is filled in by {@link #toFrame()}. */
  static byte[] mldV1(int type, InetAddress group) {
    byte[] m = new byte[24];
    m[0] = (byte) type;
    System.arraycopy(group.getAddress(), 0, m, 8, 16);
    return m;
  }

  /** MLDv2 report (143) with one record. */
  static byte[] mldV2(int recordType, InetAddress group, InetAddress source) {
    byte[] m = new byte[8 + 20 + (source == null ? 0 : 16)];
    m[0] = (byte) 143;
    m[7] = 1;
    m[8] = (byte) recordType;
    m[11] = (byte) (source == null ? 0 : 1);
    System.arraycopy(group.getAddress(), 0, m, 12, 16);
    if (source != null) {
      System.arraycopy(source.getAddress(), 0, m, 28, 16);
    }
    return m;
  }

  /** A parsed membership message: what a router or a snooping switch learns from it. */
  record Membership(InetAddress group, boolean join, InetAddress source) {}

  /** @return the membership change this IGMP / MLD message announces, or null */
  Membership membership() {
    byte[] m = payload;
    if (proto == IGMP && m.length >= 8) {
      int t = m[0] & 0xff;
      if (t == 0x16 || t == 0x12) {
        return new Membership(addr(java.util.Arrays.copyOfRange(m, 4, 8)), true, null);
      }
      if (t == 0x17) {
        return new Membership(addr(java.util.Arrays.copyOfRange(m, 4, 8)), false, null);
      }
      if (t == 0x22 && m.length >= 16) {
        InetAddress g = addr(java.util.Arrays.copyOfRange(m, 12, 16));
        InetAddress s = m.length >= 20 ? addr(java.util.Arrays.copyOfRange(m, 16, 20)) : null;
        return record(m[8] & 0xff, g, s);
      }
    } else if (proto == ICMPV6 && m.length >= 24) {
      int t = m[0] & 0xff;
      if (t == 131 || t == 132) {
        return new Membership(addr(java.util.Arrays.copyOfRange(m, 8, 24)), t == 131, null);
      }
      if (t == 143 && m.length >= 28) {
        InetAddress g = addr(java.util.Arrays.copyOfRange(m, 12, 28));
        InetAddress s = m.length >= 44 ? addr(java.util.Arrays.copyOfRange(m, 28, 44)) : null;
        return record(m[8] & 0xff, g, s);
      }
    }
    return null;
  }

  private static Membership record(int type, InetAddress g, InetAddress s) {
    return switch (type) {
      case 5, 1 -> new Membership(g, true, s); // ALLOW_NEW_SOURCES, MODE_IS_INCLUDE
      case 4, 2 -> new Membership(g, true, null); // CHANGE_TO_EXCLUDE {} : any source
      case 6 -> new Membership(g, false, s); // BLOCK_OLD_SOURCES
      case 3 -> new Membership(g, false, s); // CHANGE_TO_INCLUDE
      default -> null;
    };
  }

  /**
   * The ICMP port unreachable error for {@code orig} (a UDP datagram): IPv4 type 3 code 3 with
   * the original IP header and 8 bytes; ICMPv6 type 1 code 4 with the original IPv6 header and
   * UDP header (its checksum is filled in by {@link #toFrame()}).
   */
  static byte[] portUnreachable(Packet orig) {
    return icmpError(orig, orig.v6() ? 1 : 3, orig.v6() ? 4 : 3, 0);
  }

  /**
   * "Fragmentation needed" (ICMP 3/4, the next hop's MTU in bytes 6-7) or ICMPv6 "packet too
   * big" (2/0, the MTU in bytes 4-7) about {@code orig}.
   */
  static byte[] tooBig(Packet orig, int mtu) {
    return icmpError(orig, orig.v6() ? 2 : 3, orig.v6() ? 0 : 4, mtu);
  }

  private static byte[] icmpError(Packet orig, int type, int code, int mtu) {
    byte[] f = orig.toFrame();
    boolean v6 = orig.v6();
    int quote = v6 ? 48 : 28;
    byte[] m = new byte[8 + quote];
    m[0] = (byte) type;
    m[1] = (byte) code;
    if (mtu > 0) {
      if (v6) {
        m[4] = (byte) (mtu >>> 24);
        m[5] = (byte) (mtu >>> 16);
      }
      put16(m, 6, mtu & 0xffff);
    }
    System.arraycopy(f, 14, m, 8, Math.min(quote, f.length - 14));
    if (!v6) {
      put16(m, 2, checksum(m, 0, m.length, 0));
    }
    return m;
  }

  /** An ICMP error about a UDP datagram, as the receiving host reads it. */
  record IcmpError(int type, int code, int mtu, int srcPort, int dstPort) {
    /** @return the errno Linux gives it (icmp_err_convert, icmpv6_err_convert) */
    int errno(boolean v6) {
      if (v6) {
        return type == 2 ? dev.jdgram.handle.Errno.EMSGSIZE
            : code == 4 ? dev.jdgram.handle.Errno.ECONNREFUSED : dev.jdgram.handle.Errno.EHOSTUNREACH;
      }
      return switch (code) {
        case 3 -> dev.jdgram.handle.Errno.ECONNREFUSED;
        case 4 -> dev.jdgram.handle.Errno.EMSGSIZE;
        case 0, 6 -> dev.jdgram.handle.Errno.ENETUNREACH;
        default -> dev.jdgram.handle.Errno.EHOSTUNREACH;
      };
    }
  }

  /** @return a destination-unreachable (or packet-too-big) error about a UDP datagram, else null */
  IcmpError icmpError() {
    byte[] m = payload;
    boolean v4 = proto == ICMP && m.length >= 36 && m[0] == 3;
    boolean v6 = proto == ICMPV6 && m.length >= 56 && (m[0] == 1 || m[0] == 2);
    if (!v4 && !v6) {
      return null;
    }
    int udp = v4 ? 8 + (m[8] & 0x0f) * 4 : 48;
    int mtu = v6 && m[0] == 2 ? ((m[4] & 0xff) << 24) | ((m[5] & 0xff) << 16) | ((m[6] & 0xff) << 8) | (m[7] & 0xff)
        : v4 && m[1] == 4 ? ((m[6] & 0xff) << 8) | (m[7] & 0xff) : 0;
    return new IcmpError(m[0] & 0xff, m[1] & 0xff, mtu, ((m[udp] & 0xff) << 8) | (m[udp + 1] & 0xff),
        ((m[udp + 2] & 0xff) << 8) | (m[udp + 3] & 0xff));
  }

  /** @return the destination address quoted in an ICMP error */
  InetAddress unreachableAddress() {
    return proto == ICMP ? addr(java.util.Arrays.copyOfRange(payload, 8 + 16, 8 + 20)) : addr(java.util.Arrays.copyOfRange(payload, 8 + 24, 8 + 40));
  }

  boolean isMembershipMessage() {
    if (proto == IGMP) {
      return true;
    }
    return proto == ICMPV6 && payload.length > 0 && ((payload[0] & 0xff) == 131 || (payload[0] & 0xff) == 132 || (payload[0] & 0xff) == 143);
  }

  // ---------------------------------------------------------------- bytes

  /** @return the Ethernet frame, with IPv4 header, UDP, IGMP and ICMPv6 checksums computed */
  public byte[] toFrame() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(wireSize());
    // a packet delivered through lo never got MACs: lo's are all zero, as on Linux
    out.writeBytes(dstMac != null ? dstMac : new byte[6]);
    out.writeBytes(srcMac != null ? srcMac : new byte[6]);
    byte[] s = src.getAddress();
    byte[] d = dst.getAddress();
    byte[] l4;
    if (proto == UDP) {
      l4 = new byte[8 + payload.length];
      put16(l4, 0, srcPort);
      put16(l4, 2, dstPort);
      put16(l4, 4, l4.length);
      System.arraycopy(payload, 0, l4, 8, payload.length);
      int c = checksum(l4, 0, l4.length, pseudo(s, d, UDP, l4.length));
      put16(l4, 6, c == 0 ? 0xffff : c);
    } else if (proto == ICMPV6) {
      l4 = payload.clone();
      l4[2] = 0;
      l4[3] = 0;
      put16(l4, 2, checksum(l4, 0, l4.length, pseudo(s, d, ICMPV6, l4.length)));
    } else {
      l4 = payload;
    }
    if (d.length == 4) {
      out.write(0x08);
      out.write(0x00);
      boolean ra = proto == IGMP;
      byte[] ip = new byte[ra ? 24 : 20];
      ip[0] = (byte) (ra ? 0x46 : 0x45);
      ip[1] = (byte) (proto == IGMP ? 0xc0 : tos);
      put16(ip, 2, ip.length + l4.length);
      put16(ip, 4, ipId & 0xffff);
      ip[6] = 0x40; // DF, as Linux sets it on UDP (IP_PMTUDISC_WANT, the default) and IGMP
      ip[8] = (byte) ttl;
      ip[9] = (byte) proto;
      System.arraycopy(s, 0, ip, 12, 4);
      System.arraycopy(d, 0, ip, 16, 4);
      if (ra) {
        ip[20] = (byte) 0x94;
        ip[21] = 4;
      }
      put16(ip, 10, checksum(ip, 0, ip.length, 0));
      out.writeBytes(ip);
    } else {
      out.write(0x86);
      out.write(0xdd);
      boolean hbh = proto == ICMPV6 && isMembershipMessage();
      byte[] ip = new byte[40 + (hbh ? 8 : 0)];
      ip[0] = (byte) (0x60 | (tos >>> 4)); // version and the traffic class's high half
      ip[1] = (byte) (tos << 4);
      put16(ip, 4, l4.length + (hbh ? 8 : 0));
      ip[6] = (byte) (hbh ? 0 : proto);
      ip[7] = (byte) ttl;
      System.arraycopy(s, 0, ip, 8, 16);
      System.arraycopy(d, 0, ip, 24, 16);
      if (hbh) { // hop-by-hop header with the router alert option (MLD)
        ip[40] = (byte) proto;
        ip[41] = 0;
        ip[42] = 5;
        ip[43] = 2;
        ip[46] = 1; // PadN
        ip[47] = 0;
      }
      out.writeBytes(ip);
    }
    out.writeBytes(l4);
    return out.toByteArray();
  }

  private static long pseudo(byte[] s, byte[] d, int proto, int len) {
    long sum = 0;
    for (int i = 0; i < s.length; i += 2) {
      sum += ((s[i] & 0xff) << 8) | (s[i + 1] & 0xff);
      sum += ((d[i] & 0xff) << 8) | (d[i + 1] & 0xff);
    }
    return sum + proto + (len & 0xffff) + (len >>> 16);
  }

  static int checksum(byte[] b, int off, int len, long initial) {
    long sum = initial;
    for (int i = 0; i + 1 < len; i += 2) {
      sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      sum += (b[off + len - 1] & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }
}
