package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.loop.Timer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ports of Node's {@code test/parallel/test-dgram-connect-send-*.js}: sends without a destination
 * on a connected socket, in every message form, with and without callbacks. Most of them connect
 * a socket to itself, as Node's do.
 *
 * <p>Node's {@code send(buf, offset, length[, cb])} on a connected socket has no overload in
 * jdgram's API (docs/api.md lists offset/length only with a port and address); its Java idiom is a
 * {@code ByteBuffer.wrap(buf, offset, length)} view, which is what these ports send. Node's
 * {@code Uint8Array} forms become direct and heap {@code ByteBuffer}s.
 */
class NodeConnectSendTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  /** A socket bound on 127.0.0.1 and connected to itself; its datagrams go to {@code messages}. */
  private DgramSocket selfConnected(BlockingQueue<byte[]> messages) {
    DgramSocket s = t.socket(t.options("udp4"), (msg, rinfo) -> messages.add(msg));
    int port = NodeAlSupport.bindLoopback(s, false);
    CompletableFuture<DgramException> done = new CompletableFuture<>();
    s.connect(port, null, done::complete);
    assertNull(NodeAlSupport.get(done));
    return s;
  }

  /**
   * java.nio cannot send an empty datagram on a connected channel (it makes no system call);
   * the nio transport refuses it with ENOTSUP rather than report a send that never happened.
   */
  private static boolean nio() {
    return "nio".equals(System.getProperty("jdgram.transport"));
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** From test/parallel/test-dgram-connect-send-callback-buffer-length.js. */
  @Test
  void sendOfASliceReportsTheSliceLength() {
    DgramSocket s = selfConnected(NodeAlSupport.queue());
    byte[] buf = new byte[256];
    int offset = 20;
    int len = buf.length - offset;
    CompletableFuture<Integer> bytes = new CompletableFuture<>();
    s.send(ByteBuffer.wrap(buf, offset, len), (err, n) -> {
      if (err != null) {
        bytes.completeExceptionally(err);
      } else {
        bytes.complete(n);
      }
    });
    assertEquals(buf.length - offset, NodeAlSupport.get(bytes));
  }

  /** From test/parallel/test-dgram-connect-send-callback-buffer.js. */
  @Test
  void sendOfABufferReportsItsLength() {
    DgramSocket s = selfConnected(NodeAlSupport.queue());
    byte[] buf = new byte[256];
    CompletableFuture<Integer> bytes = new CompletableFuture<>();
    s.send(buf, (err, n) -> {
      if (err != null) {
        bytes.completeExceptionally(err);
      } else {
        bytes.complete(n);
      }
    });
    assertEquals(256, NodeAlSupport.get(bytes));
  }

  /** From test/parallel/test-dgram-connect-send-callback-multi-buffer.js. */
  @Test
  void sendOfAListIsOneDatagramAndReportsTheTotalLength() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = selfConnected(messages);
    byte[] buf1 = filled(256, 'x');
    byte[] buf2 = filled(256, 'y');
    CompletableFuture<Integer> bytes = new CompletableFuture<>();
    s.send(List.of(buf1, buf2), (err, n) -> bytes.complete(n));
    assertEquals(512, NodeAlSupport.get(bytes));
    assertArrayEquals(concat(buf1, buf2), NodeAlSupport.take(messages));
  }

  /**
   * From test/parallel/test-dgram-connect-send-default-host.js: connect(port) without an address
   * reaches 127.0.0.1 (the server listens on every address), in all eight message forms.
   */
  @Test
  void connectWithoutAddressSendsToLocalhostInEveryForm() {
    List<String> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> all = new CompletableFuture<>();
    DgramSocket server = t.socket(t.options("udp4"), (msg, rinfo) -> {
      received.add(new String(msg, StandardCharsets.UTF_8));
      if (received.size() == 8) {
        all.complete(null);
      }
    });
    int port = NodeAlSupport.listen(server, () -> server.bind(0)).port();
    byte[] x = filled(256, 'x');
    byte[] y = filled(256, 'y');
    byte[] z = filled(256, 'z');
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);

    DgramSocket client = t.udp4();
    CompletableFuture<DgramException> connected = new CompletableFuture<>();
    client.connect(port, null, connected::complete);
    assertNull(NodeAlSupport.get(connected));
    client.send(ByteBuffer.wrap(x, 0, x.length), (DgramException e, int n) -> { });
    client.send(y);
    client.send(List.of(z), null);
    client.send(ByteBuffer.wrap(hello, 0, hello.length), null);
    client.send(ByteBuffer.allocateDirect(x.length).put(x).flip(), null);
    client.send(ByteBuffer.wrap(y.clone()), null);
    client.send(List.of(ByteBuffer.allocateDirect(z.length).put(z).flip()), null);
    client.send("hello", null);

    NodeAlSupport.get(all);
    List<String> expected = new ArrayList<>();
    for (byte[] b : List.of(x, y, z, hello, x, y, z, hello)) {
      expected.add(new String(b, StandardCharsets.UTF_8));
    }
    List<String> got = new ArrayList<>(received);
    Collections.sort(expected);
    Collections.sort(got);
    assertEquals(expected, got);
  }

  /** From test/parallel/test-dgram-connect-send-empty-array.js. */
  @Test
  void sendOfAnEmptyListSendsAnEmptyDatagram() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = t.socket(t.options("udp4"), (msg, rinfo) -> messages.add(msg));
    int port = NodeAlSupport.bindLoopback(s, false);
    CompletableFuture<DgramException> sent = new CompletableFuture<>();
    s.connect(port, "127.0.0.1", err -> s.send(List.of(), (e, n) -> sent.complete(e)));
    if (nio()) {
      assertEquals("ENOTSUP", NodeAlSupport.get(sent).code());
      return;
    }
    assertNull(NodeAlSupport.get(sent));
    assertEquals(0, NodeAlSupport.take(messages).length);
  }

  /** From test/parallel/test-dgram-connect-send-empty-buffer.js. */
  @Test
  void sendOfAnEmptyBufferSucceedsAndArrivesEmpty() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = selfConnected(messages);
    CompletableFuture<DgramException> sent = new CompletableFuture<>();
    s.send(ByteBuffer.wrap(new byte[0], 0, 0), (err, n) -> sent.complete(err));
    if (nio()) {
      assertEquals("ENOTSUP", NodeAlSupport.get(sent).code());
      return;
    }
    assertNull(NodeAlSupport.get(sent));
    assertEquals(0, NodeAlSupport.take(messages).length);
  }

  /**
   * From test/parallel/test-dgram-connect-send-empty-packet.js: zero bytes of a one-byte buffer,
   * sent every 10 ms until one arrives; every callback gets no error.
   */
  @Test
  void zeroLengthSliceArrivesAsAnEmptyDatagram() {
    org.junit.jupiter.api.Assumptions.assumeFalse(nio(), "empty datagrams on a connected nio socket are ENOTSUP (see sendOfAnEmptyBufferSucceedsAndArrivesEmpty)");
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = selfConnected(messages);
    List<DgramException> callbackErrors = new CopyOnWriteArrayList<>();
    byte[] buf = new byte[1];
    Timer interval = t.loop.setInterval(() -> s.send(ByteBuffer.wrap(buf, 0, 0), (err, n) -> {
      if (err != null) {
        callbackErrors.add(err);
      }
    }), 10);
    try {
      assertEquals(0, NodeAlSupport.take(messages).length);
    } finally {
      interval.cancel();
    }
    assertTrue(callbackErrors.isEmpty(), "errors: " + callbackErrors);
  }

  /**
   * From test/parallel/test-dgram-connect-send-multi-buffer-copy.js: the parts are copied at
   * send, so changing them afterwards does not change the datagram.
   */
  @Test
  void sendOfAListCopiesTheParts() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = selfConnected(messages);
    byte[] buf1 = filled(256, 'x');
    byte[] buf2 = filled(256, 'y');
    byte[] expected = concat(buf1, buf2);
    List<byte[]> toSend = new ArrayList<>(List.of(buf1, buf2));
    CompletableFuture<Integer> bytes = new CompletableFuture<>();
    s.send(toSend, (err, n) -> {
      if (err != null) {
        bytes.completeExceptionally(err);
      } else {
        bytes.complete(n);
      }
    });
    Arrays.fill(buf1, (byte) 'a');
    toSend.clear();
    assertEquals(512, NodeAlSupport.get(bytes));
    assertArrayEquals(expected, NodeAlSupport.take(messages));
  }

  /** From test/parallel/test-dgram-connect-send-multi-string-array.js. */
  @Test
  void sendOfAListOfStringsJoinsThem() {
    BlockingQueue<byte[]> messages = NodeAlSupport.queue();
    DgramSocket s = selfConnected(messages);
    s.send(List.of("foo", "bar", "baz"), null);
    assertEquals("foobarbaz", new String(NodeAlSupport.take(messages), StandardCharsets.UTF_8));
  }
}
