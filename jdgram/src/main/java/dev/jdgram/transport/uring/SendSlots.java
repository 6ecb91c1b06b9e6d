package dev.jdgram.transport.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The loop's native staging area for SENDMSG SQEs: up to {@value #MAX_MSGS} message headers,
 * each with its own iovec and sockaddr, one data area that heap datagrams are copied into back to
 * back (a direct buffer is sent where it is), and one UDP_SEGMENT control message for a
 * segmented send. The SQEs point here, so it must not change until their completions are in:
 * every send of this transport is complete before its call returns.
 *
 * <pre>
 * struct msghdr (56 bytes)                         sockaddr_in (16)       sockaddr_in6 (28)
 *   0 msg_name   8 msg_namelen(u32)  16 msg_iov      0 family(u16)          0 family(u16)
 *  24 msg_iovlen 32 msg_control      40 msg_controllen  2 port (big-endian) 2 port  4 flowinfo
 *  48 msg_flags                                     4 addr                 8 addr[16] 24 scope_id
 * struct iovec (16): 0 iov_base 8 iov_len;  struct cmsghdr (16): 0 cmsg_len(u64) 8 level 12 type
 * </pre>
 */
final class SendSlots {
  static final int MAX_MSGS = 32;
  static final int DATA_SIZE = 512 * 1024;
  static final int MSGHDR_SIZE = 56;
  private static final int MSG_NAME = 0;
  private static final int MSG_NAMELEN = 8;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_CONTROL = 32;
  private static final int MSG_CONTROLLEN = 40;
  private static final int NAME_SIZE = 28;
  private static final int SOL_UDP = 17;
  private static final int UDP_SEGMENT = 103;
  private static final int CMSG_SPACE_U16 = 24; // CMSG_SPACE(2)
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfShort NET_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  final MemorySegment msgs;
  private final MemorySegment iovecs;
  private final MemorySegment names;
  private final MemorySegment data;
  private final MemorySegment control;
  // Mutable state: loop thread only.
  private InetSocketAddress lastDest;
  private boolean lastIpv6;
  private final MemorySegment lastName;
  private int lastNameLen;
  private int count;
  private long used;

  SendSlots(Arena arena) {
    msgs = arena.allocate((long) MSGHDR_SIZE * MAX_MSGS, 8);
    iovecs = arena.allocate(16L * MAX_MSGS, 8);
    names = arena.allocate(32L * MAX_MSGS, 8);
    data = arena.allocate(DATA_SIZE, 64);
    control = arena.allocate(CMSG_SPACE_U16, 8);
    lastName = arena.allocate(32, 8);
    control.set(LONG, 0, 16 + 2); // CMSG_LEN(2)
    control.set(INT, 8, SOL_UDP);
    control.set(INT, 12, UDP_SEGMENT);
    for (int i = 0; i < MAX_MSGS; i++) {
      msgs.set(LONG, (long) MSGHDR_SIZE * i + MSG_IOV, iovecs.address() + 16L * i);
      msgs.set(LONG, (long) MSGHDR_SIZE * i + MSG_IOVLEN, 1);
    }
  }

  void reset() {
    count = 0;
    used = 0;
  }

  int count() {
    return count;
  }

  /** @return the address of message header {@code i}, for its SQE */
  long header(int i) {
    return msgs.address() + (long) MSGHDR_SIZE * i;
  }

  /** @return true if one more datagram of {@code size} bytes fits */
  boolean fits(int size) {
    return count < MAX_MSGS && used + size <= DATA_SIZE;
  }

  /** Adds the bytes of {@code buf} from its position to its limit (copied unless direct). */
  void add(ByteBuffer buf, InetSocketAddress dest, boolean ipv6Socket) {
    int len = buf.remaining();
    MemorySegment src = MemorySegment.ofBuffer(buf);
    if (src.isNative()) {
      addRaw(src.address(), len, dest, ipv6Socket);
      return;
    }
    MemorySegment.copy(src, 0, data, used, len);
    addRaw(data.address() + used, len, dest, ipv6Socket);
    used += (len + 7) & ~7;
  }

  /** Adds one datagram already in native memory at {@code address}. */
  void addRaw(long address, int len, InetSocketAddress dest, boolean ipv6Socket) {
    int i = count++;
    iovecs.set(LONG, 16L * i, address);
    iovecs.set(LONG, 16L * i + 8, len);
    long h = (long) MSGHDR_SIZE * i;
    if (dest == null) {
      msgs.set(LONG, h + MSG_NAME, 0L);
      msgs.set(INT, h + MSG_NAMELEN, 0);
    } else {
      int nameLen = encoded(dest, ipv6Socket);
      MemorySegment.copy(lastName, 0, names, 32L * i, nameLen);
      msgs.set(LONG, h + MSG_NAME, names.address() + 32L * i);
      msgs.set(INT, h + MSG_NAMELEN, nameLen);
    }
    msgs.set(LONG, h + MSG_CONTROL, 0L);
    msgs.set(LONG, h + MSG_CONTROLLEN, 0L);
  }

  /** Makes header 0 one UDP_SEGMENT send of {@code total} bytes cut into {@code segment}-byte datagrams. */
  void segmented(long address, int total, int segment, InetSocketAddress dest, boolean ipv6Socket) {
    reset();
    addRaw(address, total, dest, ipv6Socket);
    control.set(ValueLayout.JAVA_SHORT_UNALIGNED, 16, (short) segment);
    msgs.set(LONG, MSG_CONTROL, control.address());
    msgs.set(LONG, MSG_CONTROLLEN, CMSG_SPACE_U16);
  }

  /** The sockaddr of {@code dest}, encoded again only when the destination changes. */
  private int encoded(InetSocketAddress dest, boolean ipv6Socket) {
    if (dest == lastDest && ipv6Socket == lastIpv6) {
      return lastNameLen;
    }
    if (lastDest != null && ipv6Socket == lastIpv6 && dest.getPort() == lastDest.getPort()) {
      InetAddress x = dest.getAddress();
      InetAddress y = lastDest.getAddress();
      if (x != null && x.equals(y)
          && (!(x instanceof Inet6Address x6) || x6.getScopeId() == ((Inet6Address) y).getScopeId())) {
        lastDest = dest;
        return lastNameLen;
      }
    }
    lastNameLen = write(lastName, dest, ipv6Socket);
    lastDest = dest;
    lastIpv6 = ipv6Socket;
    return lastNameLen;
  }

  /** sockaddr_in or sockaddr_in6 (an IPv4 address IPv4-mapped on a udp6 socket). @return its length */
  static int write(MemorySegment out, InetSocketAddress a, boolean ipv6Socket) {
    out.asSlice(0, 32).fill((byte) 0);
    byte[] raw = a.getAddress().getAddress();
    if (!ipv6Socket) {
      out.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET);
      out.set(NET_SHORT, 2, (short) a.getPort());
      MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 4, 4);
      return 16;
    }
    out.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET6);
    out.set(NET_SHORT, 2, (short) a.getPort());
    if (raw.length == 4) {
      out.set(ValueLayout.JAVA_BYTE, 8 + 10, (byte) 0xff);
      out.set(ValueLayout.JAVA_BYTE, 8 + 11, (byte) 0xff);
      MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 8 + 12, 4);
    } else {
      MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 8, 16);
      if (a.getAddress() instanceof Inet6Address a6) {
        out.set(INT, 24, a6.getScopeId());
      }
    }
    return NAME_SIZE;
  }
}
