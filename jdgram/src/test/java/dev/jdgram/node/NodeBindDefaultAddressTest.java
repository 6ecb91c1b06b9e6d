package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.AddressInfo;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-bind-default-address.js: {@code bind(port, cb)} without
 * an address binds every interface (only a bind: nothing is sent).
 */
class NodeBindDefaultAddressTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void udp4BindWithoutAddressUsesTheIpv4Wildcard() {
    DgramSocket s = t.udp4();
    AddressInfo a = NodeAlSupport.listen(s, () -> s.bind(0, null, () -> { }));
    assertTrue(a.port() > 0 && a.port() < 65536, "port " + a.port());
    assertEquals("0.0.0.0", a.address());
  }

  @Test
  void udp6BindWithoutAddressUsesTheIpv6Wildcard() {
    DgramSocket s = t.udp6();
    AddressInfo a = NodeAlSupport.listen(s, () -> s.bind(0, null, () -> { }));
    assertTrue(a.port() > 0 && a.port() < 65536, "port " + a.port());
    String address = a.address().equals("::ffff:0.0.0.0") ? "::" : a.address(); // as Node's test allows
    assertEquals("::", address);
  }
}
