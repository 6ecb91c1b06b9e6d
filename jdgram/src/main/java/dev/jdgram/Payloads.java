package dev.jdgram;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns what the caller hands to {@code send} ({@code byte[]}, a slice of one, {@code ByteBuffer},
 * {@code String}, or a list of them) into one private buffer per datagram, checked as Node
 * checks it. A copy, because the send completes later and the caller may reuse its buffer.
 */
final class Payloads {
  private Payloads() {
  }

  static DgramException bufferType(Object actual) {
    return Errors.invalidArgType("buffer", "of type byte[], ByteBuffer, String or a List of them", actual);
  }

  /** Node's checks of a slice: a buffer, an offset within it, a length that fits. */
  static void checkRange(byte[] msg, int offset, int length) {
    if (msg == null) {
      throw bufferType(null);
    }
    if (offset < 0 || offset > msg.length) {
      throw Errors.bufferOutOfBounds("offset");
    }
    if (length < 0 || (long) offset + length > msg.length) {
      throw Errors.bufferOutOfBounds("length");
    }
  }

  /** A copy of all of {@code msg}. */
  static ByteBuffer copyOf(byte[] msg) {
    if (msg == null) {
      throw bufferType(null);
    }
    return ByteBuffer.wrap(msg.clone());
  }

  /** A copy of {@code length} bytes of {@code msg} from {@code offset}. */
  static ByteBuffer copyOf(byte[] msg, int offset, int length) {
    checkRange(msg, offset, length);
    byte[] copy = new byte[length];
    System.arraycopy(msg, offset, copy, 0, length);
    return ByteBuffer.wrap(copy);
  }

  /** A copy of the remaining bytes of {@code msg}; its position is not changed. */
  static ByteBuffer copyOf(ByteBuffer msg) {
    if (msg == null) {
      throw bufferType(null);
    }
    ByteBuffer copy = ByteBuffer.allocate(msg.remaining());
    copy.put(msg.duplicate());
    return copy.flip();
  }

  /** {@code msg}, UTF-8 encoded. */
  static ByteBuffer utf8(String msg) {
    if (msg == null) {
      throw bufferType(null);
    }
    return ByteBuffer.wrap(msg.getBytes(StandardCharsets.UTF_8));
  }

  /** The parts one after the other. */
  static ByteBuffer concat(List<?> parts) {
    if (parts == null) {
      throw bufferType(null);
    }
    int total = 0;
    for (Object p : parts) {
      if (p instanceof byte[] b) {
        total += b.length;
      } else if (p instanceof ByteBuffer bb) {
        total += bb.remaining();
      } else if (p instanceof String s) {
        total += s.getBytes(StandardCharsets.UTF_8).length;
      } else {
        throw Errors.invalidArgType("buffer list arguments",
            "of type byte[], ByteBuffer or String", p);
      }
    }
    ByteBuffer all = ByteBuffer.allocate(total);
    for (Object p : parts) {
      if (p instanceof byte[] b) {
        all.put(b);
      } else if (p instanceof ByteBuffer bb) {
        all.put(bb.duplicate());
      } else {
        all.put(((String) p).getBytes(StandardCharsets.UTF_8));
      }
    }
    return all.flip();
  }
}
