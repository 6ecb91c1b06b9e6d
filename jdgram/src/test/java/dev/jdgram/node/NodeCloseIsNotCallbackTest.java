package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-close-is-not-callback.js: {@code close('bad argument')}
 * ignores the argument and still emits 'close'. In Java the only "not a callback" value is
 * null: {@code close(null)}. The 'close' listener is added before the close (Node adds it after,
 * which is safe only on a single thread).
 */
class NodeCloseIsNotCallbackTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void closeWithANullCallbackStillEmitsClose() {
    DgramSocket getter = t.udp4();
    int port = NodeAlSupport.listen(getter, () -> getter.bind(0, "localhost")).port();

    DgramSocket s = t.udp4();
    List<DgramException> errors = new CopyOnWriteArrayList<>();
    s.onError(errors::add); // the queued send may fail with NOT_RUNNING (jdgram reports it)
    AtomicInteger closes = new AtomicInteger();
    CountDownLatch closed = new CountDownLatch(1);
    s.onClose(() -> {
      closes.incrementAndGet();
      closed.countDown();
    });
    byte[] buf = new byte[1024];
    s.send(buf, 0, buf.length, port, "127.0.0.1", null);
    s.close(null);
    getter.close();

    NodeAlSupport.await(closed);
    NodeAlSupport.pause(50);
    assertEquals(1, closes.get());
    for (DgramException e : errors) {
      assertTrue(NodeAlSupport.isCloseError(e.code()), "unexpected: " + e);
    }
  }
}
