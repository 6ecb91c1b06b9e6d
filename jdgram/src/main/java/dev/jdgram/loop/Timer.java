package dev.jdgram.loop;

/**
 * A timer made by {@link EventLoop#setTimeout} or {@link EventLoop#setInterval}, like Node's
 * {@code Timeout}: a referenced timer keeps its loop alive; {@link #unref()} lets the loop (and
 * the JVM, for a started loop) end while it is pending. Methods may be called from any thread.
 */
public final class Timer {
  final EventLoop loop;
  final Runnable task;
  final long period; // 0 for a one-shot timer
  final long delay;
  long due; // loop thread
  long seq; // loop thread
  int heapIndex = -1; // loop thread
  boolean refed = true; // loop thread
  volatile boolean cancelled;

  Timer(EventLoop loop, Runnable task, long delay, long period) {
    this.loop = loop;
    this.task = task;
    this.delay = delay;
    this.period = period;
  }

  /**
   * Makes the timer keep its loop alive again (the default).
   *
   * @return this timer
   */
  public Timer ref() {
    loop.onLoop(() -> loop.setTimerRef(this, true));
    return this;
  }

  /**
   * Lets the loop end while this timer is pending; it still fires if the loop runs.
   *
   * @return this timer
   */
  public Timer unref() {
    loop.onLoop(() -> loop.setTimerRef(this, false));
    return this;
  }

  /** Stops the timer; it will not fire again. Cancelling twice is harmless. */
  public void cancel() {
    cancelled = true;
    loop.onLoop(() -> loop.removeTimer(this));
  }

  /** @return true if the timer has not been cancelled and a one-shot timer has not fired */
  public boolean isActive() {
    return !cancelled;
  }
}
