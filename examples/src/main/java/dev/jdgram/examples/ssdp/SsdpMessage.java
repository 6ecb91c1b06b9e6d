package dev.jdgram.examples.ssdp;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One SSDP message: HTTP over UDP ("HTTPU"), a start line and headers, each ending with CRLF, an
 * empty line, no body. {@code M-SEARCH * HTTP/1.1} and {@code NOTIFY * HTTP/1.1} are requests,
 * {@code HTTP/1.1 200 OK} answers a search.
 *
 * @param startLine the first line
 * @param headers names in upper case (HTTP header names ignore case), in arrival order
 */
public record SsdpMessage(String startLine, Map<String, String> headers) {
  public SsdpMessage {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** @return the header's value, or null ({@code name} in any case) */
  public String header(String name) {
    return headers.get(name.toUpperCase(Locale.ROOT));
  }

  /** @return true for an {@code M-SEARCH} request */
  public boolean isSearch() {
    return startLine.startsWith("M-SEARCH ");
  }

  /** @return true for a {@code NOTIFY} request */
  public boolean isNotify() {
    return startLine.startsWith("NOTIFY ");
  }

  /** @return true for a {@code 200 OK} response */
  public boolean isSearchResponse() {
    return startLine.startsWith("HTTP/1.1 200");
  }

  /**
   * @param datagram the payload
   * @return the message, or null when it is not HTTPU (no start line ending in CRLF or LF)
   */
  public static SsdpMessage parse(byte[] datagram) {
    String text = new String(datagram, StandardCharsets.UTF_8);
    // Some senders end lines with LF alone; accept both.
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !(lines[0].endsWith("HTTP/1.1") || lines[0].startsWith("HTTP/1.1 "))) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).strip().toUpperCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
    }
    return new SsdpMessage(lines[0], headers);
  }

  /** @return the message on the wire: CRLF line ends and the empty line */
  public byte[] toBytes() {
    StringBuilder s = new StringBuilder(startLine).append("\r\n");
    headers.forEach((k, v) -> s.append(k).append(": ").append(v).append("\r\n"));
    return s.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A builder-like start: {@code SsdpMessage.of("NOTIFY * HTTP/1.1", "HOST", "...", ...)}. */
  public static SsdpMessage of(String startLine, String... nameValue) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i + 1 < nameValue.length; i += 2) {
      h.put(nameValue[i].toUpperCase(Locale.ROOT), nameValue[i + 1]);
    }
    return new SsdpMessage(startLine, h);
  }
}
