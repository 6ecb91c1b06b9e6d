package dev.jdgram.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Counts datagrams on the I/O thread and measures a window from the main thread: the window
 * starts {@code warmup} after the first datagram and lasts {@code window}. The counter is a
 * plain field written with opaque stores (a plain {@code mov} on x86, no fence per datagram)
 * and read with opaque loads. Also reads the process's CPU time and, for the thread that
 * counted, the bytes it allocated in the window ({@code ThreadMXBean.getThreadAllocatedBytes}).
 */
final class Meter {
  private static final VarHandle COUNT;
  private static final VarHandle BYTES;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Meter.class, "count", long.class);
      BYTES = MethodHandles.lookup().findVarHandle(Meter.class, "bytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private long count;
  private long bytes;
  private volatile long ioThreadId;

  /** One datagram of {@code size} bytes; I/O thread only. */
  void add(int size) {
    if (count == 0 && ioThreadId == 0) {
      ioThreadId = Thread.currentThread().threadId();
    }
    COUNT.setOpaque(this, count + 1);
    BYTES.setOpaque(this, bytes + size);
  }

  /** {@code n} datagrams of {@code size} bytes each; I/O thread only. */
  void addMany(int n, int size) {
    if (count == 0 && ioThreadId == 0) {
      ioThreadId = Thread.currentThread().threadId();
    }
    COUNT.setOpaque(this, count + n);
    BYTES.setOpaque(this, bytes + (long) n * size);
  }

  long count() {
    return (long) COUNT.getOpaque(this);
  }

  /** Sets the thread whose allocations are measured, when it is not the one that counts. */
  void ioThread(long id) {
    ioThreadId = id;
  }

  private static long cpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  private long allocated() {
    long id = ioThreadId;
    var t = ManagementFactory.getThreadMXBean();
    if (id != 0 && t instanceof com.sun.management.ThreadMXBean sun) {
      return sun.getThreadAllocatedBytes(id);
    }
    return -1;
  }

  /**
   * Waits for the first datagram (at most {@code idleMs}), then the warm-up, then measures the
   * window; prints the RESULT line.
   *
   * @param afterFirst true: the warm-up counts from the first datagram; false: from now
   */
  void measure(long warmupMs, long windowMs, boolean afterFirst, long idleMs) throws InterruptedException {
    long deadline = System.nanoTime() + idleMs * 1_000_000L;
    if (afterFirst) {
      while (count() == 0) {
        if (System.nanoTime() > deadline) {
          System.out.println("RESULT count=0 bytes=0 secs=0 cpu=0 error=idle");
          System.out.flush();
          return;
        }
        Thread.sleep(1);
      }
    }
    Thread.sleep(warmupMs);
    long c0 = count(), b0 = (long) BYTES.getOpaque(this), a0 = allocated(), cpu0 = cpuNanos(), t0 = System.nanoTime();
    Thread.sleep(windowMs);
    long c1 = count(), b1 = (long) BYTES.getOpaque(this), a1 = allocated(), cpu1 = cpuNanos(), t1 = System.nanoTime();
    long n = c1 - c0;
    Peer.dumpFlightRecording();
    String alloc = a0 >= 0 && a1 >= 0 && n > 0 ? String.format(Locale.ROOT, " alloc=%.2f", (a1 - a0) / (double) n) : "";
    System.out.printf(Locale.ROOT, "RESULT count=%d bytes=%d secs=%.6f cpu=%.6f%s%n", n, b1 - b0, (t1 - t0) / 1e9,
        (cpu1 - cpu0) / 1e9, alloc);
    System.out.flush();
  }
}
