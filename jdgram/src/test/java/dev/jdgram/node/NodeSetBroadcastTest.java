package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-setBroadcast.js}: only the flag is set; nothing is
 * sent to a broadcast address (CONTRIBUTING.md, "Network rules").
 */
@Timeout(20)
class NodeSetBroadcastTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void unboundSocketThrowsEbadf() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    DgramException e = assertCode("EBADF", () -> socket.setBroadcast(true));
    assertEquals("setBroadcast EBADF", e.getMessage());
    assertEquals("setBroadcast", e.syscall());
  }

  @Test
  void boundSocketSetsAndClearsTheFlag() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    NodeMzSupport.bind(socket, 0, "127.0.0.1");
    assertDoesNotThrow(() -> {
      socket.setBroadcast(true);
      socket.setBroadcast(false);
    });
  }
}
