package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.AddressInfo;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ported from test/parallel/test-dgram-address.js: {@code address()} after bind and before it. */
class NodeAddressTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void udp4AddressInListeningIsTheLoopbackAddressWithAPort() {
    DgramSocket s = t.udp4();
    AddressInfo a = NodeAlSupport.listen(s, () -> s.bind(0, "127.0.0.1"));
    assertEquals("127.0.0.1", a.address());
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0 && a.port() < 65536, "port " + a.port());
  }

  @Test
  void udp6AddressInListeningIsTheLoopbackAddressWithAPort() {
    DgramSocket s = t.udp6();
    AddressInfo a = NodeAlSupport.listen(s, () -> s.bind(0, "::1"));
    assertEquals("::1", a.address());
    assertEquals("IPv6", a.family());
    assertTrue(a.port() > 0 && a.port() < 65536, "port " + a.port());
  }

  @Test
  void addressOfAnUnboundSocketThrowsGetsocknameEbadf() {
    DgramSocket s = t.udp4();
    DgramException e = assertThrows(DgramException.class, s::address);
    assertEquals("getsockname EBADF", e.getMessage());
    assertEquals("EBADF", e.code());
    assertEquals("getsockname", e.syscall());
  }
}
