package dev.jdgram.examples.dns;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * One record of a zone, its RDATA already in wire form (RFC 1035 section 3.3).
 *
 * @param name the owner, fully qualified, lower case, without the final dot ({@code www.example.test})
 * @param type {@link #A}, {@link #AAAA} or {@link #TXT}
 * @param ttl seconds a resolver may cache it
 * @param rdata the record's data as it goes on the wire
 */
public record ResourceRecord(String name, int type, int ttl, byte[] rdata) {
  public static final int A = 1;
  public static final int TXT = 16;
  public static final int AAAA = 28;

  /** An IPv4 address record; {@code address} must be a literal (no look-up is made). */
  public static ResourceRecord a(String name, int ttl, String address) {
    return new ResourceRecord(name, A, ttl, literal(address, Inet4Address.class).getAddress());
  }

  /** An IPv6 address record; {@code address} must be a literal (no look-up is made). */
  public static ResourceRecord aaaa(String name, int ttl, String address) {
    return new ResourceRecord(name, AAAA, ttl, literal(address, Inet6Address.class).getAddress());
  }

  /** A text record: each string becomes one length-prefixed character-string (255 bytes at most). */
  public static ResourceRecord txt(String name, int ttl, String... strings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String s : strings) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > 255) {
        throw new IllegalArgumentException("a TXT string holds 255 bytes at most: " + s);
      }
      out.write(b.length);
      out.writeBytes(b);
    }
    return new ResourceRecord(name, TXT, ttl, out.toByteArray());
  }

  /** @return the type's mnemonic ({@code A}, {@code AAAA}, {@code TXT}) */
  public static String typeName(int type) {
    return switch (type) {
      case A -> "A";
      case AAAA -> "AAAA";
      case TXT -> "TXT";
      default -> "TYPE" + type;
    };
  }

  private static <T extends InetAddress> T literal(String address, Class<T> family) {
    // InetAddress.ofLiteral parses without ever asking a resolver.
    InetAddress a;
    try {
      a = InetAddress.ofLiteral(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IP literal: " + address, e);
    }
    if (!family.isInstance(a)) {
      // ofLiteral maps "::ffff:1.2.3.4" to an Inet4Address; that is not an AAAA.
      throw new IllegalArgumentException("not an " + family.getSimpleName() + " literal: "
          + address);
    }
    return family.cast(a);
  }
}
