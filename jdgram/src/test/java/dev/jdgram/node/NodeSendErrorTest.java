package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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
 * Ported from {@code test/parallel/test-dgram-send-error.js}. Node replaces the handle's look-up
 * after bind; here the socket's {@link dev.jdgram.Lookup} answers literals (the bind) and fails
 * names with the mock error. Node's third case makes the internal {@code handle.send} return
 * {@code UV_UNKNOWN}; the public API has no such hook, so a real synchronous send failure
 * (EMSGSIZE) checks the same error shape.
 */
@Timeout(20)
class NodeSendErrorTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket socket(DgramException mockError, BlockingQueue<byte[]> messages) {
    DgramSocket s = sockets.add(Dgram.createSocket(
        SocketOptions.of("udp4").lookup(NodeMzSupport.literalsOnly(mockError))));
    s.onMessage((msg, rinfo) -> messages.add(msg));
    return s;
  }

  @Test
  void lookupErrorWithoutCallbackIsEmittedUnchanged() {
    DgramException mockError = new DgramException("EMOCK", "mock DNS error");
    BlockingQueue<byte[]> messages = NodeMzSupport.queue();
    DgramSocket s = socket(mockError, messages);
    int port = NodeMzSupport.bind(s, 0, "127.0.0.1");
    CompletableFuture<DgramException> event = new CompletableFuture<>();
    s.onError(event::complete);
    s.send("foo", port, "localhost", null);
    assertSame(mockError, NodeMzSupport.get(event));
    assertNull(NodeMzSupport.poll(messages, 50));
  }

  @Test
  void lookupErrorWithCallbackReachesTheCallbackUnchanged() {
    DgramException mockError = new DgramException("EMOCK", "mock DNS error");
    BlockingQueue<byte[]> messages = NodeMzSupport.queue();
    DgramSocket s = socket(mockError, messages);
    int port = NodeMzSupport.bind(s, 0, "127.0.0.1");
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    s.send("foo", port, "localhost", (err, bytes) -> cb.complete(err));
    assertSame(mockError, NodeMzSupport.get(cb));
    assertNull(NodeMzSupport.poll(messages, 50));
  }

  @Test
  void handleSendErrorCarriesSyscallAddressAndPort() {
    BlockingQueue<byte[]> messages = NodeMzSupport.queue();
    DgramSocket s = socket(new DgramException("EMOCK", "unused"), messages);
    int port = NodeMzSupport.bind(s, 0, "127.0.0.1");
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    s.send(new byte[70_000], port, "127.0.0.1", (err, bytes) -> cb.complete(err));
    DgramException err = NodeMzSupport.get(cb);
    assertEquals("EMSGSIZE", err.code());
    assertEquals("send", err.syscall());
    assertEquals("127.0.0.1", err.address());
    assertEquals(port, err.port());
    assertEquals(err.syscall() + " " + err.code() + " " + err.address() + ":" + err.port(), err.getMessage());
    assertNull(NodeMzSupport.poll(messages, 50));
  }
}
