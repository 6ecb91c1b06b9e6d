package dev.jdgram.examples.statsd;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.loop.Timer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A StatsD server: receives metrics over UDP (8125 is the usual port), aggregates them, and
 * every interval hands the aggregate to a listener (which would write it to Graphite, a
 * database, a log).
 *
 * <p>A datagram holds one or more lines, {@code name:value|type[|@rate][|#tags]}: counters
 * ({@code c}), gauges ({@code g}, a leading {@code +} or {@code -} adds to the gauge instead of
 * setting it), timers ({@code ms}, and the histogram {@code h} and distribution {@code d} of
 * DogStatsD, treated alike) and sets ({@code s}). Tags are accepted and not used: metrics are
 * aggregated by name.
 *
 * <p>Every field below is touched on the socket's loop thread only (the message listener and
 * the interval timer both run there), so nothing is locked.
 *
 * <pre>
 * java dev.jdgram.examples.statsd.StatsdAggregator 8125 10000
 * echo "jobs.done:1|c" | socat -u - UDP4-SENDTO:127.0.0.1:8125
 * </pre>
 */
public final class StatsdAggregator implements AutoCloseable {
  private final DgramSocket socket;
  private final long intervalMillis;
  private final Consumer<StatsdFlush> onFlush;
  private Timer timer;

  private final Map<String, Double> counters = new HashMap<>();
  private final Map<String, Double> gauges = new HashMap<>();
  private final Map<String, Samples> timers = new HashMap<>();
  private final Map<String, Set<String>> sets = new HashMap<>();
  private long badLines;
  /** Valid lines since start; read from other threads, so volatile (written on the loop only). */
  private volatile long lines;

  /**
   * @param intervalMillis how often to flush
   * @param onFlush called on the loop thread with each interval's aggregate
   */
  public StatsdAggregator(long intervalMillis, Consumer<StatsdFlush> onFlush) {
    if (intervalMillis <= 0) {
      throw new IllegalArgumentException("intervalMillis must be positive: " + intervalMillis);
    }
    this.intervalMillis = intervalMillis;
    this.onFlush = onFlush;
    this.socket = Dgram.createSocket("udp4", (msg, rinfo) -> receive(msg));
  }

  /**
   * Binds and starts the flush timer.
   *
   * @param port the UDP port, 0 for any
   * @param address the local address, or null for all
   * @return the bound address, once listening
   */
  public CompletableFuture<AddressInfo> listen(int port, String address) {
    CompletableFuture<AddressInfo> bound = new CompletableFuture<>();
    socket.onError(bound::completeExceptionally);
    socket.bind(port, address, () -> {
      timer = socket.loop().setInterval(this::flush, intervalMillis);
      bound.complete(socket.address());
    });
    return bound;
  }

  /** @return valid metric lines received since start (any thread) */
  public long linesReceived() {
    return lines;
  }

  /** Stops the timer and closes the socket; what was not flushed yet is dropped. */
  @Override
  public void close() {
    socket.loop().execute(() -> {
      if (timer != null) {
        timer.cancel();
      }
    });
    socket.close();
  }

  private void receive(byte[] datagram) {
    for (String line : new String(datagram, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (add(line.strip())) {
        lines++;
      } else {
        badLines++;
      }
    }
  }

  /** @return false when the line is not a metric */
  private boolean add(String line) {
    int colon = line.indexOf(':');
    int bar = line.indexOf('|', colon + 1);
    if (colon <= 0 || bar < 0) {
      return false;
    }
    String name = line.substring(0, colon);
    String value = line.substring(colon + 1, bar);
    String[] fields = line.substring(bar + 1).split("\\|");
    String type = fields[0];
    double rate = 1;
    for (int i = 1; i < fields.length; i++) {
      if (fields[i].startsWith("@")) {
        try {
          rate = Double.parseDouble(fields[i].substring(1));
        } catch (NumberFormatException e) {
          return false;
        }
        if (!(rate > 0 && rate <= 1)) {
          return false;
        }
      }
    }
    if (type.equals("s")) {
      sets.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(value);
      return true;
    }
    double v;
    try {
      v = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return false;
    }
    switch (type) {
      case "c" -> counters.merge(name, v / rate, Double::sum);
      case "g" -> {
        boolean delta = value.startsWith("+") || value.startsWith("-");
        gauges.merge(name, v, delta ? Double::sum : (old, now) -> now);
      }
      case "ms", "h", "d" -> timers.computeIfAbsent(name, k -> new Samples()).add(v, rate);
      default -> {
        return false;
      }
    }
    return true;
  }

  private void flush() {
    Map<String, TimerStats> stats = new TreeMap<>();
    timers.forEach((name, s) -> stats.put(name, s.stats()));
    Map<String, Set<String>> members = new TreeMap<>();
    sets.forEach((name, m) -> members.put(name, Set.copyOf(m)));
    StatsdFlush f = new StatsdFlush(System.currentTimeMillis(), intervalMillis,
        new TreeMap<>(counters), new TreeMap<>(gauges), stats, members, badLines);
    counters.clear();
    timers.clear();
    sets.clear();
    badLines = 0;
    onFlush.accept(f);
  }

  /** One timer's samples in the current interval. */
  private static final class Samples {
    private double[] values = new double[16];
    private int n;
    private double count;
    private double sum;

    void add(double v, double rate) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = v;
      count += 1 / rate;
      sum += v / rate;
    }

    TimerStats stats() {
      return TimerStats.of(values, n, count, sum);
    }
  }

  /**
   * Prints each flush, one line per metric.
   *
   * @param args the port (default 8125) and the flush interval in ms (default 10000)
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8125;
    long interval = args.length > 1 ? Long.parseLong(args[1]) : 10_000;
    StatsdAggregator aggregator = new StatsdAggregator(interval, f -> {
      f.counters().forEach((k, v) -> System.out.printf("%s counter %s (%.2f/s)%n", k, v,
          f.perSecond(k)));
      f.gauges().forEach((k, v) -> System.out.printf("%s gauge %s%n", k, v));
      f.timers().forEach((k, t) -> System.out.printf(
          "%s timer count %.0f min %s max %s mean %.2f median %s p90 %s%n", k, t.count(),
          t.min(), t.max(), t.mean(), t.median(), t.p90()));
      f.sets().forEach((k, m) -> System.out.printf("%s set %d distinct%n", k, m.size()));
    });
    AddressInfo bound = aggregator.listen(port, "127.0.0.1").join();
    System.err.println("statsd on " + bound.address() + ":" + bound.port() + ", flushing every "
        + interval + " ms");
  }
}
