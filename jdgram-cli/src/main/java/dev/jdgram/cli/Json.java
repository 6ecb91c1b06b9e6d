// SPDX-License-Identifier: Apache-2.0
package dev.jdgram.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;

/**
 * The command's JSON, written with Jackson's streaming generator rather than by hand: the
 * {@code listen --json} lines, and the quoted payloads of the text output and the demo (a JSON
 * string literal is an unambiguous one-line form of any text).
 */
final class Json {
  /** Thread-safe once built; generators made from it are not, so each call makes its own. */
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  /**
   * JSON's escapes plus DEL (0x7f): standard JSON leaves DEL as it is, but on a terminal it is
   * invisible, and a payload shown to a person must show every byte.
   */
  private static final CharacterEscapes FOR_TERMINALS = new CharacterEscapes() {
    private final int[] ascii = escapeDel(standardAsciiEscapesForJSON());

    private static int[] escapeDel(int[] codes) {
      int[] c = Arrays.copyOf(codes, Math.max(codes.length, 0x80));
      c[0x7f] = ESCAPE_STANDARD;
      return c;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
      return null; // only standard escapes (\n, \u007f, ...) are asked for above
    }
  };

  private Json() {}

  /**
   * One {@code listen --json} line: {@code time}, {@code address}, {@code family}, {@code port},
   * {@code size}, {@code text} (the payload as UTF-8, or null when it is not valid UTF-8) and
   * {@code hex}.
   */
  static String datagram(Instant time, String address, String family, int port, byte[] payload) {
    return datagram(time, address, family, port, payload, null);
  }

  /**
   * The same, with what the kernel told of the datagram ({@code listen --meta}): {@code ttl},
   * {@code tos}, {@code ecn} (-1 where not told), {@code to}, {@code if} and {@code received}
   * (the kernel's receive time, or null).
   */
  static String datagram(Instant time, String address, String family, int port, byte[] payload,
      ListenCommand.Meta meta) {
    StringWriter w = new StringWriter(96 + payload.length * 3);
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("time", time.toString());
      g.writeStringField("address", address);
      g.writeStringField("family", family);
      g.writeNumberField("port", port);
      g.writeNumberField("size", payload.length);
      String text = Payloads.utf8OrNull(payload);
      if (text == null) {
        g.writeNullField("text");
      } else {
        g.writeStringField("text", text);
      }
      g.writeStringField("hex", Payloads.hex(payload));
      if (meta != null) {
        g.writeNumberField("ttl", meta.ttl());
        g.writeNumberField("tos", meta.tos());
        g.writeNumberField("ecn", meta.ecn());
        g.writeStringField("to", meta.to());
        g.writeNumberField("if", meta.ifindex());
        Instant received = meta.received();
        if (received == null) {
          g.writeNullField("received");
        } else {
          g.writeStringField("received", received.toString());
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }

  /** @return {@code text} as a quoted JSON string, with DEL escaped too: {@code "a\tb"} */
  static String quote(String text) {
    StringWriter w = new StringWriter(text.length() + 8);
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.setCharacterEscapes(FOR_TERMINALS);
      g.writeString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
