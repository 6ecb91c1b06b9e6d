package dev.jdgram.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Not a benchmark run: every JMH benchmark of this module runs once, in this JVM (no fork), for
 * one 20 ms iteration without warm-up, to check that it runs and reports a figure. The figures
 * are thrown away (bin/jdgram-jmh measures).
 */
class BenchmarksRunTest {
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyBenchmarkRunsOnce() throws Exception {
    Options o = new OptionsBuilder()
        .include("dev\\.jdgram\\..*Bench\\..*")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(20))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(o).run();
    // LoopBench 4 x 2 transports, IpLiteralBench 8, SockAddrBench 6, SendPathBench 3, WriteQueueBench 2
    assertEquals(27, results.size(), "benchmarks run");
    for (RunResult r : results) {
      assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
    }
  }
}
