package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ported from test/parallel/test-dgram-bind.js: bind returns the socket; a second bind throws. */
class NodeBindTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void bindReturnsTheSocketItself() {
    DgramSocket s = t.udp4();
    CompletableFuture<Void> listening = new CompletableFuture<>();
    s.onError(listening::completeExceptionally);
    s.onListening(() -> listening.complete(null));
    assertSame(s, s.bind());
    NodeAlSupport.get(listening);
  }

  @Test
  void bindAgainInsideListeningThrowsAlreadyBound() {
    DgramSocket s = t.udp4();
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    s.onError(thrown::completeExceptionally);
    s.onListening(() -> {
      Throwable e = null;
      try {
        s.bind();
      } catch (Throwable caught) {
        e = caught;
      }
      s.close();
      thrown.complete(e);
    });
    s.bind();
    DgramException de = assertInstanceOf(DgramException.class, NodeAlSupport.get(thrown));
    assertEquals("ERR_SOCKET_ALREADY_BOUND", de.code());
    assertEquals("Socket is already bound", de.getMessage());
  }
}
