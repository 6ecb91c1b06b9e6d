package dev.jdgram.handle;

/**
 * The poll phase of one loop: waits for I/O readiness and runs the ready handles' callbacks
 * (libuv's {@code uv__io_poll}). Each transport brings its own; the loop core is shared.
 */
public interface Poller extends AutoCloseable {
  /**
   * Waits up to {@code timeoutMillis} (0: do not wait, negative: no limit) for readiness and
   * dispatches what is ready. Returns early when {@link #wakeup()} is called.
   *
   * @return how many handles were dispatched (0 after a timeout or a wake-up)
   */
  int poll(long timeoutMillis);

  /**
   * On the loop thread: true while the poller holds callbacks for its next poll (handles being
   * closed), which keep the loop alive as libuv's closing handles do.
   */
  default boolean hasPendingCallbacks() {
    return false;
  }

  /**
   * The loop's clock, in milliseconds: the monotonic system clock, except for a transport that
   * keeps virtual time (a simulated network), whose poll advances it.
   */
  default long nowMillis() {
    return System.nanoTime() / 1_000_000L;
  }

  /** From any thread: makes a poll that is waiting, or the next one, return at once. */
  void wakeup();

  /** Releases the poller's descriptors. */
  @Override
  void close();
}
