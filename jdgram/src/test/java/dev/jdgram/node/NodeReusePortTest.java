package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-reuseport.js}: two sockets with {@code reusePort}
 * bind the same port. Node binds every address; here both bind 127.0.0.1.
 */
@Timeout(20)
class NodeReusePortTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void twoReusePortSocketsBindTheSamePort() {
    SocketOptions options = SocketOptions.of("udp4").reusePort(true);
    DgramSocket one = sockets.add(Dgram.createSocket(options));
    DgramSocket two = sockets.add(Dgram.createSocket(options));
    int port = NodeMzSupport.bind(one, 0, "127.0.0.1");
    assertEquals(port, NodeMzSupport.bind(two, port, "127.0.0.1"));
  }
}
