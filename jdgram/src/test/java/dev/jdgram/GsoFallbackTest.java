package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.sim.Host;
import dev.jdgram.sim.Lan;
import dev.jdgram.sim.SimNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host whose kernel refuses segmented sends (UDP_SEGMENT answered with EIO, as Linux does on a
 * route whose device cannot segment): a batch still arrives whole and in order, its callback
 * sees no error, segmentation is off for that socket from then on, and a socket on a host that
 * segments keeps it.
 */
@Timeout(20)
class GsoFallbackTest {
  @Test
  void aRefusedSegmentedSendGoesOutUnsegmentedAndNothingIsLost() {
    try (SimNetwork net = SimNetwork.create(7)) {
      Lan lan = net.lan("lan0");
      Host a = net.host("a");
      a.nic("eth0", lan, "10.0.0.1/24");
      a.segmentationOffload(false);
      Host b = net.host("b");
      b.nic("eth0", lan, "10.0.0.2/24");
      Host c = net.host("c");
      c.nic("eth0", lan, "10.0.0.3/24");

      List<String> got = new ArrayList<>();
      DgramSocket rx = b.socket("udp4", (msg, r) -> got.add(new String(msg, StandardCharsets.UTF_8) + "@" + r.address()));
      rx.bind(5000);

      DgramSocket refused = a.socket("udp4");
      refused.bind(0);
      DgramSocket segments = c.socket("udp4");
      segments.bind(0);
      net.runFor(Duration.ofMillis(10));

      List<String> results = new ArrayList<>();
      try (DatagramBatch first = batchOf("a", 8); DatagramBatch second = batchOf("b", 4); DatagramBatch third = batchOf("c", 4)) {
        refused.send(first, 5000, "10.0.0.2", (err, n) -> results.add(err == null ? "sent " + n : err.code()));
        net.runFor(Duration.ofMillis(50));
        refused.send(second, 5000, "10.0.0.2", (err, n) -> results.add(err == null ? "sent " + n : err.code()));
        segments.send(third, 5000, "10.0.0.2", (err, n) -> results.add(err == null ? "sent " + n : err.code()));
        net.runFor(Duration.ofMillis(50));
      }

      assertEquals(List.of("sent 8", "sent 4", "sent 4"), results);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        expected.add("a" + i + "@10.0.0.1");
      }
      for (int i = 0; i < 4; i++) {
        expected.add("b" + i + "@10.0.0.1");
      }
      for (int i = 0; i < 4; i++) {
        expected.add("c" + i + "@10.0.0.3");
      }
      assertEquals(expected, got, net.trace().toString());
      assertEquals(1, refused.handle().gsoFallbacks(), "told once, then segmentation stays off for this socket");
      assertEquals(0, segments.handle().gsoFallbacks(), "another host's socket keeps segmenting");
      assertNull(findRefusal(net, "c"), "the segmenting host was never refused");
    }
  }

  /** A batch of {@code n} datagrams of one size ({@code prefix}0, {@code prefix}1, ...): segmentable. */
  private static DatagramBatch batchOf(String prefix, int n) {
    DatagramBatch b = new DatagramBatch(n, 64 * n);
    for (int i = 0; i < n; i++) {
      b.add(prefix + i);
    }
    return b;
  }

  private static String findRefusal(SimNetwork net, String node) {
    return net.trace().events().stream()
        .filter(e -> e.node().equals(node) && e.detail().contains("UDP_SEGMENT refused"))
        .map(Object::toString)
        .findFirst()
        .orElse(null);
  }
}
