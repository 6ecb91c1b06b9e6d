package dev.jdgram.transport.uring;

import dev.jdgram.handle.SysError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The loop's provided-buffer ring (IORING_REGISTER_PBUF_RING): {@code count} buffers the kernel
 * picks from for each multishot receive, one datagram per buffer, given back once the datagram's
 * callback has returned (libuv's one slab per loop, as many times over as receives may wait).
 *
 * <pre>
 * struct io_uring_buf (16 bytes, the ring's entries)   struct io_uring_buf_reg (40 bytes)
 *   0 addr(u64)  8 len(u32)  12 bid(u16)  14 resv       0 ring_addr  8 ring_entries(u32)
 *   the ring's tail (u16) overlays entry 0's resv, at 14  12 bgid(u16) 14 flags(u16) 16 resv[3]
 * </pre>
 *
 * <p>Each buffer holds what a multishot recvmsg writes: {@code io_uring_recvmsg_out} (16 bytes),
 * the sender's name ({@link #NAME_SPACE}), the control messages ({@link #CONTROL_SPACE}), then the
 * payload, with room for the largest UDP datagram (and a GRO receive, which is at most 64 KiB).
 */
final class BufRing {
  static final int REGISTER_PBUF_RING = 22;
  static final int GROUP = 0;
  /** io_uring_recvmsg_out { u32 namelen; u32 controllen; u32 payloadlen; u32 flags; } */
  static final int OUT_SIZE = 16;
  /** sockaddr_in6 (28), rounded up so that the control messages start 8-aligned. */
  static final int NAME_SPACE = 32;
  /** As the linux transport's receive batch: every control message a datagram may carry at once. */
  static final int CONTROL_SPACE = 256;
  static final int PAYLOAD_AT = OUT_SIZE + NAME_SPACE + CONTROL_SPACE;
  static final int BUF_SIZE = PAYLOAD_AT + 64 * 1024;

  private static final VarHandle SHARED_SHORT = ValueLayout.JAVA_SHORT.varHandle();

  final int count;
  final MemorySegment buffers;
  /** One read-only view of each buffer's payload, made once: handing a datagram up allocates nothing. */
  final ByteBuffer[] views;
  private final MemorySegment ring;
  private final int mask;
  private int tail;

  /** @return the buffer count: {@code -Djdgram.uring.buffers}, default 64 (a power of two) */
  static int configuredCount() {
    int n = Integer.getInteger("jdgram.uring.buffers", 64);
    return Integer.highestOneBit(Math.max(8, Math.min(n, 4096)));
  }

  BufRing(Arena arena, Ring uring, int count) {
    this.count = count;
    this.mask = count - 1;
    ring = arena.allocate(16L * count, 4096);
    buffers = arena.allocate((long) BUF_SIZE * count, 4096);
    views = new ByteBuffer[count];
    for (int i = 0; i < count; i++) {
      // the payload's place is fixed (the name and control spaces are): a datagram starts at 0
      views[i] = buffers.asSlice((long) BUF_SIZE * i + PAYLOAD_AT, BUF_SIZE - PAYLOAD_AT).asByteBuffer().asReadOnlyBuffer();
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment reg = a.allocate(40, 8);
      reg.set(ValueLayout.JAVA_LONG, 0, ring.address());
      reg.set(ValueLayout.JAVA_INT, 8, count);
      reg.set(ValueLayout.JAVA_SHORT, 12, (short) GROUP);
      int r = uring.register(REGISTER_PBUF_RING, reg, 1);
      if (r < 0) {
        throw new SysError(r);
      }
    }
    for (int i = 0; i < count; i++) {
      put(i);
    }
    publish();
  }

  /** @return where buffer {@code bid} starts in {@link #buffers} */
  long offset(int bid) {
    return (long) BUF_SIZE * bid;
  }

  /** Gives buffer {@code bid} back to the kernel (seen at the next {@link #publish}). */
  void put(int bid) {
    long e = 16L * (tail & mask);
    ring.set(ValueLayout.JAVA_LONG, e, buffers.address() + offset(bid));
    ring.set(ValueLayout.JAVA_INT, e + 8, BUF_SIZE);
    ring.set(ValueLayout.JAVA_SHORT, e + 12, (short) bid);
    tail++;
  }

  /** Makes the buffers given back visible to the kernel. */
  void publish() {
    SHARED_SHORT.setRelease(ring, 14L, (short) tail);
  }
}
