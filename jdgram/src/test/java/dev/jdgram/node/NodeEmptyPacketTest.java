package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-empty-packet.js (an older file, since replaced upstream by
 * test-dgram-send-empty-packet.js): zero bytes of a one-byte buffer, sent by a socket to itself,
 * call the send callback once and arrive once, empty.
 */
class NodeEmptyPacketTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void aZeroLengthSliceIsSentAndReceivedOnce() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket client = t.socket(t.options("udp4"), (msg, rinfo) -> messages.add(msg));
    int port = NodeAlSupport.bindLoopback(client, false);
    BlockingQueue<Object> callbacks = NodeAlSupport.queue();
    CompletableFuture<DgramException> sent = new CompletableFuture<>();
    client.send(new byte[1], 0, 0, port, "127.0.0.1", (err, n) -> {
      callbacks.add(n);
      sent.complete(err);
    });
    assertNull(NodeAlSupport.get(sent));
    assertEquals(0, NodeAlSupport.take(messages).length);
    NodeAlSupport.pause(50);
    assertEquals(1, callbacks.size());
    assertTrue(messages.isEmpty());
  }
}
