package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-recv-error.js}. Node injects a failed read into the
 * internal handle ({@code handle.onmessage(-1, ...)}); the public API has no such hook, so the
 * same path is driven for real: a connected socket whose peer port is closed gets the kernel's
 * ICMP port-unreachable as a failed {@code recvmsg} (Node: {@code recvmsg ECONNREFUSED}).
 */
@Timeout(20)
class NodeRecvErrorTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void failedReceiveIsEmittedAsRecvmsgErrorAndNoMessage() {
    DgramSocket gone = Dgram.createSocket("udp4");
    int port = NodeMzSupport.bind(gone, 0, "127.0.0.1");
    NodeMzSupport.closeAndWait(gone);

    DgramSocket s = sockets.add(Dgram.createSocket("udp4"));
    BlockingQueue<byte[]> messages = NodeMzSupport.queue();
    s.onMessage((msg, rinfo) -> messages.add(msg));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    NodeMzSupport.bind(s, 0, "127.0.0.1");
    CompletableFuture<DgramException> connected = new CompletableFuture<>();
    s.connect(port, "127.0.0.1", connected::complete);
    assertNull(NodeMzSupport.get(connected));
    s.send("probe".getBytes(), (err, bytes) -> { });

    DgramException err = NodeMzSupport.get(error);
    assertEquals("recvmsg", err.syscall());
    assertTrue(err.getMessage().startsWith("recvmsg"), err.getMessage());
    assertEquals("ECONNREFUSED", err.code());
    assertNull(NodeMzSupport.poll(messages, 100), "no message");
  }
}
