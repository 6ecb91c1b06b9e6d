package dev.jdgram.interop;

import dev.jdgram.sim.SimNetwork;
import java.time.Duration;

/**
 * Runs a simulated network on a thread of its own, with virtual time kept close to real time
 * (a millisecond of virtual time, then a millisecond's sleep), so that blocking java.net clients
 * on other threads, whose timeouts are real time, can use its hosts: their calls wait for this
 * loop. Without the sleep, virtual time would race ahead and every server timer fire at once.
 */
final class SimDriver implements AutoCloseable {
  private final SimNetwork net;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  SimDriver(SimNetwork net) {
    this.net = net;
    this.thread = Thread.ofPlatform().name("sim-driver").daemon().start(this::drive);
  }

  private void drive() {
    try {
      while (running) {
        net.runFor(Duration.ofMillis(1));
        Thread.sleep(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** Stops driving; the network can then be closed from the calling thread. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
    if (failure != null) {
      throw new IllegalStateException("the simulated network's loop failed", failure);
    }
  }
}
