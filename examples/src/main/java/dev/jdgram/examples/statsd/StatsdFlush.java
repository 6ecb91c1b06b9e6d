package dev.jdgram.examples.statsd;

import java.util.Map;
import java.util.Set;

/**
 * One flush interval's aggregate, handed to the listener at the end of the interval. Counters,
 * timers and sets start again from nothing after each flush; gauges keep their last value, as
 * in Etsy's statsd.
 *
 * @param timeMillis when the interval ended (epoch milliseconds)
 * @param intervalMillis the interval's length
 * @param counters name to the sum of its increments (each divided by its sample rate)
 * @param gauges name to its current value
 * @param timers name to the interval's statistics (timers, histograms, distributions)
 * @param sets name to the distinct members seen in the interval
 * @param badLines lines in the interval that were not a valid metric
 */
public record StatsdFlush(long timeMillis, long intervalMillis, Map<String, Double> counters,
    Map<String, Double> gauges, Map<String, TimerStats> timers, Map<String, Set<String>> sets,
    long badLines) {

  /** @return the counter's rate per second over the interval */
  public double perSecond(String counter) {
    return counters.getOrDefault(counter, 0.0) * 1000.0 / intervalMillis;
  }
}
