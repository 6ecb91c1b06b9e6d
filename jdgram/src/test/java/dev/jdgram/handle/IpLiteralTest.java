package dev.jdgram.handle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** IpLiteral against the answers of Node 20's net.isIP and inet_ntop formatting. */
class IpLiteralTest {

  @Test
  void familyMatchesNodeIsIP() {
    // Expected values printed by node v20.20.2: net.isIP(s)
    String[][] cases = {
      {"1.2.3.4", "4"}, {"0.0.0.0", "4"}, {"255.255.255.255", "4"},
      {"01.2.3.4", "0"}, {"1.2.3.04", "0"}, {"00.0.0.0", "0"}, {"256.1.1.1", "0"},
      {"1.2.3", "0"}, {"1.2.3.4.5", "0"}, {" 1.2.3.4", "0"}, {"1.2.3.4 ", "0"},
      {"0x1.2.3.4", "0"}, {"1.2.3.4%eth0", "0"}, {"127.1", "0"}, {"+1.2.3.4", "0"},
      {"1.2.3.4.", "0"}, {".1.2.3.4", "0"}, {"1..2.3", "0"}, {"", "0"}, {"1.2.3.4\n", "0"},
      {"::", "6"}, {"::1", "6"}, {"1::", "6"}, {"::ffff:1.2.3.4", "6"}, {"::1.2.3.4", "6"},
      {"::ffff:01.2.3.4", "0"}, {"::ffff:256.1.1.1", "0"}, {"::ffff:1.2.3", "0"},
      {"fe80::1%lo", "6"}, {"fe80::1%25", "6"}, {"fe80::1%lo:1", "6"}, {"::%1", "6"},
      {"1:2:3:4:5:6:7:8%eth0", "6"},
      {"fe80::1%", "0"}, {"fe80::1%eth0%x", "0"}, {"fe80::1% x", "0"}, {"fe80::1%\u00e9", "0"},
      {"::1%lo0/1", "0"},
      {"1:2:3:4:5:6:7:8", "6"}, {"1:2:3:4:5:6:7:8:9", "0"}, {"1:2:3:4:5:6:7::", "6"},
      {"::1:2:3:4:5:6:7", "6"}, {"1:2:3:4:5::6:7:8", "0"}, {"1::2::3", "0"}, {"12345::", "0"},
      {"00001::", "0"}, {"0001:2::", "6"}, {"1:2:3:4:5:6:1.2.3.4", "6"},
      {"1:2:3:4:5:6:7:1.2.3.4", "0"}, {"a:b:c:d:e::1.2.3.4", "6"}, {"1.2.3.4::", "0"},
      {"[::1]", "0"}, {"FE80::ABCD", "6"}, {":1::", "0"}, {":::", "0"}, {"1:::2", "0"},
      {"::g", "0"}, {"::1%", "0"},
    };
    for (String[] c : cases) {
      assertEquals(Integer.parseInt(c[1]), IpLiteral.family(c[0]), c[0]);
    }
    assertEquals(0, IpLiteral.family(null));
  }

