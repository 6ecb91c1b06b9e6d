package dev.jdgram.loop;

/**
 * Keeps the JVM alive while a started loop has referenced work, as Node's process stays alive
 * while its loop does. A loop's own thread is a daemon (an unreferenced socket must still be
 * served while the application runs, without holding the JVM); while the loop is alive, one
 * non-daemon thread waits here, and it ends when the loop stops being alive.
 */
final class KeepAlive {
  private final String name;
  private final Object lock = new Object();
  private volatile boolean wanted;
  private Thread keeper;

  KeepAlive(String name) {
    this.name = name;
  }

  boolean wanted() {
    return wanted;
  }

  /** From any thread that just gave the loop work: hold the JVM. */
  void hold() {
    if (wanted && keeper != null) {
      return;
    }
    synchronized (lock) {
      wanted = true;
      if (keeper == null) {
        keeper = Thread.ofPlatform().daemon(false).name(name).start(this::await);
      }
    }
  }

  /**
   * From the loop thread: release the JVM unless {@code stillAlive} (evaluated under the lock,
   * so work handed over concurrently by {@link #hold()} is never lost) says otherwise.
   */
  void release(java.util.function.BooleanSupplier stillAlive) {
    synchronized (lock) {
      if (stillAlive != null && stillAlive.getAsBoolean()) {
        return;
      }
      wanted = false;
      lock.notifyAll();
    }
  }

  private void await() {
    synchronized (lock) {
      try {
        while (wanted) {
          lock.wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        keeper = null;
      }
    }
  }
}
