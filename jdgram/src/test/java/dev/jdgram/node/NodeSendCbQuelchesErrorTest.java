package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-cb-quelches-error.js}: a send callback takes
 * the place of the {@code error} event; without one, the error is emitted. Node empties its DNS
 * server list so that the names fail; here a custom look-up refuses every name (no DNS is asked).
 */
@Timeout(20)
class NodeSendCbQuelchesErrorTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket socket() {
    DgramException notFound = new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND");
    return sockets.add(Dgram.createSocket(SocketOptions.of("udp4").lookup(NodeMzSupport.literalsOnly(notFound))));
  }

  @Test
  void callbackReceivesTheErrorAndNoErrorEventIsEmitted() {
    DgramSocket socket = socket();
    BlockingQueue<DgramException> events = NodeMzSupport.queue();
    socket.onError(events::add);
    byte[] buffer = "gary busey".getBytes();
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    socket.send(buffer, 0, buffer.length, 100, "dne.example.com", (err, bytes) -> cb.complete(err));
    assertNotNull(NodeMzSupport.get(cb));
    assertNull(NodeMzSupport.poll(events, 200), "no 'error' event when a callback handles it");
  }

  @Test
  void withoutCallbackTheErrorIsEmitted() {
    DgramSocket socket = socket();
    CompletableFuture<DgramException> event = new CompletableFuture<>();
    socket.onError(event::complete);
    byte[] buffer = "gary busey".getBytes();
    socket.send(buffer, 0, buffer.length, 100, "dne.invalid", null);
    assertEquals("ENOTFOUND", NodeMzSupport.get(event).code());
  }
}
