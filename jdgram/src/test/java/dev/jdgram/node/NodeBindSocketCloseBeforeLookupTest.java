package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.Lookup;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-bind-socket-close-before-lookup.js: a socket closed
 * before its bind look-up answers (here with an error, after 300 ms rather than Node's 1 s)
 * emits no 'error' and no 'listening'.
 */
class NodeBindSocketCloseBeforeLookupTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void closeBeforeTheBindLookupAnswersEmitsNoError() {
    CountDownLatch answered = new CountDownLatch(1);
    Lookup late = (host, family, callback) -> t.loop.setTimeout(() -> {
      callback.accept(new DgramException("EFAKE", "an error"), null);
      answered.countDown();
    }, 300);
    DgramSocket s = t.socket(t.options("udp4").lookup(late));
    BlockingQueue<Object> events = NodeAlSupport.queue();
    s.onError(events::add);
    s.onListening(() -> events.add("listening"));
    CountDownLatch closed = new CountDownLatch(1);

    s.bind(12345, "localhost");
    s.close(closed::countDown);

    NodeAlSupport.await(closed);
    NodeAlSupport.await(answered);
    NodeAlSupport.pause(100); // let the answer reach the socket
    assertTrue(events.isEmpty(), "unexpected: " + events);
    assertEquals(0, t.uncaught.size(), "uncaught: " + t.uncaught);
  }
}
