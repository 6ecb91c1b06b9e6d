package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.DgramSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-implicit-bind.js: two sends on an unbound socket, made one
 * right after the other, bind it once (the second does not throw "already bound") and both
 * arrive.
 */
class NodeImplicitBindTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void twoSendsOnAnUnboundSocketBindItOnceAndBothArrive() {
    BlockingQueue<String> messages = NodeAlSupport.queue();
    DgramSocket target = t.socket(t.options("udp4"), (msg, rinfo) -> messages.add(new String(msg, StandardCharsets.UTF_8)));
    int port = NodeAlSupport.listen(target, () -> target.bind(0)).port();

    DgramSocket source = t.udp4();
    source.send("abc".getBytes(StandardCharsets.UTF_8), 0, 3, port, "127.0.0.1", null);
    source.send("def".getBytes(StandardCharsets.UTF_8), 0, 3, port, "127.0.0.1", null);

    List<String> got = List.of(NodeAlSupport.take(messages), NodeAlSupport.take(messages));
    assertEquals(List.of("abc", "def"), got.stream().sorted().toList());
  }
}
