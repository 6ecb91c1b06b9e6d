package dev.jdgram.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Datagram payloads as text and hex dumps (JSON: {@link Json}). */
final class Payloads {
  private static final HexFormat HEX = HexFormat.of();

  private Payloads() {}

  /** @return the payload as UTF-8, or null when it is not valid UTF-8 */
  static String utf8OrNull(byte[] data) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** @return the payload as one line of text: UTF-8, control characters escaped */
  static String text(byte[] data) {
    String s = EventLog.quote(data);
    return s.substring(1, s.length() - 1);
  }

  /** @return lowercase hex, no separators */
  static String hex(byte[] data) {
    return HEX.formatHex(data);
  }

  /** @return a hex dump, 16 bytes a line: offset, bytes, printable ASCII; no final newline */
  static String hexDump(byte[] data, String indent) {
    StringBuilder b = new StringBuilder();
    for (int off = 0; off < data.length; off += 16) {
      if (off > 0) {
        b.append('\n');
      }
      b.append(indent).append(String.format("%04x ", off));
      StringBuilder ascii = new StringBuilder();
      for (int i = 0; i < 16; i++) {
        if (i == 8) {
          b.append(' ');
        }
        if (off + i < data.length) {
          int v = data[off + i] & 0xff;
          b.append(' ').append(HEX.toHexDigits((byte) v));
          ascii.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
        } else {
          b.append("   ");
        }
      }
      b.append("  |").append(ascii).append('|');
    }
    return b.toString();
  }
}
