package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.jdgram.handle.SendInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The loop's native staging area for sends: up to {@value #MAX_MSGS} message headers for one
 * {@code sendmmsg}, each with its own iovec and sockaddr, and one data area the datagrams are
 * copied into back to back (Java heap buffers cannot be handed to the kernel).
 */
final class SendBatch {
  static final int MAX_MSGS = 64;
  static final int DATA_SIZE = 1024 * 1024;
  /**
   * Control space per message: UDP_SEGMENT (CMSG_SPACE(2) 24), IP_TOS / IPV6_TCLASS (24),
   * IP_TTL / IPV6_HOPLIMIT (24), IP_PKTINFO (32) or IPV6_PKTINFO (40): 112 at most.
   */
  static final int CONTROL_SIZE = 128;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  final MemorySegment msgvec;
  final MemorySegment iovecs;
  final MemorySegment names;
  final MemorySegment data;
  final MemorySegment control;
  private final MemorySegment lastName;
  // Mutable state: loop thread only (one send batch per loop, used by one handle at a time).
  private InetSocketAddress lastDest;
  private boolean lastIpv6;
  private int lastNameLen;
  private int count;
  private long used;

  SendBatch(Arena arena) {
    msgvec = arena.allocate(Structs.MMSGHDR.byteSize() * MAX_MSGS, 8);
    iovecs = arena.allocate(Structs.IOVEC.byteSize() * MAX_MSGS, 8);
    names = arena.allocate((long) Structs.SOCKADDR_IN6_SIZE * MAX_MSGS, 8);
    data = arena.allocate(DATA_SIZE, 64);
    control = arena.allocate((long) CONTROL_SIZE * MAX_MSGS, 8);
    lastName = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    for (int i = 0; i < MAX_MSGS; i++) {
      MemorySegment hdr = header(i);
      hdr.fill((byte) 0);
      hdr.set(ADDRESS, Structs.MSG_IOV, iovecs.asSlice(Structs.IOVEC.byteSize() * i));
      hdr.set(LONG, Structs.MSG_IOVLEN, 1);
    }
  }

  MemorySegment header(int i) {
    return msgvec.asSlice(Structs.MMSGHDR.byteSize() * i, Structs.MMSGHDR.byteSize());
  }

  void reset() {
    count = 0;
    used = 0;
  }

  int count() {
    return count;
  }

  /** @return true if a datagram of {@code size} bytes still fits */
  boolean fits(int size) {
    return count < MAX_MSGS && used + size <= DATA_SIZE;
  }

  /**
   * Adds one datagram that is already in native memory at {@code address}: no copy.
   *
   * @param dest the destination, or null on a connected socket
   */
  void addRaw(long address, int len, InetSocketAddress dest, boolean ipv6Socket) {
    int i = count++;
    long iov = Structs.IOVEC.byteSize() * i;
    iovecs.set(LONG, iov + Structs.IOV_BASE, address);
    iovecs.set(LONG, iov + Structs.IOV_LEN, len);
    setName(i, dest, ipv6Socket);
  }

  /**
   * The sockaddr of {@code dest}, encoded once while the destination stays the same (sends to
   * one peer, every datagram of a batch): encoding reads the address's bytes, which the JDK hands
   * out as a new array each time. Compared by value, not identity, because two batches (or two
   * sends) to one peer often carry two equal address objects; InetAddress.equals reads the
   * address in place, allocating nothing.
   *
   * @return its length, the bytes being in {@link #lastName}
   */
  private int encoded(InetSocketAddress dest, boolean ipv6Socket) {
    if (dest != lastDest && !sameName(dest, lastDest) || ipv6Socket != lastIpv6) {
      lastNameLen = SockAddr.write(lastName, dest, ipv6Socket);
      lastDest = dest;
      lastIpv6 = ipv6Socket;
    }
    return lastNameLen;
  }

  /** @return true if {@code a} and {@code b} encode to the same sockaddr */
  private static boolean sameName(InetSocketAddress a, InetSocketAddress b) {
    if (b == null || a.getPort() != b.getPort()) {
      return false;
    }
    InetAddress x = a.getAddress();
    InetAddress y = b.getAddress();
    if (x == null || !x.equals(y)) {
      return false;
    }
    // Inet6Address.equals ignores the scope, which the sockaddr carries
    return !(x instanceof Inet6Address x6) || x6.getScopeId() == ((Inet6Address) y).getScopeId();
  }

  private void setName(int i, InetSocketAddress dest, boolean ipv6Socket) {
    long h = Structs.MMSGHDR.byteSize() * i;
    if (dest == null) {
      msgvec.set(LONG, h + Structs.MSG_NAME, 0L);
      msgvec.set(INT, h + Structs.MSG_NAMELEN, 0);
    } else {
      long nameOff = (long) Structs.SOCKADDR_IN6_SIZE * i;
      int nameLen = encoded(dest, ipv6Socket);
      MemorySegment.copy(lastName, 0, names, nameOff, nameLen);
      msgvec.set(LONG, h + Structs.MSG_NAME, names.address() + nameOff);
      msgvec.set(INT, h + Structs.MSG_NAMELEN, nameLen);
    }
    msgvec.set(LONG, h + Structs.MSG_CONTROL, 0L);
    msgvec.set(LONG, h + Structs.MSG_CONTROLLEN, 0L);
    msgvec.set(INT, h + Structs.MMSG_LEN, 0);
  }

