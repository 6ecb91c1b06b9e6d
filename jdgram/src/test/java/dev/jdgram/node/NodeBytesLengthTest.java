package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-bytes-length.js: the send callback's byte count is the
 * message length (sent to "localhost", which the test JVM resolves from its hosts file; a bound
 * receiver stands where Node sends to a fixed port 41234).
 */
class NodeBytesLengthTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void sendCallbackGetsTheMessageLength() {
    DgramSocket receiver = t.udp4();
    int port = NodeAlSupport.bindLoopback(receiver, false);
    byte[] message = "Some bytes".getBytes(StandardCharsets.UTF_8);
    DgramSocket client = t.udp4();
    CompletableFuture<Integer> bytes = new CompletableFuture<>();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    client.send(message, 0, message.length, port, "localhost", (err, n) -> {
      error.complete(err);
      bytes.complete(n);
    });
    assertNull(NodeAlSupport.get(error));
    assertEquals(message.length, NodeAlSupport.get(bytes));
  }
}
