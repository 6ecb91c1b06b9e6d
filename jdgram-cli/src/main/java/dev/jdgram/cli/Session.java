package dev.jdgram.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The life of a long-running command ({@code listen}, {@code echo}, {@code ping}, ...): it runs
 * until it is done (a count reached, standard input at its end), its time is up, it fails, or the
 * user presses Ctrl-C.
 *
 * <p>Ctrl-C (SIGINT, also SIGTERM) starts the JVM's shutdown; a shutdown hook ends the session
 * and then waits (at most {@value #SUMMARY_WAIT_MILLIS} ms) until the command has printed its
 * summary and {@link #close closed} the session, so the summary is never cut off. The JVM then
 * exits with status 130 ({@link Main#EXIT_INTERRUPTED}).
 */
final class Session implements AutoCloseable {
  static final long SUMMARY_WAIT_MILLIS = 3000;

  /** Why a session ended. */
  enum End { DONE, TIMEOUT, INTERRUPTED, FAILED }

  private final AtomicReference<End> end = new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;

  Session() {
    hook = new Thread(this::onShutdown, "jdgram-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void onShutdown() {
    finish(End.INTERRUPTED);
    try {
      closed.await(SUMMARY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ends the session successfully (first call wins). */
  void done() {
    finish(End.DONE);
  }

  /** Ends the session with a failure that {@link #rethrowFailure()} then throws. */
  void fail(Throwable error) {
    failure.compareAndSet(null, error);
    finish(End.FAILED);
  }

  private void finish(End why) {
    if (end.compareAndSet(null, why)) {
      ended.countDown();
    }
  }

  boolean isOver() {
    return end.get() != null;
  }

  /**
   * Waits until the session ends.
   *
   * @param limit how long at most; null or zero: no limit
   * @return why it ended ({@link End#TIMEOUT} when the limit passed first)
   */
  End await(Duration limit) {
    try {
      if (limit == null || limit.isZero()) {
        ended.await();
      } else if (!ended.await(limit.toNanos(), TimeUnit.NANOSECONDS)) {
        finish(End.TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finish(End.INTERRUPTED);
    }
    return end.get();
  }

  /**
   * Sleeps, but wakes up as soon as the session ends.
   *
   * @return true when the session is over
   */
  boolean sleep(Duration time) {
    try {
      return ended.await(time.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finish(End.INTERRUPTED);
      return true;
    }
  }

  /** @return why the session ended, or null while it runs */
  End end() {
    return end.get();
  }

  /** Throws the failure the session ended with, if any. */
  void rethrowFailure() {
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
  }

  /** The command's summary is out: a pending Ctrl-C may let the JVM exit now. */
  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C: the hook is running and returns now that the session is closed
    }
  }

  /** @return the exit code for how the session ended: 130 after Ctrl-C, else {@code normal} */
  int exitCode(int normal) {
    return end.get() == End.INTERRUPTED ? Main.EXIT_INTERRUPTED : normal;
  }
}
