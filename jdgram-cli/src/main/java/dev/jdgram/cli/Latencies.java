package dev.jdgram.cli;

import org.HdrHistogram.Histogram;

/**
 * Round-trip times in nanoseconds, and their percentiles, kept in an HdrHistogram: constant
 * memory however many round trips are recorded, and every figure within 0.1% of the true value
 * (three significant digits). Not thread-safe: callers synchronize on it.
 */
final class Latencies {
  /** Auto-resizing: no highest value to guess, a stalled round trip of seconds still fits. */
  private final Histogram histogram = new Histogram(3);

  void add(long nanos) {
    histogram.recordValue(Math.max(0, nanos));
  }

  long count() {
    return histogram.getTotalCount();
  }

  /** @return the value at percentile {@code p} (0 to 100) in nanoseconds, or -1 when empty */
  long percentile(double p) {
    return count() == 0 ? -1 : histogram.getValueAtPercentile(p);
  }

  /** @return the smallest value, or -1 when empty */
  long min() {
    return count() == 0 ? -1 : histogram.getMinValue();
  }

  /** @return the largest value (to the histogram's precision), or -1 when empty */
  long max() {
    return count() == 0 ? -1 : histogram.getMaxValue();
  }

  /** @return {@code 0.123} for 123 microseconds */
  static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format("%.3f", nanos / 1e6);
  }

  /**
   * @return {@code rtt min/p50/p99/p99.9/max = 0.051/0.080/0.210/0.290/0.300 ms}, or a dash line
   *     when empty
   */
  String summary() {
    if (count() == 0) {
      return "rtt min/p50/p99/p99.9/max = -/-/-/-/- ms";
    }
    return "rtt min/p50/p99/p99.9/max = " + millis(min()) + "/" + millis(percentile(50)) + "/"
        + millis(percentile(99)) + "/" + millis(percentile(99.9)) + "/" + millis(max()) + " ms";
  }
}
