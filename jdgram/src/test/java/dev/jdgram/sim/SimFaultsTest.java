package dev.jdgram.sim;

import static dev.jdgram.sim.SimFixtures.MS10;
import static dev.jdgram.sim.SimFixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramSocket;
import dev.jdgram.sim.SimFixtures.Inbox;
import dev.jdgram.sim.SimFixtures.TwoHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each fault, and replay from a seed. */
@Timeout(20)
class SimFaultsTest {
  /** a sends n numbered datagrams to b:5000, after {@code setup}; returns what b got, in order. */
  static List<String> exchange(TwoHosts t, int n, int size, Consumer<TwoHosts> setup, Duration runFor) {
    DgramSocket rx = t.b.socket("udp4");
    Inbox in = new Inbox();
    in.attach(rx);
    rx.bind(5000);
    DgramSocket tx = t.a.socket("udp4");
    tx.bind(0);
    t.net.runFor(MS10);
    setup.accept(t);
    for (int i = 0; i < n; i++) {
      String s = Integer.toString(i);
      tx.send(size <= s.length() ? b(s) : (s + " ".repeat(size - s.length())).getBytes(), 5000, "10.0.0.2");
    }
    t.net.runFor(runFor);
    return in.texts().stream().map(String::trim).toList();
  }

