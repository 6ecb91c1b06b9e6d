package dev.jdgram.handle;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A handle's native send slots: send requests that each own {@value #SLOT} bytes of native
 * memory, taken for a datagram that fits, filled with a copy of the caller's bytes, and given
 * back once the send completed. The one copy a send needs (the caller may reuse its array as
 * soon as {@code send} returns) goes straight to memory the kernel reads, and a loop that keeps
 * sending allocates nothing per datagram: neither the copy nor the request. quinn-udp and
 * Netty keep pooled native buffers for the same reason.
 *
 * <p>Grown on demand, doubling from {@value #FIRST} slots, up to {@value #MAX_SLOTS} (2 MiB); a
 * socket that never sends small datagrams from its loop has none. The memory belongs to an
 * automatic arena: it is freed when the handle and its requests are unreachable, so a request
 * still referenced somewhere can never point at freed memory. Loop thread only.
 */
final class SendSlots {
  /** Bytes per slot: a 1500-byte Ethernet payload fits, with room to spare. */
  static final int SLOT = 2048;
  private static final int FIRST = 8;
  private static final int MAX_SLOTS = 1024;

  private final ArrayDeque<SendReq> free = new ArrayDeque<>();
  /** The chunks, kept reachable with the pool (the slots' buffers reference them too). */
  private final List<MemorySegment> chunks = new ArrayList<>();
  private int slots;

  /**
   * @return a free request whose slot holds {@code len} bytes, or null if it would not fit or
   *     every slot is in use (the caller then copies the datagram as it would without slots)
   */
  SendReq take(int len) {
    if (len > SLOT) {
      return null;
    }
    SendReq r = free.pollLast(); // the most recently used slot: still in the cache
    if (r == null && slots < MAX_SLOTS) {
      grow();
      r = free.pollLast();
    }
    return r;
  }

  void release(SendReq r) {
    free.addLast(r);
  }

  /** @return slots made so far (each 2 KiB of native memory) */
  int slots() {
    return slots;
  }

  private void grow() {
    int n = slots == 0 ? FIRST : Math.min(slots, MAX_SLOTS - slots);
    MemorySegment chunk = Arena.ofAuto().allocate((long) n * SLOT, 64);
    chunks.add(chunk);
    ByteBuffer whole = chunk.asByteBuffer();
    for (int i = 0; i < n; i++) {
      free.addFirst(new SendReq(this, whole.slice(i * SLOT, SLOT), chunk.address() + (long) i * SLOT));
    }
    slots += n;
  }
}
