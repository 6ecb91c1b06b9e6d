package dev.jdgram.examples.feed;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a publisher and a subscriber of the feed in one process, on 127.0.0.1 with TTL 0, and
 * prints the subscriber's report every second and a summary at the end. Exit code 0 when every
 * datagram arrived in order, 1 otherwise.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.jdgram.examples.feed.FeedMain \
 *     --rate 50000 --count 250000 --size 64
 * </pre>
 */
public final class FeedMain {
  /** How long to wait, after the last send, for datagrams still on their way. */
  private static final long SETTLE_MILLIS = 2000;

  private FeedMain() {}

  /**
   * What to run.
   *
   * @param rate datagrams per second
   * @param count datagrams in all
   * @param size bytes per datagram
   * @param reportMillis how often the subscriber reports
   */
  public record Options(long rate, long count, int size, long reportMillis) {
    /** @return 10 000 datagrams/s for 3 s, 64 bytes each, a report a second */
    public static Options defaults() {
      return new Options(10_000, 30_000, 64, 1000);
    }

    static Options parse(String[] args) {
      Options o = defaults();
      for (int i = 0; i + 1 < args.length; i += 2) {
        long v = Long.parseLong(args[i + 1]);
        o = switch (args[i]) {
          case "--rate" -> new Options(v, o.count, o.size, o.reportMillis);
          case "--count" -> new Options(o.rate, v, o.size, o.reportMillis);
          case "--size" -> new Options(o.rate, o.count, (int) v, o.reportMillis);
          case "--report" -> new Options(o.rate, o.count, o.size, v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]
              + " (--rate N, --count N, --size BYTES, --report MILLIS)");
        };
      }
      return o;
    }
  }

  /**
   * Runs the feed to its end.
   *
   * @param out takes each report line (from the loop thread, and from the calling one)
   * @param o what to run
   * @return 0 when every datagram arrived in order, else 1
   */
  public static int run(Consumer<String> out, Options o) throws InterruptedException {
    FeedScope scope = FeedScope.loopback(0);
    try (FeedSubscriber subscriber = new FeedSubscriber(scope, o.reportMillis(),
        r -> out.accept(r.line()))) {
      int port = subscriber.start().orTimeout(10, TimeUnit.SECONDS).join();
      out.accept(String.format("feed: %d datagrams of %d bytes at %d/s to %s:%d via %s (TTL %d), "
          + "in batches of up to 64 (one GSO send each on linux)", o.count(), o.size(), o.rate(),
          scope.group(), port, scope.interfaceAddress(), scope.ttl()));
      long sent;
      try (FeedPublisher publisher = new FeedPublisher(scope.withPort(port), o.rate(),
          o.count(), o.size())) {
        // The pace sets the time; the margin is for a busy machine.
        long bound = o.count() * 1000 / o.rate() + 30_000;
        sent = publisher.start().orTimeout(bound, TimeUnit.MILLISECONDS).join();
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
      while (subscriber.highestSequence() < o.count() - 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      FeedReport end = subscriber.reportNow().orTimeout(10, TimeUnit.SECONDS).join();
      boolean whole = end.received() == o.count() && end.gaps() == 0 && end.late() == 0;
      out.accept(String.format("feed: done: sent %d, received %d, gaps %d (%d missing), late %d, "
          + "kernel drops %s: %s", sent, end.received(), end.gaps(), end.missing(), end.late(),
          end.kernelDrops() < 0 ? "n/a" : String.valueOf(end.kernelDrops()),
          whole ? "complete and in order" : "INCOMPLETE"));
      return whole ? 0 : 1;
    }
  }

  /**
   * @param args {@code --rate N --count N --size BYTES --report MILLIS}
   */
  public static void main(String[] args) throws InterruptedException {
    System.exit(run(System.out::println, Options.parse(args)));
  }
}
