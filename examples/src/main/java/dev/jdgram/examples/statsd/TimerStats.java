package dev.jdgram.examples.statsd;

import java.util.Arrays;

/**
 * What one flush interval's samples of a timer ({@code ms}), histogram ({@code h}) or
 * distribution ({@code d}) add up to.
 *
 * @param count samples, each weighted by 1/sample-rate as StatsD does
 * @param min the smallest sample
 * @param max the largest sample
 * @param sum the sum of the samples (weighted)
 * @param median the 50th percentile of the samples received
 * @param p90 the 90th percentile of the samples received (nearest rank)
 */
public record TimerStats(double count, double min, double max, double sum, double median,
    double p90) {

  /** @return sum divided by count */
  public double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /**
   * @param samples the values received (at least one)
   * @param n how many of {@code samples} are filled
   * @param weightedCount the count with sample rates applied
   * @param weightedSum the sum with sample rates applied
   */
  static TimerStats of(double[] samples, int n, double weightedCount, double weightedSum) {
    double[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    return new TimerStats(weightedCount, sorted[0], sorted[n - 1], weightedSum,
        rank(sorted, 0.5), rank(sorted, 0.9));
  }

  /** The nearest-rank percentile: the smallest sample with at least p of them at or below it. */
  private static double rank(double[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, i)];
  }
}
