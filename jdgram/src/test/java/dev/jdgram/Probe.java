package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Small helpers for tests that wait for events from the loop thread, always with a limit; public
 * so that the tests of the other packages ({@code node}, {@code robust}, ...) wait the same way.
 */
public final class Probe {
  /** Every wait's limit. */
  public static final long TIMEOUT_MS = 5_000;

  private Probe() {}

  public static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "timed out waiting for an event");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  public static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no result in time: " + e, e);
    }
  }

  public static <T> T take(BlockingQueue<T> q) {
    try {
      T v = q.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (v == null) {
        fail("timed out waiting for a value");
      }
      return v;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static <T> BlockingQueue<T> queue() {
    return new LinkedBlockingQueue<>();
  }

  /** Binds {@code s} on 127.0.0.1 (or ::1) and waits for {@code listening}; @return its port. */
  public static int bindLoopback(DgramSocket s, boolean v6) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, v6 ? "::1" : "127.0.0.1", () -> port.complete(s.address().port()));
    return get(port);
  }
}
