// SPDX-License-Identifier: Apache-2.0
package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Percentiles of round-trip times, to the histogram's 0.1%. */
class LatenciesTest {
  private static void near(long expected, long actual) {
    assertTrue(Math.abs(actual - expected) <= expected / 1000 + 1,
        () -> "expected " + expected + " within 0.1%, got " + actual);
  }

  @Test
  void emptyHasDashes() {
    Latencies l = new Latencies();
    assertEquals(0, l.count());
    assertEquals(-1, l.percentile(50));
    assertEquals("rtt min/p50/p99/p99.9/max = -/-/-/-/- ms", l.summary());
  }

  @Test
  void percentilesOfOneToTenThousandMicroseconds() {
    Latencies l = new Latencies();
    // 10,000 round trips of 1 µs .. 10 ms, in a scrambled order
    for (int i = 0; i < 10_000; i++) {
      long micros = (i * 7_919L) % 10_000 + 1;
      l.add(micros * 1_000);
    }
    assertEquals(10_000, l.count());
    near(1_000, l.min());
    near(5_000_000, l.percentile(50));
    near(9_900_000, l.percentile(99));
    near(9_990_000, l.percentile(99.9));
    near(10_000_000, l.max());
  }

  @Test
  void oneStalledRoundTripShowsInTheMaxAndTheTail() {
    Latencies l = new Latencies();
    for (int i = 0; i < 999; i++) {
      l.add(50_000); // 50 µs
    }
    l.add(3_000_000_000L); // a 3 s stall: the histogram resizes, nothing is clipped
    near(50_000, l.percentile(99));
    near(3_000_000_000L, l.percentile(99.95));
    near(3_000_000_000L, l.max());
    assertTrue(l.summary().matches(
        "rtt min/p50/p99/p99\\.9/max = 0\\.05\\d/0\\.05\\d/0\\.05\\d/[0-9.]+/300[0-9]\\.\\d{3} ms"),
        l.summary());
  }
}
