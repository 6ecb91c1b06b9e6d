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
 * Ported from {@code test/parallel/test-dgram-multicast-setTTL.js}. Its {@code setMulticastTTL('foo')}
 * case (ERR_INVALID_ARG_TYPE) cannot be written against an {@code int} parameter.
 */
@Timeout(20)
class NodeMulticastSetTtlTest {
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
  void setMulticastTtlReturnsTtl() {
    assertEquals(16, bound().setMulticastTTL(16));
  }

  @Test
  void setMulticastTtlOutOfRangeThrowsEinval() {
    DgramSocket s = bound();
    DgramException e = assertCode("EINVAL", () -> s.setMulticastTTL(1000));
    assertEquals("setMulticastTTL EINVAL", e.getMessage());
    assertEquals("setMulticastTTL", e.syscall());
  }
}
