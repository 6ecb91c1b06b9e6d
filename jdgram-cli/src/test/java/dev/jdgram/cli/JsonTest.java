// SPDX-License-Identifier: Apache-2.0
package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command's JSON: valid, one line, and it says exactly what the datagram held. */
class JsonTest {
  /** Every awkward character: quote, backslash, controls, DEL, non-ASCII, a supplementary one. */
  private static final String AWKWARD = "a\"b\\c\n\r\t\b\f\u0000\u001f\u007f é ☃ \uD83D\uDE00 </script>";

  /** Parses one flat JSON object with Jackson's parser; null values stay null. */
  private static Map<String, Object> parse(String json) throws Exception {
    Map<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        fields.put(name, switch (t) {
          case VALUE_NULL -> null;
          case VALUE_NUMBER_INT -> p.getLongValue();
          default -> p.getText();
        });
      }
      assertNull(p.nextToken(), "more after the object");
    }
    return fields;
  }

  @Test
  void aDatagramLineParsesBackToItsFields() throws Exception {
    byte[] payload = AWKWARD.getBytes(StandardCharsets.UTF_8);
    Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
    String line = Json.datagram(t, "::ffff:127.0.0.1", "IPv6", 41234, payload);

    assertFalse(line.contains("\n"), line);
    Map<String, Object> f = parse(line);
    assertEquals(java.util.List.of("time", "address", "family", "port", "size", "text", "hex"),
        java.util.List.copyOf(f.keySet()));
    assertEquals("2026-01-02T03:04:05.678Z", f.get("time"));
    assertEquals("::ffff:127.0.0.1", f.get("address"));
    assertEquals("IPv6", f.get("family"));
    assertEquals(41234L, f.get("port"));
    assertEquals((long) payload.length, f.get("size"));
    assertEquals(AWKWARD, f.get("text"));
    assertEquals(Payloads.hex(payload), f.get("hex"));
  }

  @Test
  void aPayloadThatIsNotUtf8HasNullText() throws Exception {
    String line = Json.datagram(Instant.EPOCH, "127.0.0.1", "IPv4", 1, new byte[] {0, 1, (byte) 0xff});
    assertTrue(line.endsWith("\"size\":3,\"text\":null,\"hex\":\"0001ff\"}"), line);
    assertNull(parse(line).get("text"));
  }

  @Test
  void quoteIsAJsonStringOnOneLineThatShowsEveryControlCharacter() throws Exception {
    String q = Json.quote(AWKWARD);
    assertTrue(q.startsWith("\"") && q.endsWith("\""), q);
    for (int i = 1; i < q.length() - 1; i++) {
      char c = q.charAt(i);
      assertTrue(c >= 0x20 && c != 0x7f, () -> "raw control character in " + q);
    }
    assertTrue(q.contains("\\u007F") || q.contains("\\u007f"), q);
    assertTrue(q.contains("\\n") && q.contains("\\t") && q.contains("\\\"") && q.contains("\\\\"), q);
    assertEquals(AWKWARD, parse("{\"q\":" + q + "}").get("q"));
    assertEquals("\"hello from the client\"", Json.quote("hello from the client"));
  }
}
