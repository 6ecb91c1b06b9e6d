package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-queue-info.js}. Node runs it with libuv's
 * {@code --test-udp-no-try-send}, which keeps two sends queued so that the counters read 10 bytes
 * and 2 datagrams; jdgram has no such switch, so only what holds without it is checked: the
 * counters are 0 on an unbound socket and 0 again once the sends have completed.
 */
@Timeout(20)
class NodeSendQueueInfoTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void unboundSocketHasEmptySendQueue() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    assertEquals(0, socket.getSendQueueSize());
    assertEquals(0, socket.getSendQueueCount());
  }

  @Test
  void connectedSocketSendQueueIsEmptyOnceSendsComplete() {
    DgramSocket server = sockets.add(Dgram.createSocket("udp4"));
    BlockingQueue<String> got = NodeMzSupport.queue();
    server.onMessage((msg, rinfo) -> got.add(new String(msg)));
    int port = NodeMzSupport.bind(server, 0, "127.0.0.1");
    DgramSocket client = sockets.add(Dgram.createSocket("udp4"));
    CompletableFuture<DgramException> connected = new CompletableFuture<>();
    client.connect(port, "127.0.0.1", connected::complete);
    assertNull(NodeMzSupport.get(connected));
    BlockingQueue<Integer> sent = NodeMzSupport.queue();
    client.send("hello", (err, bytes) -> sent.add(err == null ? bytes : -1));
    client.send("hello", (err, bytes) -> sent.add(err == null ? bytes : -1));
    assertEquals(5, NodeMzSupport.take(sent));
    assertEquals(5, NodeMzSupport.take(sent));
    assertEquals(0, client.getSendQueueSize());
    assertEquals(0, client.getSendQueueCount());
    assertEquals("hello", NodeMzSupport.take(got));
    assertEquals("hello", NodeMzSupport.take(got));
  }
}
