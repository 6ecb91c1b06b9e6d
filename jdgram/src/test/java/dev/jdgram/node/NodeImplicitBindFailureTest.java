package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.Lookup;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/sequential/test-dgram-implicit-bind-failure.js: with a look-up that always
 * fails (Node monkey-patches dns.lookup; here the {@code lookup} option, answering on the loop
 * as nextTick would), each send on the unbound socket starts an implicit bind whose failure is
 * emitted as 'error' (the look-up's error itself), and the socket is unbound again so that the
 * next send retries. Sends come from the caller, from {@code execute} (nextTick) and from
 * {@code setImmediate}, as in Node, each after the previous failure.
 *
 * <p>Differs: Node (the version of this test) then emits a second error per send,
 * {@code ERR_SOCKET_CANNOT_SEND}, for the discarded queue (later Node versions drop the queue
 * silently). jdgram fails queued sends through their callbacks; a queued send without a callback
 * adds no second 'error' (README, "No lost callbacks").
 */
class NodeImplicitBindFailureTest {
  private static final int PORT = 12346;
  private final NodeAlSupport t = new NodeAlSupport();
  private final DgramException fakeDns = new DgramException("EFAKE", "fake DNS");
  private final List<String> lookups = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private DgramSocket failingSocket() {
    Lookup failing = (host, family, callback) -> {
      lookups.add(host);
      t.loop.execute(() -> callback.accept(fakeDns, null));
    };
    return t.socket(t.options("udp4").lookup(failing));
  }

  @Test
  void eachSendOnAnUnboundSocketEmitsTheBindLookupErrorAndRetries() {
    DgramSocket s = failingSocket();
    BlockingQueue<DgramException> errors = NodeAlSupport.queue();
    s.onError(errors::add);

    s.send("foobar", PORT, "localhost", null);
    assertSame(fakeDns, NodeAlSupport.take(errors));
    t.loop.execute(() -> s.send("foobar", PORT, "localhost", null));
    assertSame(fakeDns, NodeAlSupport.take(errors));
    t.loop.setImmediate(() -> s.send("foobar", PORT, "localhost", null));
    assertSame(fakeDns, NodeAlSupport.take(errors));

    NodeAlSupport.pause(100);
    assertTrue(errors.isEmpty(), "more errors: " + errors);
    assertEquals(List.of("0.0.0.0", "0.0.0.0", "0.0.0.0"), lookups, "one implicit bind per send, none got further");
  }

  /** jdgram's addition: a queued send with a callback gets the bind failure through it, once. */
  @Test
  void aQueuedSendWithACallbackGetsTheBindFailure() {
    DgramSocket s = failingSocket();
    BlockingQueue<DgramException> errors = NodeAlSupport.queue();
    s.onError(errors::add);
    BlockingQueue<DgramException> callbacks = NodeAlSupport.queue();
    s.send("foobar", PORT, "localhost", (err, n) -> callbacks.add(err));
    assertSame(fakeDns, NodeAlSupport.take(callbacks));
    assertSame(fakeDns, NodeAlSupport.take(errors));
    NodeAlSupport.pause(100);
    assertTrue(callbacks.isEmpty() && errors.isEmpty(), "more: " + callbacks + " " + errors);
  }
}
