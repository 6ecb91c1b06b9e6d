package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Memory and descriptor safety: sockets closed with receives and sends (also
 * batch sends) in flight, thousands of times; bad input stopped before any system call.
 * The 20,000-socket descriptor count is robust/LeakTest's (it runs on both transports).
 */
@Timeout(120)
class NativeSafetyTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Peer> channels = new ArrayList<>();

  @AfterEach
  void closeAll() throws IOException {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
    for (EventLoop l : loops) {
      l.close();
    }
    for (Peer c : channels) {
      c.close();
    }
  }

  private EventLoop loop() {
    EventLoop l = EventLoop.create();
    loops.add(l);
    l.start();
    return l;
  }

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private Peer channel() throws IOException {
    Peer c = Peer.open("127.0.0.1");
    channels.add(c);
    return c;
  }

  private static int bind(DgramSocket s) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, "127.0.0.1", () -> port.complete(s.address().port()));
    return Probe.get(port);
  }

  private static int port(Peer c) throws IOException {
    return ((InetSocketAddress) c.getLocalAddress()).getPort();
  }

  private static int fdCount() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Rounds of: bind a socket that reads every byte of what a blaster thread sends it, make it
   * send single datagrams and a batch, and close it at once, from the loop right after the sends,
   * or from its own listener. No crash, every callback exactly once, descriptors back.
   */
  @Test
  void closingWithReceivesAndSendsInFlightThousandsOfTimes() throws Exception {
    final int rounds = 5_000;
    final int singles = 4;
    final int opsPerRound = singles + 1;
    EventLoop loop = loop();
    Peer sink = channel();
    int sinkPort = port(sink);
    Peer blaster = channel();
    AtomicInteger target = new AtomicInteger(-1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong blasted = new AtomicLong();
    Thread blast = Thread.ofPlatform().name("blaster").start(() -> {
      ByteBuffer b = ByteBuffer.allocate(512);
      long end = System.nanoTime() + 100_000_000_000L;
      while (!stop.get() && System.nanoTime() < end && blasted.get() < 50_000_000) {
        int p = target.get();
        if (p <= 0) {
          Thread.onSpinWait();
          continue;
        }
        try {
          blaster.send(b.clear(), new InetSocketAddress("127.0.0.1", p));
          blasted.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    });
    AtomicIntegerArray calls = new AtomicIntegerArray(rounds * opsPerRound);
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    AtomicLong touched = new AtomicLong();
    AtomicInteger extraCalls = new AtomicInteger();
    int fdBefore = -1;
    long t0 = System.nanoTime();
    int round = 0;
    try {
      for (; round < rounds; round++) {
        if (round == 20) {
          // warmed up: the loop's own descriptors exist; settle, then count
          long end = System.nanoTime() + 5_000_000_000L;
          while (done.get() < 20 * opsPerRound && System.nanoTime() < end) {
            sleep(1);
          }
          fdBefore = fdCount();
        }
        DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
        int mode = round % 3;
        s.onDatagram(d -> {
          ByteBuffer v = d.data();
          long sum = 0;
          for (int i = v.position(); i < v.limit(); i++) {
            sum += v.get(i); // reads the native buffer: after a close this would be a use-after-free
          }
          touched.addAndGet(sum + 1);
          if (mode == 2 && !s.isClosed()) {
            s.close();
          }
        });
        s.onError(e -> outcomes.merge("error:" + e.code(), 1, Integer::sum));
        int port = bind(s);
        target.set(port);
        int base = round * opsPerRound;
        DatagramBatch batch = new DatagramBatch(8, 8 * 1000);
        for (int i = 0; i < 8; i++) {
          batch.add(new byte[i < 7 ? 1000 : 10]);
        }
        Runnable sends = () -> {
          for (int i = 0; i < singles; i++) {
            int k = base + i;
            try {
              s.send(new byte[100 + i], sinkPort, "127.0.0.1", (err, n) -> {
                if (calls.incrementAndGet(k) > 1) {
                  extraCalls.incrementAndGet();
                }
                outcomes.merge(err == null ? "ok" : err.code(), 1, Integer::sum);
                done.incrementAndGet();
              });
            } catch (DgramException closedAlready) { // mode 2: the listener may have closed it
              calls.incrementAndGet(k);
              outcomes.merge("sync:" + closedAlready.code(), 1, Integer::sum);
              done.incrementAndGet();
            }
          }
          int k = base + singles;
          try {
            s.send(batch, sinkPort, "127.0.0.1", (err, n) -> {
              if (calls.incrementAndGet(k) > 1) {
                extraCalls.incrementAndGet();
              }
              outcomes.merge("batch:" + (err == null ? "ok" : err.code()), 1, Integer::sum);
              if (batch.isInFlight()) {
                outcomes.merge("batch-in-flight-in-callback", 1, Integer::sum);
              }
              batch.close(); // the batch's memory is freed in its callback
              done.incrementAndGet();
            });
          } catch (DgramException closedAlready) {
            calls.incrementAndGet(k);
            outcomes.merge("batch-sync:" + closedAlready.code(), 1, Integer::sum);
            batch.close();
            done.incrementAndGet();
          }
        };
        if (mode == 0) {
          sends.run();
          s.close();
        } else if (mode == 1) {
          loop.execute(() -> {
            sends.run();
            s.close();
          });
        } else {
          sends.run();
          // closed by its listener when the blaster's first datagram arrives; else here
          loop.execute(() -> {
            if (!s.isClosed()) {
              loop.setTimeout(() -> {
                if (!s.isClosed()) {
                  s.close();
                }
              }, 1);
            }
          });
        }
      }
      long end = System.nanoTime() + 20_000_000_000L;
      while (done.get() < rounds * opsPerRound && System.nanoTime() < end) {
        sleep(5);
      }
    } finally {
      stop.set(true);
      target.set(-1);
      blast.join(5_000);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("close-in-flight: %d rounds in %d ms, %d blasted, outcomes %s%n", rounds, ms,
        blasted.get(), new TreeMap<>(outcomes));
    assertEquals(rounds * opsPerRound, done.get(), "every callback: " + new TreeMap<>(outcomes));
    assertEquals(0, extraCalls.get(), "callbacks called more than once");
    for (int i = 0; i < rounds * opsPerRound; i++) {
      assertEquals(1, calls.get(i), "op " + i + " called back once");
    }
    assertTrue(touched.get() > 0, "datagrams were received while sockets closed");
    // every socket closed: the descriptors are back (linux reads /proc)
    if (Files.isDirectory(Path.of("/proc/self/fd"))) {
      int before = fdBefore;
      long fdEnd = System.nanoTime() + 3_000_000_000L;
      while (fdCount() > before && System.nanoTime() < fdEnd) {
        sleep(20);
      }
      // Not more than before: a leak adds descriptors. Fewer is possible when a loop left by an
      // earlier test releases its own (an epoll and an eventfd) meanwhile.
      int after = fdCount();
      assertTrue(after <= before, "descriptors after " + rounds + " closes with sends in flight: "
          + before + " before, " + after + " after");
    }
  }

  @Test
  void closeInsideTheListenerStopsDeliveryAtOnce() throws Exception {
    EventLoop loop = loop();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop).recvBufferSize(1 << 20));
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger afterClose = new AtomicInteger();
    s.onDatagram(d -> {
      if (s.isClosed()) {
        afterClose.incrementAndGet();
      }
      delivered.incrementAndGet();
      d.data().get(d.size() - 1);
      if (!s.isClosed()) {
        s.close();
      }
    });
    int port = bind(s);
    // hold the loop so 50 datagrams wait in the kernel and come up in one recvmmsg batch
    CompletableFuture<Void> held = new CompletableFuture<>();
    loop.execute(() -> {
      held.complete(null);
      sleep(200);
    });
    Probe.get(held);
    Peer tx = channel();
    for (int i = 0; i < 50; i++) {
      tx.send(ByteBuffer.allocate(300), new InetSocketAddress("127.0.0.1", port));
    }
    long end = System.nanoTime() + 3_000_000_000L;
    while (delivered.get() == 0 && System.nanoTime() < end) {
      sleep(5);
    }
    sleep(300);
    assertEquals(1, delivered.get(), "nothing is delivered after close, even from the same batch");
    assertEquals(0, afterClose.get());
  }

  @Test
  void closeWithBatchQueuedCompletesItOnceAndFreesTheBatch() throws Exception {
    // a batch sent and the socket closed in the same loop task: the batch callback comes once,
    // after which the batch can be closed (its memory is no longer the kernel's)
    EventLoop loop = loop();
    Peer sink = channel();
    int sinkPort = port(sink);
    for (int round = 0; round < 200; round++) {
      DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      bind(s);
      DatagramBatch b = new DatagramBatch(200, 200 * 1200);
      for (int i = 0; i < 200; i++) {
        b.add(new byte[1200]);
      }
      AtomicInteger calls = new AtomicInteger();
      CompletableFuture<String> out = new CompletableFuture<>();
      loop.execute(() -> {
        s.send(b, sinkPort, "127.0.0.1", (err, n) -> {
          calls.incrementAndGet();
          out.complete((err == null ? "ok" : err.code()) + ":" + (n >= 0 && n <= 200));
        });
        s.close();
      });
      String o = Probe.get(out);
      assertTrue(o.endsWith(":true"), o);
      sleep(round % 50 == 0 ? 20 : 0);
      assertEquals(1, calls.get(), "round " + round + ": " + o);
      b.close();
      assertTrue(s.isClosed());
    }
  }

  // ------------------------------------------------------------------ bad input

  private static String codeOf(Executable e) {
    try {
      e.run();
      return "no exception";
    } catch (DgramException x) {
      return x.code();
    } catch (Throwable t) {
      return t.getClass().getName();
    }
  }

  @FunctionalInterface
  private interface Executable {
    void run() throws Throwable;
  }

  /** A round trip through {@code s} to {@code rx}: the socket still works. */
  private static void stillWorks(DgramSocket s, BlockingQueue<byte[]> rx, int rxPort) {
    byte[] msg = {4, 5, 6};
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    s.send(msg, rxPort, "127.0.0.1", (err, n) -> {
      if (err != null) {
        sent.completeExceptionally(err);
      } else {
        sent.complete(n);
      }
    });
    assertEquals(3, Probe.get(sent));
    assertArrayEquals(msg, Probe.take(rx));
  }

  @Test
  void badOffsetsAndLengthsThrowBeforeAnySystemCall() {
    BlockingQueue<byte[]> rx = Probe.queue();
    DgramSocket r = socket(SocketOptions.of("udp4"));
    r.onMessage((m, i) -> rx.add(m));
    int rxPort = bind(r);
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s);
    byte[] buf = new byte[10];
    SendCallback cb = (e, n) -> rx.add(new byte[] {(byte) 0xEE}); // must never be called
    String oob = "ERR_BUFFER_OUT_OF_BOUNDS";
    assertEquals(oob, codeOf(() -> s.send(buf, -1, 1, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, 11, 0, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, 0, -1, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, 5, 6, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, Integer.MAX_VALUE, 1, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, 1, Integer.MAX_VALUE, rxPort, "127.0.0.1", cb)));
    assertEquals(oob, codeOf(() -> s.send(buf, Integer.MIN_VALUE, Integer.MIN_VALUE, rxPort, "127.0.0.1", cb)));
    assertEquals("ERR_SOCKET_BAD_PORT", codeOf(() -> s.send(buf, 0, 1, -1, "127.0.0.1", cb)));
    assertEquals("ERR_SOCKET_BAD_PORT", codeOf(() -> s.send(buf, 0, 1, 65536, "127.0.0.1", cb)));
    try (DatagramBatch b = new DatagramBatch(4, 100)) {
      assertEquals(oob, codeOf(() -> b.add(buf, -1, 1)));
      assertEquals(oob, codeOf(() -> b.add(buf, 0, -1)));
      assertEquals(oob, codeOf(() -> b.add(buf, 11, 0)));
      assertEquals(oob, codeOf(() -> b.add(buf, Integer.MAX_VALUE, 1)));
      assertEquals(oob, codeOf(() -> b.add(buf, 9, Integer.MAX_VALUE)));
      assertEquals("ERR_INVALID_ARG_TYPE", codeOf(() -> b.add((byte[]) null)));
      assertEquals("ERR_INVALID_ARG_TYPE", codeOf(() -> b.add((ByteBuffer) null)));
      assertEquals("ERR_INVALID_ARG_TYPE", codeOf(() -> b.add((String) null)));
      assertEquals(0, b.size(), "nothing was added");
      assertEquals(0, b.bytes());
      assertEquals("ERR_SOCKET_BAD_PORT", codeOf(() -> s.send(b, 0, "127.0.0.1", (e, n) -> { })));
      assertFalse(b.isInFlight(), "a refused send leaves the batch free");
      assertEquals("ERR_INVALID_ARG_TYPE", codeOf(() -> s.send((DatagramBatch) null, rxPort, "127.0.0.1", (e, n) -> { })));
    }
    stillWorks(s, rx, rxPort);
  }

  @Test
  void badBatchCapacitiesAreOutOfRange() {
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> new DatagramBatch(0, 1)));
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> new DatagramBatch(1, 0)));
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> new DatagramBatch(-1, 100)));
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> new DatagramBatch(1, Integer.MIN_VALUE)));
  }

  @Test
  void hugeBatchCountIsRefusedWithADgramException() {
    // "Nothing but DgramException escapes a public method": a capacity no batch can have must
    // be ERR_OUT_OF_RANGE, not an OutOfMemoryError from allocating it
    String code = codeOf(() -> new DatagramBatch(Integer.MAX_VALUE, 1));
    assertEquals("ERR_OUT_OF_RANGE", code);
  }

  @Test
  void closedBatchIsRefusedBeforeItsMemoryIsTouched() {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s);
    DatagramBatch b = new DatagramBatch(2, 10);
    b.add(new byte[] {1});
    b.close();
    b.close(); // twice is harmless
    assertEquals("ERR_INVALID_STATE", codeOf(() -> b.add(new byte[] {1})));
    assertEquals("ERR_INVALID_STATE", codeOf(() -> b.add(ByteBuffer.allocateDirect(1))));
    assertEquals("ERR_INVALID_STATE", codeOf(b::clear));
    assertEquals("ERR_INVALID_STATE", codeOf(() -> s.send(b, 9, "127.0.0.1", (e, n) -> { })));
    assertFalse(b.isInFlight());
  }

  @Test
  void oversizeDatagramInABatchStopsTheBatchThereAndTheSocketGoesOn() {
    BlockingQueue<byte[]> rx = Probe.queue();
    DgramSocket r = socket(SocketOptions.of("udp4"));
    r.onMessage((m, i) -> rx.add(m));
    int rxPort = bind(r);
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s);
    try (DatagramBatch b = new DatagramBatch(3, 70_000)) {
      b.add(new byte[] {1});
      b.add(new byte[65_508]); // one byte past the largest UDP/IPv4 payload
      b.add(new byte[] {3});
      CompletableFuture<String> out = new CompletableFuture<>();
      s.send(b, rxPort, "127.0.0.1", (err, n) -> out.complete((err == null ? "ok" : err.code()) + "/" + n));
      assertEquals("EMSGSIZE/1", Probe.get(out), "the datagram before the oversize one was sent");
      assertArrayEquals(new byte[] {1}, Probe.take(rx));
    }
    stillWorks(s, rx, rxPort);
  }

  @Test
  void oversizeSingleDatagramIsEmsgsize() {
    BlockingQueue<byte[]> rx = Probe.queue();
    DgramSocket r = socket(SocketOptions.of("udp4"));
    r.onMessage((m, i) -> rx.add(m));
    int rxPort = bind(r);
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s);
    CompletableFuture<String> out = new CompletableFuture<>();
    s.send(ByteBuffer.allocateDirect(65_508), rxPort, "127.0.0.1",
        (err, n) -> out.complete(err == null ? "ok" : err.code()));
    assertEquals("EMSGSIZE", Probe.get(out));
    stillWorks(s, rx, rxPort);
  }

  @Test
  void badOptionValuesNeverReachTheKernel() {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    assertEquals("ERR_SOCKET_BAD_BUFFER_SIZE", codeOf(() -> s.setRecvBufferSize(-1)));
    assertEquals("ERR_SOCKET_BAD_BUFFER_SIZE", codeOf(() -> s.setSendBufferSize(Integer.MIN_VALUE)));
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> SocketOptions.of("udp4").sendQueueHighWaterMark(0)));
    assertEquals("ERR_OUT_OF_RANGE", codeOf(() -> SocketOptions.of("udp4").recvBufferSize(-1)));
    bind(s);
    assertEquals("EINVAL", codeOf(() -> s.setTTL(0)));
    assertEquals("EINVAL", codeOf(() -> s.setTTL(-1)));
    assertEquals("EINVAL", codeOf(() -> s.setTTL(Integer.MAX_VALUE)));
    assertEquals("EINVAL", codeOf(() -> s.setMulticastTTL(-1)));
    assertEquals("EINVAL", codeOf(() -> s.setMulticastTTL(256)));
    assertEquals("ERR_SOCKET_BAD_BUFFER_SIZE", codeOf(() -> s.setRecvBufferSize(-1)));
    s.close();
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", codeOf(s::getRecvDropCount));
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", codeOf(() -> s.setTTL(64)));
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", codeOf(() -> s.getRecvBufferSize()));
    assertEquals(0, s.getSendQueueSize());
    assertEquals(0, s.getSendQueueCount());
  }

  @Test
  void sendsAfterCloseNeverReachADeadDescriptor() {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    bind(s);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    s.close(() -> closed.complete(null));
    Probe.get(closed);
    assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", codeOf(() -> s.send(new byte[1], 9, "127.0.0.1", (e, n) -> { })));
    try (DatagramBatch b = new DatagramBatch(1, 1)) {
      b.add(new byte[1]);
      assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", codeOf(() -> s.send(b, 9, "127.0.0.1", (e, n) -> { })));
      assertFalse(b.isInFlight());
    }
  }
}
