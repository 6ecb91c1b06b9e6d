package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** BlockList against Node 20's net.BlockList (expected values observed with node v20.20.2). */
class BlockListTest {

  private static void assertCode(String code, Executable e) {
    DgramException ex = assertThrows(DgramException.class, e);
    assertEquals(code, ex.code());
    assertEquals(0, ex.errno());
  }

  @Test
  void nodeDocExample() {
    BlockList b = new BlockList();
    b.addAddress("123.123.123.123");
    b.addRange("10.0.0.1", "10.0.0.10");
    b.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
    assertTrue(b.check("123.123.123.123"));
    assertTrue(b.check("10.0.0.3"));
    assertFalse(b.check("222.111.111.222"));
    assertTrue(b.check("::ffff:7b7b:7b7b", "ipv6"));
    assertTrue(b.check("::ffff:123.123.123.123", "ipv6"));
    assertEquals(List.of("Subnet: IPv6 8592:757c:efae:4e45::/64",
        "Range: IPv4 10.0.0.1-10.0.0.10", "Address: IPv4 123.123.123.123"), b.rules());
  }

  @Test
  void addressesAndMappedForms() {
    BlockList b = new BlockList();
    b.addAddress("1.1.1.1");
    b.addAddress("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6");
    b.addAddress("::ffff:1.1.1.2", "ipv6");
    assertTrue(b.check("1.1.1.1"));
    assertFalse(b.check("1.1.1.1", "ipv6")); // not an IPv6 literal: false, as Node
    assertTrue(b.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6"));
    assertTrue(b.check("::ffff:1.1.1.1", "ipv6"));
    assertTrue(b.check("::ffff:1.1.1.1", "IPV6"));
    assertTrue(b.check("::ffff:101:101", "ipv6"));
    assertTrue(b.check("1.1.1.2")); // IPv6 rule for ::ffff:1.1.1.2 matches IPv4 1.1.1.2
    assertFalse(b.check("1.2.3.4"));
    assertFalse(b.check("::1", "ipv6"));
    assertEquals(List.of("Address: IPv6 ::ffff:1.1.1.2",
        "Address: IPv6 8592:757c:efae:4e45:fb5d:d62a:d00:8e17", "Address: IPv4 1.1.1.1"),
        b.rules());
  }

  @Test
  void singleArgumentFormsDetectTheFamily() {
    BlockList b = new BlockList();
    b.addAddress("::1");
    b.addSubnet("fe80::", 10);
    b.addRange("::a", "::f");
    assertTrue(b.check("::1"));
    assertTrue(b.check("fe80::1234%eth0"));
    assertTrue(b.check("::c"));
    assertFalse(b.check("::10"));
    assertEquals(List.of("Range: IPv6 ::a-::f", "Subnet: IPv6 fe80::/10", "Address: IPv6 ::1"),
        b.rules());
  }

  @Test
  void ranges() {
    BlockList b = new BlockList();
    b.addRange("1.1.1.1", "1.1.1.10");
    b.addRange("::1", "::f", "ipv6");
    assertFalse(b.check("1.1.1.0"));
    for (int n = 1; n <= 10; n++) {
      assertTrue(b.check("1.1.1." + n));
    }
    assertFalse(b.check("1.1.1.11"));
    assertFalse(b.check("::0", "ipv6"));
    for (int n = 1; n <= 15; n++) {
      assertTrue(b.check("::" + Integer.toHexString(n), "ipv6"));
    }
    assertFalse(b.check("::10", "ipv6"));
    // byte order: 10.0.1.5 is not between 10.0.0.1 and 10.0.0.10
    BlockList c = new BlockList();
    c.addRange("10.0.0.2", "10.0.0.10");
    assertFalse(c.check("10.0.1.5"));
    assertTrue(c.check("10.0.0.2"));
    assertTrue(c.check("10.0.0.10"));
    assertFalse(c.check("255.255.255.255"));
    assertTrue(c.check("::ffff:0a00:0002", "ipv6"));
    assertTrue(c.check("::ffff:0a00:000a", "ipv6"));
    assertFalse(c.check("::ffff:c0a8:0003", "ipv6"));
    c.addRange("1.0.0.2", "2.0.0.1"); // accepted by Node
    c.addRange("10.0.0.1", "10.0.0.1");
  }

  @Test
  void ipv6RangesMatchIpv4OnlyWithMappedEnds() {
    BlockList all = new BlockList();
    all.addRange("::", "ffff::", "ipv6");
    assertFalse(all.check("5.6.7.8")); // Node: not comparable
    assertTrue(all.check("::ffff:5.6.7.8", "ipv6"));
    BlockList half = new BlockList();
    half.addRange("::1", "::ffff:2.0.0.0", "ipv6");
    assertFalse(half.check("1.0.0.0"));
    assertTrue(half.check("::ffff:1.0.0.0", "ipv6"));
    BlockList mapped = new BlockList();
    mapped.addRange("::ffff:1.0.0.0", "::ffff:2.0.0.0", "ipv6");
    assertTrue(mapped.check("1.5.0.0"));
    assertFalse(mapped.check("2.0.0.1"));
    assertEquals(List.of("Range: IPv6 ::ffff:1.0.0.0-::ffff:2.0.0.0"), mapped.rules());
  }

  @Test
  void subnets() {
    BlockList b = new BlockList();
    b.addSubnet("1.1.1.0", 16);
    b.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
    assertTrue(b.check("1.1.0.1"));
    assertTrue(b.check("1.1.1.1"));
    assertFalse(b.check("1.2.0.1"));
    assertTrue(b.check("::ffff:1.1.0.1", "ipv6"));
    assertTrue(b.check("8592:757c:efae:4e45:f::", "ipv6"));
    assertTrue(b.check("8592:757c:efae:4e45::f", "ipv6"));
    assertFalse(b.check("8592:757c:efae:4f45::f", "ipv6"));

    BlockList edges = new BlockList();
    edges.addSubnet("10.0.0.0", 27);
    edges.addSubnet("8592:757c:efaf::", 51, "ipv6");
    for (int n = 0; n <= 31; n++) {
      assertTrue(edges.check("10.0.0." + n));
    }
    assertFalse(edges.check("10.0.0.32"));
    assertTrue(edges.check("8592:757c:efaf:0:0:0:0:0", "ipv6"));
    assertTrue(edges.check("8592:757c:efaf:1fff:ffff:ffff:ffff:ffff", "ipv6"));
    assertFalse(edges.check("8592:757c:efaf:2fff:ffff:ffff:ffff:ffff", "ipv6"));

    // host bits kept in rules, ignored in matching
    BlockList host = new BlockList();
    host.addSubnet("192.168.1.77", 24);
    assertTrue(host.check("192.168.1.3"));
    assertEquals(List.of("Subnet: IPv4 192.168.1.77/24"), host.rules());
  }

  @Test
  void subnetPrefixExtremes() {
    BlockList p32 = new BlockList();
    p32.addSubnet("1.2.3.4", 32);
    assertTrue(p32.check("1.2.3.4"));
    assertFalse(p32.check("5.6.7.8"));
    assertFalse(p32.check("::ffff:5.6.7.8", "ipv6"));
    BlockList p0 = new BlockList();
    p0.addSubnet("1.2.3.4", 0);
    assertTrue(p0.check("5.6.7.8"));
    assertTrue(p0.check("::ffff:5.6.7.8", "ipv6"));
    assertFalse(p0.check("::1", "ipv6"));
    BlockList any6 = new BlockList();
    any6.addSubnet("::", 0, "ipv6");
    assertTrue(any6.check("5.6.7.8"));
    assertTrue(any6.check("::1", "ipv6"));
    BlockList mapped = new BlockList();
    mapped.addSubnet("::ffff:0:0", 96, "ipv6");
    assertTrue(mapped.check("5.6.7.8"));
    assertFalse(mapped.check("::1", "ipv6"));
    BlockList m104 = new BlockList();
    m104.addSubnet("::ffff:10.1.2.3", 104, "ipv6");
    assertTrue(m104.check("10.200.0.1"));
    assertFalse(m104.check("11.1.2.3"));
    BlockList p128 = new BlockList();
    p128.addSubnet("::2", 128, "ipv6");
    assertTrue(p128.check("::2"));
    assertFalse(p128.check("::3"));
  }

  @Test
  void rulesFormat() {
    BlockList b = new BlockList();
    b.addAddress("0.0.0.0");
    b.addAddress("::ffff:0.0.0.0", "ipv6");
    b.addAddress("::0.0.1.2", "ipv6");
    b.addAddress("0:0:0:0:0:1:0:0", "ipv6");
    b.addAddress("1:0:0:1:0:0:0:1", "ipv6");
    b.addAddress("FE80::2%1", "ipv6");
    b.addSubnet("fe80::1%eth0", 10, "ipv6");
    assertEquals(List.of("Subnet: IPv6 fe80::1/10", "Address: IPv6 fe80::2",
        "Address: IPv6 1:0:0:1::1", "Address: IPv6 ::1:0:0", "Address: IPv6 ::102",
        "Address: IPv6 ::ffff:0.0.0.0", "Address: IPv4 0.0.0.0"), b.rules());
    assertTrue(b.check("0.0.0.0"));
    assertTrue(b.check("fe80::2%9", "ipv6"));
    assertTrue(b.check("fe80::2%zz", "ipv6")); // Node ignores any zone
  }

  @Test
  void duplicatesAreKeptOnceAndCanBeRemoved() {
    BlockList b = new BlockList();
    b.addAddress("1.1.1.1");
    b.addAddress("1.1.1.1");
    assertEquals(List.of("Address: IPv4 1.1.1.1"), b.rules());
    b.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
    b.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
    b.removeAddress("1.1.1.1");
    assertFalse(b.check("1.1.1.1"));
    b.removeSubnet("8592:757c:efae:4e45::", 32, "ipv6"); // different prefix: kept
    assertEquals(List.of("Subnet: IPv6 8592:757c:efae:4e45::/64"), b.rules());
    assertTrue(b.check("8592:757c:efae:4e45::f", "ipv6"));
    b.removeSubnet("8592:757c:efae:4e45::", 64);
    b.addRange("10.0.0.1", "10.0.0.9");
    b.removeRange("10.0.0.1", "10.0.0.9", "ipv4");
    assertEquals(List.of(), b.rules());
  }

  @Test
  void errorsAreNodes() {
    BlockList b = new BlockList();
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addAddress(null));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addAddress("1.1.1.1", null));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addAddress("1.1.1.1", "foo"));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addRange(null, "1.1.1.1"));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addRange("1.1.1.1", null));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addRange("1.1.1.1", "1.1.1.2", null));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("1.1.1.1", "1.1.1.2", "foo"));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("1.1.1.2", "1.1.1.1"));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("10.0.0.1", "9.0.0.2"));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("::2", "::1", "ipv6"));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.addSubnet(null, 8));
    assertCode("ERR_INVALID_ARG_VALUE", () -> b.addSubnet("", 1, ""));
    assertCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("1.1.1.1", -1, "ipv4"));
    assertCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("1.1.1.1", 33, "ipv4"));
    assertCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("1.1.1.1", 33));
    assertCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("::", -1, "ipv6"));
    assertCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("::", 129, "ipv6"));
    // Invalid addresses: Node throws ERR_INVALID_ADDRESS ("Invalid socket address").
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("bogus"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("1.2.3.4", "ipv6"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("::1", "ipv4"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("01.2.3.4"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("127.1"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("[::1]", "ipv6"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addAddress("1.2.3.4%x"));
    assertCode("ERR_INVALID_ADDRESS", () -> b.addSubnet("bogus", 99)); // address checked first
    assertCode("ERR_INVALID_ADDRESS", () -> b.addRange("10.0.0.1", "::1"));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.check((String) null));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.check("1.1.1.1", null));
    assertCode("ERR_INVALID_ARG_TYPE", () -> b.check((InetAddress) null));
    assertEquals(List.of(), b.rules()); // nothing half-added
  }

  @Test
  void checkOfMalformedIsFalse() {
    BlockList b = new BlockList();
    b.addSubnet("0.0.0.0", 0);
    b.addSubnet("::", 0, "ipv6");
    assertFalse(b.check("bogus"));
    assertFalse(b.check(""));
    assertFalse(b.check("1.2.3.4", "foo"));
    assertFalse(b.check("1.2.3.4", "ipv6"));
    assertFalse(b.check("::1", "ipv4"));
    assertTrue(b.check("::1"));
    assertTrue(b.check("1.2.3.4", "IPv4"));
  }

  @Test
  void inetAddressAndFastPaths() throws Exception {
    BlockList b = new BlockList();
    assertTrue(b.isEmpty());
    assertFalse(b.check(InetAddress.getByName("127.0.0.1")));
    b.addSubnet("127.0.0.0", 8);
    b.addAddress("2001:db8::1");
    assertFalse(b.isEmpty());
    assertTrue(b.check(InetAddress.getByName("127.0.0.1")));
    assertTrue(b.check(IpLiteral.parse("::ffff:127.0.0.2")));
    assertTrue(b.check(IpLiteral.parse("2001:db8::1%3")));
    assertFalse(b.check(IpLiteral.parse("2001:db8::2")));
    assertTrue(b.check4(0x7f000001));
    assertFalse(b.check4(0x0a000001));
    assertTrue(b.check6(0x2001_0db8_0000_0000L, 1));
    assertTrue(b.check6(0, 0x0000_ffff_7f00_0001L));
    assertFalse(b.check6(0, 1));
  }

  @Test
  void concurrentAddAndCheck() throws Exception {
    BlockList b = new BlockList();
    b.addAddress("192.0.2.1");
    AtomicBoolean failed = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread checker = Thread.ofPlatform().start(() -> {
      while (done.getCount() > 0) {
        if (!b.check("192.0.2.1") || !b.check4(0xc0000201)) {
          failed.set(true);
        }
      }
    });
    for (int i = 0; i < 2000; i++) {
      b.addAddress("10." + (i >> 8) + "." + (i & 0xff) + ".1");
    }
    done.countDown();
    checker.join();
    assertFalse(failed.get());
    assertEquals(2001, b.rules().size());
    assertTrue(b.check("10.7.207.1"));
  }
}
