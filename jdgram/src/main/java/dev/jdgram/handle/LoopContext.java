package dev.jdgram.handle;

import dev.jdgram.loop.EventLoop;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * What the socket layer and the transports see of a loop, beyond its public API: the poller,
 * the next-tick queue, ref counting of handles and requests, the shared receive buffer and the
 * set of open handles. One per {@link EventLoop}; obtained with {@link #of(EventLoop)}.
 */
public interface LoopContext {
  /** @return the public loop this context belongs to */
  EventLoop loop();

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
    private static final AtomicReference<Function<EventLoop, LoopContext>> ACCESS =
        new AtomicReference<>();
    private static final AtomicReference<Function<Transport, EventLoop>> FACTORY =
        new AtomicReference<>();

    private Access() {}

    /** Called once, by {@link EventLoop}'s static initializer. */
    public static void install(Function<EventLoop, LoopContext> access, Function<Transport, EventLoop> factory) {
      ACCESS.compareAndSet(null, access);
      FACTORY.compareAndSet(null, factory);
    }

    static LoopContext get(EventLoop loop) {
      return ACCESS.get().apply(loop);
    }
  }

  /** @return the context of {@code loop} */
  static LoopContext of(EventLoop loop) {
    return Access.get(loop);
  }

  /**
   * A new loop, not running, on a given transport (a simulated network makes its loop so).
   *
   * @return the loop
   */
  static EventLoop newLoop(Transport transport) {
    try { // make sure EventLoop has run its static initializer, which installs the factory
      Class.forName(EventLoop.class.getName(), true, EventLoop.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    return Access.FACTORY.get().apply(transport);
  }
}
