package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramSocket;
import dev.jdgram.Lookup;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-close-during-bind.js: the socket is closed inside its
 * bind look-up, and the look-up answers only after 'close'. The bind must never reach the
 * kernel and never emit 'listening'. Node replaces {@code handle.bind} with a mustNotCall; here
 * the port the socket asked for is bound by another socket afterwards, which shows it was never
 * taken.
 */
class NodeCloseDuringBindTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void closeInsideTheBindLookupMeansNoBindAndNoListening() {
    AtomicReference<DgramSocket> self = new AtomicReference<>();
    List<String> lookups = new CopyOnWriteArrayList<>();
    CountDownLatch answered = new CountDownLatch(1);
    Lookup closing = (host, family, callback) -> {
      lookups.add(host + "/" + family);
      self.get().close(() -> {
        try {
          callback.accept(null, InetAddress.getByName(host)); // a literal: no resolver involved
        } catch (UnknownHostException e) {
          throw new AssertionError(e);
        } finally {
          answered.countDown();
        }
      });
    };
    DgramSocket s = t.socket(t.options("udp4").lookup(closing));
    self.set(s);
    BlockingQueue<Object> events = NodeAlSupport.queue();
    s.onError(events::add);
    int port = NodeAlSupport.freePort();

    s.bind(port, "127.0.0.1", () -> events.add("listening"));

    NodeAlSupport.await(answered);
    NodeAlSupport.pause(100);
    assertEquals(List.of("127.0.0.1/IPv4"), lookups);
    assertTrue(events.isEmpty(), "unexpected: " + events);
    assertTrue(s.isClosed());

    DgramSocket other = t.udp4();
    assertEquals(port, NodeAlSupport.listen(other, () -> other.bind(port, "127.0.0.1")).port());
  }
}
