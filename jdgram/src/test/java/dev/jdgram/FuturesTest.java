package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The CompletableFuture forms of bind, connect, send and close, over real sockets: what they
 * complete with, on which thread, in which order, exactly once, and how they fail.
 */
class FuturesTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private DgramSocket udp4() {
    return socket(SocketOptions.of("udp4"));
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
    }
  }

  /** The DgramException a future failed with. */
  private static DgramException failure(CompletableFuture<?> f) {
    try {
      f.get(Probe.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return assertInstanceOf(DgramException.class, e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no outcome in time: " + e, e);
    }
    throw new AssertionError("the future succeeded: " + f.join());
  }

  private record Sink(DgramSocket socket, BlockingQueue<byte[]> got, int port) {}

  private Sink sink() {
    DgramSocket s = udp4();
    BlockingQueue<byte[]> got = Probe.queue();
    s.onMessage((m, r) -> got.add(m));
    AddressInfo a = Probe.get(s.bindAsync(0, "127.0.0.1"));
    return new Sink(s, got, a.port());
  }

  // ------------------------------------------------------------------ bind

  @Test
  void bindAsyncCompletesWithTheBoundAddressOnTheLoopThreadAfterListening() {
    // a look-up that answers only once the stage below is chained: the completion comes after
    AtomicReference<Runnable> answer = new AtomicReference<>();
    CompletableFuture<Void> asked = new CompletableFuture<>();
    Lookup late = (host, family, cb) -> {
      answer.set(() -> cb.accept(null, InetAddress.getLoopbackAddress()));
      asked.complete(null);
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(late));
    AtomicInteger listening = new AtomicInteger();
    s.onListening(listening::incrementAndGet);
    CompletableFuture<AddressInfo> bound = s.bindAsync(0, "my.service");
    CompletableFuture<Boolean> onLoop = bound.thenApply(a -> s.loop().inLoop());
    Probe.get(asked);
    assertTrue(!bound.isDone());
    answer.get().run(); // from the test thread: the socket hands the answer to its loop
    AddressInfo a = Probe.get(bound);
    assertEquals("127.0.0.1", a.address());
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0);
    assertEquals(s.address(), a);
    assertEquals(1, listening.get(), "listening was emitted before the future completed");
    assertTrue(Probe.get(onLoop), "a stage chained before completion runs on the loop thread");
  }

  @Test
  void everyBindFormBinds() {
    assertTrue(Probe.get(udp4().bindAsync()).port() > 0);
    assertTrue(Probe.get(udp4().bindAsync(0)).port() > 0);
    AddressInfo o = Probe.get(udp4().bindAsync(BindOptions.of(0).address("127.0.0.1")));
    assertEquals("127.0.0.1", o.address());
    AddressInfo v6 = Probe.get(socket(SocketOptions.of("udp6")).bindAsync(0, "::1"));
    assertEquals("IPv6", v6.family());
  }

  @Test
  void bindAsyncFailsWithEaddrinuseInPlaceOfTheErrorEvent() {
    int port = sink().port();
    DgramSocket s = udp4();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger listening = new AtomicInteger();
    s.onError(e -> errors.incrementAndGet());
    s.onListening(listening::incrementAndGet);
    DgramException e = failure(s.bindAsync(port, "127.0.0.1"));
    assertEquals("EADDRINUSE", e.code());
    assertEquals("bind", e.syscall());
    assertEquals("bind EADDRINUSE 127.0.0.1:" + port, e.getMessage());
    pause(150);
    assertEquals(0, errors.get(), "the future took the error: no 'error' event");
    assertEquals(0, listening.get());
    // the socket can bind again, and a later plain bind emits its errors as before
    assertTrue(Probe.get(s.bindAsync(0, "127.0.0.1")).port() > 0);
  }

  @Test
  void bindAsyncFailsWithTheLookupError() {
    DgramException notFound = new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND nowhere.test");
    DgramSocket s = socket(SocketOptions.of("udp4").lookup((host, family, cb) -> cb.accept(notFound, null)));
    assertSame(notFound, failure(s.bindAsync(0, "nowhere.test")));
  }

  @Test
  void bindAsyncOnABoundSocketThrowsAtOnce() {
    DgramSocket s = udp4();
    Probe.get(s.bindAsync(0, "127.0.0.1"));
    DgramException e = assertThrows(DgramException.class, () -> s.bindAsync(0, "127.0.0.1"));
    assertEquals("ERR_SOCKET_ALREADY_BOUND", e.code());
    assertEquals("ERR_SOCKET_BAD_PORT", assertThrows(DgramException.class, () -> udp4().bindAsync(70_000)).code());
  }

  @Test
  void closeWhileTheBindLooksUpFailsTheBindFutureWithNotRunning() {
    AtomicReference<Runnable> answer = new AtomicReference<>();
    CompletableFuture<Void> asked = new CompletableFuture<>();
    Lookup held = (host, family, cb) -> {
      answer.set(() -> cb.accept(null, InetAddress.getLoopbackAddress()));
      asked.complete(null);
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(held));
    CompletableFuture<AddressInfo> bound = s.bindAsync(0, "my.service");
    Probe.get(asked);
    CompletableFuture<Void> closed = s.closeAsync();
    Probe.get(closed);
    answer.get().run(); // the look-up answers after the close
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", failure(bound).code());
  }

  // ------------------------------------------------------------------ connect

  @Test
  void connectAsyncCompletesAfterConnectAndSendsGoToThePeer() {
    Sink sink = sink();
    DgramSocket c = udp4();
    AtomicInteger connects = new AtomicInteger();
    c.onConnect(connects::incrementAndGet);
    assertNull(Probe.get(c.connectAsync(sink.port(), "127.0.0.1")));
    assertEquals(1, connects.get());
    assertEquals(sink.port(), c.remoteAddress().port());
    assertEquals(3, Probe.get(c.sendAsync("abc".getBytes(StandardCharsets.UTF_8))));
    assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), Probe.take(sink.got()));
  }

  @Test
  void connectAsyncWithThePortAloneConnectsToLocalhost() {
    Sink sink = sink();
    DgramSocket c = udp4();
    Probe.get(c.connectAsync(sink.port()));
    assertEquals("127.0.0.1", c.remoteAddress().address());
  }

  @Test
  void connectAsyncFailsWithTheLookupErrorInPlaceOfTheErrorEvent() {
    DgramException notFound = new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND nowhere.test");
    Lookup lookup = (host, family, cb) -> {
      if (host.equals("nowhere.test")) {
        cb.accept(notFound, null);
      } else {
        cb.accept(null, InetAddress.getLoopbackAddress());
      }
    };
    DgramSocket c = socket(SocketOptions.of("udp4").lookup(lookup));
    AtomicInteger errors = new AtomicInteger();
    c.onError(e -> errors.incrementAndGet());
    assertSame(notFound, failure(c.connectAsync(9, "nowhere.test")));
    pause(100);
    assertEquals(0, errors.get());
    DgramException twice = assertThrows(DgramException.class, () -> {
      Probe.get(c.connectAsync(sink().port(), "127.0.0.1"));
      c.connectAsync(9, "127.0.0.1");
    });
    assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", twice.code());
  }

  // ------------------------------------------------------------------ send

  @Test
  void everySendFormCompletesWithItsByteCount() {
    Sink sink = sink();
    int p = sink.port();
    DgramSocket s = udp4();
    byte[] ten = "0123456789".getBytes(StandardCharsets.UTF_8);
    assertEquals(10, Probe.get(s.sendAsync(ten, p, "127.0.0.1")));
    assertEquals(4, Probe.get(s.sendAsync(ten, 3, 4, p, "127.0.0.1")));
    assertEquals(5, Probe.get(s.sendAsync(ByteBuffer.wrap(ten, 5, 5), p, "127.0.0.1")));
    assertEquals(6, Probe.get(s.sendAsync("héllo", p, "127.0.0.1")));
    assertEquals(7, Probe.get(s.sendAsync(List.of("ab", new byte[] {1, 2}, ByteBuffer.wrap(new byte[3])), p, "127.0.0.1")));
    assertEquals(10, Probe.take(sink.got()).length);
    assertEquals("3456", new String(Probe.take(sink.got()), StandardCharsets.UTF_8));
    assertEquals("56789", new String(Probe.take(sink.got()), StandardCharsets.UTF_8));
    assertEquals("héllo", new String(Probe.take(sink.got()), StandardCharsets.UTF_8));
    assertEquals(7, Probe.take(sink.got()).length);
    try (DatagramBatch batch = new DatagramBatch(4, 1024)) {
      batch.add("x");
      batch.add("yy");
      batch.add("zzz");
      assertEquals(3, Probe.get(s.sendAsync(batch, p, "127.0.0.1")));
      for (int i = 1; i <= 3; i++) {
        assertEquals(i, Probe.take(sink.got()).length);
      }
      DgramSocket c = udp4();
      Probe.get(c.connectAsync(p, "127.0.0.1"));
      assertEquals(3, Probe.get(c.sendAsync(batch)));
      for (int i = 1; i <= 3; i++) {
        assertEquals(i, Probe.take(sink.got()).length);
      }
      assertEquals(10, Probe.get(c.sendAsync(ten)));
      assertEquals(2, Probe.get(c.sendAsync(ten, 0, 2)));
      assertEquals(3, Probe.get(c.sendAsync(ByteBuffer.wrap(ten, 0, 3))));
      assertEquals(4, Probe.get(c.sendAsync("four")));
      assertEquals(4, Probe.get(c.sendAsync(List.of("fi", "ve"))));
      for (int n : new int[] {10, 2, 3, 4, 4}) {
        assertEquals(n, Probe.take(sink.got()).length);
      }
    }
  }

  // The actions are recorded on the thread that completes each future, and the test thread
  // waits on a latch, never on one of these futures while the loop may be completing it: a
  // thread blocked in CompletableFuture.get() helps run the future's dependent actions when it
  // wakes (the JDK's postComplete), so one action could run on the test thread, late, and the
  // recorded order would be the scheduler's, not the socket's.
  @Test
  void sendFuturesCompleteExactlyOnceInSendOrder() throws InterruptedException {
    Sink sink = sink();
    DgramSocket s = udp4(); // unbound: the first sends wait for the implicit bind
    int n = 300;
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Integer>> futures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger completions = new AtomicInteger();
    CountDownLatch allDone = new CountDownLatch(n);
    AtomicReference<Thread> loopThread = new AtomicReference<>();
    // Sent from a loop task, so that each future has its action before it can complete (a
    // future completed before whenComplete runs the action on the registering thread).
    s.loop().execute(() -> {
      loopThread.set(Thread.currentThread());
      for (int i = 0; i < n; i++) {
        int id = i;
        byte[] msg = ("m" + i).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Integer> f = s.sendAsync(msg, sink.port(), "127.0.0.1");
        f.whenComplete((bytes, err) -> {
          completions.incrementAndGet();
          order.add(id);
          if (Thread.currentThread() != loopThread.get()) {
            threads.add(Thread.currentThread().getName());
          }
          allDone.countDown();
        });
        futures.add(f);
      }
    });
    assertTrue(allDone.await(30, TimeUnit.SECONDS), "every future completed: " + completions.get());
    for (int i = 0; i < n; i++) {
      assertEquals(("m" + i).length(), Probe.get(futures.get(i)));
    }
    pause(100);
    assertEquals(n, completions.get(), "each future completed once");
    assertEquals(List.of(), threads, "every future completed on the loop thread");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, order, "futures completed in send order");
  }

  @Test
  void sendAsyncFailsWithTheKernelsCodeAndNoErrorEvent() {
    Sink sink = sink();
    DgramSocket s = udp4();
    AtomicInteger errors = new AtomicInteger();
    s.onError(e -> errors.incrementAndGet());
    DgramException e = failure(s.sendAsync(new byte[65_508], sink.port(), "127.0.0.1"));
    assertEquals("EMSGSIZE", e.code());
    assertEquals("send", e.syscall());
    assertEquals("send EMSGSIZE 127.0.0.1:" + sink.port(), e.getMessage());
    pause(100);
    assertEquals(0, errors.get(), "the future took the error");
  }

  @Test
  void sendAsyncToABlockedAddressFailsWithErrIpBlocked() {
    Sink sink = sink();
    BlockList block = new BlockList();
    block.addAddress("127.0.0.1");
    DgramSocket s = socket(SocketOptions.of("udp4").sendBlockList(block));
    assertEquals("ERR_IP_BLOCKED", failure(s.sendAsync("no", sink.port(), "127.0.0.1")).code());
  }

  @Test
  void sendAsyncArgumentErrorsThrowAtOnce() {
    DgramSocket s = udp4();
    assertEquals("ERR_SOCKET_BAD_PORT", assertThrows(DgramException.class, () -> s.sendAsync("x", 0, "127.0.0.1")).code());
    assertEquals("ERR_SOCKET_BAD_PORT", assertThrows(DgramException.class, () -> s.sendAsync("x")).code());
    assertEquals("ERR_BUFFER_OUT_OF_BOUNDS",
        assertThrows(DgramException.class, () -> s.sendAsync(new byte[2], 1, 5, 9, "127.0.0.1")).code());
  }

  // ------------------------------------------------------------------ close

  @Test
  void closeAsyncCompletesAfterCloseAndFailsQueuedSends() throws Exception {
    Sink sink = sink();
    EventLoop loop = EventLoop.create();
    loop.start();
    try {
      DgramSocket s = socket(SocketOptions.of("udp4").loop(loop));
      Probe.get(s.bindAsync(0, "127.0.0.1"));
      s.setSendBufferSize(4096);
      int n = 200;
      List<CompletableFuture<Integer>> futures = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger closeEvents = new AtomicInteger();
      s.onClose(closeEvents::incrementAndGet);
      CompletableFuture<Integer> queuedAtClose = new CompletableFuture<>();
      CompletableFuture<CompletableFuture<Void>> closing = new CompletableFuture<>();
      // sends and close in one loop task: whatever the kernel did not take is still queued
      // The sends are made in one loop task; each reaches the handle in a task of its own (its
      // destination comes back on the loop), and the close is a task queued behind all of them:
      // it runs before the loop flushes at the end of the phase, or polls for writability, so
      // whatever the kernel did not take at once is still queued when the socket closes.
      loop.execute(() -> {
        for (int i = 0; i < n; i++) {
          futures.add(s.sendAsync(new byte[60_000], sink.port(), "127.0.0.1"));
        }
        loop.execute(() -> {
          queuedAtClose.complete(s.getSendQueueCount());
          closing.complete(s.closeAsync());
        });
      });
      assertNull(Probe.get(Probe.get(closing)));
      assertEquals(1, closeEvents.get());
      Map<String, Integer> outcomes = new TreeMap<>();
      int firstFailure = -1;
      for (int i = 0; i < n; i++) {
        CompletableFuture<Integer> f = futures.get(i);
        assertTrue(f.isDone(), "send " + i + " completed before 'close'");
        String outcome;
        try {
          assertEquals(60_000, f.join());
          outcome = "ok";
          assertEquals(-1, firstFailure, "a send succeeded after an earlier one was cancelled");
        } catch (CompletionException e) {
          outcome = assertInstanceOf(DgramException.class, e.getCause()).code();
          firstFailure = firstFailure < 0 ? i : firstFailure;
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
      int queued = Probe.get(queuedAtClose);
      System.out.println("closeAsync with sends queued: " + outcomes + ", queued at close " + queued);
      assertEquals(Set.of(), difference(outcomes.keySet(), Set.of("ok", "ECANCELED")));
      Assumptions.assumeTrue(queued > 0, "the kernel took every send at once: nothing was queued at close");
      assertTrue(outcomes.getOrDefault("ECANCELED", 0) >= queued,
          "every send queued at close failed with ECANCELED: " + outcomes);
    } finally {
      loop.close();
    }
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> d = new java.util.TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  @Test
  void closeAsyncOfAClosedSocketThrows() {
    DgramSocket s = udp4();
    Probe.get(s.closeAsync());
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(DgramException.class, s::closeAsync).code());
  }

  @Test
  void aCloseQueuedBehindTheBindRunsAfterTheQueuedSends() {
    AtomicReference<Runnable> answer = new AtomicReference<>();
    CompletableFuture<Void> asked = new CompletableFuture<>();
    Lookup held = (host, family, cb) -> {
      if (!host.equals("my.service")) {
        cb.accept(null, InetAddress.getLoopbackAddress()); // the sends' destination
        return;
      }
      answer.set(() -> cb.accept(null, InetAddress.getLoopbackAddress()));
      asked.complete(null);
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(held));
    CompletableFuture<AddressInfo> bound = s.bindAsync(0, "my.service");
    Probe.get(asked);
    CompletableFuture<Integer> a = s.sendAsync("a", 9, "127.0.0.1");
    CompletableFuture<Integer> b = s.sendAsync("b", 9, "127.0.0.1");
    CompletableFuture<Void> closed = s.closeAsync(); // waits for listening, as in Node
    assertTrue(!closed.isDone());
    answer.get().run();
    Probe.get(closed);
    assertTrue(Probe.get(bound).port() > 0, "the bind completed before the queued close ran");
    // the sends ran after listening and before the close: each completed exactly once, sent,
    // or failed by the close while its destination was being looked up
    for (CompletableFuture<Integer> f : List.of(a, b)) {
      try {
        assertEquals(1, Probe.get(f));
      } catch (AssertionError notSent) {
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", failure(f).code());
      }
    }
  }

}
