package dev.jdgram.transport.sim;

import dev.jdgram.handle.Poller;

/**
 * The poll phase of a simulated network's loop: keeps the virtual clock. A poll runs the
 * network events that are due; when none is, it advances the clock to the next event or the
 * timeout (whichever is first, and never past the limit a run helper set), instead of waiting.
 */
public final class SimPoller implements Poller {
  private final World w;

  SimPoller(World w) {
    this.w = w;
  }

  @Override
  public int poll(long timeoutMillis) {
    return w.poll(timeoutMillis);
  }

  @Override
  public boolean hasPendingCallbacks() {
    // at the run helper's time limit, tell the loop to stop waiting for more this iteration
    return w.atLimit() || w.hasDueWork();
  }

  @Override
  public long nowMillis() {
    return w.nowMicros() / 1000;
  }

  @Override
  public void wakeup() {
    w.wakeup();
  }

  @Override
  public void close() {}
}
