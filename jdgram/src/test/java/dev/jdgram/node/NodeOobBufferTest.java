package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-oob-buffer.js}: offset/length pairs at the edges
 * of the buffer are accepted (a zero length at the end is not out of bounds), and a send to a
 * closed local port is not an error. Node then closes the socket at once and never calls the
 * callbacks ({@code mustNotCall}); jdgram differs on purpose (README "No lost callbacks"): each
 * callback is called exactly once.
 */
@Timeout(20)
class NodeOobBufferTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private int closedPort() {
    DgramSocket portGetter = Dgram.createSocket("udp4");
    int port = NodeMzSupport.bind(portGetter, 0, "localhost");
    NodeMzSupport.closeAndWait(portGetter);
    return port;
  }

  @Test
  void offsetsAndLengthsAtTheBufferEdgesAreAccepted() {
    int port = closedPort();
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    List<DgramException> errors = new CopyOnWriteArrayList<>();
    socket.onError(errors::add);
    BlockingQueue<Integer> done = NodeMzSupport.queue();
    byte[] buf = {1, 2, 3, 4};
    int[][] cases = {{0, 0}, {0, 4}, {1, 3}, {3, 1}, {4, 0}};
    for (int[] c : cases) {
      socket.send(buf, c[0], c[1], port, "127.0.0.1", (err, bytes) -> done.add(err == null ? bytes : -1));
    }
    int expected = 0;
    for (int[] c : cases) {
      expected += c[1];
    }
    int total = 0;
    for (int i = 0; i < cases.length; i++) {
      int n = NodeMzSupport.take(done);
      assertTrue(n >= 0, "a send to a closed local port is not an error");
      total += n;
    }
    assertEquals(expected, total);
    assertEquals(List.of(), errors, "no 'error' event");
  }

  /** jdgram: a close right after the sends still calls every callback exactly once. */
  @Test
  void closeRightAfterTheSendsStillCallsEachCallbackOnce() throws InterruptedException {
    int port = closedPort();
    DgramSocket socket = Dgram.createSocket("udp4");
    BlockingQueue<String> done = NodeMzSupport.queue();
    byte[] buf = {1, 2, 3, 4};
    int[][] cases = {{0, 0}, {0, 4}, {1, 3}, {3, 1}, {4, 0}};
    for (int[] c : cases) {
      socket.send(buf, c[0], c[1], port, "127.0.0.1", (err, bytes) -> done.add(err == null ? "ok" : err.code()));
    }
    NodeMzSupport.closeAndWait(socket);
    for (int i = 0; i < cases.length; i++) {
      NodeMzSupport.take(done);
    }
    Thread.sleep(100);
    assertEquals(0, done.size(), "no callback is called twice");
  }
}
