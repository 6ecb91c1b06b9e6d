package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every send overload, its callback, implicit bind, argument errors and kernel errors. */
class SendTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket socket(String type) {
    DgramSocket s = Dgram.createSocket(type);
    sockets.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      try {
        s.close();
      } catch (DgramException alreadyClosed) {
        // closed by the test
      }
    }
  }

  /** A datagram as the receiver saw it. */
  record Got(byte[] data, RemoteInfo rinfo) {
    String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  /** A receiver bound on loopback that queues what it gets. */
  private final class Sink {
    final DgramSocket socket;
    final BlockingQueue<Got> got = Probe.queue();
    final int port;

    Sink(boolean v6) {
      socket = socket(v6 ? "udp6" : "udp4");
      socket.onMessage((msg, rinfo) -> got.add(new Got(msg, rinfo)));
      port = Probe.bindLoopback(socket, v6);
    }

    Got take() {
      return Probe.take(got);
    }
  }

  /** What a send callback got: bytes, or an error. */
  record Sent(DgramException error, int bytes) {}

  private static SendCallback into(BlockingQueue<Sent> q) {
    return (err, n) -> q.add(new Sent(err, n));
  }

  private static int bytesOf(BlockingQueue<Sent> q) {
    Sent s = Probe.take(q);
    assertNull(s.error(), () -> "send failed: " + s.error());
    return s.bytes();
  }

  private static DgramException errorOf(BlockingQueue<Sent> q) {
    Sent s = Probe.take(q);
    assertNotNull(s.error(), "send should have failed, sent " + s.bytes());
    return s.error();
  }

  private static DgramException thrown(Executable e) {
    return assertThrows(DgramException.class, e);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static DgramSocket connected(DgramSocket s, int port) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    s.connect(port, "127.0.0.1", err -> {
      if (err == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(err);
      }
    });
    Probe.get(done);
    return s;
  }

  // ------------------------------------------------------------------ the overloads

  @Test
  void sendByteArrayWithoutCallback() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    c.send(new byte[] {1, 2, 3}, sink.port, "127.0.0.1");
    Got g = sink.take();
    assertArrayEquals(new byte[] {1, 2, 3}, g.data());
    assertEquals(3, g.rinfo().size());
    assertEquals("127.0.0.1", g.rinfo().address());
    assertEquals("IPv4", g.rinfo().family());
  }

  @Test
  void sendByteArrayCallbackGetsTheByteCount() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(new byte[] {9, 8, 7, 6}, sink.port, "127.0.0.1", into(sent));
    assertEquals(4, bytesOf(sent));
    assertArrayEquals(new byte[] {9, 8, 7, 6}, sink.take().data());
  }

  @Test
  void sendByteArrayOffsetLengthSendsTheSlice() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("abcdefgh".getBytes(), 2, 3, sink.port, "127.0.0.1", into(sent));
    assertEquals(3, bytesOf(sent));
    assertEquals("cde", sink.take().text());
    // the edges: offset == length of buffer with length 0 is an empty datagram
    c.send("abc".getBytes(), 3, 0, sink.port, "127.0.0.1", into(sent));
    assertEquals(0, bytesOf(sent));
    assertEquals(0, sink.take().data().length);
  }

  @Test
  void sendByteBufferSendsRemainingAndLeavesPositionUnchanged() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    ByteBuffer buf = ByteBuffer.wrap("0123456789".getBytes());
    buf.position(3).limit(8);
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(buf, sink.port, "127.0.0.1", into(sent));
    assertEquals(3, buf.position());
    assertEquals(8, buf.limit());
    assertEquals(5, bytesOf(sent));
    assertEquals("34567", sink.take().text());
    assertEquals(3, buf.position());

    ByteBuffer direct = ByteBuffer.allocateDirect(4).put(new byte[] {5, 6, 7, 8}).flip();
    c.send(direct, sink.port, "127.0.0.1", into(sent));
    assertEquals(0, direct.position());
    assertEquals(4, bytesOf(sent));
    assertArrayEquals(new byte[] {5, 6, 7, 8}, sink.take().data());
  }

  @Test
  void sendStringIsUtf8() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    String text = "héllo €";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(text, sink.port, "127.0.0.1", into(sent));
    assertEquals(utf8.length, bytesOf(sent));
    Got g = sink.take();
    assertArrayEquals(utf8, g.data());
    assertEquals(text, g.text());
  }

  @Test
  void sendListOfMixedPartsIsOneDatagram() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    ByteBuffer bb = ByteBuffer.wrap("XbbY".getBytes());
    bb.position(1).limit(3);
    List<Object> parts = List.of("a€", bb, new byte[] {'c', 'd'}, "");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(parts, sink.port, "127.0.0.1", into(sent));
    byte[] expected = "a€bbcd".getBytes(StandardCharsets.UTF_8);
    assertEquals(expected.length, bytesOf(sent));
    assertArrayEquals(expected, sink.take().data());
    assertEquals(1, bb.position(), "the parts' positions are not changed");
    pause(50);
    assertNull(sink.got.peek(), "the parts must arrive as one datagram");
  }

  @Test
  void sendEmptyListIsAnEmptyDatagram() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(List.of(), sink.port, "127.0.0.1", into(sent));
    assertEquals(0, bytesOf(sent));
    assertEquals(0, sink.take().rinfo().size());
  }

  @Test
  void connectedFormsSendToThePeer() {
    Sink sink = new Sink(false);
    DgramSocket c = connected(socket("udp4"), sink.port);
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("one".getBytes());
    c.send("two".getBytes(), into(sent));
    c.send(ByteBuffer.wrap("three".getBytes()), into(sent));
    c.send("four", into(sent));
    c.send(List.of("fi", "ve".getBytes()), into(sent));
    assertEquals(3, bytesOf(sent));
    assertEquals(5, bytesOf(sent));
    assertEquals(4, bytesOf(sent));
    assertEquals(4, bytesOf(sent));
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Got g = sink.take();
      texts.add(g.text());
      assertEquals(c.address().port(), g.rinfo().port());
    }
    assertEquals(List.of("one", "two", "three", "four", "five"), texts);
  }

  @Test
  void connectedFormOnUnconnectedSocketThrowsBadPort() {
    DgramSocket c = socket("udp4");
    DgramException e = thrown(() -> c.send("x", (err, n) -> { }));
    assertEquals("ERR_SOCKET_BAD_PORT", e.code());
  }

  // ------------------------------------------------------------------ implicit bind and queue

  @Test
  void sendBindsImplicitly() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    AtomicInteger listening = new AtomicInteger();
    c.onListening(listening::incrementAndGet);
    CompletableFuture<AddressInfo> local = new CompletableFuture<>();
    c.send("x", sink.port, "127.0.0.1", (err, n) -> {
      if (err != null) {
        local.completeExceptionally(err);
      } else {
        local.complete(c.address());
      }
    });
    AddressInfo a = Probe.get(local);
    assertEquals("0.0.0.0", a.address());
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0);
    assertEquals(a.port(), sink.take().rinfo().port());
    assertEquals(1, listening.get());
    assertEquals("ERR_SOCKET_ALREADY_BOUND", thrown(() -> c.bind()).code());
  }

  @Test
  void sendsQueuedWhileBindingAllArriveInOrder() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    int n = 50;
    BlockingQueue<Sent> sent = Probe.queue();
    for (int i = 0; i < n; i++) {
      c.send(Integer.toString(i), sink.port, "127.0.0.1", into(sent));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(Integer.toString(i).length(), bytesOf(sent));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(Integer.toString(i), sink.take().text());
    }
  }

  @Test
  void sendsQueuedAfterAnExplicitBindAllArriveInOrder() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    c.bind(0, "127.0.0.1");
    BlockingQueue<Sent> sent = Probe.queue();
    for (int i = 0; i < 20; i++) {
      c.send("m" + i, sink.port, "127.0.0.1", into(sent));
    }
    for (int i = 0; i < 20; i++) {
      bytesOf(sent);
      assertEquals("m" + i, sink.take().text());
    }
  }

  // ------------------------------------------------------------------ argument errors

  @Test
  void offsetOrLengthOutOfBoundsThrowsBufferOutOfBounds() {
    DgramSocket c = socket("udp4");
    byte[] b = new byte[4];
    DgramException off = thrown(() -> c.send(b, 5, 0, 1234, "127.0.0.1", null));
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", off.code());
    assertEquals("\"offset\" is outside of buffer bounds", off.getMessage());
    DgramException negOff = thrown(() -> c.send(b, -1, 1, 1234, "127.0.0.1", null));
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", negOff.code());
    DgramException len = thrown(() -> c.send(b, 2, 3, 1234, "127.0.0.1", null));
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", len.code());
    assertEquals("\"length\" is outside of buffer bounds", len.getMessage());
    DgramException negLen = thrown(() -> c.send(b, 0, -1, 1234, "127.0.0.1", null));
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", negLen.code());
    DgramException overflow = thrown(() -> c.send(b, 2, Integer.MAX_VALUE, 1234, "127.0.0.1", null));
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", overflow.code());
    // nothing was started: the socket is still unbound
    assertEquals("EBADF", thrown(c::address).code());
  }

  @Test
  void nullMessageThrowsInvalidArgType() {
    DgramSocket c = socket("udp4");
    List<Executable> calls = List.of(
        () -> c.send((byte[]) null, 1234, "127.0.0.1"),
        () -> c.send((byte[]) null, 1234, "127.0.0.1", null),
        () -> c.send((byte[]) null, 0, 0, 1234, "127.0.0.1", null),
        () -> c.send((ByteBuffer) null, 1234, "127.0.0.1", null),
        () -> c.send((String) null, 1234, "127.0.0.1", null),
        () -> c.send((List<?>) null, 1234, "127.0.0.1", null),
        () -> c.send((byte[]) null),
        () -> c.send((String) null, (SendCallback) null));
    for (Executable call : calls) {
      assertEquals("ERR_INVALID_ARG_TYPE", thrown(call).code());
    }
    DgramException badPart = thrown(() -> c.send(List.of("a", 42), 1234, "127.0.0.1", null));
    assertEquals("ERR_INVALID_ARG_TYPE", badPart.code());
    assertEquals("EBADF", thrown(c::address).code(), "a bad argument must not bind the socket");
  }

  @Test
  void badPortThrowsBadPort() {
    DgramSocket c = socket("udp4");
    for (int port : new int[] {0, 65536, -1}) {
      DgramException e = thrown(() -> c.send("x", port, "127.0.0.1", null));
      assertEquals("ERR_SOCKET_BAD_PORT", e.code(), "port " + port);
      assertEquals("ERR_SOCKET_BAD_PORT", thrown(() -> c.send(new byte[1], port, "127.0.0.1")).code());
    }
    assertEquals("Port should be > 0 and < 65536. Received type number (0).",
        thrown(() -> c.send(new byte[1], 0, "127.0.0.1")).getMessage());
  }

  // ------------------------------------------------------------------ destinations

  @Test
  void nullAddressMeans127001OnUdp4() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("v4", sink.port, null, into(sent));
    assertEquals(2, bytesOf(sent));
    Got g = sink.take();
    assertEquals("v4", g.text());
    assertEquals("127.0.0.1", g.rinfo().address());
  }

  @Test
  void nullAddressMeansLoopbackOnUdp6() {
    Sink sink = new Sink(true);
    DgramSocket c = socket("udp6");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("v6", sink.port, null, into(sent));
    assertEquals(2, bytesOf(sent));
    Got g = sink.take();
    assertEquals("v6", g.text());
    assertEquals("::1", g.rinfo().address());
    assertEquals("IPv6", g.rinfo().family());
  }

  @Test
  void udp4SendToIPv6AddressFailsWithEinval() {
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("x", 4321, "::1", into(sent));
    DgramException e = errorOf(sent);
    assertEquals("EINVAL", e.code());
    assertEquals("send", e.syscall());
    assertEquals(-22, e.errno());
    assertEquals("send EINVAL ::1:4321", e.getMessage());
  }

  // ------------------------------------------------------------------ sizes

  @Test
  void emptyDatagramArrivesWithSizeZero() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(new byte[0], sink.port, "127.0.0.1", into(sent));
    assertEquals(0, bytesOf(sent));
    Got g = sink.take();
    assertEquals(0, g.data().length);
    assertEquals(0, g.rinfo().size());
  }

  @Test
  void largestUdp4DatagramArrivesWhole() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    byte[] big = new byte[65_507];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(big, sink.port, "127.0.0.1", into(sent));
    assertEquals(65_507, bytesOf(sent));
    Got g = sink.take();
    assertEquals(65_507, g.rinfo().size());
    assertArrayEquals(big, g.data());
  }

  @Test
  void oversizeDatagramFailsWithEmsgsize() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Sent> sent = Probe.queue();
    c.send(new byte[65_508], sink.port, "127.0.0.1", into(sent));
    DgramException e = errorOf(sent);
    assertEquals("EMSGSIZE", e.code());
    assertEquals("send", e.syscall());
    assertEquals(-90, e.errno());
    assertEquals("send EMSGSIZE 127.0.0.1:" + sink.port, e.getMessage());
    assertEquals("127.0.0.1", e.address());
    assertEquals(sink.port, e.port());
  }

  @Test
  void sendErrorWithoutCallbackIsEmittedAsError() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    c.onError(error::complete);
    c.send(new byte[65_508], sink.port, "127.0.0.1");
    DgramException e = Probe.get(error);
    assertEquals("EMSGSIZE", e.code());
    assertEquals("send", e.syscall());
  }

  // ------------------------------------------------------------------ ownership of the bytes

  @Test
  void byteArrayMayBeModifiedRightAfterSend() {
    Sink sink = new Sink(false);
    DgramSocket unbound = socket("udp4"); // the send waits for the implicit bind
    byte[] msg = "original".getBytes();
    unbound.send(msg, sink.port, "127.0.0.1");
    Arrays.fill(msg, (byte) 'X');
    assertEquals("original", sink.take().text());

    DgramSocket bound = socket("udp4");
    Probe.bindLoopback(bound, false);
    byte[] msg2 = "original".getBytes();
    bound.send(msg2, 0, msg2.length, sink.port, "127.0.0.1", null);
    Arrays.fill(msg2, (byte) 'Y');
    byte[] msg3 = "original".getBytes();
    ByteBuffer bb = ByteBuffer.wrap(msg3);
    bound.send(bb, sink.port, "127.0.0.1", null);
    Arrays.fill(msg3, (byte) 'Z');
    assertEquals("original", sink.take().text());
    assertEquals("original", sink.take().text());
  }

  // ------------------------------------------------------------------ send queue

  @Test
  void sendQueueIsEmptyWhenIdle() {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    assertEquals(0, c.getSendQueueSize());
    assertEquals(0, c.getSendQueueCount());
    BlockingQueue<Sent> sent = Probe.queue();
    c.send("abc", sink.port, "127.0.0.1", into(sent));
    assertEquals(3, bytesOf(sent));
    sink.take();
    assertEquals(0, c.getSendQueueSize());
    assertEquals(0, c.getSendQueueCount());
  }

  @Test
  void burstOfSendsFromAnotherThreadGetsOneCallbackEach() throws Exception {
    Sink sink = new Sink(false);
    DgramSocket c = socket("udp4");
    Probe.bindLoopback(c, false);
    int n = 5_000;
    AtomicIntegerArray calls = new AtomicIntegerArray(n);
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(n);
    Thread sender = Thread.ofPlatform().name("burst-sender").start(() -> {
      for (int i = 0; i < n; i++) {
        int id = i;
        c.send(("m" + i).getBytes(), sink.port, "127.0.0.1", (err, bytes) -> {
          if (err != null) {
            errors.incrementAndGet();
          }
          calls.incrementAndGet(id);
          all.countDown();
        });
      }
    });
    sender.join(TimeUnit.SECONDS.toMillis(10));
    assertTrue(!sender.isAlive(), "sender thread did not finish");
    assertTrue(all.await(15, TimeUnit.SECONDS), "missing callbacks: " + all.getCount());
    pause(200);
    for (int i = 0; i < n; i++) {
      assertEquals(1, calls.get(i), "callback count of send " + i);
    }
    assertEquals(0, errors.get(), "loopback sends should not fail");
    assertEquals(0, c.getSendQueueCount());
  }
}
