package dev.jdgram.jmh;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.WriteQueue;
import dev.jdgram.loop.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The real transports' Java-side send machinery with the kernel replaced by a stub, in ns per
 * datagram: {@link WriteQueue} (libuv's write queue and completed queue, which the one UDP handle
 * keeps for every transport) driven on the loop thread of an {@link EventLoop} (nio poller; no socket), as a
 * handle's {@code send} drives it. Each invocation makes {@link #BATCH} send requests
 * ({@code new SendReq}: a 64-byte buffer, a destination, a completion that counts) and runs the
 * loop until their completions have run (one next-tick for all of them).
 *
 * <ul>
 *   <li>{@code kernelTakesIt}: the kernel took every datagram at once ({@code completeLater},
 *       completion on the next tick): the path of every send while the socket's send buffer has
 *       room.
 *   <li>{@code kernelFull}: the kernel had no room for any, so each is queued (and keeps the loop
 *       alive), then the queue is drained as a writable event would (dequeue, complete): the path
 *       of a send that waits for room in the kernel.
 * </ul>
 *
 * <p>Not covered here: {@code DgramSocket.send}'s argument checks and its hand-off to the handle
 * (see {@link SendPathBench}, which has them on the simulated transport), and the system call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class WriteQueueBench {
  /** Send requests per invocation. */
  public static final int BATCH = 64;

  EventLoop loop;
  WriteQueue queue;
  ByteBuffer payload = ByteBuffer.allocate(64);
  InetSocketAddress dest;
  long completed;
  SendReq.Completion completion = (req, status) -> completed++;
  Runnable takesIt;
  Runnable fullThenDrain;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    System.setProperty("jdgram.transport", "nio");
    loop = EventLoop.create();
    queue = new WriteQueue(LoopContext.of(loop));
    dest = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 41234);
    takesIt = () -> {
      for (int k = 0; k < BATCH; k++) {
        SendReq r = new SendReq(payload.duplicate(), dest, completion);
        queue.completeLater(r, r.size);
      }
    };
    fullThenDrain = () -> {
      for (int k = 0; k < BATCH; k++) {
        queue.enqueue(new SendReq(payload.duplicate(), dest, completion));
      }
      SendReq r;
      while ((r = queue.dequeue()) != null) {
        queue.completeLater(r, r.size);
      }
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loop.close();
    if (completed == 0) {
      throw new IllegalStateException("no send completed");
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long kernelTakesIt() {
    loop.execute(takesIt);
    loop.run();
    return completed;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long kernelFull() {
    loop.execute(fullThenDrain);
    loop.run();
    return completed;
  }
}
