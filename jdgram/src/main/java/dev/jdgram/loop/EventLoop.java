package dev.jdgram.loop;

import dev.jdgram.DgramException;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.TransportProvider;
import dev.jdgram.observe.LoopEvents;
import dev.jdgram.observe.SlowCallbackEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The libuv analog: one thread, its timers, immediates, tasks handed in from other threads, and
 * a poller that waits for I/O on the handles that live on it.
 *
 * <p>An iteration runs the phases in libuv's order: due timers, tasks and next-ticks, the poll
 * phase (waiting at most until the nearest timer, or not at all when there is work queued), tasks
 * and next-ticks again, then immediates. The loop is <em>alive</em> while it has a referenced
 * active handle (a bound socket that is not {@code unref()}ed), a referenced timer, a request
 * under way (a look-up or a send), or queued work; {@link #run()} returns when it no longer is.
 *
 * <p>{@link #getDefault()} is shared and runs on its own daemon thread; while it is alive, it
 * keeps the JVM alive after {@code main} returns (as a Node process stays up while its loop
 * does), and when its last referenced handle closes or is unreferenced the JVM may exit. A loop
 * started with {@link #start()} behaves the same way until {@link #close()}.
 *
 * <p>A callback that throws goes to the loop's uncaught-exception handler (by default: the stack
 * trace on standard error) and the loop carries on.
 */
public final class EventLoop {
  static {
    LoopContext.Access.install(loop -> ((EventLoop) loop).context, EventLoop::new);
  }

  private static final int OPEN = 0;
  private static final int CLOSING = 1;
  private static final int CLOSED = 2;
  /** At most this many cross-thread tasks per drain, so I/O is not starved by a flood. */
  private static final int TASK_BATCH = 1024;
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Object DEFAULT_LOCK = new Object();
  private static EventLoop defaultLoop;

  private final int id = IDS.incrementAndGet();
  private final Transport transport;
  private final Poller poller;
  private final Context context = new Context();
  private final TimerHeap timers = new TimerHeap();
  private final ArrayDeque<Runnable> ticks = new ArrayDeque<>();
  private final ArrayDeque<Runnable> immediates = new ArrayDeque<>();
  private final ArrayDeque<Runnable> phaseEnd = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedTasks = new AtomicInteger();
  private final AtomicInteger activeReqs = new AtomicInteger();
  private final Set<AutoCloseable> handles = ConcurrentHashMap.newKeySet();
  private final KeepAlive keepAlive;
  private int refHandles; // loop thread
  private int refTimers; // loop thread
  private boolean stopRequested; // loop thread
  private ByteBuffer recvBuffer; // loop thread
  /** The phase running now, named for the slow-callback event (dev.jdgram.SlowCallback). */
  private String phase = "timers"; // loop thread
  private volatile Thread owner;
  private volatile Thread thread; // set by start()
  private volatile int state = OPEN;
  private volatile Thread.UncaughtExceptionHandler uncaughtHandler;

  private EventLoop(Transport transport) {
    this.transport = transport;
    this.poller = transport.newPoller();
    this.keepAlive = new KeepAlive("jdgram-keepalive-" + id);
    System.Logger log = System.getLogger("dev.jdgram");
    if (log.isLoggable(System.Logger.Level.DEBUG)) {
      log.log(System.Logger.Level.DEBUG, "event loop {0} created on transport {1}", id, transport.name());
    }
  }

  /**
   * The shared default loop, started on its own thread on first use.
   *
   * @return the default loop
   */
  public static EventLoop getDefault() {
    synchronized (DEFAULT_LOCK) {
      if (defaultLoop == null || defaultLoop.state != OPEN) {
        EventLoop loop = create();
        loop.startThread("jdgram-default-loop");
        defaultLoop = loop;
      }
      return defaultLoop;
    }
  }

  /**
   * A new loop, not running, on the transport that the system property
   * {@code jdgram.transport} names ({@code nio} by default).
   *
   * @return the new loop
   * @throws DgramException {@code ERR_INVALID_ARG_VALUE} for an unknown transport
   */
  public static EventLoop create() {
    Transport transport;
    try {
      transport = TransportProvider.fromSystemProperty();
    } catch (IllegalArgumentException e) {
      throw new DgramException("ERR_INVALID_ARG_VALUE", e.getMessage());
    }
    return new EventLoop(transport);
  }

  /**
   * Runs the loop on the calling thread until it is no longer alive (libuv's
   * {@code UV_RUN_DEFAULT}), {@link #stop()} is called, or it is closed.
   *
   * @throws DgramException {@code ERR_INVALID_STATE} if the loop runs on another thread or is
   *     closed
   */
  public void run() {
    enter();
    try {
      while (state == OPEN && !stopRequested && alive()) {
        iterate(false, false);
      }
    } finally {
      leave();
    }
  }

  /**
   * One iteration, waiting for I/O if there is nothing else to do (libuv's
   * {@code UV_RUN_ONCE}).
   *
   * @return true if the loop is still alive
   * @throws DgramException {@code ERR_INVALID_STATE} if the loop runs on another thread or is
   *     closed
   */
  public boolean runOnce() {
    enter();
    try {
      iterate(false, true);
      return alive();
    } finally {
      leave();
    }
  }

  /**
   * One iteration without waiting for I/O (libuv's {@code UV_RUN_NOWAIT}).
   *
   * @return true if the loop is still alive
   * @throws DgramException {@code ERR_INVALID_STATE} if the loop runs on another thread or is
   *     closed
   */
  public boolean runNoWait() {
    enter();
    try {
      iterate(true, false);
      return alive();
    } finally {
      leave();
    }
  }

  /**
   * Runs the loop on a new daemon thread until {@link #close()}. While the loop is alive, the
   * JVM stays alive (see the class comment).
   *
   * @return the loop's thread
   * @throws DgramException {@code ERR_INVALID_STATE} if the loop already runs or is closed
   */
  public Thread start() {
    return startThread("jdgram-loop-" + id);
  }

  /**
   * Asks {@link #run()} to return after the current iteration (libuv's {@code uv_stop}). A loop
   * started with {@link #start()} is not stopped by this; {@link #close()} it.
   */
  public void stop() {
    onLoop(() -> stopRequested = true);
  }

  /** @return true on the thread that is running this loop */
  public boolean inLoop() {
    return owner == Thread.currentThread();
  }

  /**
   * Runs {@code task} on the loop, from any thread; on the loop thread, after the current
   * callback returns. Tasks from one thread run in the order they were given.
   *
   * @param task what to run
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for a null task,
   *     {@code ERR_INVALID_STATE} once the loop is closed
   */
  public void execute(Runnable task) {
    if (task == null) {
      throw new DgramException("ERR_INVALID_ARG_TYPE", "The \"task\" argument must be a Runnable. Received null");
    }
    if (state == CLOSED) {
      throw closedError();
    }
    context.execute(task);
  }

  /**
   * Runs {@code task} once after {@code delayMillis} (at the earliest), like Node's
   * {@code setTimeout}. A negative delay counts as 0.
   *
   * @param task what to run
   * @param delayMillis the delay in milliseconds
   * @return the timer, referenced
   */
  public Timer setTimeout(Runnable task, long delayMillis) {
    return addTimer(task, clampDelay(delayMillis), 0);
  }

  /** Node's rule: a delay outside 1..2^31-1 ms becomes 1 ms (and no due time can overflow). */
  private static long clampDelay(long delay) {
    return delay > Integer.MAX_VALUE ? 1 : delay;
  }

  /**
   * Runs {@code task} every {@code periodMillis}, the first time after one period, like Node's
   * {@code setInterval}. A period below 1 counts as 1.
   *
   * @param task what to run
   * @param periodMillis the period in milliseconds
   * @return the timer, referenced
   */
  public Timer setInterval(Runnable task, long periodMillis) {
    long period = Math.max(1, clampDelay(periodMillis));
    return addTimer(task, period, period);
  }

  /**
   * Runs {@code task} in the check phase of the next iteration, after I/O, like Node's
   * {@code setImmediate}. Immediates keep the loop alive until they have run.
   *
   * @param task what to run
   */
  public void setImmediate(Runnable task) {
    if (task == null) {
      throw new DgramException("ERR_INVALID_ARG_TYPE", "The \"task\" argument must be a Runnable. Received null");
    }
    onLoop(() -> immediates.add(task));
  }

  /**
   * Sets where exceptions thrown by callbacks on this loop go; null restores the default, which
   * prints the stack trace on standard error. The loop carries on either way.
   *
   * @param handler the handler, called on the loop thread with the loop thread and the exception
   */
  public void setUncaughtExceptionHandler(Thread.UncaughtExceptionHandler handler) {
    this.uncaughtHandler = handler;
  }

  /** @return the name of the transport this loop's handles use ({@code nio}, ...) */
  public String transportName() {
    return transport.name();
  }

  /**
   * Closes every socket still open on this loop (their queued sends complete with an error,
   * their {@code close} events run), then releases the poller and ends the loop's thread.
   * Closing twice is harmless. On the loop thread the loop finishes closing when the current
   * callback returns.
   */
  public void close() {
    Thread runner;
    synchronized (this) {
      if (state != OPEN) {
        joinIfNeeded();
        return;
      }
      state = CLOSING;
      runner = owner;
      if (runner == null) {
        owner = Thread.currentThread(); // nobody runs the loop: close it here
      }
    }
    if (runner != null) {
      // The thread running the loop finishes closing after its current iteration.
      if (runner != Thread.currentThread()) {
        poller.wakeup();
        if (runner == thread) {
          joinIfNeeded();
        }
      }
      return;
    }
    try {
      finishClosing();
    } finally {
      owner = null;
    }
  }

  @Override
  public String toString() {
    return "EventLoop[" + id + ", " + transport.name() + (thread != null ? ", " + thread.getName() : "") + "]";
  }

  // ---------------------------------------------------------------- internals

  private Thread startThread(String name) {
    synchronized (this) {
      if (state != OPEN) {
        throw closedError();
      }
      if (thread != null || owner != null) {
        throw new DgramException("ERR_INVALID_STATE", "The loop is already running");
      }
      Thread t = Thread.ofPlatform().daemon(true).name(name).unstarted(this::runForever);
      thread = t;
      owner = t;
      t.start();
      return t;
    }
  }

  private void runForever() {
    try {
      while (state == OPEN) {
        iterate(false, false);
        boolean alive = alive();
        if (alive != keepAlive.wanted()) {
          if (alive) {
            keepAlive.hold();
          } else {
            keepAlive.release(this::alive);
          }
        }
      }
    } finally {
      finishClosing();
    }
  }

  /** On the loop's thread, once the loop is CLOSING: close what is open, run what that queued. */
  private void finishClosing() {
    try {
      for (int i = 0; i < 100 && (!handles.isEmpty() || hasQueuedWork()); i++) {
        closeHandles();
        iterate(true, false);
      }
    } finally {
      finishClose();
    }
  }

  private void joinIfNeeded() {
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeHandles() {
    List<AutoCloseable> open = new ArrayList<>(handles);
    for (AutoCloseable h : open) {
      try {
        h.close();
      } catch (DgramException alreadyClosed) {
        // closed concurrently: nothing to do
      } catch (Exception e) {
        context.uncaught(e);
      }
    }
  }

  private void finishClose() {
    state = CLOSED;
    // Tasks handed in while closing that never ran: nothing will run them now.
    tasks.clear();
    queuedTasks.set(0);
    ticks.clear();
    immediates.clear();
    try {
      poller.close();
    } finally {
      keepAlive.release(null);
    }
  }

  private synchronized void enter() {
    if (state != OPEN) {
      throw closedError();
    }
    Thread current = Thread.currentThread();
    if (owner != null) {
      throw new DgramException("ERR_INVALID_STATE", owner == current
          ? "The loop cannot be run from inside one of its own callbacks"
          : "The loop is already running on thread " + owner.getName());
    }
    owner = current;
    stopRequested = false;
  }

  private void leave() {
    try {
      if (state == CLOSING) {
        finishClosing(); // close() was called while this thread ran the loop
      }
    } finally {
      owner = null;
    }
  }

  private static DgramException closedError() {
    return new DgramException("ERR_INVALID_STATE", "The event loop is closed");
  }

  private boolean hasQueuedWork() {
    return !ticks.isEmpty() || queuedTasks.get() > 0 || !immediates.isEmpty() || !phaseEnd.isEmpty()
        || poller.hasPendingCallbacks();
  }

  /** libuv's {@code uv__loop_alive}, plus the work handed in from other threads. */
  boolean alive() {
    return refHandles > 0 || refTimers > 0 || activeReqs.get() > 0 || hasQueuedWork();
  }

  private void iterate(boolean noWait, boolean once) {
    runTimers();
    drain();
    runPhaseEnd();
    long timeout;
    // libuv's uv__backend_timeout: do not block when nothing keeps the loop alive, except on a
    // started loop's own thread, which waits for work until close().
    boolean idle = Thread.currentThread() != thread && !alive();
    if (noWait || idle || hasQueuedWork() || stopRequested || state != OPEN) {
      timeout = 0;
    } else {
      Timer next = timers.peek();
      timeout = next == null ? -1 : Math.max(0, next.due - nowMillis());
    }
    if (timeout != 0 && Thread.currentThread() == thread && !alive()) {
      // A started loop about to wait with nothing alive (its last timer just fired): let the
      // JVM go now, not after the wait.
      keepAlive.release(this::alive);
    }
    try {
      // the deadline is taken before the first poll: on a virtual clock the poll moves time
      long deadline = timeout < 0 ? Long.MAX_VALUE : nowMillis() + timeout;
      phase = "poll"; // (its I/O callbacks are timed by the socket layer, apart from the wait)
      int dispatched = poller.poll(timeout);
      if (once) {
        // UV_RUN_ONCE waits for real work: a wake-up left over from a task already drained
        // ends a poll with nothing dispatched, so poll again for the time that is left.
        while (dispatched == 0 && timeout != 0 && !hasQueuedWork() && !stopRequested && state == OPEN) {
          long left = deadline == Long.MAX_VALUE ? -1 : deadline - nowMillis();
          if (left == 0 || left < -1) {
            break;
          }
          dispatched = poller.poll(left);
        }
      }
    } catch (RuntimeException e) {
      context.uncaught(e);
    }
    drain();
    runImmediates();
    runPhaseEnd();
    if (once) {
      runTimers();
      drain();
      runPhaseEnd();
    }
  }

  /**
   * Runs what handles deferred to the end of the phase (a transport flushing the sends that the
   * phase's callbacks made, in one system call), then the completions that queued.
   */
  private void runPhaseEnd() {
    phase = "phase-end";
    Runnable r;
    while ((r = phaseEnd.poll()) != null) {
      invoke(r);
      drainTicks();
    }
  }

  private long nowMillis() {
    return poller.nowMillis();
  }

  private void runTimers() {
    phase = "timers";
    long now = nowMillis();
    Timer t;
    while ((t = timers.peek()) != null && t.due <= now) {
      timers.remove(t);
      if (t.refed) {
        refTimers--;
      }
      if (t.cancelled) {
        continue;
      }
      if (t.period > 0) {
        t.due = Math.max(now, nowMillis()) + t.period;
        insertTimer(t);
      } else {
        t.cancelled = true; // a fired one-shot timer is no longer active
      }
      invoke(t.task);
      drainTicks();
    }
  }

  private void runImmediates() {
    phase = "check";
    int n = immediates.size(); // those queued during this phase run next iteration
    for (int i = 0; i < n; i++) {
      Runnable r = immediates.poll();
      invoke(r);
      drainTicks();
    }
  }

  private void drain() {
    phase = "pending";
    drainTicks();
    for (int i = 0; i < TASK_BATCH; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        break;
      }
      invoke(r);
      queuedTasks.decrementAndGet();
      drainTicks();
    }
  }

  private void drainTicks() {
    Runnable r;
    while ((r = ticks.poll()) != null) {
      invoke(r);
    }
  }

  private void invoke(Runnable r) {
    SlowCallbackEvent slow = LoopEvents.callbackBegin(); // null unless recorded: no clock, no allocation
    try {
      r.run();
    } catch (Throwable e) {
      context.uncaught(e);
    }
    if (slow != null) { // the arguments cost a thread-name look-up per callback: only when recorded
      LoopEvents.callbackEnd(slow, phase, r.getClass(), threadName());
    }
  }

  private String threadName() {
    Thread t = thread != null ? thread : owner;
    return t != null ? t.getName() : "loop-" + id;
  }

  /** Runs {@code action} on the loop: now if on the loop thread, else as a task. */
  void onLoop(Runnable action) {
    if (inLoop()) {
      action.run();
    } else if (state != CLOSED) {
      context.execute(action);
    }
  }

  private Timer addTimer(Runnable task, long delay, long period) {
    if (task == null) {
      throw new DgramException("ERR_INVALID_ARG_TYPE", "The \"task\" argument must be a Runnable. Received null");
    }
    Timer t = new Timer(this, task, Math.max(0, delay), period);
    onLoop(() -> {
      if (!t.cancelled) {
        t.due = nowMillis() + t.delay;
        insertTimer(t);
      }
    });
    return t;
  }

  private void insertTimer(Timer t) {
    timers.add(t);
    if (t.refed) {
      refTimers++;
    }
  }

  void removeTimer(Timer t) {
    if (timers.remove(t) && t.refed) {
      refTimers--;
    }
  }

  void setTimerRef(Timer t, boolean ref) {
    if (t.refed == ref) {
      return;
    }
    t.refed = ref;
    if (t.heapIndex >= 0) {
      refTimers += ref ? 1 : -1;
    }
  }

  /** The loop's face towards the socket layer and the transports. */
  private final class Context implements LoopContext {
    @Override
    public Transport transport() {
      return transport;
    }

    @Override
    public Poller poller() {
      return poller;
    }

    @Override
    public boolean inLoop() {
      return EventLoop.this.inLoop();
    }

    @Override
    public void execute(Runnable task) {
      if (inLoop()) {
        ticks.add(task);
        return;
      }
      queuedTasks.incrementAndGet();
      if (thread != null) {
        keepAlive.hold();
      }
      tasks.add(task);
      poller.wakeup();
    }

    @Override
    public void nextTick(Runnable task) {
      ticks.add(task);
    }

    @Override
    public void atPhaseEnd(Runnable task) {
      phaseEnd.add(task);
    }

    @Override
    public boolean moreTasksQueued() {
      return queuedTasks.get() > 1; // the task that is running still counts itself
    }

    @Override
    public void refHandle() {
      refHandles++;
    }

    @Override
    public void unrefHandle() {
      refHandles--;
    }

    @Override
    public void reqStart() {
      activeReqs.incrementAndGet();
      if (thread != null && !inLoop()) {
        keepAlive.hold();
      }
    }

    @Override
    public void reqDone() {
      if (activeReqs.decrementAndGet() == 0 && thread != null && !inLoop()) {
        poller.wakeup(); // let the loop re-evaluate whether it is alive
      }
    }

    @Override
    public ByteBuffer recvBuffer() {
      if (recvBuffer == null) {
        recvBuffer = ByteBuffer.allocateDirect(64 * 1024);
      }
      return recvBuffer;
    }

    @Override
    public void track(AutoCloseable owner) {
      handles.add(owner);
    }

    @Override
    public void untrack(AutoCloseable owner) {
      handles.remove(owner);
    }

    @Override
    public boolean isOpen() {
      return state == OPEN;
    }

    @Override
    public void uncaught(Throwable error) {
      Thread.UncaughtExceptionHandler h = uncaughtHandler;
      try {
        if (h != null) {
          h.uncaughtException(Thread.currentThread(), error);
          return;
        }
      } catch (Throwable inHandler) {
        error.addSuppressed(inHandler);
      }
      System.err.println("jdgram: uncaught exception in a callback on " + EventLoop.this);
      error.printStackTrace();
    }
  }
}
