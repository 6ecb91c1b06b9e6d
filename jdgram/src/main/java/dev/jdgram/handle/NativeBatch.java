package dev.jdgram.handle;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native side of a {@code DatagramBatch}: datagrams stored back to back in one off-heap
 * segment (so a GSO send can take same-size datagrams as one buffer), with their offsets and
 * lengths. Owned by one batch; freed by {@link #close()}.
 */
public final class NativeBatch implements AutoCloseable {
  private final Arena arena = Arena.ofShared();
  private final MemorySegment data;
  private final long[] offsets;
  private final int[] lengths;
  /** Each datagram's own TOS, TTL, source (null: none): sent along in the same sendmmsg. */
  private final SendInfo[] infos;
  private int count;
  private long used;
  private boolean closed;

  public NativeBatch(int maxDatagrams, int maxBytes) {
    data = arena.allocate(Math.max(maxBytes, 1), 64);
    offsets = new long[maxDatagrams];
    lengths = new int[maxDatagrams];
    infos = new SendInfo[maxDatagrams];
  }

  /** @return false if the datagram does not fit (count or bytes) */
  public boolean add(MemorySegment src, long srcOffset, int len) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (count == offsets.length || used + len > data.byteSize()) {
      return false;
    }
    MemorySegment.copy(src, srcOffset, data, used, len);
    offsets[count] = used;
    lengths[count] = len;
    infos[count] = null;
    count++;
    used += len;
    return true;
  }

  /** Copies {@code src}'s remaining bytes (position unchanged); @return false if full. */
  public boolean add(ByteBuffer src) {
    return add(MemorySegment.ofBuffer(src), 0, src.remaining());
  }

  /** @return false if full */
  public boolean add(byte[] src, int off, int len) {
    return add(MemorySegment.ofArray(src), off, len);
  }

  /** Sets what the last added datagram asks beyond its bytes (null: nothing). */
  public void setInfo(SendInfo info) {
    infos[count - 1] = info;
  }

  /** @return what datagram {@code i} asks beyond its bytes, or null */
  public SendInfo info(int i) {
    return infos[i];
  }

  public int count() {
    return count;
  }

  public long bytes() {
    return used;
  }

  public int length(int i) {
    return lengths[i];
  }

  public long offset(int i) {
    return offsets[i];
  }

  /** @return the segment holding every datagram back to back */
  public MemorySegment segment() {
    return data;
  }

  /**
   * @return true if datagrams {@code from} to {@code count()-1} all have the size of the
   *     first, except that the last may be shorter: what one UDP_SEGMENT send can carry
   */
  public boolean segmentable(int from) {
    if (count - from < 2) {
      return false;
    }
    int size = lengths[from];
    for (int i = from + 1; i < count - 1; i++) {
      if (lengths[i] != size || infos[i] != infos[from]) {
        return false;
      }
    }
    // one segmented send carries one set of control messages: the same SendInfo for all
    return lengths[count - 1] <= size && infos[count - 1] == infos[from];
  }

  /** Empties the batch for reuse; the memory stays. */
  public void clear() {
    count = 0;
    used = 0;
  }

  public boolean isClosed() {
    return closed;
  }

  /** A direct-buffer view of datagram {@code i}, for a transport that sends from buffers. */
  public ByteBuffer view(int i) {
    return data.asSlice(offsets[i], lengths[i]).asByteBuffer();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      arena.close();
    }
  }
}
