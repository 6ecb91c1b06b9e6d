package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-listen-after-bind.js: a 'listening' listener added right
 * after {@code bind()} still fires, before 'close'. (On a loop of its own the bind may complete
 * before the listener is added; jdgram queues the bind's answer on the loop, and the test checks
 * that the listener sees it, as Node's next-tick delivery guarantees.)
 */
class NodeListenAfterBindTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void listeningAddedAfterBindFiresBeforeClose() {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch closed = new CountDownLatch(1);
    DgramSocket s = t.udp4();
    // Hold the loop so that the bind cannot complete before the listener is added, as in Node's
    // single thread, where bind() only starts the look-up.
    CountDownLatch release = new CountDownLatch(1);
    t.loop.execute(() -> NodeAlSupport.await(release));
    s.bind();
    s.onListening(() -> {
      order.add("listening");
      s.close();
    });
    s.onClose(() -> {
      order.add("close");
      closed.countDown();
    });
    release.countDown();
    NodeAlSupport.await(closed);
    assertEquals(List.of("listening", "close"), order);
  }
}
