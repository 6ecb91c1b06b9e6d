package dev.jdgram.examples.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The multicast feed on 127.0.0.1 with TTL 0: the publisher's GSO batches against the
 * subscriber's gap and drop accounting, at a modest rate that a busy machine sustains.
 */
@Timeout(120)
class FeedTest {
  @Test
  void modestRateArrivesWholeAndInOrder() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    // 5000 datagrams/s for 2 s, reports every 500 ms.
    int exit = FeedMain.run(lines::add, new FeedMain.Options(5000, 10_000, 64, 500));
    String text = String.join("\n", lines);
    assertEquals(0, exit, text);
    assertTrue(text.contains("feed: done: sent 10000, received 10000, gaps 0 (0 missing), "
        + "late 0, kernel drops "), text);
    assertTrue(text.contains("complete and in order"), text);
    // At least one periodic report line on the way, with its rate.
    assertTrue(text.lines().anyMatch(l -> l.matches("feed: received \\d+ \\(\\d+ msg/s\\), "
        + "gaps 0 \\(0 missing\\), late 0, kernel drops (\\d+|n/a), last seq \\d+")), text);
  }

  @Test
  void aSubscriberCountsTheGapsOfAFeedItJoinsLate() throws Exception {
    List<FeedReport> reports = new CopyOnWriteArrayList<>();
    try (FeedSubscriber first = new FeedSubscriber(FeedScope.loopback(0), 200, r -> { })) {
      int port = first.start().orTimeout(30, TimeUnit.SECONDS).join();
      FeedScope scope = FeedScope.loopback(port);
      // A second subscriber on the same group and port joins while the feed runs: it sees a
      // first sequence number above 0, which is a gap of that many.
      try (FeedPublisher publisher = new FeedPublisher(scope, 2000, 4000, 64)) {
        var sending = publisher.start();
        Thread.sleep(500);
        try (FeedSubscriber late = new FeedSubscriber(scope, 200, reports::add)) {
          late.start().orTimeout(30, TimeUnit.SECONDS).join();
          assertEquals(4000, sending.orTimeout(60, TimeUnit.SECONDS).join());
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (late.highestSequence() < 3999 && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          FeedReport r = late.reportNow().orTimeout(30, TimeUnit.SECONDS).join();
          assertEquals(1, r.gaps(), r.line());
          assertEquals(4000, r.received() + r.missing(), r.line());
          assertTrue(r.missing() > 0, r.line());
          assertEquals(3999, r.highestSequence(), r.line());
        }
      }
      FeedReport whole = first.reportNow().orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(4000, whole.received(), whole.line());
      assertEquals(0, whole.gaps(), whole.line());
    }
  }
}
