package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendCallback;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from Node's {@code test/parallel/test-dgram-send-callback-*.js} files (each method names
 * its file): the send callback gets {@code (null, bytes)} in every form of {@code send}.
 */
@Timeout(20)
class NodeSendCallbackTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket client() {
    return sockets.add(Dgram.createSocket("udp4"));
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  /** A callback that fails the future on error, else completes it with the byte count. */
  private static SendCallback into(CompletableFuture<Integer> f) {
    return (err, bytes) -> {
      if (err != null) {
        f.completeExceptionally(err);
      } else {
        f.complete(bytes);
      }
    };
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-buffer.js}. */
  @Test
  void bufferCallbackGetsItsLength() {
    DgramSocket client = client();
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] buf = new byte[256];
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(buf, port, "127.0.0.1", into(sent));
    assertEquals(buf.length, NodeMzSupport.get(sent));
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-buffer-empty-address.js}. */
  @Test
  void bufferWithoutAddressCallbackGetsItsLength() {
    DgramSocket client = client();
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] buf = filled(256, 'x');
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(buf, port, null, into(sent));
    assertEquals(buf.length, NodeMzSupport.get(sent));
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-buffer-length.js}. */
  @Test
  void offsetAndLengthCallbackGetsTheLength() {
    DgramSocket client = client();
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] buf = new byte[256];
    int offset = 20;
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(buf, offset, buf.length - offset, port, "127.0.0.1", into(sent));
    assertEquals(buf.length - offset, NodeMzSupport.get(sent));
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-buffer-length-empty-address.js}. */
  @Test
  void offsetAndLengthWithoutAddressCallbackGetsTheLength() {
    DgramSocket client = client();
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] buf = filled(256, 'x');
    int offset = 20;
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(buf, offset, buf.length - offset, port, null, into(sent));
    assertEquals(buf.length - offset, NodeMzSupport.get(sent));
  }

  private void multiBuffer(String address) {
    DgramSocket client = client();
    byte[] buf1 = filled(256, 'x');
    byte[] buf2 = filled(256, 'y');
    CompletableFuture<byte[]> got = new CompletableFuture<>();
    client.onMessage((msg, rinfo) -> got.complete(msg));
    int port = NodeMzSupport.bind(client, 0, null);
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(List.of(buf1, buf2), port, address, into(sent));
    assertEquals(buf1.length + buf2.length, NodeMzSupport.get(sent));
    byte[] expected = new byte[512];
    System.arraycopy(buf1, 0, expected, 0, 256);
    System.arraycopy(buf2, 0, expected, 256, 256);
    assertArrayEquals(expected, NodeMzSupport.get(got));
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-multi-buffer.js}. */
  @Test
  void bufferListCallbackGetsTheTotalAndOneDatagramArrives() {
    multiBuffer("127.0.0.1");
  }

  /** Ported from {@code test/parallel/test-dgram-send-callback-multi-buffer-empty-address.js}. */
  @Test
  void bufferListWithoutAddressCallbackGetsTheTotalAndOneDatagramArrives() {
    multiBuffer(null);
  }

  /**
   * Ported from {@code test/parallel/test-dgram-send-callback-recursive.js}: sends made from
   * inside send callbacks all go out, and no callback runs inside the {@code send} call.
   */
  @Test
  void sendsFromInsideSendCallbacksAreAsynchronousAndAllArrive() {
    DgramSocket client = client();
    int limit = 10;
    AtomicInteger received = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean insideSend = new AtomicBoolean();
    AtomicBoolean calledInsideSend = new AtomicBoolean();
    CountDownLatch closed = new CountDownLatch(1);
    int[] port = new int[1];
    SendCallback[] onsend = new SendCallback[1];
    onsend[0] = (err, bytes) -> {
      if (insideSend.get()) {
        calledInsideSend.set(true);
      }
      if (sent.getAndIncrement() < limit) {
        insideSend.set(true);
        client.send("abc".getBytes(), 0, 3, port[0], "127.0.0.1", onsend[0]);
        insideSend.set(false);
      }
    };
    client.onMessage((msg, rinfo) -> {
      if (received.incrementAndGet() == limit) {
        client.close();
      }
    });
    client.onClose(closed::countDown);
    client.onListening(() -> {
      port[0] = client.address().port();
      onsend[0].onSent(null, 0);
    });
    client.bind(0, "127.0.0.1");
    NodeMzSupport.await(closed);
    assertEquals(limit, received.get());
    assertFalse(calledInsideSend.get(), "a send callback ran inside send()");
  }
}
