package dev.jdgram.examples.statsd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jdgram.examples.Tools;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The parts of the line format hot-shots does not send by default: sample rates, deltas, junk. */
@Timeout(60)
class StatsdLinesTest {
  @Test
  void sampleRatesGaugeDeltasAndBadLines() throws Exception {
    BlockingQueue<StatsdFlush> flushes = new LinkedBlockingQueue<>();
    try (StatsdAggregator aggregator = new StatsdAggregator(100, flushes::add);
        DatagramChannel client = DatagramChannel.open()) {
      int port = aggregator.listen(0, "127.0.0.1").orTimeout(Tools.WAIT_SECONDS,
          TimeUnit.SECONDS).join().port();
      String lines = "hits:1|c|@0.25\nlevel:10|g\nlevel:+5|g\nlevel:-3|g\nrt:40|ms|@0.5\n"
          + "junk\nnot:a|number\n";
      client.send(ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8)),
          new InetSocketAddress("127.0.0.1", port));
      StatsdFlush f;
      do {
        f = flushes.poll(Tools.WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(f, "no flush with the datagram's lines");
      } while (f.badLines() == 0);
      assertEquals(4.0, f.counters().get("hits"));
      assertEquals(12.0, f.gauges().get("level"));
      assertEquals(2.0, f.timers().get("rt").count());
      assertEquals(40.0, f.timers().get("rt").mean());
      assertEquals(2, f.badLines());
    }
  }
}
