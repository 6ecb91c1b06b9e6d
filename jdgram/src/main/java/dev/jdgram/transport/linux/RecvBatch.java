package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * One {@code recvmmsg} batch: {@code size} message headers, each with its own iovec, its own
 * 64 KiB buffer (any datagram fits), its own sockaddr storage and its own control buffer (so no
 * header's control messages spill into another's). Allocated once per loop and reused.
 */
final class RecvBatch {
  /** Each datagram's buffer: the largest UDP payload, rounded up. */
  static final int BUF_SIZE = 64 * 1024;
  /**
   * Control space per message, for every control message a datagram may carry at once:
   * CMSG_SPACE of IPV6_PKTINFO (20) 40, IP_PKTINFO (12) 32, UDP_GRO (4) 24, IP_TOS (1) 24,
   * IP_TTL / IPV6_TCLASS / IPV6_HOPLIMIT (4) 24 each, SO_TIMESTAMPNS (16) 32: 224 at most.
   */
  static final int CONTROL_SIZE = 256;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  final int size;
  final MemorySegment msgvec;
  final MemorySegment iovecs;
  final MemorySegment names;
  final MemorySegment controls;
  final MemorySegment buffers;
  /** One ByteBuffer view per slot, made once: handing a datagram up allocates nothing. */
  final ByteBuffer[] views;

  /** @return the batch size: {@code -Djdgram.linux.recvBatch}, default 16 (measured: docs/performance.md). */
  static int configuredSize() {
    int n = Integer.getInteger("jdgram.linux.recvBatch", 16);
    return Math.max(1, Math.min(n, 1024));
  }

  RecvBatch(Arena arena, int size) {
    this.size = size;
    msgvec = arena.allocate(Structs.MMSGHDR.byteSize() * size, 8);
    iovecs = arena.allocate(Structs.IOVEC.byteSize() * size, 8);
    names = arena.allocate((long) Structs.SOCKADDR_STORAGE_SIZE * size, 8);
    controls = arena.allocate((long) CONTROL_SIZE * size, 8);
    buffers = arena.allocate((long) BUF_SIZE * size, 64);
    views = new ByteBuffer[size];
    for (int i = 0; i < size; i++) {
      MemorySegment buf = buffers.asSlice((long) BUF_SIZE * i, BUF_SIZE);
      views[i] = buf.asByteBuffer().asReadOnlyBuffer(); // the kernel writes; listeners only read
      MemorySegment iov = iovecs.asSlice(Structs.IOVEC.byteSize() * i);
      iov.set(ADDRESS, Structs.IOV_BASE, buf);
      iov.set(LONG, Structs.IOV_LEN, BUF_SIZE);
      MemorySegment hdr = header(i);
      hdr.set(ADDRESS, Structs.MSG_NAME, name(i));
      hdr.set(ADDRESS, Structs.MSG_IOV, iov);
      hdr.set(LONG, Structs.MSG_IOVLEN, 1);
      hdr.set(ADDRESS, Structs.MSG_CONTROL, control(i));
    }
  }

  MemorySegment header(int i) {
    return msgvec.asSlice(Structs.MMSGHDR.byteSize() * i, Structs.MMSGHDR.byteSize());
  }

  MemorySegment name(int i) {
    return names.asSlice((long) Structs.SOCKADDR_STORAGE_SIZE * i, Structs.SOCKADDR_STORAGE_SIZE);
  }

  /** @return where message {@code i}'s sockaddr starts in {@link #names} */
  long nameOffset(int i) {
    return (long) Structs.SOCKADDR_STORAGE_SIZE * i;
  }

  /** @return where message {@code i}'s control buffer starts in {@link #controls} */
  long controlOffset(int i) {
    return (long) CONTROL_SIZE * i;
  }

  MemorySegment control(int i) {
    return controls.asSlice((long) CONTROL_SIZE * i, CONTROL_SIZE);
  }

  /** Resets the fields the kernel overwrites, for the first {@code n} headers. */
  void prepare(int n) {
    long step = Structs.MMSGHDR.byteSize();
    for (int i = 0; i < n; i++) {
      long h = step * i;
      msgvec.set(INT, h + Structs.MSG_NAMELEN, Structs.SOCKADDR_STORAGE_SIZE);
      msgvec.set(LONG, h + Structs.MSG_CONTROLLEN, CONTROL_SIZE);
      msgvec.set(INT, h + Structs.MSG_FLAGS, 0);
      msgvec.set(INT, h + Structs.MMSG_LEN, 0);
    }
  }

  int length(int i) {
    return msgvec.get(INT, Structs.MMSGHDR.byteSize() * i + Structs.MMSG_LEN);
  }

  int flags(int i) {
    return msgvec.get(INT, Structs.MMSGHDR.byteSize() * i + Structs.MSG_FLAGS);
  }

  int nameLength(int i) {
    return msgvec.get(INT, Structs.MMSGHDR.byteSize() * i + Structs.MSG_NAMELEN);
  }

  long controlLength(int i) {
    return msgvec.get(LONG, Structs.MMSGHDR.byteSize() * i + Structs.MSG_CONTROLLEN);
  }
}
