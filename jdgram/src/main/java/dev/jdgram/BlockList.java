package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rules that block IP addresses, ranges and subnets: Node's {@code net.BlockList}.
 *
 * <p>A socket drops received datagrams whose source is on its receive block list and refuses to
 * send to an address on its send block list ({@code ERR_IP_BLOCKED}); see
 * {@code SocketOptions.receiveBlockList} and {@code SocketOptions.sendBlockList}.
 *
 * <pre>{@code
 * BlockList list = new BlockList();
 * list.addAddress("123.123.123.123");
 * list.addRange("10.0.0.1", "10.0.0.10");
 * list.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
 * list.check("10.0.0.3");                     // true
 * list.check("::ffff:7b7b:7b7b", "ipv6");     // true: IPv4-mapped IPv6 matches IPv4 rules
 * list.rules();  // [Subnet: IPv6 8592:757c:efae:4e45::/64, Range: IPv4 10.0.0.1-10.0.0.10,
 *                //  Address: IPv4 123.123.123.123]
 * }</pre>
 *
 * <p><b>Matching</b> is Node's: an IPv4 address and its IPv4-mapped IPv6 form
 * ({@code ::ffff:a.b.c.d}) are the same address for address and subnet rules of either family;
 * IPv4 ranges match IPv4-mapped IPv6 addresses, and IPv6 ranges match IPv4 addresses only when
 * both ends of the range are IPv4-mapped. Zones ({@code %eth0}) are accepted and ignored.
 *
 * <p><b>Families.</b> The methods that take a {@code family} ({@code "ipv4"} or {@code "ipv6"},
 * any case) behave exactly like Node's, which defaults the family to {@code "ipv4"}. The methods
 * without one accept either family and detect it from the text (so {@code addAddress("::1")} and
 * {@code check("::1")} work, where Node would need {@code "ipv6"}).
 *
 * <p><b>Errors</b> are Node's, thrown as {@link DgramException}: a null argument
 * {@code ERR_INVALID_ARG_TYPE}; an unknown family {@code ERR_INVALID_ARG_VALUE}; an address that
 * is not a literal of the family {@code ERR_INVALID_ADDRESS}; a range whose start comes after its
 * end {@code ERR_INVALID_ARG_VALUE}; a prefix outside 0-32 (IPv4) or 0-128 (IPv6)
 * {@code ERR_OUT_OF_RANGE}. {@link #check} never throws for a malformed address or unknown
 * family: it returns false, as Node does.
 *
 * <p><b>Threads.</b> All methods may be called from any thread. Rules live in a copy-on-write
 * array of compact records: adding or removing a rule copies it, while {@code check} reads it
 * without locking and, for IPv4 text, without allocating.
 */
public final class BlockList {
  private static final int ADDRESS = 0;
  private static final int RANGE = 1;
  private static final int SUBNET = 2;

  private static final long MAPPED_HI = 0L;
  private static final long MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;
  private static final long MAPPED_LO_MASK = 0xffff_ffff_0000_0000L;

  /** Node's code for an address that is not a literal of its family. */
  static final String ERR_INVALID_ADDRESS = "ERR_INVALID_ADDRESS";

  private static final Rule[] NONE = new Rule[0];

  /** Newest first, as Node lists and applies them. Replaced, never mutated. */
  private volatile Rule[] rules = NONE;

  /** Creates an empty block list. */
  public BlockList() {}

  // ---------------------------------------------------------------------------------------------
  // Adding and removing rules

  /**
   * Blocks one address, IPv4 or IPv6 (detected from the text).
   *
   * @param address an IP literal such as {@code "1.2.3.4"} or {@code "::1"}
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} if null, {@code ERR_INVALID_ADDRESS} if
   *     not an IP literal
   */
  public void addAddress(String address) {
    Addr a = parseArg(address, null, "address", true);
    insert(new Rule(ADDRESS, a.v6, a.hi, a.lo, 0, 0, 0, true));
  }

  /**
   * Blocks one address of the given family, as Node's {@code blockList.addAddress(address,
   * family)}.
   *
   * @param address an IP literal of that family
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null arguments,
   *     {@code ERR_INVALID_ARG_VALUE} for an unknown family, {@code ERR_INVALID_ADDRESS} if the
   *     address is not a literal of that family
   */
  public void addAddress(String address, String family) {
    Addr a = parseArg(address, family, "address", false);
    insert(new Rule(ADDRESS, a.v6, a.hi, a.lo, 0, 0, 0, true));
  }

  /**
   * Blocks the addresses from {@code start} to {@code end}, both included. The family is
   * detected from {@code start}; {@code end} must be of the same family.
   *
   * @param start the first blocked address
   * @param end the last blocked address
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null arguments,
   *     {@code ERR_INVALID_ADDRESS} for a non-literal (or an end of another family),
   *     {@code ERR_INVALID_ARG_VALUE} if start comes after end
   */
  public void addRange(String start, String end) {
    Addr s = parseArg(start, null, "start", true);
    requireString(end, "end");
    Addr e = parseArg(end, s.v6 ? "ipv6" : "ipv4", "end", false);
    addRange(s, e, start);
  }

  /**
   * Blocks the addresses from {@code start} to {@code end}, both included, as Node's
   * {@code blockList.addRange(start, end, family)}.
   *
   * @param start the first blocked address
   * @param end the last blocked address
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null arguments,
   *     {@code ERR_INVALID_ARG_VALUE} for an unknown family or if start comes after end,
   *     {@code ERR_INVALID_ADDRESS} for an address that is not a literal of the family
   */
  public void addRange(String start, String end, String family) {
    Addr s = parseArg(start, family, "start", false);
    Addr e = parseArg(end, family, "end", false);
    addRange(s, e, start);
  }

  private void addRange(Addr s, Addr e, String startText) {
    if (compare(s.hi, s.lo, e.hi, e.lo) > 0) {
      throw DgramException.of("ERR_INVALID_ARG_VALUE",
          "The argument 'start' must come before end. Received '" + startText + "'");
    }
    boolean v4Comparable = !s.v6 || (isMapped(s.hi, s.lo) && isMapped(e.hi, e.lo));
    insert(new Rule(RANGE, s.v6, s.hi, s.lo, e.hi, e.lo, 0, v4Comparable));
  }

  /**
   * Blocks a subnet given as network address and prefix length; the family is detected from
   * the network address.
   *
   * @param network the network address (host bits may be set; they are ignored when matching,
   *     and kept in {@link #rules()} as Node does)
   * @param prefix the number of leading bits: 0-32 for IPv4, 0-128 for IPv6
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} if null, {@code ERR_INVALID_ADDRESS} if
   *     not a literal, {@code ERR_OUT_OF_RANGE} for a bad prefix
   */
  public void addSubnet(String network, int prefix) {
    Addr n = parseArg(network, null, "network", true);
    addSubnet(n, prefix);
  }

  /**
   * Blocks a subnet, as Node's {@code blockList.addSubnet(network, prefix, family)}.
   *
   * @param network the network address, a literal of the family
   * @param prefix the number of leading bits: 0-32 for IPv4, 0-128 for IPv6
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null arguments,
   *     {@code ERR_INVALID_ARG_VALUE} for an unknown family, {@code ERR_INVALID_ADDRESS} for a
   *     non-literal, {@code ERR_OUT_OF_RANGE} for a bad prefix
   */
  public void addSubnet(String network, int prefix, String family) {
    Addr n = parseArg(network, family, "network", false);
    addSubnet(n, prefix);
  }

  private void addSubnet(Addr n, int prefix) {
    checkPrefix(n.v6, prefix);
    insert(new Rule(SUBNET, n.v6, n.hi, n.lo, 0, 0, prefix, true));
  }

  /**
   * Removes the address rule for {@code address} (family detected), if there is one.
   *
   * @param address an IP literal
   * @throws DgramException as {@link #addAddress(String)}
   */
  public void removeAddress(String address) {
    Addr a = parseArg(address, null, "address", true);
    remove(new Rule(ADDRESS, a.v6, a.hi, a.lo, 0, 0, 0, true));
  }

  /**
   * Removes the address rule for {@code address} of the given family, if there is one.
   *
   * @param address an IP literal of that family
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException as {@link #addAddress(String, String)}
   */
  public void removeAddress(String address, String family) {
    Addr a = parseArg(address, family, "address", false);
    remove(new Rule(ADDRESS, a.v6, a.hi, a.lo, 0, 0, 0, true));
  }

  /**
   * Removes the range rule from {@code start} to {@code end} (family detected), if there is one.
   *
   * @param start the first address of the range
   * @param end the last address of the range
   * @throws DgramException as {@link #addRange(String, String)}, except the order check
   */
  public void removeRange(String start, String end) {
    Addr s = parseArg(start, null, "start", true);
    requireString(end, "end");
    Addr e = parseArg(end, s.v6 ? "ipv6" : "ipv4", "end", false);
    remove(new Rule(RANGE, s.v6, s.hi, s.lo, e.hi, e.lo, 0, true));
  }

  /**
   * Removes the range rule from {@code start} to {@code end} of the given family, if any.
   *
   * @param start the first address of the range
   * @param end the last address of the range
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException as {@link #addRange(String, String, String)}, except the order check
   */
  public void removeRange(String start, String end, String family) {
    Addr s = parseArg(start, family, "start", false);
    Addr e = parseArg(end, family, "end", false);
    remove(new Rule(RANGE, s.v6, s.hi, s.lo, e.hi, e.lo, 0, true));
  }

  /**
   * Removes the subnet rule with exactly this network address and prefix (family detected).
   *
   * @param network the network address as it was added
   * @param prefix the prefix length as it was added
   * @throws DgramException as {@link #addSubnet(String, int)}
   */
  public void removeSubnet(String network, int prefix) {
    Addr n = parseArg(network, null, "network", true);
    checkPrefix(n.v6, prefix);
    remove(new Rule(SUBNET, n.v6, n.hi, n.lo, 0, 0, prefix, true));
  }

  /**
   * Removes the subnet rule with exactly this network address, prefix and family.
   *
   * @param network the network address as it was added
   * @param prefix the prefix length as it was added
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @throws DgramException as {@link #addSubnet(String, int, String)}
   */
  public void removeSubnet(String network, int prefix, String family) {
    Addr n = parseArg(network, family, "network", false);
    checkPrefix(n.v6, prefix);
    remove(new Rule(SUBNET, n.v6, n.hi, n.lo, 0, 0, prefix, true));
  }

  // ---------------------------------------------------------------------------------------------
  // Checking

  /**
   * Whether an address, IPv4 or IPv6 (detected from the text, zone ignored), is blocked.
   *
   * @param address an IP literal
   * @return true if a rule matches; false if none does or {@code address} is not an IP literal
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} if {@code address} is null
   */
  public boolean check(String address) {
    requireString(address, "address");
    Rule[] r = rules;
    if (r.length == 0) {
      return false;
    }
    long v4 = IpLiteral.parse4(address, 0, address.length());
    if (v4 >= 0) {
      return match(r, MAPPED_HI, MAPPED_LO_PREFIX | v4, true);
    }
    return check6(r, address);
  }

  /**
   * Whether an address of the given family is blocked, as Node's {@code blockList.check(address,
   * family)}.
   *
   * @param address an IP literal of that family
   * @param family {@code "ipv4"} or {@code "ipv6"}, any case
   * @return true if a rule matches; false if none does, if {@code address} is not a literal of
   *     that family, or if the family is unknown (Node returns false there too)
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} if an argument is null
   */
  public boolean check(String address, String family) {
    requireString(address, "address");
    requireString(family, "family");
    int f = familyOf(family);
    Rule[] r = rules;
    if (f == 0 || r.length == 0) {
      return false;
    }
    if (f == 4) {
      long v4 = IpLiteral.parse4(address, 0, address.length());
      return v4 >= 0 && match(r, MAPPED_HI, MAPPED_LO_PREFIX | v4, true);
    }
    return check6(r, address);
  }

  /**
   * Whether an address is blocked; the fast path for sockets, which already hold one.
   * An {@link Inet4Address} is checked as IPv4, an {@link Inet6Address} as IPv6 (so IPv4-mapped
   * ones match IPv4 rules); the scope is ignored.
   *
   * @param address the address
   * @return true if a rule matches
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} if null
   */
  public boolean check(InetAddress address) {
    if (address == null) {
      throw DgramException.of("ERR_INVALID_ARG_TYPE",
          "The \"address\" argument must be an instance of InetAddress. Received null");
    }
    Rule[] r = rules;
    if (r.length == 0) {
      return false;
    }
    byte[] b = address.getAddress();
    if (b.length == 4) {
      return match(r, MAPPED_HI, MAPPED_LO_PREFIX | (int4(b, 0) & 0xffff_ffffL), true);
    }
    return match(r, long8(b, 0), long8(b, 8), false);
  }

  /**
   * Checks an IPv4 address without any allocation.
   *
   * @param addr the address, most significant byte first ({@code 0x7f000001} is 127.0.0.1)
   * @return true if a rule matches
   */
  boolean check4(int addr) {
    Rule[] r = rules;
    return r.length != 0 && match(r, MAPPED_HI, MAPPED_LO_PREFIX | (addr & 0xffff_ffffL), true);
  }

  /**
   * Checks an IPv6 address without any allocation.
   *
   * @param hi the first 8 bytes, big-endian
   * @param lo the last 8 bytes, big-endian
   * @return true if a rule matches
   */
  boolean check6(long hi, long lo) {
    Rule[] r = rules;
    return r.length != 0 && match(r, hi, lo, false);
  }

  /** Whether no rule has been added (or all were removed); a socket may skip checks then. */
  boolean isEmpty() {
    return rules.length == 0;
  }

  /**
   * The rules, newest first, in Node's {@code blockList.rules} format:
   * {@code Address: IPv4 1.2.3.4}, {@code Range: IPv4 10.0.0.1-10.0.0.10},
   * {@code Subnet: IPv6 8592:757c:efae:4e45::/64}. IPv6 addresses are printed compressed and
   * without zone; a subnet shows its network address as it was given.
   *
   * @return an unmodifiable snapshot
   */
  public List<String> rules() {
    Rule[] r = rules;
    List<String> out = new ArrayList<>(r.length);
    for (Rule rule : r) {
      out.add(rule.text());
    }
    return List.copyOf(out);
  }

  /** @return {@code BlockList { rules: [...] }} */
  @Override
  public String toString() {
    return "BlockList { rules: " + rules() + " }";
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private boolean check6(Rule[] r, String address) {
    int end = address.indexOf('%');
    if (end < 0) {
      end = address.length();
    }
    byte[] b = new byte[16];
    if (!IpLiteral.parse6(address, 0, end, b)) {
      return false;
    }
    return match(r, long8(b, 0), long8(b, 8), false);
  }

  private static boolean match(Rule[] rules, long hi, long lo, boolean isV4) {
    for (Rule rule : rules) {
      switch (rule.kind) {
        case ADDRESS -> {
          if (rule.aHi == hi && rule.aLo == lo) {
            return true;
          }
        }
        case SUBNET -> {
          if ((hi & rule.bHi) == rule.maskedHi && (lo & rule.bLo) == rule.maskedLo) {
            return true;
          }
        }
        default -> {
          if ((!isV4 || rule.v4Comparable)
              && compare(hi, lo, rule.aHi, rule.aLo) >= 0
              && compare(hi, lo, rule.bHi, rule.bLo) <= 0) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private synchronized void insert(Rule rule) {
    Rule[] old = rules;
    for (Rule r : old) {
      if (r.sameAs(rule)) {
        return; // Node (since 22) keeps one copy of a rule added twice
      }
    }
    Rule[] next = new Rule[old.length + 1];
    next[0] = rule;
    System.arraycopy(old, 0, next, 1, old.length);
    rules = next;
  }

  private synchronized void remove(Rule rule) {
    Rule[] old = rules;
    int count = 0;
    for (Rule r : old) {
      if (!r.sameAs(rule)) {
        count++;
      }
    }
    if (count == old.length) {
      return;
    }
    Rule[] next = count == 0 ? NONE : new Rule[count];
    int i = 0;
    for (Rule r : old) {
      if (!r.sameAs(rule)) {
        next[i++] = r;
      }
    }
    rules = next;
  }

  private static void checkPrefix(boolean v6, int prefix) {
    int max = v6 ? 128 : 32;
    if (prefix < 0 || prefix > max) {
      throw DgramException.of("ERR_OUT_OF_RANGE", "The value of \"prefix\" is out of range. "
          + "It must be >= 0 && <= " + max + ". Received " + prefix);
    }
  }

  private static void requireString(String value, String name) {
    if (value == null) {
      throw DgramException.of("ERR_INVALID_ARG_TYPE",
          "The \"" + name + "\" argument must be of type string. Received null");
    }
  }

  /** 4, 6, or 0 for an unknown family name. */
  private static int familyOf(String family) {
    if (family.equalsIgnoreCase("ipv4")) {
      return 4;
    }
    if (family.equalsIgnoreCase("ipv6")) {
      return 6;
    }
    return 0;
  }

  /**
   * Parses an argument as Node's {@code new SocketAddress({address, family})}, or detecting the
   * family when {@code detect} is set.
   */
  private static Addr parseArg(String text, String family, String name, boolean detect) {
    requireString(text, name);
    int f = 0;
    if (!detect) {
      requireString(family, "family");
      f = familyOf(family);
      if (f == 0) {
        throw DgramException.of("ERR_INVALID_ARG_VALUE",
            "The property 'options.family' is invalid. Received '"
                + family.toLowerCase(Locale.ROOT) + "'");
      }
    }
    if (f != 6) {
      long v4 = IpLiteral.parse4(text, 0, text.length());
      if (v4 >= 0) {
        return new Addr(false, MAPPED_HI, MAPPED_LO_PREFIX | v4);
      }
    }
    if (f != 4) {
      int end = text.indexOf('%');
      if (end < 0) {
        end = text.length();
      } else if (end == text.length() - 1) {
        // an empty zone ("::1%") is not an address, as net.isIP says
        throw DgramException.of(ERR_INVALID_ADDRESS, "Invalid socket address: " + text);
      }
      byte[] b = new byte[16];
      if (IpLiteral.parse6(text, 0, end, b)) {
        return new Addr(true, long8(b, 0), long8(b, 8));
      }
    }
    throw DgramException.of(ERR_INVALID_ADDRESS, "Invalid socket address: " + text);
  }

  private static boolean isMapped(long hi, long lo) {
    return hi == MAPPED_HI && (lo & MAPPED_LO_MASK) == MAPPED_LO_PREFIX;
  }

  private static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  private static int int4(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }

  private static long long8(byte[] b, int off) {
    return ((long) int4(b, off) << 32) | (int4(b, off + 4) & 0xffff_ffffL);
  }

  /** A parsed argument: IPv4 is held in its IPv4-mapped form. */
  private record Addr(boolean v6, long hi, long lo) {}

  /**
   * One rule. Addresses are 128-bit, IPv4 as IPv4-mapped IPv6; for a subnet, b holds the mask
   * (over the mapped form for IPv4) and masked the network with it applied.
   */
  private static final class Rule {
    final int kind;
    final boolean v6;
    final long aHi;
    final long aLo;
    final long bHi;
    final long bLo;
    final long maskedHi;
    final long maskedLo;
    final int prefix;
    final boolean v4Comparable;

    Rule(int kind, boolean v6, long aHi, long aLo, long bHi, long bLo, int prefix,
        boolean v4Comparable) {
      this.kind = kind;
      this.v6 = v6;
      this.aHi = aHi;
      this.aLo = aLo;
      this.prefix = prefix;
      this.v4Comparable = v4Comparable;
      if (kind == SUBNET) {
        int p = v6 ? prefix : 96 + prefix;
        long mHi = p >= 64 ? -1L : (p == 0 ? 0L : -1L << (64 - p));
        long mLo = p <= 64 ? 0L : (p == 128 ? -1L : -1L << (128 - p));
        this.bHi = mHi;
        this.bLo = mLo;
        this.maskedHi = aHi & mHi;
        this.maskedLo = aLo & mLo;
      } else {
        this.bHi = bHi;
        this.bLo = bLo;
        this.maskedHi = 0;
        this.maskedLo = 0;
      }
    }

    boolean sameAs(Rule o) {
      return kind == o.kind && v6 == o.v6 && aHi == o.aHi && aLo == o.aLo && prefix == o.prefix
          && (kind != RANGE || (bHi == o.bHi && bLo == o.bLo));
    }

    String text() {
      String fam = v6 ? "IPv6 " : "IPv4 ";
      return switch (kind) {
        case ADDRESS -> "Address: " + fam + addr(aHi, aLo);
        case RANGE -> "Range: " + fam + addr(aHi, aLo) + "-" + addr(bHi, bLo);
        default -> "Subnet: " + fam + addr(aHi, aLo) + "/" + prefix;
      };
    }

    private String addr(long hi, long lo) {
      return v6 ? IpLiteral.format6(hi, lo) : IpLiteral.format4((int) lo);
    }
  }
}
