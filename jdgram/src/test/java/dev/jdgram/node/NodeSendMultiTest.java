package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-multi-buffer-copy.js} and
 * {@code test/parallel/test-dgram-send-multi-string-array.js}.
 */
@Timeout(20)
class NodeSendMultiTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  /**
   * Ported from {@code test/parallel/test-dgram-send-multi-buffer-copy.js}: emptying the list
   * after {@code send} does not change the datagram. jdgram copies at {@code send} (README), so
   * overwriting the arrays themselves does not change it either.
   */
  @Test
  void changingTheListAfterSendDoesNotChangeTheDatagram() {
    DgramSocket client = sockets.add(Dgram.createSocket("udp4"));
    CompletableFuture<byte[]> got = new CompletableFuture<>();
    client.onMessage((msg, rinfo) -> got.complete(msg));
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] buf1 = new byte[256];
    byte[] buf2 = new byte[256];
    Arrays.fill(buf1, (byte) 'x');
    Arrays.fill(buf2, (byte) 'y');
    byte[] expected = new byte[512];
    System.arraycopy(buf1, 0, expected, 0, 256);
    System.arraycopy(buf2, 0, expected, 256, 256);
    List<byte[]> toSend = new ArrayList<>(List.of(buf1, buf2));
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(toSend, port, "127.0.0.1", (err, bytes) -> sent.complete(err == null ? bytes : -1));
    toSend.clear();
    Arrays.fill(buf1, (byte) 0);
    Arrays.fill(buf2, (byte) 0);
    assertEquals(512, NodeMzSupport.get(sent));
    assertArrayEquals(expected, NodeMzSupport.get(got));
  }

  /** Ported from {@code test/parallel/test-dgram-send-multi-string-array.js}. */
  @Test
  void listOfStringsIsSentAsOneDatagram() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    CompletableFuture<String> got = new CompletableFuture<>();
    socket.onMessage((msg, rinfo) -> got.complete(new String(msg)));
    int port = NodeMzSupport.bind(socket, 0, null);
    socket.send(List.of("foo", "bar", "baz"), port, "localhost", null);
    assertEquals("foobarbaz", NodeMzSupport.get(got));
  }
}