  @Test
  void parseGivesTheRightClassWithoutLookup() {
    InetAddress a = IpLiteral.parse("192.168.1.20");
    assertInstanceOf(Inet4Address.class, a);
    assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 1, 20}, a.getAddress());

    InetAddress b = IpLiteral.parse("::1");
    assertInstanceOf(Inet6Address.class, b);
    assertEquals(0, ((Inet6Address) b).getScopeId());
    assertEquals("0:0:0:0:0:0:0:1", b.getHostAddress());

    // IPv4-mapped stays IPv6, as net.isIP says 6
    InetAddress m = IpLiteral.parse("::ffff:1.2.3.4");
    assertInstanceOf(Inet6Address.class, m);
    assertEquals(16, m.getAddress().length);

    assertNull(IpLiteral.parse(null));
    assertNull(IpLiteral.parse("localhost"));
    assertNull(IpLiteral.parse("example.com"));
    assertNull(IpLiteral.parse("01.2.3.4"));
    assertNull(IpLiteral.parse("[::1]"));
  }

  @Test
  void parseKeepsScope() {
    Inet6Address numeric = (Inet6Address) IpLiteral.parse("fe80::1%7");
    assertEquals(7, numeric.getScopeId());
    // An interface that does not exist: no scope at all.
    Inet6Address unknown = (Inet6Address) IpLiteral.parse("fe80::1%nosuchif0");
    assertEquals(0, unknown.getScopeId());
    assertNull(unknown.getScopedInterface());
    // "lo" exists on Linux but has no link-local address: kept as its index.
    Inet6Address lo = (Inet6Address) IpLiteral.parse("fe80::1%lo");
    assertEquals(16, lo.getAddress().length);
  }

  @Test
  void bytes() {
    assertArrayEquals(new byte[] {10, 0, 0, 1}, IpLiteral.bytes("10.0.0.1"));
    byte[] six = new byte[16];
    six[0] = (byte) 0xfe;
    six[1] = (byte) 0x80;
    six[15] = 1;
    assertArrayEquals(six, IpLiteral.bytes("fe80::1%eth0"));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 1;
    mapped[13] = 2;
    mapped[14] = 3;
    mapped[15] = 4;
    assertArrayEquals(mapped, IpLiteral.bytes("::ffff:1.2.3.4"));
    assertArrayEquals(mapped, IpLiteral.bytes("::FFFF:102:304"));
    byte[] full = IpLiteral.bytes("1:2:3:4:5:6:7:8");
    assertEquals(16, full.length);
    assertEquals(8, full[15]);
    assertEquals(1, full[1]);
    assertArrayEquals(new byte[16], IpLiteral.bytes("::"));
    assertNull(IpLiteral.bytes("1.2.3"));
    assertNull(IpLiteral.bytes(null));
  }

  @Test
  void formatLikeNode() throws Exception {
    // Expected strings as node v20.20.2 prints them (net.SocketAddress / blockList.rules).
    String[][] cases = {
      {"::", "::"}, {"::1", "::1"}, {"0:0:0:0:0:0:0:1", "::1"}, {"1::", "1::"},
      {"::ffff:1.2.3.4", "::ffff:1.2.3.4"}, {"::ffff:0102:0304", "::ffff:1.2.3.4"},
      {"::ffff:0:1", "::ffff:0.0.0.1"}, {"::1.2.3.4", "::1.2.3.4"}, {"::0.0.1.2", "::102"},
      {"0:0:0:0:0:1:0:0", "::1:0:0"}, {"1:0:0:1:0:0:0:1", "1:0:0:1::1"},
      {"1:0:0:0:1:0:0:1", "1::1:0:0:1"}, {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
      {"FE80::ABCD", "fe80::abcd"}, {"8592:757c:efae:4e45:fb5d:d62a:0d00:8e17",
        "8592:757c:efae:4e45:fb5d:d62a:d00:8e17"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"1.2.3.4", "1.2.3.4"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], IpLiteral.format(IpLiteral.parse(c[0])), c[0]);
    }
    assertNull(IpLiteral.format(null));
    // Java's own parser gives Inet4Address for mapped text; still dotted.
    assertEquals("127.0.0.1", IpLiteral.format(InetAddress.getByName("127.0.0.1")));
  }

  @Test
  void formatScope() throws Exception {
    byte[] ll = IpLiteral.bytes("fe80::1");
    // A numeric scope with no such interface prints as a number, like Node's fallback.
    assertEquals("fe80::1%999999", IpLiteral.format(Inet6Address.getByAddress(null, ll, 999999)));
    assertEquals("fe80::1%999999", IpLiteral.format(ll, 999999));
    assertEquals("fe80::1", IpLiteral.format(ll, 0));
    // Node only appends the scope to link-local addresses.
    byte[] global = IpLiteral.bytes("2001:db8::1");
    assertEquals("2001:db8::1", IpLiteral.format(Inet6Address.getByAddress(null, global, 5)));
    // Interface index 1 is the loopback interface on Linux: printed by name.
    String loName = java.net.NetworkInterface.getByIndex(1) == null
        ? "1" : java.net.NetworkInterface.getByIndex(1).getName();
    assertEquals("fe80::1%" + loName, IpLiteral.format(ll, 1));
    assertEquals("1.2.3.4", IpLiteral.format(new byte[] {1, 2, 3, 4}, 0));
  }

  @Test
  void format4And6() {
    assertEquals("127.0.0.1", IpLiteral.format4(0x7f000001));
    assertEquals("255.255.255.255", IpLiteral.format4(-1));
    assertEquals("::1", IpLiteral.format6(0, 1));
    assertEquals("::ffff:10.0.0.1", IpLiteral.format6(0, 0x0000_ffff_0a00_0001L));
  }
}
