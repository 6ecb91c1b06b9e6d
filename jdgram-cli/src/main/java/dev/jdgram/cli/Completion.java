package dev.jdgram.cli;

import dev.jdgram.DgramException;
import dev.jdgram.loop.EventLoop;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * How a command's main thread waits for work that happens on the event-loop thread.
 *
 * <p>Listeners and callbacks run on the loop thread, each body inside {@link #callback}; they
 * {@link #countDown()} as the awaited events happen, or {@link #fail(Throwable)} on an error.
 * The main thread {@link #await}s with a time-out and gets the first failure rethrown, so that
 * {@code Main} reports it. On a failure or a time-out the clean-up action runs once (typically:
 * close the sockets, so nothing is left on the loop).
 */
final class Completion {
  private final CountDownLatch latch;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final EventLoop loop;
  private final Runnable cleanup;
  private final AtomicBoolean cleanedUp = new AtomicBoolean();

  /**
   * @param count how many {@link #countDown()} calls complete the work
   * @param loop the loop whose thread runs the listeners and callbacks
   * @param cleanup run once on the first failure or on a time-out; exceptions from it are ignored
   */
  Completion(int count, EventLoop loop, Runnable cleanup) {
    this.latch = new CountDownLatch(count);
    this.loop = loop;
    this.cleanup = cleanup;
  }

  void countDown() {
    latch.countDown();
  }

  /** Records the first failure, cleans up and releases the waiting thread; ignores later ones. */
  void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      cleanUp();
    }
    while (latch.getCount() > 0) {
      latch.countDown();
    }
  }

  /**
   * Runs the body of a listener or a callback: on the loop's thread (the library promises that;
   * a callback anywhere else is a failure), and whatever it throws becomes this completion's
   * failure rather than going to the loop's uncaught-exception handler.
   */
  void callback(Runnable body) {
    try {
      if (!loop.inLoop()) {
        throw new CliException("a callback ran outside the event-loop thread, on "
            + Thread.currentThread().getName());
      }
      body.run();
    } catch (RuntimeException | Error e) {
      fail(e);
    }
  }

  /**
   * Waits until the work is complete or failed.
   *
   * @param timeout how long to wait
   * @param what the work waited for, for the time-out message ({@code "demo part 1"})
   * @param progress what to say about how far the work got, for the time-out message
   * @throws DgramException the first failure, when it was one (other exceptions as they are)
   * @throws CliException on a time-out or an interrupt
   */
  void await(Duration timeout, String what, Supplier<String> progress) {
    boolean completed;
    try {
      completed = latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cleanUp();
      throw new CliException(what + " interrupted");
    }
    Throwable error = failure.get();
    if (error instanceof RuntimeException e) {
      throw e;
    }
    if (error instanceof Error e) {
      throw e;
    }
    if (error != null) {
      throw new CliException(error.toString());
    }
    if (!completed) {
      cleanUp();
      throw new CliException(
          what + " timed out after " + timeout.toMillis() + " ms (" + progress.get() + ")");
    }
  }

  private void cleanUp() {
    if (!cleanedUp.compareAndSet(false, true)) {
      return;
    }
    try {
      cleanup.run();
    } catch (RuntimeException ignored) {
      // best effort: the failure being reported matters more
    }
  }
}
