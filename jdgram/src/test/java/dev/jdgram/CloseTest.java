package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** close(): events, the closed state, close during bind and with sends in flight, threads. */
class CloseTest {
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

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Closes and waits for 'close'. */
  private static void closeAndWait(DgramSocket s) {
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    Probe.await(closed);
  }

  @Test
  void closeEmitsCloseAndCallsTheCallback() {
    DgramSocket s = socket("udp4");
    Probe.bindLoopback(s, false);
    AtomicInteger events = new AtomicInteger();
    AtomicInteger callbacks = new AtomicInteger();
    CountDownLatch both = new CountDownLatch(2);
    s.onClose(() -> {
      events.incrementAndGet();
      both.countDown();
    });
    s.close(() -> {
      callbacks.incrementAndGet();
      both.countDown();
    });
    Probe.await(both);
    pause(100);
    assertEquals(1, events.get());
    assertEquals(1, callbacks.get());
    assertTrue(s.isClosed());
  }

  @Test
  void closeOfAnUnboundSocketEmitsClose() {
    DgramSocket s = socket("udp6");
    CountDownLatch closed = new CountDownLatch(1);
    s.onClose(closed::countDown);
    s.close();
    Probe.await(closed);
  }

  @Test
  void closeTwiceThrowsNotRunning() {
    DgramSocket s = socket("udp4");
    Probe.bindLoopback(s, false);
    s.close();
    DgramException e = assertThrows(DgramException.class, s::close);
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
    assertEquals("Not running", e.getMessage());
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(DgramException.class, () -> s.close(() -> { })).code());
  }

  @Test
  void everyMethodAfterCloseThrowsNotRunning() {
    DgramSocket s = socket("udp4");
    int port = Probe.bindLoopback(s, false);
    closeAndWait(s);
    byte[] b = {1};
    List<Executable> calls = List.of(
        () -> s.bind(),
        () -> s.bind(0),
        () -> s.bind(0, "127.0.0.1"),
        () -> s.bind(0, "127.0.0.1", () -> { }),
        () -> s.bind(BindOptions.of(0), null),
        () -> s.connect(port),
        () -> s.connect(port, "127.0.0.1"),
        () -> s.connect(port, "127.0.0.1", err -> { }),
        () -> s.send(b, port, "127.0.0.1"),
        () -> s.send(b, port, "127.0.0.1", (e, n) -> { }),
        () -> s.send(b, 0, 1, port, "127.0.0.1", null),
        () -> s.send(ByteBuffer.wrap(b), port, "127.0.0.1", null),
        () -> s.send("x", port, "127.0.0.1", null),
        () -> s.send(List.of(b), port, "127.0.0.1", null),
        () -> s.address(),
        () -> s.remoteAddress(),
        () -> s.setBroadcast(true),
        () -> s.setTTL(64),
        () -> s.setMulticastTTL(1),
        () -> s.setMulticastLoopback(true),
        () -> s.setMulticastInterface("127.0.0.1"),
        () -> s.addMembership("239.1.2.3", "127.0.0.1"),
        () -> s.dropMembership("239.1.2.3", "127.0.0.1"),
        () -> s.addSourceSpecificMembership("127.0.0.1", "232.1.2.3", "127.0.0.1"),
        () -> s.dropSourceSpecificMembership("127.0.0.1", "232.1.2.3", "127.0.0.1"),
        () -> s.setRecvBufferSize(65536),
        () -> s.getRecvBufferSize(),
        () -> s.setSendBufferSize(65536),
        () -> s.getSendBufferSize(),
        () -> s.close());
    for (int i = 0; i < calls.size(); i++) {
      DgramException e = assertThrows(DgramException.class, calls.get(i), "call #" + i);
      assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code(), "call #" + i + ": " + e);
    }
  }

  @Test
  void refUnrefAndSendQueueAfterCloseDoNotThrow() {
    DgramSocket s = socket("udp4");
    Probe.bindLoopback(s, false);
    closeAndWait(s);
    assertSame(s, assertDoesNotThrow(s::ref));
    assertSame(s, assertDoesNotThrow(s::unref));
    assertEquals(0, assertDoesNotThrow(s::getSendQueueSize));
    assertEquals(0, assertDoesNotThrow(s::getSendQueueCount));
    assertEquals(s.loop(), assertDoesNotThrow(s::loop));
  }

  @Test
  void closeWhileBindingCallsTheQueuedSendCallbackOnceAndEmitsClose() {
    DgramSocket sink = socket("udp4");
    int port = Probe.bindLoopback(sink, false);
    DgramSocket s = socket("udp4");
    AtomicInteger sendCallbacks = new AtomicInteger();
    BlockingQueue<Object> results = Probe.queue();
    CountDownLatch closed = new CountDownLatch(1);
    s.onError(results::add); // an error event is allowed, but must not replace the callback
    s.send("queued", port, "127.0.0.1", (err, n) -> {
      sendCallbacks.incrementAndGet();
      results.add(err == null ? (Object) n : err);
    });
    s.close(closed::countDown);
    Probe.await(closed);
    Object first = Probe.take(results);
    assertTrue(first instanceof Integer || first instanceof DgramException, "got " + first);
    pause(200);
    assertEquals(1, sendCallbacks.get(), "the queued send's callback must run exactly once");
    assertTrue(s.isClosed());
  }

  @Test
  void closeWhileConnectingCallsTheConnectCallbackOrEmitsConnectAndEmitsClose() {
    DgramSocket sink = socket("udp4");
    int port = Probe.bindLoopback(sink, false);
    DgramSocket s = socket("udp4");
    AtomicInteger connectOutcomes = new AtomicInteger();
    CountDownLatch closed = new CountDownLatch(1);
    s.onError(e -> { }); // whatever the outcome, it must not be thrown at the loop
    s.connect(port, "127.0.0.1", err -> connectOutcomes.incrementAndGet());
    s.close(closed::countDown);
    Probe.await(closed);
    pause(200);
    assertTrue(connectOutcomes.get() <= 1, "connect callback called " + connectOutcomes.get() + " times");
  }

  @Test
  void closeWithSendsInFlightCallsEveryCallbackExactlyOnce() {
    DgramSocket sink = socket("udp4");
    int port = Probe.bindLoopback(sink, false);
    DgramSocket s = socket("udp4");
    Probe.bindLoopback(s, false);
    int n = 500;
    AtomicIntegerArray calls = new AtomicIntegerArray(n);
    CountDownLatch all = new CountDownLatch(n);
    byte[] payload = new byte[1200];
    for (int i = 0; i < n; i++) {
      int id = i;
      s.send(payload, port, "127.0.0.1", (err, bytes) -> {
        calls.incrementAndGet(id);
        all.countDown();
      });
    }
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    Probe.await(closed);
    Probe.await(all);
    pause(200);
    for (int i = 0; i < n; i++) {
      assertEquals(1, calls.get(i), "callback count of send " + i);
    }
  }

  @Test
  void closeWithUnboundQueuedSendsCallsEveryCallbackExactlyOnce() {
    DgramSocket sink = socket("udp4");
    int port = Probe.bindLoopback(sink, false);
    DgramSocket s = socket("udp4");
    int n = 100;
    AtomicIntegerArray calls = new AtomicIntegerArray(n);
    CountDownLatch all = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int id = i;
      s.send("q" + i, port, "127.0.0.1", (err, bytes) -> {
        calls.incrementAndGet(id);
        all.countDown();
      });
    }
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    Probe.await(closed);
    Probe.await(all);
    pause(200);
    for (int i = 0; i < n; i++) {
      assertEquals(1, calls.get(i), "callback count of send " + i);
    }
  }

  @Test
  void closeFromAMessageListenerWorks() {
    DgramSocket s = socket("udp4");
    CountDownLatch closed = new CountDownLatch(1);
    AtomicInteger messages = new AtomicInteger();
    BlockingQueue<Throwable> thrown = Probe.queue();
    s.onMessage((msg, rinfo) -> {
      messages.incrementAndGet();
      try {
        s.close(closed::countDown);
      } catch (Throwable t) {
        thrown.add(t);
      }
    });
    int port = Probe.bindLoopback(s, false);
    DgramSocket c = socket("udp4");
    c.send("a".getBytes(), port, "127.0.0.1");
    c.send("b".getBytes(), port, "127.0.0.1");
    Probe.await(closed);
    pause(100);
    assertTrue(thrown.isEmpty(), () -> "close threw " + thrown.peek());
    assertTrue(s.isClosed());
    assertEquals(1, messages.get(), "no message after close from within a message listener");
  }

  @Test
  void portIsFreeWhenCloseIsEmitted() {
    // Node (libuv) closes the descriptor inside close(); by 'close' the port is free. Checked
    // from the close callback itself, with a JDK socket, so that no later loop iteration can
    // release it in the meantime.
    DgramSocket s = socket("udp4");
    int port = Probe.bindLoopback(s, false);
    CompletableFuture<String> rebind = new CompletableFuture<>();
    s.close(() -> {
      try (java.net.DatagramSocket d = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", port))) {
        rebind.complete("ok");
      } catch (java.io.IOException e) {
        rebind.complete(e.toString());
      }
    });
    assertEquals("ok", Probe.get(rebind), "port " + port + " must be released once 'close' is emitted");
  }

  @Test
  void listenersAndCallbacksRunOnTheLoopThread() {
    Thread test = Thread.currentThread();
    DgramSocket server = socket("udp4");
    DgramSocket client = socket("udp4");
    CompletableFuture<Thread> loopThread = new CompletableFuture<>();
    Map<String, Thread> seen = new ConcurrentHashMap<>();
    Map<String, Boolean> inLoop = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();
    List<String> names = List.of("bind-callback", "listening-event", "message", "send-callback",
        "connect-callback", "error", "close");
    for (String name : names) {
      latches.put(name, new CountDownLatch(1));
    }
    java.util.function.Consumer<String> record = name -> {
      seen.putIfAbsent(name, Thread.currentThread());
      inLoop.putIfAbsent(name, server.loop().inLoop());
      latches.get(name).countDown();
    };
    server.onListening(() -> record.accept("listening-event"));
    server.onMessage((msg, rinfo) -> record.accept("message"));
    server.onClose(() -> record.accept("close"));
    server.bind(0, "127.0.0.1", () -> {
      loopThread.complete(Thread.currentThread());
      record.accept("bind-callback");
    });
    Thread loop = Probe.get(loopThread);
    assertNotSame(test, loop);
    int port = server.address().port();

    client.onError(e -> record.accept("error"));
    client.send("x", port, "127.0.0.1", (err, n) -> record.accept("send-callback"));
    Probe.await(latches.get("send-callback"));
    Probe.await(latches.get("message"));
    client.connect(port, "127.0.0.1", err -> record.accept("connect-callback"));
    Probe.await(latches.get("connect-callback"));
    client.send(new byte[65_508]); // no callback: EMSGSIZE goes to 'error'
    Probe.await(latches.get("error"));
    server.close();
    Probe.await(latches.get("close"));
    for (String name : names) {
      assertSame(loop, seen.get(name), name + " ran on " + seen.get(name));
      assertTrue(inLoop.get(name), name + ": loop().inLoop() was false");
    }
    assertTrue(!server.loop().inLoop(), "inLoop() is false on the test thread");
  }
}
