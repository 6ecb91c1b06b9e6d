package dev.jdgram.examples.dns;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A static zone: the records this server is the authority for, below one origin
 * ({@code example.test}). Built once, then only read (from the loop thread).
 *
 * <pre>
 * Zone zone = new Zone("example.test")
 *     .a("www", 300, "192.0.2.10")
 *     .aaaa("www", 300, "2001:db8::10")
 *     .txt("@", 60, "v=spf1 -all");
 * </pre>
 */
public final class Zone {
  private final String origin;
  private final Map<String, List<ResourceRecord>> byName = new HashMap<>();

  /** @param origin the zone's apex, e.g. {@code example.test} (a final dot is allowed) */
  public Zone(String origin) {
    this.origin = normalize(origin);
  }

  /** @return the apex, lower case, without the final dot */
  public String origin() {
    return origin;
  }

  /** Adds an A record; {@code name} is relative to the origin ({@code "@"} for the apex). */
  public Zone a(String name, int ttl, String address) {
    return add(ResourceRecord.a(qualify(name), ttl, address));
  }

  /** Adds an AAAA record. */
  public Zone aaaa(String name, int ttl, String address) {
    return add(ResourceRecord.aaaa(qualify(name), ttl, address));
  }

  /** Adds a TXT record of one or more strings. */
  public Zone txt(String name, int ttl, String... strings) {
    return add(ResourceRecord.txt(qualify(name), ttl, strings));
  }

  /** Adds a record whose name is already fully qualified. */
  public Zone add(ResourceRecord record) {
    String name = normalize(record.name());
    if (!contains(name)) {
      throw new IllegalArgumentException(name + " is not in the zone " + origin);
    }
    byName.computeIfAbsent(name, k -> new ArrayList<>()).add(record);
    return this;
  }

  /** @return true when {@code name} is the origin or below it (this server answers for it) */
  public boolean contains(String name) {
    String n = normalize(name);
    return n.equals(origin) || n.endsWith("." + origin);
  }

  /** @return true when the name owns at least one record (else: NXDOMAIN) */
  public boolean exists(String name) {
    return byName.containsKey(normalize(name));
  }

  /** @return the records of that name and type (any type for 255, ANY), maybe none */
  public List<ResourceRecord> lookup(String name, int type) {
    List<ResourceRecord> all = byName.getOrDefault(normalize(name), List.of());
    return type == 255 ? all : all.stream().filter(r -> r.type() == type).toList();
  }

  private String qualify(String name) {
    return name.equals("@") ? origin : normalize(name) + "." + origin;
  }

  /** DNS names compare without regard to ASCII case (RFC 4343). */
  static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
