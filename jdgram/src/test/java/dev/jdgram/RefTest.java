package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ref()/unref(): whether a bound socket keeps {@link EventLoop#run()} going. Each test runs its
 * own loop on the test thread with a guard: a watchdog thread that, if the loop is still running
 * after 3 s, closes the socket, stops the loop and marks the test failed.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RefTest {
  private static final long GUARD_MS = 3_000;

  private EventLoop loop;
  private final AtomicBoolean guardFired = new AtomicBoolean();
  private Thread watchdog;

  @BeforeEach
  void newLoop() {
    loop = EventLoop.create();
  }

  @AfterEach
  void closeLoop() throws InterruptedException {
    if (watchdog != null) {
      watchdog.interrupt();
      watchdog.join(5_000);
    }
    loop.close();
  }

  private DgramSocket socket() {
    return Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
  }

  /**
   * The guard runs on its own thread, not as a loop timer: a timer would wake the loop and so
   * hide a loop that blocks in poll although nothing keeps it alive.
   */
  private void guard(DgramSocket s) {
    watchdog = Thread.ofPlatform().daemon(true).name("ref-test-guard").start(() -> {
      try {
        Thread.sleep(GUARD_MS);
      } catch (InterruptedException e) {
        return; // the test ended in time
      }
      guardFired.set(true);
      if (!s.isClosed()) {
        s.close();
      }
      loop.stop();
    });
  }

  /** @return how long run() took, in milliseconds */
  private long runLoop() {
    long start = System.nanoTime();
    loop.run();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void boundSocketKeepsRunGoingUntilClosed() {
    DgramSocket s = socket();
    AtomicBoolean listening = new AtomicBoolean();
    AtomicBoolean closedByTest = new AtomicBoolean();
    s.bind(0, "127.0.0.1", () -> {
      listening.set(true);
      loop.setTimeout(() -> {
        closedByTest.set(true);
        s.close();
      }, 300).unref(); // only the socket may keep the loop alive until then
    });
    guard(s);
    long took = runLoop();
    assertFalse(guardFired.get(), "run() did not return after the socket was closed");
    assertTrue(listening.get(), "the socket never listened");
    assertTrue(closedByTest.get(), "run() returned while the socket was still open (after " + took + " ms)");
    assertTrue(took >= 250, "run() returned after " + took + " ms, before the close at 300 ms");
    // libuv's uv_run does not block in poll once nothing keeps the loop alive.
    assertTrue(took < 1_500, "run() returned " + took + " ms after it started; the socket was closed at 300 ms");
  }

  @Test
  void unrefedBoundSocketLetsRunReturn() {
    DgramSocket s = socket();
    AtomicBoolean listening = new AtomicBoolean();
    s.bind(0, "127.0.0.1", () -> listening.set(true));
    assertSame(s, s.unref());
    guard(s);
    long took = runLoop();
    assertFalse(guardFired.get(), "an unref()ed bound socket kept run() going");
    assertTrue(listening.get(), "run() returned before the bind completed");
    assertFalse(s.isClosed(), "the socket was closed");
    assertTrue(took < 1_000, "run() took " + took + " ms");
    s.close();
  }

  @Test
  void unrefThenRefKeepsRunGoingUntilClosed() {
    DgramSocket s = socket();
    AtomicBoolean closedByTest = new AtomicBoolean();
    s.bind(0, "127.0.0.1", () -> loop.setTimeout(() -> {
      closedByTest.set(true);
      s.close();
    }, 300).unref());
    s.unref();
    s.ref();
    guard(s);
    long took = runLoop();
    assertFalse(guardFired.get(), "run() did not return after the socket was closed");
    assertTrue(closedByTest.get(), "run() returned while a ref()ed socket was still open");
    assertTrue(took < 1_500, "run() returned " + took + " ms after it started; the socket was closed at 300 ms");
  }

  @Test
  void refAndUnrefOnClosedSocketDoNotThrow() {
    DgramSocket s = socket();
    s.bind(0, "127.0.0.1", s::close);
    guard(s);
    runLoop();
    assertFalse(guardFired.get());
    assertTrue(s.isClosed());
    assertDoesNotThrow(() -> assertSame(s, s.ref()));
    assertDoesNotThrow(() -> assertSame(s, s.unref()));
    // Also before it was ever bound.
    DgramSocket never = socket();
    never.close();
    assertDoesNotThrow(() -> assertSame(never, never.unref()));
    assertDoesNotThrow(() -> assertSame(never, never.ref()));
  }
}
