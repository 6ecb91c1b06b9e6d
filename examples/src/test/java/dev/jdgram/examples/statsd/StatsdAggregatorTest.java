package dev.jdgram.examples.statsd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.examples.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StatsD aggregator fed by hot-shots, a StatsD client from npm, run by node on 127.0.0.1.
 * The client is found under {@code jdgram.npm.prefix} (.ci/run installs it there); when it is
 * absent the test installs it with npm, and skips only if that fails (no network).
 */
@Timeout(180)
class StatsdAggregatorTest {
  static final String HOT_SHOTS = "hot-shots@17.1.1";
  /** What the script below sends, in valid lines. */
  private static final int LINES = 15;

  @TempDir Path tmp;

  private static Path nodeModules() throws Exception {
    Tools.need("node", "nodejs");
    Path prefix = Path.of(System.getProperty("jdgram.npm.prefix", "target/npm"));
    Path modules = prefix.resolve("node_modules");
    if (!Files.isRegularFile(modules.resolve("hot-shots/package.json"))) {
      Tools.need("npm", "npm");
      Files.createDirectories(prefix);
      Tools.Result r = Tools.run(List.of("npm", "install", "--prefix", prefix.toString(),
          "--no-audit", "--no-fund", "--loglevel=error", HOT_SHOTS));
      assumeTrue(r.exit() == 0, "npm could not install " + HOT_SHOTS + " (offline?); skipping:\n"
          + r.output());
    }
    return modules;
  }

  @Test
  void aggregatesWhatHotShotsSends() throws Exception {
    Path modules = nodeModules();
    BlockingQueue<StatsdFlush> flushes = new LinkedBlockingQueue<>();
    try (StatsdAggregator aggregator = new StatsdAggregator(200, flushes::add)) {
      int port = aggregator.listen(0, "127.0.0.1").orTimeout(Tools.WAIT_SECONDS,
          TimeUnit.SECONDS).join().port();

      // hot-shots buffers lines and sends several per datagram (maxBufferSize), which is what
      // real clients do; close() sends what is left.
      Path script = tmp.resolve("send.js");
      Files.writeString(script, """
          const StatsD = require(process.argv[2]); // the hot-shots folder
          const c = new StatsD({ host: '127.0.0.1', port: %d, protocol: 'udp',
                                 maxBufferSize: 200, bufferFlushInterval: 20,
                                 errorHandler: e => { console.error(e); process.exit(1); } });
          c.increment('jobs.done');
          c.increment('jobs.done');
          c.increment('jobs.done', 6);
          c.decrement('queue.depth', 2);
          c.increment('requests', 1, ['env:test', 'region:lab']);
          c.gauge('temperature', 19);
          c.gauge('temperature', 21.5);
          c.timing('db.query', 120);
          c.timing('db.query', 80);
          c.timing('db.query', 100);
          c.histogram('payload.size', 512);
          c.set('users', 'ann');
          c.set('users', 'bob');
          c.set('users', 'ann');
          c.distribution('latency', 7);
          c.close(err => process.exit(err ? 1 : 0));
          """.formatted(port));
      Tools.Result r = Tools.run(List.of("node", script.toString(),
          modules.resolve("hot-shots").toString()));
      assertEquals(0, r.exit(), r.output());

      // Every line arrives (loopback does not lose them at this rate); then the totals over
      // however many flushes they straddled.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Tools.WAIT_SECONDS);
      while (aggregator.linesReceived() < LINES && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(LINES, aggregator.linesReceived());
      List<StatsdFlush> seen = new ArrayList<>();
      // Two more flushes after the last line: the one that holds it has then been delivered.
      for (int after = 0; after < 2; ) {
        StatsdFlush f = flushes.poll(Tools.WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(f != null, "no flush");
        seen.add(f);
        if (seen.stream().mapToDouble(x -> x.counters().getOrDefault("jobs.done", 0.0)).sum() >= 8) {
          after++;
        }
      }

      assertEquals(8.0, sum(seen, "jobs.done"));
      assertEquals(-2.0, sum(seen, "queue.depth"));
      assertEquals(1.0, sum(seen, "requests"));
      assertEquals(21.5, seen.getLast().gauges().get("temperature"));
      double count = 0;
      double min = Double.MAX_VALUE;
      double max = 0;
      double total = 0;
      Set<String> users = new HashSet<>();
      for (StatsdFlush f : seen) {
        TimerStats t = f.timers().get("db.query");
        if (t != null) {
          count += t.count();
          min = Math.min(min, t.min());
          max = Math.max(max, t.max());
          total += t.sum();
        }
        users.addAll(f.sets().getOrDefault("users", Set.of()));
        assertEquals(0, f.badLines());
      }
      assertEquals(3.0, count);
      assertEquals(80.0, min);
      assertEquals(120.0, max);
      assertEquals(300.0, total);
      assertEquals(Set.of("ann", "bob"), users);
      assertTrue(seen.stream().anyMatch(f -> f.timers().containsKey("payload.size")));
      assertTrue(seen.stream().anyMatch(f -> f.timers().containsKey("latency")));
      assertEquals(200, seen.getFirst().intervalMillis());
    }
  }

  private static double sum(List<StatsdFlush> flushes, String counter) {
    return flushes.stream().mapToDouble(f -> f.counters().getOrDefault(counter, 0.0)).sum();
  }
}
