package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-bind-error-repeat.js (nodejs/node#30209): binding a port
 * in use again and again, from the 'error' listener, emits one 'error' per attempt and leaks
 * nothing (Node checks for no MaxListeners warning; here: no failed attempt's bind callback ever
 * runs, not even when a later bind succeeds).
 */
class NodeBindErrorRepeatTest {
  private static final int ATTEMPTS = 20;
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void everyRetriedBindOfAPortInUseEmitsOneErrorAndNeverListens() {
    DgramSocket reserve = t.udp4();
    int port = NodeAlSupport.listen(reserve, () -> reserve.bind()).port();

    DgramSocket s = t.udp4();
    AtomicInteger failedCallbacks = new AtomicInteger();
    Runnable mustNotCall = failedCallbacks::incrementAndGet;
    List<DgramException> errors = new CopyOnWriteArrayList<>();
    CountDownLatch allFailed = new CountDownLatch(1);
    s.onError(err -> {
      errors.add(err);
      if (errors.size() < ATTEMPTS) {
        s.bind(port, null, mustNotCall);
      } else {
        allFailed.countDown();
      }
    });
    s.bind(port, null, mustNotCall);
    NodeAlSupport.await(allFailed);
    assertEquals(ATTEMPTS, errors.size());
    for (DgramException e : errors) {
      assertEquals("EADDRINUSE", e.code());
      assertEquals("bind", e.syscall());
      assertEquals("bind EADDRINUSE 0.0.0.0:" + port, e.getMessage());
    }

    // The socket is unbound again and binds; none of the twenty failed callbacks runs now.
    BlockingQueue<String> listening = NodeAlSupport.queue();
    s.bind(0, "127.0.0.1", () -> listening.add("ok"));
    assertEquals("ok", NodeAlSupport.take(listening));
    NodeAlSupport.pause(50);
    assertEquals(0, failedCallbacks.get());
    assertEquals(ATTEMPTS, errors.size());
  }
}
