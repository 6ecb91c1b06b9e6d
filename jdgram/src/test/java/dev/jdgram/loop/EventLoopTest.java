package dev.jdgram.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.Peer;
import dev.jdgram.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event loop on its own and with sockets: timers, immediates, cross-thread tasks, run modes,
 * close, uncaught exceptions and ref counting. Every wait has a limit; every loop a test makes is
 * closed afterwards. Only 127.0.0.1 is used.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class EventLoopTest {
  private static final long WAIT_MS = 5_000;
  private static final InetAddress LOOPBACK;

  static {
    try {
      LOOPBACK = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final List<EventLoop> loops = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    for (EventLoop loop : loops) {
      try {
        loop.close();
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  // ================================================================== helpers

  private EventLoop newLoop() {
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    return loop;
  }

  private static long elapsedMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** How a bounded {@link EventLoop#run()} ended. */
  private record RunResult(long elapsedMs, boolean watchdogFired) {}

  /**
   * Runs {@code loop.run()} on this thread; a watchdog stops the loop after {@code limitMs} (and
   * closes it a second later) so that a loop that never ends cannot hang the test.
   */
  private static RunResult runBounded(EventLoop loop, long limitMs) {
    AtomicBoolean fired = new AtomicBoolean();
    try (Watchdog dog = new Watchdog(loop, limitMs, fired)) {
      long t0 = System.nanoTime();
      loop.run();
      return new RunResult(elapsedMs(t0), fired.get());
    }
  }

  /** Calls {@code stop()} on the loop after a limit, then {@code close()} one second later. */
  private static final class Watchdog implements AutoCloseable {
    private final Thread thread;

    Watchdog(EventLoop loop, long limitMs, AtomicBoolean fired) {
      thread = Thread.ofPlatform().daemon(true).name("watchdog").start(() -> {
        try {
          Thread.sleep(limitMs);
          fired.set(true);
          loop.stop();
          Thread.sleep(1_000);
          loop.close();
        } catch (InterruptedException | RuntimeException e) {
          // cancelled, or the loop is gone
        }
      });
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      assertTrue(latch.await(WAIT_MS, TimeUnit.MILLISECONDS), "timed out waiting for " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  private static <T> T take(BlockingQueue<T> q, String what) {
    try {
      T v = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertNotNull(v, "timed out waiting for " + what);
      return v;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> T get(CompletableFuture<T> f, String what) {
    try {
      return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no " + what + " in time: " + e, e);
    }
  }

  private static void join(Thread t) {
    try {
      t.join(WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  /** Runs a task on a started loop and waits for it to finish. */
  private static void onLoopAndWait(EventLoop loop, Runnable task) {
    CountDownLatch done = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        task.run();
      } finally {
        done.countDown();
      }
    });
    await(done, "a task on the loop");
  }

  private DgramSocket socketOn(EventLoop loop) {
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
    closeables.add(() -> {
      if (!s.isClosed()) {
        s.close();
      }
    });
    return s;
  }

  /** Binds {@code s} (on a started loop) to 127.0.0.1 port 0 and waits for its port. */
  private static int bindLoopback(DgramSocket s) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, "127.0.0.1", () -> port.complete(s.address().port()));
    return get(port, "listening");
  }

  /** A blocking socket outside the loops under test (a real one; on the simulation, see Peer). */
  private Peer plainSender() throws Exception {
    Peer sender = Peer.open("127.0.0.1");
    closeables.add(sender);
    return sender;
  }

  private static void sendTo(Peer sender, int port, String text) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    sender.send(java.nio.ByteBuffer.wrap(b), new java.net.InetSocketAddress(LOOPBACK, port));
  }

  private static void assertInvalidState(Executable call) {
    DgramException e = assertThrows(DgramException.class, call::run);
    assertEquals("ERR_INVALID_STATE", e.code(), "code of " + e);
  }

  /** A call that may throw anything (JUnit's Executable, renamed to avoid the import clash). */
  @FunctionalInterface
  private interface Executable {
    void run() throws Throwable;
  }

  // ================================================================== 1. timers

  @Test
  void setTimeoutFiresExactlyOnceAfterAtLeastTheDelay() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    AtomicLong firedAt = new AtomicLong();
    long t0 = System.nanoTime();
    Timer t = loop.setTimeout(() -> {
      calls.incrementAndGet();
      firedAt.set(System.nanoTime());
    }, 100);
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "run() should return once the timer has fired");
    assertEquals(1, calls.get(), "the timer fires exactly once");
    long after = TimeUnit.NANOSECONDS.toMillis(firedAt.get() - t0);
    // The loop clock counts whole milliseconds, as libuv's does: allow 1 ms of rounding.
    assertTrue(after >= 99, "fired after " + after + " ms, before the 100 ms delay");
    assertFalse(t.isActive(), "a fired one-shot timer is no longer active");
  }

  @Test
  void timersFireInOrderOfDueTime() {
    EventLoop loop = newLoop();
    List<Integer> order = new CopyOnWriteArrayList<>();
    for (int delay : new int[] {60, 20, 80, 0, 40}) {
      loop.setTimeout(() -> order.add(delay), delay);
    }
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertEquals(List.of(0, 20, 40, 60, 80), order);
  }

  @Test
  void timersWithEqualDueTimeFireInCreationOrder() {
    EventLoop loop = newLoop();
    List<Integer> order = new CopyOnWriteArrayList<>();
    int n = 200;
    // Created in one callback on the loop thread, so they share (almost all) one due time.
    loop.execute(() -> {
      for (int i = 0; i < n; i++) {
        int id = i;
        loop.setTimeout(() -> order.add(id), 5);
      }
    });
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }

  @Test
  void timersCreatedFromAnotherThreadWithEqualDelayFireInCreationOrder() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    List<Integer> order = new CopyOnWriteArrayList<>();
    int n = 100;
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int id = i;
      loop.setTimeout(() -> {
        order.add(id);
        done.countDown();
      }, 20);
    }
    await(done, "all timers");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }

  @Test
  void setIntervalRepeatsUntilCancelledInItsOwnCallback() {
    EventLoop loop = newLoop();
    List<Long> times = new CopyOnWriteArrayList<>();
    AtomicReference<Timer> self = new AtomicReference<>();
    long t0 = System.nanoTime();
    self.set(loop.setInterval(() -> {
      times.add(elapsedMs(t0));
      if (times.size() == 5) {
        self.get().cancel();
      }
    }, 20));
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "a cancelled interval must not keep run() going");
    assertEquals(5, times.size(), "fired " + times);
    assertFalse(self.get().isActive());
    // Five periods of 20 ms cannot pass in less than ~100 ms.
    assertTrue(times.get(4) >= 95, "five 20 ms periods took only " + times.get(4) + " ms: " + times);
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) >= times.get(i - 1), "non-decreasing " + times);
    }
  }

  @Test
  void setIntervalCancelledFromAnotherThreadStopsFiring() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    Timer t = loop.setInterval(() -> {
      calls.incrementAndGet();
      three.countDown();
    }, 10);
    await(three, "three interval callbacks");
    t.cancel();
    int atCancel = calls.get();
    Thread.sleep(150);
    // A callback already under way when cancel() was called may still finish: at most one more.
    assertTrue(calls.get() <= atCancel + 1, "kept firing after cancel: " + atCancel + " -> " + calls.get());
    assertFalse(t.isActive());
  }

  @Test
  void cancelBeforeFiringPreventsTheCallback() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    Timer t = loop.setTimeout(calls::incrementAndGet, 50);
    t.cancel();
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "a cancelled timer must not keep the loop alive");
    assertTrue(r.elapsedMs() < 1_000, "run() took " + r.elapsedMs() + " ms");
    assertEquals(0, calls.get());
    assertFalse(t.isActive());
  }

  @Test
  void cancelOfAPendingTimerOnARunningLoopPreventsTheCallback() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    AtomicInteger calls = new AtomicInteger();
    Timer t = loop.setTimeout(calls::incrementAndGet, 200);
    onLoopAndWait(loop, () -> {}); // the timer is now in the loop's heap
    t.cancel();
    Thread.sleep(400);
    assertEquals(0, calls.get());
  }

  @Test
  void unrefdTimerAloneLetsRunReturn() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    Timer t = loop.setTimeout(calls::incrementAndGet, 3_000).unref();
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "an unref()ed timer kept run() going");
    assertTrue(r.elapsedMs() < 1_000, "run() took " + r.elapsedMs() + " ms");
    assertEquals(0, calls.get());
    assertTrue(t.isActive(), "an unref()ed timer stays pending");
  }

  @Test
  void refAgainAfterUnrefKeepsRunAliveUntilTheTimerFires() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    loop.setTimeout(calls::incrementAndGet, 150).unref().ref();
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertEquals(1, calls.get(), "ref() again should keep run() going until the timer fires");
    assertTrue(r.elapsedMs() >= 149, "run() returned after " + r.elapsedMs() + " ms");
  }

  @Test
  void unrefFromInsideTheLoopLetsRunReturn() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    loop.execute(() -> loop.setTimeout(calls::incrementAndGet, 3_000).unref());
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "an unref()ed timer kept run() going");
    assertEquals(0, calls.get());
  }

  @Test
  void timerCreatedFromAnotherThreadFiresOnTheLoopThread() throws Exception {
    EventLoop loop = newLoop();
    Thread loopThread = loop.start();
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    AtomicBoolean inLoop = new AtomicBoolean();
    Thread other = Thread.ofPlatform().start(() -> loop.setTimeout(() -> {
      inLoop.set(loop.inLoop());
      ranOn.complete(Thread.currentThread());
    }, 20));
    join(other);
    assertSame(loopThread, get(ranOn, "the timer"));
    assertTrue(inLoop.get());
  }

  // ================================================================== 2. immediates and execute

  @Test
  void setImmediateFromAnIoCallbackRunsInTheSameIterationBeforeAZeroDelayTimer() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    BlockingQueue<String> order = new LinkedBlockingQueue<>();
    DgramSocket server = socketOn(loop);
    server.onMessage((msg, rinfo) -> {
      String tag = new String(msg, StandardCharsets.UTF_8);
      loop.setTimeout(() -> order.add(tag + ":timeout"), 0);
      loop.setImmediate(() -> order.add(tag + ":immediate"));
    });
    int port = bindLoopback(server);
    Peer sender = plainSender();
    for (int i = 0; i < 5; i++) {
      sendTo(sender, port, "m" + i);
      assertEquals("m" + i + ":immediate", take(order, "the immediate"));
      assertEquals("m" + i + ":timeout", take(order, "the timeout"));
    }
  }

  @Test
  void immediateQueuedDuringTheCheckPhaseRunsOnTheNextIteration() {
    EventLoop loop = newLoop();
    List<String> log = new CopyOnWriteArrayList<>();
    loop.setImmediate(() -> {
      log.add("first");
      loop.setImmediate(() -> log.add("second"));
    });
    assertTrue(loop.runNoWait(), "the second immediate is still queued");
    assertEquals(List.of("first"), log);
    assertFalse(loop.runNoWait(), "nothing left after the second immediate");
    assertEquals(List.of("first", "second"), log);
  }

  @Test
  void immediatesRunOnTheLoopThreadInTheOrderTheyWereQueued() {
    EventLoop loop = newLoop();
    Thread loopThread = loop.start();
    int n = 500;
    List<Integer> order = new CopyOnWriteArrayList<>();
    AtomicInteger offThread = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int id = i;
      loop.setImmediate(() -> {
        if (Thread.currentThread() != loopThread) {
          offThread.incrementAndGet();
        }
        order.add(id);
        done.countDown();
      });
    }
    await(done, "the immediates");
    assertEquals(0, offThread.get());
    for (int i = 0; i < n; i++) {
      assertEquals(i, order.get(i));
    }
  }

  @Test
  void executeFromManyThreadsRunsEveryTaskOnceOnTheLoopThreadInPerThreadOrder() throws Exception {
    EventLoop loop = newLoop();
    Thread loopThread = loop.start();
    int threads = 8;
    int perThread = 5_000;
    List<List<Integer>> seen = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      seen.add(Collections.synchronizedList(new ArrayList<>()));
    }
    AtomicInteger offThread = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(threads * perThread);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < threads; p++) {
      int producer = p;
      producers.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int j = 0; j < perThread; j++) {
          int seq = j;
          loop.execute(() -> {
            if (Thread.currentThread() != loopThread) {
              offThread.incrementAndGet();
            }
            seen.get(producer).add(seq);
            done.countDown();
          });
        }
      }));
    }
    go.countDown();
    for (Thread t : producers) {
      join(t);
    }
    await(done, "all tasks");
    onLoopAndWait(loop, () -> {}); // any duplicate still queued would have run by now
    assertEquals(0, offThread.get(), "tasks ran off the loop thread");
    for (int p = 0; p < threads; p++) {
      List<Integer> got = seen.get(p);
      assertEquals(perThread, got.size(), "tasks of producer " + p + " ran more or fewer times");
      for (int j = 0; j < perThread; j++) {
        if (got.get(j) != j) {
          fail("producer " + p + ": position " + j + " holds task " + got.get(j));
        }
      }
    }
  }

  @Test
  void executeFromTheLoopThreadRunsAfterTheCurrentCallback() {
    EventLoop loop = newLoop();
    loop.start();
    List<String> log = new CopyOnWriteArrayList<>();
    CountDownLatch inner = new CountDownLatch(1);
    loop.execute(() -> {
      log.add("outer-start");
      loop.execute(() -> {
        log.add("inner");
        inner.countDown();
      });
      log.add("outer-end");
    });
    await(inner, "the inner task");
    assertEquals(List.of("outer-start", "outer-end", "inner"), log);
  }

  @Test
  void executeWithNullTaskThrowsInvalidArgType() {
    EventLoop loop = newLoop();
    DgramException e = assertThrows(DgramException.class, () -> loop.execute(null));
    assertEquals("ERR_INVALID_ARG_TYPE", e.code());
  }

  // ================================================================== 3. run modes

  @Test
  void runReturnsAtOnceWhenNothingIsAlive() {
    EventLoop loop = newLoop();
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertTrue(r.elapsedMs() < 1_000, "run() took " + r.elapsedMs() + " ms");
  }

  @Test
  void runReturnsAfterTheLastTaskWhenOnlyTasksWereQueued() {
    EventLoop loop = newLoop();
    AtomicInteger ran = new AtomicInteger();
    loop.execute(ran::incrementAndGet);
    loop.setImmediate(ran::incrementAndGet);
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertEquals(2, ran.get());
  }

  @Test
  void runNoWaitDoesNotBlockOnAPendingTimer() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    Timer t = loop.setTimeout(calls::incrementAndGet, 5_000);
    long t0 = System.nanoTime();
    boolean alive = loop.runNoWait();
    long took = elapsedMs(t0);
    assertTrue(took < 500, "runNoWait() blocked for " + took + " ms");
    assertTrue(alive, "a pending referenced timer is work that remains");
    assertEquals(0, calls.get());
    t.cancel();
    assertFalse(loop.runNoWait(), "nothing remains after the timer is cancelled");
  }

  @Test
  void runNoWaitReturnsFalseOnAnIdleLoop() {
    EventLoop loop = newLoop();
    long t0 = System.nanoTime();
    assertFalse(loop.runNoWait());
    assertTrue(elapsedMs(t0) < 500);
  }

  @Test
  void runOnceBlocksUntilATimerFiresAndReportsNoWorkLeft() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    long t0 = System.nanoTime();
    loop.setTimeout(calls::incrementAndGet, 100);
    boolean more;
    try (Watchdog dog = new Watchdog(loop, 3_000, new AtomicBoolean())) {
      more = loop.runOnce();
    }
    long took = elapsedMs(t0);
    assertEquals(1, calls.get(), "runOnce() returned after " + took + " ms without firing the 100 ms timer");
    assertTrue(took >= 99, "returned after " + took + " ms");
    assertFalse(more, "no work remains after the only timer fired");
  }

  @Test
  void runOnceReturnsTrueWhileATimerRemains() {
    EventLoop loop = newLoop();
    AtomicInteger early = new AtomicInteger();
    AtomicInteger late = new AtomicInteger();
    loop.setTimeout(early::incrementAndGet, 50);
    Timer lateTimer = loop.setTimeout(late::incrementAndGet, 10_000);
    boolean more;
    try (Watchdog dog = new Watchdog(loop, 3_000, new AtomicBoolean())) {
      more = loop.runOnce();
    }
    assertEquals(1, early.get(), "runOnce() should block until the 50 ms timer fires");
    assertEquals(0, late.get());
    assertTrue(more, "the 10 s timer is work that remains");
    lateTimer.cancel();
    assertFalse(loop.runNoWait());
  }

  @Test
  void runOnceBlocksForIncomingIo() throws Exception {
    EventLoop loop = newLoop();
    DgramSocket server = socketOn(loop);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    server.onMessage((msg, rinfo) -> got.add(new String(msg, StandardCharsets.UTF_8)));
    AtomicInteger port = new AtomicInteger();
    server.bind(0, "127.0.0.1", () -> port.set(server.address().port()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (port.get() == 0 && System.nanoTime() < deadline) {
      loop.runNoWait();
    }
    assertTrue(port.get() > 0, "the socket did not start listening");
    Peer sender = plainSender();
    Thread later = Thread.ofPlatform().daemon(true).start(() -> {
      try {
        Thread.sleep(200);
        sendTo(sender, port.get(), "ping");
      } catch (Exception ignored) {
        // the assertion below reports it
      }
    });
    long t0 = System.nanoTime();
    boolean more;
    try (Watchdog dog = new Watchdog(loop, 3_000, new AtomicBoolean())) {
      more = loop.runOnce();
    }
    long took = elapsedMs(t0);
    join(later);
    assertEquals("ping", got.poll(), "runOnce() returned after " + took + " ms without the datagram");
    assertTrue(took >= 150, "runOnce() returned after " + took + " ms, before the datagram was sent");
    assertTrue(more, "the bound socket is still alive");
  }

  @Test
  void runFromASecondThreadWhileStartedThrowsInvalidState() {
    EventLoop loop = newLoop();
    loop.start();
    assertInvalidState(loop::run);
    assertInvalidState(loop::runOnce);
    assertInvalidState(loop::runNoWait);
  }

  @Test
  void runFromASecondThreadWhileAnotherThreadRunsItThrowsInvalidState() throws Exception {
    EventLoop loop = newLoop();
    Timer keep = loop.setTimeout(() -> {}, 10_000);
    CountDownLatch running = new CountDownLatch(1);
    loop.execute(running::countDown);
    Thread runner = Thread.ofPlatform().daemon(true).name("runner").start(loop::run);
    await(running, "the loop to run");
    try {
      assertInvalidState(loop::run);
    } finally {
      keep.cancel();
      loop.stop();
      join(runner);
    }
    assertFalse(runner.isAlive(), "run() did not return after stop()");
  }

  @Test
  void runFromInsideItsOwnCallbackThrowsInvalidState() {
    EventLoop loop = newLoop();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    loop.execute(() -> {
      try {
        loop.run();
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertTrue(thrown.get() instanceof DgramException, "got " + thrown.get());
    assertEquals("ERR_INVALID_STATE", ((DgramException) thrown.get()).code());
  }

  @Test
  void inLoopIsTrueOnlyOnTheLoopThread() throws Exception {
    EventLoop loop = newLoop();
    assertFalse(loop.inLoop(), "a loop that does not run has no loop thread");
    loop.start();
    assertFalse(loop.inLoop(), "the test thread is not the loop thread");
    CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
    loop.execute(() -> onLoop.complete(loop.inLoop()));
    assertTrue(get(onLoop, "the task"));
    AtomicBoolean onOther = new AtomicBoolean(true);
    Thread other = Thread.ofPlatform().start(() -> onOther.set(loop.inLoop()));
    join(other);
    assertFalse(onOther.get(), "another thread is not the loop thread");
    EventLoop second = newLoop();
    second.start();
    CompletableFuture<Boolean> crossed = new CompletableFuture<>();
    second.execute(() -> crossed.complete(loop.inLoop()));
    assertFalse(get(crossed, "the task on the second loop"), "one loop's thread is not another's");
  }

  @Test
  void inLoopIsTrueDuringRunOnTheCallingThread() {
    EventLoop loop = newLoop();
    AtomicBoolean inside = new AtomicBoolean();
    loop.execute(() -> inside.set(loop.inLoop()));
    runBounded(loop, 1_500);
    assertTrue(inside.get());
    assertFalse(loop.inLoop(), "after run() returned, this thread is no longer the loop thread");
  }

  @Test
  void startRunsTheLoopOnANewThread() {
    EventLoop loop = newLoop();
    Thread t = loop.start();
    assertNotNull(t);
    assertNotSame(Thread.currentThread(), t);
    assertTrue(t.isAlive(), "the started thread should be running");
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    loop.execute(() -> ranOn.complete(Thread.currentThread()));
    assertSame(t, get(ranOn, "a task on the started loop"));
  }

  @Test
  void startTwiceThrowsInvalidState() {
    EventLoop loop = newLoop();
    loop.start();
    assertInvalidState(loop::start);
  }

  @Test
  void stopFromACallbackMakesRunReturn() {
    EventLoop loop = newLoop();
    AtomicInteger late = new AtomicInteger();
    loop.setTimeout(late::incrementAndGet, 3_000); // referenced: keeps the loop alive
    loop.setTimeout(loop::stop, 50);
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "stop() did not make run() return");
    assertTrue(r.elapsedMs() < 1_000, "run() took " + r.elapsedMs() + " ms");
    assertEquals(0, late.get());
  }

  @Test
  void stopFromAnotherThreadMakesRunReturn() {
    EventLoop loop = newLoop();
    loop.setTimeout(() -> {}, 3_000);
    Thread stopper = Thread.ofPlatform().daemon(true).start(() -> {
      try {
        Thread.sleep(100);
        loop.stop();
      } catch (InterruptedException ignored) {
        // test over
      }
    });
    RunResult r = runBounded(loop, 1_500);
    join(stopper);
    assertFalse(r.watchdogFired(), "stop() from another thread did not make run() return");
    assertTrue(r.elapsedMs() >= 90, "run() returned after " + r.elapsedMs() + " ms, before stop()");
  }

  @Test
  void runAfterStopRunsAgain() {
    EventLoop loop = newLoop();
    AtomicInteger calls = new AtomicInteger();
    loop.setTimeout(calls::incrementAndGet, 150);
    loop.execute(loop::stop);
    RunResult first = runBounded(loop, 1_500);
    assertFalse(first.watchdogFired());
    assertEquals(0, calls.get(), "run() should have stopped before the timer");
    RunResult second = runBounded(loop, 1_500);
    assertFalse(second.watchdogFired());
    assertEquals(1, calls.get(), "a second run() continues where the first stopped");
  }

  // ================================================================== 4. close

  @Test
  void closeClosesEverySocketOnTheLoop() {
    EventLoop loop = newLoop();
    loop.start();
    DgramSocket a = socketOn(loop);
    DgramSocket b = socketOn(loop);
    DgramSocket unbound = socketOn(loop);
    CountDownLatch closed = new CountDownLatch(3);
    for (DgramSocket s : List.of(a, b, unbound)) {
      s.onClose(closed::countDown);
    }
    bindLoopback(a);
    bindLoopback(b);
    loop.close();
    await(closed, "the close events of all three sockets");
    assertTrue(a.isClosed());
    assertTrue(b.isClosed());
    assertTrue(unbound.isClosed());
  }

  @Test
  void closeRunsCloseListenersOnTheLoopThread() {
    EventLoop loop = newLoop();
    Thread loopThread = loop.start();
    DgramSocket s = socketOn(loop);
    CompletableFuture<Thread> closedOn = new CompletableFuture<>();
    s.onClose(() -> closedOn.complete(Thread.currentThread()));
    bindLoopback(s);
    loop.close();
    assertSame(loopThread, get(closedOn, "the close event"));
  }

  @Test
  void closeCompletesASendQueuedOnItsSocketExactlyOnce() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    Peer receiver = plainSender();
    DgramSocket s = socketOn(loop);
    s.onError(e -> {}); // an error here is expected and fine
    AtomicInteger callbacks = new AtomicInteger();
    CountDownLatch called = new CountDownLatch(1);
    s.send("x", receiver.port(), "127.0.0.1", (err, bytes) -> {
      callbacks.incrementAndGet();
      called.countDown();
    });
    loop.close();
    await(called, "the send callback");
    Thread.sleep(100);
    assertEquals(1, callbacks.get(), "the send callback must run exactly once");
  }

  @Test
  void closeEndsTheStartedThread() {
    EventLoop loop = newLoop();
    Thread t = loop.start();
    DgramSocket s = socketOn(loop);
    bindLoopback(s); // a referenced socket keeps the loop alive: close() must end it anyway
    loop.close();
    join(t);
    assertFalse(t.isAlive(), "the loop thread is still alive after close()");
  }

  @Test
  void closeFromInsideACallbackEndsTheStartedThread() {
    EventLoop loop = newLoop();
    Thread t = loop.start();
    CountDownLatch after = new CountDownLatch(1);
    loop.execute(() -> {
      loop.close();
      after.countDown(); // close() on the loop thread returns; the loop finishes closing later
    });
    await(after, "the callback that closed the loop");
    join(t);
    assertFalse(t.isAlive(), "the loop thread is still alive after close() from a callback");
    assertInvalidState(() -> loop.execute(() -> {}));
  }

  @Test
  void closeWhileRunOnAnotherThreadMakesRunReturnAndClosesSockets() throws Exception {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    CountDownLatch listening = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    s.onClose(closed::countDown);
    s.bind(0, "127.0.0.1", listening::countDown);
    AtomicReference<Throwable> runError = new AtomicReference<>();
    Thread runner = Thread.ofPlatform().daemon(true).name("runner").start(() -> {
      try {
        loop.run();
      } catch (Throwable e) {
        runError.set(e);
      }
    });
    await(listening, "listening");
    loop.close();
    join(runner);
    assertFalse(runner.isAlive(), "run() did not return after close()");
    assertEquals(null, runError.get(), "run() threw");
    await(closed, "the close event");
  }

  @Test
  void closeOfALoopThatNeverRanClosesItsSockets() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicInteger closed = new AtomicInteger();
    s.onClose(closed::incrementAndGet);
    loop.close();
    assertEquals(1, closed.get(), "the close event should have run by the time close() returns");
    assertTrue(s.isClosed());
  }

  @Test
  void closeTwiceIsHarmless() {
    EventLoop started = newLoop();
    started.start();
    started.close();
    started.close();
    EventLoop idle = newLoop();
    idle.close();
    idle.close();
  }

  @Test
  void executeOnAClosedLoopThrowsInvalidState() {
    EventLoop loop = newLoop();
    loop.start();
    loop.close();
    assertInvalidState(() -> loop.execute(() -> {}));
  }

  @Test
  void runOnAClosedLoopThrowsInvalidState() {
    EventLoop loop = newLoop();
    loop.close();
    assertInvalidState(loop::run);
    assertInvalidState(loop::runOnce);
    assertInvalidState(loop::runNoWait);
    assertInvalidState(loop::start);
  }

  @Test
  void creatingASocketOnAClosedLoopThrowsInvalidState() {
    EventLoop loop = newLoop();
    loop.close();
    assertInvalidState(() -> Dgram.createSocket(SocketOptions.of("udp4").loop(loop)));
  }

  // ================================================================== 5. uncaught exceptions

  /** Records what reaches the uncaught handler, and on which thread. */
  private static final class Recorder implements Thread.UncaughtExceptionHandler {
    final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();

    @Override
    public void uncaughtException(Thread t, Throwable e) {
      threads.add(Thread.currentThread());
      errors.add(e);
    }
  }

  @Test
  void throwingTaskGoesToTheUncaughtHandlerAndTheLoopCarriesOn() {
    EventLoop loop = newLoop();
    Thread loopThread = loop.start();
    Recorder rec = new Recorder();
    loop.setUncaughtExceptionHandler(rec);
    RuntimeException boom = new RuntimeException("boom");
    loop.execute(() -> {
      throw boom;
    });
    CountDownLatch later = new CountDownLatch(1);
    loop.execute(later::countDown);
    assertSame(boom, take(rec.errors, "the uncaught exception"));
    assertSame(loopThread, take(rec.threads, "the handler's thread"));
    await(later, "a later task");
  }

  @Test
  void throwingTimerCallbackGoesToTheUncaughtHandlerAndTheLoopCarriesOn() {
    EventLoop loop = newLoop();
    loop.start();
    Recorder rec = new Recorder();
    loop.setUncaughtExceptionHandler(rec);
    AtomicInteger ticks = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    Timer t = loop.setInterval(() -> {
      ticks.incrementAndGet();
      three.countDown();
      throw new IllegalStateException("interval " + ticks.get());
    }, 10);
    await(three, "an interval that throws to keep firing");
    t.cancel();
    assertEquals("interval 1", take(rec.errors, "the first exception").getMessage());
    CountDownLatch later = new CountDownLatch(1);
    loop.setTimeout(later::countDown, 1);
    await(later, "a later timer");
  }

  @Test
  void throwingImmediateGoesToTheUncaughtHandlerAndTheNextImmediateStillRuns() {
    EventLoop loop = newLoop();
    Recorder rec = new Recorder();
    loop.setUncaughtExceptionHandler(rec);
    AtomicBoolean second = new AtomicBoolean();
    loop.setImmediate(() -> {
      throw new IllegalArgumentException("immediate");
    });
    loop.setImmediate(() -> second.set(true));
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertEquals("immediate", take(rec.errors, "the exception").getMessage());
    assertTrue(second.get(), "the next immediate did not run");
  }

  @Test
  void throwingSocketListenerGoesToTheUncaughtHandlerAndTheSocketKeepsReceiving() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    Recorder rec = new Recorder();
    loop.setUncaughtExceptionHandler(rec);
    DgramSocket s = socketOn(loop);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    s.onMessage((msg, rinfo) -> {
      String text = new String(msg, StandardCharsets.UTF_8);
      got.add(text);
      if (text.equals("throw")) {
        throw new IllegalStateException("listener");
      }
    });
    int port = bindLoopback(s);
    Peer sender = plainSender();
    sendTo(sender, port, "throw");
    assertEquals("throw", take(got, "the first datagram"));
    assertEquals("listener", take(rec.errors, "the listener's exception").getMessage());
    sendTo(sender, port, "after");
    assertEquals("after", take(got, "a datagram after the throw"));
  }

  @Test
  void defaultUncaughtHandlerPrintsTheStackTraceToStandardError() {
    EventLoop loop = newLoop();
    loop.start();
    loop.setUncaughtExceptionHandler(new Recorder());
    loop.setUncaughtExceptionHandler(null); // back to the default
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    CountDownLatch later = new CountDownLatch(1);
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      loop.execute(() -> {
        throw new IllegalStateException("printed-by-default-handler");
      });
      loop.execute(later::countDown);
      await(later, "a task after the one that threw");
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("IllegalStateException") && text.contains("printed-by-default-handler"),
        "standard error did not show the exception: " + text);
  }

  @Test
  void uncaughtHandlerThatThrowsDoesNotStopTheLoop() {
    EventLoop loop = newLoop();
    loop.start();
    loop.setUncaughtExceptionHandler((t, e) -> {
      throw new IllegalStateException("handler failed");
    });
    PrintStream original = System.err;
    CountDownLatch later = new CountDownLatch(1);
    try {
      System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      loop.execute(() -> {
        throw new RuntimeException("task failed");
      });
      loop.execute(later::countDown);
      await(later, "a task after a failing handler");
    } finally {
      System.setErr(original);
    }
  }

  // ================================================================== 6. ref counting with sockets

  @Test
  void boundSocketKeepsRunFromReturningUntilItIsClosed() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicBoolean listening = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    s.onClose(() -> closed.set(true));
    s.bind(0, "127.0.0.1", () -> {
      listening.set(true);
      // Unreferenced, so that only the socket keeps the loop alive.
      loop.setTimeout(s::close, 300).unref();
    });
    RunResult r = runBounded(loop, 1_500);
    assertTrue(listening.get(), "the socket never started listening");
    assertFalse(r.watchdogFired(), "run() did not return after the socket closed");
    assertTrue(r.elapsedMs() >= 290, "run() returned after " + r.elapsedMs() + " ms, while the socket was bound");
    assertTrue(closed.get(), "run() returned before the close event");
  }

  @Test
  void unrefdBoundSocketLetsRunReturn() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicBoolean listening = new AtomicBoolean();
    s.bind(0, "127.0.0.1", () -> listening.set(true));
    s.unref();
    RunResult r = runBounded(loop, 1_500);
    assertTrue(listening.get(), "the socket never started listening");
    assertFalse(r.watchdogFired(), "an unref()ed bound socket kept run() going");
    assertFalse(s.isClosed(), "unref() must not close the socket");
  }

  @Test
  void unrefFromTheListeningCallbackLetsRunReturn() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicBoolean listening = new AtomicBoolean();
    s.bind(0, "127.0.0.1", () -> {
      listening.set(true);
      s.unref();
    });
    RunResult r = runBounded(loop, 1_500);
    assertTrue(listening.get());
    assertFalse(r.watchdogFired(), "a socket unref()ed while bound kept run() going");
  }

  @Test
  void refAgainAfterUnrefKeepsRunFromReturning() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicBoolean closed = new AtomicBoolean();
    s.onClose(() -> closed.set(true));
    s.unref();
    s.ref();
    s.bind(0, "127.0.0.1", () -> loop.setTimeout(s::close, 300).unref());
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired(), "run() did not return after the socket closed");
    assertTrue(r.elapsedMs() >= 290, "run() returned after " + r.elapsedMs() + " ms, while a ref()ed socket was bound");
    assertTrue(closed.get());
  }

  @Test
  void refAfterUnrefWhileBoundKeepsRunFromReturning() {
    EventLoop loop = newLoop();
    DgramSocket s = socketOn(loop);
    AtomicBoolean closed = new AtomicBoolean();
    s.onClose(() -> closed.set(true));
    s.bind(0, "127.0.0.1", () -> {
      s.unref();
      s.ref();
      loop.setTimeout(s::close, 300).unref();
    });
    RunResult r = runBounded(loop, 1_500);
    assertFalse(r.watchdogFired());
    assertTrue(r.elapsedMs() >= 290, "run() returned after " + r.elapsedMs() + " ms");
    assertTrue(closed.get());
  }

  @Test
  void unrefdSocketStillReceivesWhileTheLoopRuns() throws Exception {
    EventLoop loop = newLoop();
    loop.start();
    DgramSocket s = socketOn(loop);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    s.onMessage((msg, rinfo) -> got.add(new String(msg, StandardCharsets.UTF_8)));
    int port = bindLoopback(s);
    s.unref();
    sendTo(plainSender(), port, "still here");
    assertEquals("still here", take(got, "a datagram on an unref()ed socket"));
  }
}
