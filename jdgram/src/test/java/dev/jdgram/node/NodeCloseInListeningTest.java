package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-close-in-listening.js: a socket closed inside its
 * 'listening' listener, while a send (that caused the implicit bind) is queued, closes without
 * crashing. Differs: Node drops the queued send silently; jdgram calls its callback exactly once,
 * and a send without a callback that fails emits 'error' (README, "No lost callbacks").
 */
class NodeCloseInListeningTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private int portGetter() {
    DgramSocket getter = t.udp4();
    int port = NodeAlSupport.listen(getter, () -> getter.bind(0, "localhost")).port();
    NodeAlSupport.closeAndWait(getter);
    return port;
  }

  @Test
  void closeInListeningWithAQueuedSendClosesWithoutCrashing() {
    byte[] buf = new byte[1024];
    Arrays.fill(buf, (byte) 42);
    DgramSocket s = t.udp4();
    List<DgramException> errors = new CopyOnWriteArrayList<>();
    CountDownLatch closed = new CountDownLatch(1);
    s.onError(errors::add);
    s.onListening(s::close);
    s.onClose(closed::countDown);
    int port = portGetter();

    s.send(buf, 0, buf.length, port, "127.0.0.1", null);

    NodeAlSupport.await(closed);
    NodeAlSupport.pause(50);
    for (DgramException e : errors) {
      assertTrue(NodeAlSupport.isCloseError(e.code()), "only the dropped send may be reported: " + e);
    }
    assertTrue(errors.size() <= 1, "errors: " + errors);
  }

  @Test
  void closeInListeningCallsTheQueuedSendCallbackExactlyOnce() {
    DgramSocket s = t.udp4();
    BlockingQueue<String> callbacks = NodeAlSupport.queue();
    CountDownLatch closed = new CountDownLatch(1);
    s.onListening(s::close);
    s.onClose(closed::countDown);
    int port = portGetter();

    s.send(new byte[1024], 0, 1024, port, "127.0.0.1",
        (err, bytes) -> callbacks.add(err == null ? "sent " + bytes : err.code()));

    NodeAlSupport.await(closed);
    String first = NodeAlSupport.take(callbacks);
    assertTrue(first.equals("sent 1024") || NodeAlSupport.isCloseError(first), first);
    NodeAlSupport.pause(50);
    assertTrue(callbacks.isEmpty(), "called again: " + callbacks);
  }
}
