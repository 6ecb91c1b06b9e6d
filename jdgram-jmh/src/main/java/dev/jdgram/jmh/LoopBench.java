package dev.jdgram.jmh;

import dev.jdgram.loop.EventLoop;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The event loop's overhead per task, in ns per task. Each invocation hands the loop one
 * starter task and runs it on the benchmark thread with {@link EventLoop#run()} until the loop
 * has nothing left (no handles are open, so {@code run()} returns once the queues are empty);
 * the starter schedules {@link #TASKS} tasks that only count. What differs is how they are
 * scheduled:
 *
 * <ul>
 *   <li>{@code immediateChain}: each task schedules the next with {@code setImmediate}, so every
 *       task costs one whole loop iteration (timers, tasks, a poll that does not wait, check
 *       phase): the loop's per-iteration cost, with the poller's non-blocking poll.
 *   <li>{@code immediateBatch}: the starter schedules all tasks with {@code setImmediate} at
 *       once; they run in one check phase: the immediate queue's cost per task.
 *   <li>{@code executeOnLoop}: the starter calls {@code execute} on the loop thread (next-tick
 *       queue): the cost of a task handed from a callback.
 *   <li>{@code executeCrossThread}: the benchmark thread calls {@code execute} for every task
 *       before it runs the loop (the path of a task handed in from another thread: counter, a
 *       concurrent queue, a poller wake-up), then runs them.
 * </ul>
 *
 * <p>{@code transport} picks the loop's poller ({@code -Djdgram.transport}): {@code nio} (a
 * Selector) or {@code linux} (epoll through FFM).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class LoopBench {
  /** Tasks per invocation. */
  public static final int TASKS = 1000;

  @Param({"nio", "linux"})
  public String transport;

  EventLoop loop;
  long ran;
  int left;
  Runnable count;
  Runnable chain;

  @Setup(Level.Trial)
  public void setUp() {
    System.setProperty("jdgram.transport", transport);
    loop = EventLoop.create();
    count = () -> ran++;
    chain = new Runnable() {
      @Override
      public void run() {
        ran++;
        if (--left > 0) {
          loop.setImmediate(this);
        }
      }
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loop.close();
    if (ran == 0) {
      throw new IllegalStateException("no task ran");
    }
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public long immediateChain() {
    left = TASKS;
    loop.execute(() -> loop.setImmediate(chain));
    loop.run();
    return ran;
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public long immediateBatch() {
    loop.execute(() -> {
      for (int k = 0; k < TASKS; k++) {
        loop.setImmediate(count);
      }
    });
    loop.run();
    return ran;
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public long executeOnLoop() {
    loop.execute(() -> {
      for (int k = 0; k < TASKS; k++) {
        loop.execute(count);
      }
    });
    loop.run();
    return ran;
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public long executeCrossThread() {
    for (int k = 0; k < TASKS; k++) {
      loop.execute(count);
    }
    loop.run();
    return ran;
  }
}
