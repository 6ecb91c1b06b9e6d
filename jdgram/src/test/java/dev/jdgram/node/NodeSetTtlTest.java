package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-setTTL.js}. The nio transport cannot set the
 * unicast TTL and answers ENOTSUP (README "Choosing a transport"); other transports must return
 * the TTL as Node does. An out-of-range TTL is EINVAL on every transport. Node's
 * {@code setTTL('foo')} (ERR_INVALID_ARG_TYPE) cannot be written against an {@code int}.
 */
@Timeout(20)
class NodeSetTtlTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket bound() {
    DgramSocket s = sockets.add(Dgram.createSocket("udp4"));
    NodeMzSupport.bind(s, 0, "127.0.0.1");
    return s;
  }

  @Test
  void setTtlReturnsTtl() {
    DgramSocket s = bound();
    if (NodeMzSupport.nio()) {
      DgramException e = assertCode("ENOTSUP", () -> s.setTTL(16));
      assertEquals("setTTL ENOTSUP", e.getMessage());
    } else {
      assertEquals(16, s.setTTL(16));
    }
  }

  @Test
  void setTtlOutOfRangeThrowsEinval() {
    DgramSocket s = bound();
    DgramException e = assertCode("EINVAL", () -> s.setTTL(1000));
    assertEquals("setTTL EINVAL", e.getMessage());
    assertEquals("setTTL", e.syscall());
  }
}
