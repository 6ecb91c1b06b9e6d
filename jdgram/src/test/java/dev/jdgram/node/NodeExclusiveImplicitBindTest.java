package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.DgramSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from the single-process part of test/parallel/test-dgram-exclusive-implicit-bind.js:
 * every implicitly bound sender (send on an unbound socket, one of them unref'ed as in Node) gets
 * a port of its own, and so does an explicitly bound one. The cluster part (workers that bind
 * the same port share it through the primary) has no single-JVM counterpart.
 */
class NodeExclusiveImplicitBindTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void implicitlyBoundSendersEachGetAPortOfTheirOwn() {
    Map<String, Integer> portBySender = new ConcurrentHashMap<>();
    CountDownLatch three = new CountDownLatch(3);
    DgramSocket target = t.socket(t.options("udp4"), (msg, rinfo) -> {
      if (portBySender.putIfAbsent(new String(msg, StandardCharsets.UTF_8), rinfo.port()) == null) {
        three.countDown();
      }
    });
    int port = NodeAlSupport.bindLoopback(target, false);

    DgramSocket implicit1 = t.udp4();
    DgramSocket implicit2 = t.udp4().unref();
    DgramSocket bound = t.udp4();
    NodeAlSupport.listen(bound, () -> bound.bind(0));
    Map<String, DgramSocket> senders = Map.of("implicit1", implicit1, "implicit2", implicit2, "bound", bound);
    senders.forEach((name, s) -> s.send(name.getBytes(StandardCharsets.UTF_8), port, "127.0.0.1"));

    NodeAlSupport.await(three);
    assertEquals(3, Set.copyOf(portBySender.values()).size(), "ports: " + portBySender);
    senders.forEach((name, s) -> assertEquals(s.address().port(), portBySender.get(name), name));
  }
}
