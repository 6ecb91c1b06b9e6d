package dev.jdgram.transport.sim;

import dev.jdgram.handle.Poller;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The poll phase of one ordinary loop on the real-time simulated world
 * ({@code jdgram.transport=sim}): like {@code epoll_wait}, it sleeps until one of its own
 * handles is ready, the world has an event due (which this thread then runs, whoever it is
 * for), its timeout passes, or another thread wakes it. The clock is the system's.
 *
 * <p>All loops wait on the world's monitor, so that a delivery made by any thread (a send's
 * loopback, an event run by another loop) wakes the loop that owns the receiving handle.
 */
final class RealTimePoller implements Poller {
  private final World w;
  /** This loop's handles with work: a delivery to one of them wakes this poller. */
  final ReadySet ready;
  private boolean woken; // guarded by w

  RealTimePoller(World w) {
    this.w = w;
    this.ready = new ReadySet(w);
  }

  @Override
  public int poll(long timeoutMillis) {
    long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    List<KSocket> list;
    synchronized (w) {
      while (true) {
        w.runDueEvents();
        if (!ready.isEmpty()) {
          list = ready.drain();
          break;
        }
        if (woken) {
          woken = false;
          return 0;
        }
        long now = System.nanoTime();
        long next = w.nextEventNanoTime();
        if (next <= now) {
          continue; // an event fell due while the others ran (one they scheduled): run it now
        }
        if (timeoutMillis == 0 || deadline <= now) {
          return 0;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(w, Math.min(Math.min(deadline, next) - now, TimeUnit.DAYS.toNanos(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 0;
        }
      }
    }
    return World.dispatch(list); // outside the monitor: this runs the application's listeners
  }

  @Override
  public void wakeup() {
    synchronized (w) {
      woken = true;
      w.notifyAll();
    }
  }

  @Override
  public void close() {}
}
