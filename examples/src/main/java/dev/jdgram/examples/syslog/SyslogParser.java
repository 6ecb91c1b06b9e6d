package dev.jdgram.examples.syslog;

import java.nio.charset.StandardCharsets;

/**
 * Parses one syslog datagram, RFC 5424 or RFC 3164, told apart by what follows the PRI: the
 * version {@code 1} and a space in RFC 5424, a month name in RFC 3164.
 *
 * <pre>
 * RFC 5424: &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
 * RFC 3164: &lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
 * </pre>
 */
public final class SyslogParser {
  /** RFC 5424 section 6.4: a UTF-8 message starts with a byte-order mark. */
  private static final String BOM = "\uFEFF";

  private SyslogParser() {}

  /**
   * @param datagram the payload, UTF-8
   * @return the message
   * @throws IllegalArgumentException when it has no valid {@code <PRI>}
   */
  public static SyslogMessage parse(byte[] datagram) {
    return parse(new String(datagram, StandardCharsets.UTF_8));
  }

  /**
   * @param text one message, without a trailing newline (one is dropped if present)
   * @return the message
   * @throws IllegalArgumentException when it has no valid {@code <PRI>}
   */
  public static SyslogMessage parse(String text) {
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    int close = text.indexOf('>');
    if (!text.startsWith("<") || close < 2 || close > 4) {
      throw new IllegalArgumentException("no <PRI> at the start: " + text);
    }
    int pri;
    try {
      pri = Integer.parseInt(text.substring(1, close));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad PRI: " + text, e);
    }
    if (pri < 0 || pri > 191) {
      throw new IllegalArgumentException("PRI out of range (0-191): " + pri);
    }
    String rest = text.substring(close + 1);
    return rest.startsWith("1 ")
        ? rfc5424(pri, new Cursor(rest.substring(2)))
        : rfc3164(pri, rest);
  }

  private static SyslogMessage rfc5424(int pri, Cursor c) {
    String timestamp = nil(c.token());
    String hostname = nil(c.token());
    String appName = nil(c.token());
    String procId = nil(c.token());
    String msgId = nil(c.token());
    String sd = c.structuredData();
    String msg = c.rest();
    if (msg.startsWith(BOM)) {
      msg = msg.substring(1);
    }
    return new SyslogMessage("RFC5424", pri / 8, pri % 8, timestamp, hostname, appName,
        procId, msgId, sd, msg);
  }

  /**
   * RFC 3164 section 4.1.2: the TIMESTAMP is exactly 15 characters ({@code "Mmm dd hh:mm:ss"},
   * a day below 10 padded with a space), then the HOSTNAME, then the TAG and the CONTENT.
   * Relays and some senders leave the header out; then the whole text is the message.
   */
  private static SyslogMessage rfc3164(int pri, String rest) {
    if (rest.length() < 16 || rest.charAt(15) != ' ' || !isTimestamp3164(rest)) {
      return new SyslogMessage("RFC3164", pri / 8, pri % 8, null, null, null, null, null, null,
          rest);
    }
    String timestamp = rest.substring(0, 15);
    Cursor c = new Cursor(rest.substring(16));
    String hostname = c.token();
    String body = c.rest();
    // The TAG is up to 32 alphanumeric characters; anything else ends it (usually '[' or ':').
    int end = 0;
    while (end < body.length() && end < 32 && isTagChar(body.charAt(end))) {
      end++;
    }
    String tag = end == 0 ? null : body.substring(0, end);
    String pid = null;
    int i = end;
    if (i < body.length() && body.charAt(i) == '[') {
      int closeBracket = body.indexOf(']', i);
      if (closeBracket > i) {
        pid = body.substring(i + 1, closeBracket);
        i = closeBracket + 1;
      }
    }
    if (i < body.length() && body.charAt(i) == ':') {
      i++;
    }
    if (i < body.length() && body.charAt(i) == ' ') {
      i++;
    }
    return new SyslogMessage("RFC3164", pri / 8, pri % 8, timestamp, hostname, tag, pid, null,
        null, body.substring(i));
  }

  private static boolean isTimestamp3164(String s) {
    return Character.isUpperCase(s.charAt(0)) && s.charAt(3) == ' ' && s.charAt(6) == ' '
        && s.charAt(9) == ':' && s.charAt(12) == ':';
  }

  /** Tags in the wild also carry '-', '_', '.' and '/' (systemd-journald, postfix/smtpd). */
  private static boolean isTagChar(char ch) {
    return Character.isLetterOrDigit(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '/';
  }

  private static String nil(String field) {
    return field == null || field.equals("-") ? null : field;
  }

  /** Reads space-separated fields left to right. */
  private static final class Cursor {
    private final String s;
    private int at;

    Cursor(String s) {
      this.s = s;
    }

    /** @return the next field up to a space (the space is consumed), or null at the end */
    String token() {
      if (at >= s.length()) {
        return null;
      }
      int space = s.indexOf(' ', at);
      String t = space < 0 ? s.substring(at) : s.substring(at, space);
      at = space < 0 ? s.length() : space + 1;
      return t;
    }

    /**
     * STRUCTURED-DATA (RFC 5424 section 6.3): {@code -}, or elements {@code [id k="v" ...]}
     * back to back, where a value may hold {@code \"}, {@code \]} and {@code \\}, so the end of
     * an element is the first {@code ]} outside quotes.
     */
    String structuredData() {
      if (at >= s.length()) {
        return null;
      }
      if (s.charAt(at) == '-') {
        at = Math.min(s.length(), at + 2);
        return null;
      }
      int start = at;
      while (at < s.length() && s.charAt(at) == '[') {
        boolean quoted = false;
        at++;
        while (at < s.length()) {
          char ch = s.charAt(at);
          if (quoted && ch == '\\') {
            at += 2;
            continue;
          }
          if (ch == '"') {
            quoted = !quoted;
          } else if (ch == ']' && !quoted) {
            break;
          }
          at++;
        }
        if (at >= s.length()) {
          throw new IllegalArgumentException("unterminated STRUCTURED-DATA: " + s);
        }
        at++;
      }
      String sd = s.substring(start, at);
      if (at < s.length() && s.charAt(at) == ' ') {
        at++;
      }
      return sd;
    }

    String rest() {
      String r = at >= s.length() ? "" : s.substring(at);
      at = s.length();
      return r;
    }
  }
}
