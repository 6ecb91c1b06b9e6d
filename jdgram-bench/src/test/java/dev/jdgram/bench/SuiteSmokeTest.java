package dev.jdgram.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CI smoke run of the benchmark suite: its quick mode on a tiny count, on jdgram only (and
 * the C programs when gcc is there), multicast-fanout with 2 members. It checks that the suite
 * completes and prints its table; it never checks a speed (benchmarks are figures, not tests).
 */
class SuiteSmokeTest {
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void quickModeCompletesAndPrintsATable() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream tee = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        captured.write(b);
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        captured.write(b, off, len);
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    int rc;
    System.setOut(tee);
    try {
      Suite suite = new Suite();
      suite.parse(new String[] {"--quick", "--runs", "1", "--systems", "jdgram,c", "--workloads",
          "rx-64,tx-64,pingpong,multicast-fanout", "--members", "2", "--warmup", "100", "--window", "200", "--ping", "200",
          "--no-docs"});
      suite.pingWarm = 50;
      rc = suite.runAll();
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc);
    assertTrue(out.contains("Medians ("), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("workload") && l.contains("jdgram linux")), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("pingpong p50 us")), out);
    if (out.contains("multicast-fanout c ")) { // the C multicast sender needs gcc
      assertTrue(out.lines().anyMatch(l -> l.startsWith("multicast-fanout deliveries/s")), out);
    }
    assertTrue(out.contains("Ratios jdgram/peer"), out);
  }
}
