package dev.jdgram;

import dev.jdgram.handle.NativeBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Many datagrams to one destination, sent with one call: {@link DgramSocket#send(DatagramBatch,
 * int, String, BatchCallback)}. The datagrams are copied into the batch's own off-heap memory
 * when added, and the kernel takes them from there: with one {@code sendmmsg} per up to 64, or,
 * on the linux transport when they share a size, with {@code UDP_SEGMENT} (GSO), which carries up
 * to 64 in one system call. Reuse one batch (or two, alternating) and nothing is allocated per
 * datagram.
 *
 * <p>A batch belongs to one send at a time: from {@code send} until its callback it must not
 * change ({@code add} and {@code clear} throw {@code ERR_INVALID_STATE}). {@link #close()} frees
 * its memory.
 */
public final class DatagramBatch implements AutoCloseable {
  /** The most datagrams one batch holds (memory is taken when the batch is made). */
  public static final int MAX_DATAGRAMS = 1 << 16;
  /** The most payload bytes one batch holds. */
  public static final int MAX_BYTES = 1 << 28;

  final NativeBatch nat;
  /** The batch's one send in progress, refilled at each send: sending allocates nothing. */
  private final BatchOp op = new BatchOp(this);
  private volatile boolean inFlight;

  /**
   * @param maxDatagrams how many datagrams it holds, 1 to {@link #MAX_DATAGRAMS}
   * @param maxBytes how many payload bytes it holds in all, 1 to {@link #MAX_BYTES}
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a capacity out of range
   */
  public DatagramBatch(int maxDatagrams, int maxBytes) {
    if (maxDatagrams < 1 || maxDatagrams > MAX_DATAGRAMS) {
      throw Errors.outOfRange("maxDatagrams", ">= 1 && <= " + MAX_DATAGRAMS, maxDatagrams);
    }
    if (maxBytes < 1 || maxBytes > MAX_BYTES) {
      throw Errors.outOfRange("maxBytes", ">= 1 && <= " + MAX_BYTES, maxBytes);
    }
    this.nat = new NativeBatch(maxDatagrams, maxBytes);
  }

  /**
   * Adds a copy of {@code msg} as one datagram.
   *
   * @param msg the datagram
   * @return false if the batch is full (nothing was added)
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_STATE} while
   *     the batch is being sent or after close
   */
  public boolean add(byte[] msg) {
    if (msg == null) {
      throw Errors.invalidArgType("msg", "of type byte[]", null);
    }
    return add(msg, 0, msg.length);
  }

  /**
   * Adds a copy of {@code length} bytes of {@code msg} from {@code offset} as one datagram.
   *
   * @param msg the buffer
   * @param offset where the datagram starts
   * @param length its length
   * @return false if the batch is full
   * @throws DgramException {@code ERR_BUFFER_OUT_OF_BOUNDS} outside {@code msg}, and as
   *     {@link #add(byte[])}
   */
  public boolean add(byte[] msg, int offset, int length) {
    if (msg == null) {
      throw Errors.invalidArgType("msg", "of type byte[]", null);
    }
    if (offset < 0 || offset > msg.length) {
      throw Errors.bufferOutOfBounds("offset");
    }
    if (length < 0 || (long) offset + length > msg.length) {
      throw Errors.bufferOutOfBounds("length");
    }
    checkWritable();
    return nat.add(msg, offset, length);
  }

  /**
   * Adds a copy of {@code msg}'s remaining bytes (its position is not moved) as one datagram.
   *
   * @param msg the datagram
   * @return false if the batch is full
   */
  public boolean add(ByteBuffer msg) {
    if (msg == null) {
      throw Errors.invalidArgType("msg", "of type ByteBuffer", null);
    }
    checkWritable();
    return nat.add(msg);
  }

  /**
   * Adds a datagram that asks the kernel for its own TOS byte or ECN codepoint, TTL, source
   * address or interface ({@link SendOptions}); the batch still goes out in one
   * {@code sendmmsg} (and datagrams that share a size and one {@code SendOptions} instance in
   * one segmented send).
   *
   * @param msg the datagram
   * @param options what it asks beyond its bytes
   * @return false if the batch is full (nothing added)
   * @throws DgramException {@code ERR_INVALID_STATE} while the batch is being sent or once closed
   */
  public boolean add(byte[] msg, SendOptions options) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type SendOptions", null);
    }
    if (!add(msg)) {
      return false;
    }
    nat.setInfo(options.handleInfo());
    return true;
  }

  /**
   * Adds {@code msg}, UTF-8 encoded, as one datagram.
   *
   * @param msg the text
   * @return false if the batch is full
   */
  public boolean add(String msg) {
    if (msg == null) {
      throw Errors.invalidArgType("msg", "of type string", null);
    }
    return add(msg.getBytes(StandardCharsets.UTF_8));
  }

  /** @return how many datagrams the batch holds */
  public int size() {
    return nat.count();
  }

  /** @return how many payload bytes the batch holds */
  public long bytes() {
    return nat.bytes();
  }

  /**
   * Empties the batch for reuse.
   *
   * @throws DgramException {@code ERR_INVALID_STATE} while it is being sent
   */
  public void clear() {
    checkWritable();
    nat.clear();
  }

  /** @return true from send until its callback */
  public boolean isInFlight() {
    return inFlight;
  }

  /** Frees the batch's memory. Closing a batch that is being sent waits for nothing: don't. */
  @Override
  public void close() {
    if (inFlight) {
      throw DgramException.of("ERR_INVALID_STATE", "The batch is being sent");
    }
    nat.close();
  }

  private void checkWritable() {
    if (inFlight) {
      throw DgramException.of("ERR_INVALID_STATE", "The batch is being sent");
    }
    if (nat.isClosed()) {
      throw DgramException.of("ERR_INVALID_STATE", "The batch is closed");
    }
  }

  /**
   * Marks the batch as taken by a send.
   *
   * @return its op, refilled for this send
   * @throws DgramException if the batch is being sent already, or closed
   */
  BatchOp begin(DgramSocket socket, int port, String address, BatchCallback callback) {
    synchronized (this) {
      checkWritable();
      inFlight = true;
      return op.prepare(socket, port, address, callback);
    }
  }

  void end() {
    inFlight = false;
  }
}