  static List<String> numbers(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(Integer.toString(i));
    }
    return l;
  }

  @Test
  void lossDropsAboutThatShareAndSaysSo() {
    try (TwoHosts t = new TwoHosts(11)) {
      // 200 datagrams arrive in the same instant: they all fit the default receive buffer
      List<String> got = exchange(t, 200, 0, x -> x.a.nic("eth0").link().loss(0.25), Duration.ofMillis(50));
      int lost = 200 - got.size();
      assertTrue(lost > 25 && lost < 75, "lost " + lost);
      assertEquals(lost, t.net.trace().drops(Layer.LINK).size());
      assertTrue(t.net.trace().drops(Layer.LINK).get(0).detail().startsWith("loss"));
    }
  }

  @Test
  void delayAddsUpPerCableAndJitterReorders() {
    try (TwoHosts t = new TwoHosts(12)) {
      long[] at = new long[1];
      DgramSocket rx = t.b.socket("udp4");
      rx.onMessage((m, r) -> at[0] = t.net.nowMicros());
      rx.bind(5000);
      t.net.runFor(MS10);
      t.a.nic("eth0").link().delay(Duration.ofMillis(5));
      t.b.nic("eth0").link().delay(Duration.ofMillis(3));
      long start = t.net.nowMicros();
      t.a.socket("udp4").send(b("x"), 5000, "10.0.0.2");
      t.net.runFor(Duration.ofMillis(20));
      assertEquals(8000, at[0] - start);
    }
    try (TwoHosts t = new TwoHosts(13)) {
      List<String> got = exchange(t, 100, 0, x -> x.a.nic("eth0").link().jitter(Duration.ofMillis(10)), Duration.ofMillis(50));
      assertEquals(100, got.size());
      assertNotEquals(numbers(100), got, "jitter lets frames overtake");
      assertEquals(numbers(100), got.stream().sorted((p, q) -> Integer.parseInt(p) - Integer.parseInt(q)).toList());
    }
  }

  @Test
  void duplicationAndReordering() {
    try (TwoHosts t = new TwoHosts(14)) {
      List<String> got = exchange(t, 10, 0, x -> x.b.nic("eth0").link().duplicate(1.0), MS10);
      assertEquals(20, got.size());
      for (String n : numbers(10)) {
        assertEquals(2, got.stream().filter(n::equals).count());
      }
    }
    try (TwoHosts t = new TwoHosts(15)) {
      List<String> got = exchange(t, 50, 0, x -> x.a.nic("eth0").link().reorder(0.3, Duration.ofMillis(2)), MS10);
      assertEquals(50, got.size());
      assertNotEquals(numbers(50), got);
      assertTrue(t.net.trace().events().stream().anyMatch(e -> e.detail().startsWith("reordered")));
    }
  }

  @Test
  void rateLimitPacesFramesAndDropsWhenTheQueueIsFull() {
    try (TwoHosts t = new TwoHosts(16)) {
      List<Long> times = new ArrayList<>();
      DgramSocket rx = t.b.socket("udp4");
      rx.onMessage((m, r) -> times.add(t.net.nowMicros()));
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      tx.bind(0);
      t.net.runFor(MS10);
      t.a.nic("eth0").link().rateLimit(1_000_000);
      long start = t.net.nowMicros();
      for (int i = 0; i < 10; i++) {
        tx.send(new byte[1000], 5000, "10.0.0.2");
      }
      t.net.runFor(Duration.ofMillis(200));
      assertEquals(10, times.size());
      long perFrame = (1000 + 8 + 20 + 14 + 24) * 8; // bits at 1 Mbit/s: microseconds
      assertEquals(start + 10 * perFrame, times.get(9));
      t.a.nic("eth0").link().queueLimit(3);
      for (int i = 0; i < 10; i++) {
        tx.send(new byte[1000], 5000, "10.0.0.2");
      }
      t.net.runFor(Duration.ofMillis(200));
      assertEquals(13, times.size());
      assertEquals(7, t.net.trace().drops(Layer.LINK).size());
    }
  }

  @Test
  void aFullSendBufferQueuesSendsUntilFramesLeave() {
    try (TwoHosts t = new TwoHosts(17)) {
      Inbox in = new Inbox();
      DgramSocket rx = t.b.socket("udp4");
      in.attach(rx);
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      tx.bind(0);
      t.net.runFor(MS10);
      tx.setSendBufferSize(1000); // doubled, then raised to SOCK_MIN_SNDBUF: 4608
      assertEquals(4608, tx.getSendBufferSize());
      t.a.nic("eth0").link().rateLimit(1_000_000);
      List<Integer> queued = new ArrayList<>();
      t.net.loop().execute(() -> {
        for (int i = 0; i < 20; i++) {
          // the first send's callback runs after all twenty reached the handle
          tx.send((i + " ".repeat(999)).getBytes(), 5000, "10.0.0.2", i == 0 ? (e, n) -> queued.add(tx.getSendQueueCount()) : null);
        }
      });
      t.net.runFor(Duration.ofMillis(500));
      assertEquals(17, queued.get(0), "3 datagrams fit in 4608 bytes of send buffer, 17 wait");
      assertEquals(numbers(20), in.texts().stream().map(String::trim).toList());
      assertEquals(List.of(), t.net.trace().drops());
    }
  }

  @Test
  void partitionsAndLinksGoingDown() {
    try (TwoHosts t = new TwoHosts(18)) {
      Inbox in = new Inbox();
      DgramSocket rx = t.b.socket("udp4");
      in.attach(rx);
      rx.bind(5000);
      DgramSocket tx = t.a.socket("udp4");
      Partition p = t.net.partition(List.of(t.a), List.of(t.b));
      tx.send(b("cut"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      p.heal();
      tx.send(b("healed"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      Link l = t.b.nic("eth0").link().down();
      tx.send(b("down"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      l.up();
      tx.send(b("up"), 5000, "10.0.0.2");
      t.net.runFor(MS10);
      assertEquals(List.of("healed", "up"), in.texts());
      List<TraceEvent> drops = t.net.trace().drops();
      assertTrue(drops.get(0).detail().startsWith("partition"), drops.toString());
      assertEquals(Layer.SWITCH, drops.get(0).layer());
      assertTrue(drops.get(1).detail().startsWith("link down"), drops.toString());
    }
  }

  /** A small run with every fault on: its trace is a function of the network's seed. */
  static String chaos(long seed) {
    try (TwoHosts t = new TwoHosts(seed)) {
      exchange(t, 60, 100, x -> {
        x.a.nic("eth0").link().loss(0.1).jitter(Duration.ofMillis(3)).duplicate(0.1).reorder(0.1, Duration.ofMillis(4));
        x.b.nic("eth0").link().rateLimit(10_000_000).loss(0.05);
      }, Duration.ofMillis(100));
      return t.net.trace().toString();
    }
  }

  @Test
  void theSameSeedReplaysTheSameTrace() {
    String one = chaos(4242);
    String two = chaos(4242);
    assertEquals(one, two);
    assertNotEquals(one, chaos(4243));
    assertTrue(one.lines().count() > 300);
  }
}
