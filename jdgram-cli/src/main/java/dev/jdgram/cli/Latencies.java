package dev.jdgram.cli;

import java.util.Arrays;

/** Round-trip times in nanoseconds, and their percentiles (nearest rank). Not thread-safe. */
final class Latencies {
  private long[] values = new long[1024];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int count() {
    return size;
  }

  /** @return the value at percentile {@code p} (0 to 100) in nanoseconds, or -1 when empty */
  long percentile(double p) {
    if (size == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
  }

  long min() {
    return percentile(0);
  }

  long max() {
    return percentile(100);
  }

  /** @return {@code 0.123} for 123 microseconds */
  static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format("%.3f", nanos / 1e6);
  }

  /** @return {@code min/p50/p99/max = 0.051/0.080/0.210/0.300 ms}, or a dash line when empty */
  String summary() {
    if (size == 0) {
      return "rtt min/p50/p99/max = -/-/-/- ms";
    }
    return "rtt min/p50/p99/max = " + millis(min()) + "/" + millis(percentile(50)) + "/"
        + millis(percentile(99)) + "/" + millis(max()) + " ms";
  }
}
