package dev.jdgram.handle;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * What the socket layer and the transports see of a loop, beyond its public API: the poller,
 * the next-tick queue, ref counting of handles and requests, the shared receive buffer and the
 * set of open handles. One per {@code dev.jdgram.loop.EventLoop}; obtained with {@link #of}.
 *
 * <p>This interface and its {@link Access} are the one door between the loop and the handle:
 * the loop implements it and registers itself here, and nothing in this package names the loop's
 * classes (the loop depends on this package, never the other way round), much as the JDK's public
 * classes reach their internals through {@code jdk.internal.access.SharedSecrets}.
 */
public interface LoopContext {
  /** @return the transport that made this loop's poller */
  Transport transport();

  /** @return this loop's poller (of the transport's own type) */
  Poller poller();

  /** @return true on the thread that is running the loop */
  boolean inLoop();

  /** From any thread: runs {@code task} on the loop, after the current callback returns. */
  void execute(Runnable task);

  /** On the loop thread: runs {@code task} after the current callback, before more I/O. */
  void nextTick(Runnable task);

  /**
   * On the loop thread: runs {@code task} once the current phase's callbacks and tasks are done,
   * before the loop waits for I/O. A transport uses it to flush, in one system call, the sends
   * that those callbacks made.
   */
  void atPhaseEnd(Runnable task);

  /** On the loop thread: true if more tasks from other threads wait behind the current one. */
  boolean moreTasksQueued();

  /** On the loop thread: an active, referenced handle starts keeping the loop alive. */
  void refHandle();

  /** On the loop thread: an active, referenced handle stops keeping the loop alive. */
  void unrefHandle();

  /** From any thread: a request (a look-up, a send) starts keeping the loop alive. */
  void reqStart();

  /** From any thread: that request has ended. */
  void reqDone();

  /**
   * On the loop thread: the loop's one receive buffer, 64 KiB, direct. Valid until the
   * callback that reads it returns (libuv's {@code onAlloc} with one slab per loop).
   */
  ByteBuffer recvBuffer();

  /** Remembers an open handle owner so that closing the loop closes it. */
  void track(AutoCloseable owner);

  /** Forgets a closed handle owner. */
  void untrack(AutoCloseable owner);

  /** @return false once the loop is closing or closed */
  boolean isOpen();

  /** Hands an exception thrown by a user callback to the loop's uncaught handler. */
  void uncaught(Throwable error);

  /** The door through which this package reaches a loop's context (set by EventLoop). */
  final class Access {
    private static final AtomicReference<Function<Object, LoopContext>> ACCESS =
        new AtomicReference<>();
    private static final AtomicReference<Function<Transport, Object>> FACTORY =
        new AtomicReference<>();

    private Access() {}

    /** Called once, by the loop class's static initializer. */
    public static void install(Function<Object, LoopContext> access, Function<Transport, Object> factory) {
      ACCESS.compareAndSet(null, access);
      FACTORY.compareAndSet(null, factory);
    }

    static LoopContext get(Object loop) {
      return ACCESS.get().apply(loop);
    }
  }

  /** @return the context of {@code loop}, an {@code EventLoop} */
  static LoopContext of(Object loop) {
    return Access.get(loop);
  }

  /**
   * A new loop, not running, on a given transport (a simulated network makes its loop so).
   * The caller has initialized the loop class (by naming it), which installs the factory.
   *
   * @return the loop, an {@code EventLoop}
   */
  static Object newLoop(Transport transport) {
    return Access.FACTORY.get().apply(transport);
  }
}