  /**
   * Prepares header 0 as one UDP_SEGMENT (GSO) send: {@code total} bytes at {@code address}
   * that the kernel cuts into datagrams of {@code segmentSize} (the last may be shorter).
   */
  void segmented(long address, int total, int segmentSize, InetSocketAddress dest, boolean ipv6Socket) {
    reset();
    addRaw(address, total, dest, ipv6Socket);
    control.set(LONG, Structs.CMSG_LEN, Structs.CMSG_HDR + 2);
    control.set(INT, Structs.CMSG_LEVEL, LinuxConstants.IPPROTO_UDP); // SOL_UDP
    control.set(INT, Structs.CMSG_TYPE, LinuxConstants.UDP_SEGMENT);
    control.set(ValueLayout.JAVA_SHORT_UNALIGNED, Structs.CMSG_HDR, (short) segmentSize);
    msgvec.set(LONG, Structs.MSG_CONTROL, control.address());
    msgvec.set(LONG, Structs.MSG_CONTROLLEN, Structs.cmsgSpace(2));
  }

  /**
   * Adds to message {@code i}'s control messages what {@code info} asks (after any already
   * there, such as UDP_SEGMENT): the TOS byte (from {@code socketTos} when only ECN is asked),
   * the TTL, the source address and interface.
   */
  void setInfo(int i, SendInfo info, int socketTos, boolean ipv6Socket) {
    if (info == null) {
      return;
    }
    long h = Structs.MMSGHDR.byteSize() * i;
    long base = (long) CONTROL_SIZE * i;
    long at = base + msgvec.get(LONG, h + Structs.MSG_CONTROLLEN);
    int tos = info.tosWith(socketTos);
    if (tos >= 0) {
      at = putInt(at, ipv6Socket ? LinuxConstants.IPPROTO_IPV6 : LinuxConstants.IPPROTO_IP,
          ipv6Socket ? LinuxConstants.IPV6_TCLASS : LinuxConstants.IP_TOS, tos);
    }
    if (info.ttl > 0) {
      at = putInt(at, ipv6Socket ? LinuxConstants.IPPROTO_IPV6 : LinuxConstants.IPPROTO_IP,
          ipv6Socket ? LinuxConstants.IPV6_HOPLIMIT : LinuxConstants.IP_TTL, info.ttl);
    }
    if (info.picksSource()) {
      at = putPktinfo(at, info, ipv6Socket);
    }
    msgvec.set(LONG, h + Structs.MSG_CONTROL, control.address() + base);
    msgvec.set(LONG, h + Structs.MSG_CONTROLLEN, at - base);
  }

  private long putInt(long at, int level, int type, int value) {
    control.set(LONG, at + Structs.CMSG_LEN, Structs.CMSG_HDR + 4);
    control.set(INT, at + Structs.CMSG_LEVEL, level);
    control.set(INT, at + Structs.CMSG_TYPE, type);
    control.set(INT, at + Structs.CMSG_HDR, value);
    return at + Structs.cmsgSpace(4);
  }

  /** IP_PKTINFO's ipi_spec_dst (or IPV6_PKTINFO's ipi6_addr) is the source to send from. */
  private long putPktinfo(long at, SendInfo info, boolean ipv6Socket) {
    long size = ipv6Socket ? Structs.IN6_PKTINFO.byteSize() : Structs.IN_PKTINFO.byteSize();
    control.asSlice(at, Structs.cmsgSpace(size)).fill((byte) 0);
    control.set(LONG, at + Structs.CMSG_LEN, Structs.CMSG_HDR + size);
    control.set(INT, at + Structs.CMSG_LEVEL, ipv6Socket ? LinuxConstants.IPPROTO_IPV6 : LinuxConstants.IPPROTO_IP);
    control.set(INT, at + Structs.CMSG_TYPE, ipv6Socket ? LinuxConstants.IPV6_PKTINFO : LinuxConstants.IP_PKTINFO);
    long data = at + Structs.CMSG_HDR;
    byte[] src = info.source == null ? null : info.source.getAddress();
    if (ipv6Socket) {
      if (src != null) {
        if (src.length == 4) { // an IPv4 source on a udp6 socket: its mapped form
          byte[] m = new byte[16];
          m[10] = -1;
          m[11] = -1;
          System.arraycopy(src, 0, m, 12, 4);
          src = m;
        }
        MemorySegment.copy(src, 0, control, ValueLayout.JAVA_BYTE, data + Structs.IPI6_ADDR, 16);
      }
      control.set(INT, data + Structs.IPI6_IFINDEX, info.ifindex);
    } else {
      if (src != null) {
        MemorySegment.copy(src, 0, control, ValueLayout.JAVA_BYTE, data + Structs.IPI_SPEC_DST, 4);
      }
      control.set(INT, data + Structs.IPI_IFINDEX, info.ifindex);
    }
    return at + Structs.cmsgSpace(size);
  }

  /**
   * Adds one datagram (copied from {@code payload}, position to limit, which is not moved).
   *
   * @param dest the destination, or null on a connected socket
   */
  void add(ByteBuffer payload, InetSocketAddress dest, boolean ipv6Socket) {
    int i = count++;
    int len = payload.remaining();
    if (payload.hasArray()) { // straight from the array: no segment made per datagram
      MemorySegment.copy(payload.array(), payload.arrayOffset() + payload.position(), data,
          ValueLayout.JAVA_BYTE, used, len);
    } else {
      MemorySegment.copy(MemorySegment.ofBuffer(payload), 0, data, used, len);
    }
    long iov = Structs.IOVEC.byteSize() * i;
    iovecs.set(LONG, iov + Structs.IOV_BASE, data.address() + used); // raw pointers: no garbage
    iovecs.set(LONG, iov + Structs.IOV_LEN, len);
    used += (len + 7) & ~7L;
    setName(i, dest, ipv6Socket);
  }

  /** @return the bytes the kernel took for message {@code i} after sendmmsg */
  int sent(int i) {
    return msgvec.get(INT, Structs.MMSGHDR.byteSize() * i + Structs.MMSG_LEN);
  }
}
