package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-multicast-loopback.js}. Node returns the argument
 * unchanged ({@code 16}); Java's {@code boolean} parameter leaves only true and false.
 */
@Timeout(20)
class NodeMulticastLoopbackTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void setMulticastLoopbackReturnsItsArgumentOnBoundSocket() {
    DgramSocket s = sockets.add(Dgram.createSocket("udp4"));
    NodeMzSupport.bind(s, 0, "127.0.0.1");
    assertTrue(s.setMulticastLoopback(true));
    assertFalse(s.setMulticastLoopback(false));
  }
}
