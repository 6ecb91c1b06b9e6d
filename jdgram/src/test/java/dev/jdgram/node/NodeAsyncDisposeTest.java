package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-async-dispose.mjs. Node's {@code Symbol.asyncDispose} is
 * Java's {@link AutoCloseable#close()} (try-with-resources). Differs: Node's dispose of an
 * already closed socket resolves quietly; in Java the dispose is {@code DgramSocket.close()},
 * which throws {@code ERR_SOCKET_DGRAM_NOT_RUNNING} on a closed socket as Node's {@code close()}
 * does (its documented contract).
 */
class NodeAsyncDisposeTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void tryWithResourcesClosesTheSocket() {
    CountDownLatch closed = new CountDownLatch(1);
    DgramSocket kept;
    try (DgramSocket s = t.udp4()) {
      s.onClose(closed::countDown);
      kept = s;
    }
    NodeAlSupport.await(closed);
    DgramException e = assertThrows(DgramException.class, kept::address);
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
  }

  /** Differs from Node: the second dispose throws NOT_RUNNING instead of resolving. */
  @Test
  void disposingAnAlreadyClosedSocketThrowsNotRunning() {
    DgramSocket s = t.udp4();
    NodeAlSupport.closeAndWait(s);
    AutoCloseable dispose = s;
    DgramException e = assertThrows(DgramException.class, dispose::close);
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
    assertEquals("Not running", e.getMessage());
  }
}
