package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-empty-array.js},
 * {@code test-dgram-send-empty-buffer.js} and {@code test-dgram-send-empty-packet.js}: zero-length
 * datagrams are sent (callback {@code (null, 0)}) and received ({@code size} 0). Node resends
 * every 10 ms until one arrives; on loopback one send is enough.
 */
@Timeout(20)
class NodeSendEmptyTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private record Got(byte[] msg, RemoteInfo rinfo) {}

  private DgramSocket client(BlockingQueue<Got> got) {
    DgramSocket client = sockets.add(Dgram.createSocket("udp4"));
    client.onMessage((msg, rinfo) -> got.add(new Got(msg, rinfo)));
    return client;
  }

  /** Ported from {@code test/parallel/test-dgram-send-empty-array.js}. */
  @Test
  void emptyListSendsAnEmptyDatagram() {
    BlockingQueue<Got> got = NodeMzSupport.queue();
    DgramSocket client = client(got);
    int port = NodeMzSupport.bind(client, 0, null);
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(List.of(), port, "127.0.0.1", (err, bytes) -> sent.complete(err == null ? bytes : -1));
    assertEquals(0, NodeMzSupport.get(sent));
    Got g = NodeMzSupport.take(got);
    assertEquals(0, g.msg().length);
    assertEquals(0, g.rinfo().size());
  }

  /** Ported from {@code test/parallel/test-dgram-send-empty-buffer.js}. */
  @Test
  void emptyBufferSendsAnEmptyDatagramAndCallsBack() {
    BlockingQueue<Got> got = NodeMzSupport.queue();
    DgramSocket client = client(got);
    int port = NodeMzSupport.bind(client, 0, null);
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    client.send(new byte[0], 0, 0, port, "127.0.0.1", (err, bytes) -> cb.complete(err));
    assertNull(NodeMzSupport.get(cb));
    assertEquals(0, NodeMzSupport.take(got).msg().length);
  }

  /** Ported from {@code test/parallel/test-dgram-send-empty-packet.js}: length 0 of a 1-byte buffer. */
  @Test
  void zeroLengthOfANonEmptyBufferSendsAnEmptyDatagram() {
    BlockingQueue<Got> got = NodeMzSupport.queue();
    DgramSocket client = client(got);
    int port = NodeMzSupport.bind(client, 0, null);
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    client.send(new byte[1], 0, 0, port, "127.0.0.1", (err, bytes) -> cb.complete(err));
    assertNull(NodeMzSupport.get(cb));
    assertEquals(0, NodeMzSupport.take(got).msg().length);
  }
}
