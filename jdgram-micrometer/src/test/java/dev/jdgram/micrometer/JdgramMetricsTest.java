package dev.jdgram.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketGroup;
import dev.jdgram.SocketOptions;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters of a socket and of a group, against traffic whose numbers the test knows. */
class JdgramMetricsTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket udp4() {
    DgramSocket s = Dgram.createSocket("udp4");
    sockets.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits (5 s at most) until {@code value} reads {@code expected}. */
  static void eventually(double expected, DoubleSupplier value, String what) {
    long end = System.nanoTime() + 5_000_000_000L;
    double v = value.getAsDouble();
    while (v != expected && System.nanoTime() < end) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      v = value.getAsDouble();
    }
    assertEquals(expected, v, what);
  }

  @Test
  void aSocketsMetersFollowItsTraffic() {
    DgramSocket rx = udp4();
    rx.onMessage((m, r) -> { });
    int port = get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = udp4();
    get(tx.bindAsync(0, "127.0.0.1"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JdgramMetrics.of(rx, Tag.of("role", "rx")).bindTo(registry);
    JdgramMetrics.of(tx, Tag.of("role", "tx")).bindTo(registry);
    for (int i = 0; i < 20; i++) {
      get(tx.sendAsync(new byte[50], port, "127.0.0.1"));
    }
    try {
      get(tx.sendAsync(new byte[65_508], port, "127.0.0.1"));
    } catch (AssertionError emsgsize) {
      // counted below
    }
    String transport = rx.loop().transportName();
    eventually(20, () -> registry.get("jdgram.datagrams.received").tag("role", "rx").functionCounter().count(), "received");
    assertEquals(1000, registry.get("jdgram.bytes.received").tag("role", "rx").functionCounter().count());
    eventually(20, () -> registry.get("jdgram.datagrams.sent").tag("role", "tx").functionCounter().count(), "sent");
    assertEquals(1000, registry.get("jdgram.bytes.sent").tag("role", "tx").functionCounter().count());
    eventually(1, () -> registry.get("jdgram.send.errors").tags("role", "tx", "code", "EMSGSIZE").functionCounter().count(),
        "EMSGSIZE");
    assertEquals(0, registry.get("jdgram.send.errors").tags("role", "tx", "code", "other").functionCounter().count());
    assertEquals(0, registry.get("jdgram.send.queue.size").tag("role", "tx").gauge().value());
    assertEquals(0, registry.get("jdgram.send.queue.count").tag("role", "tx").gauge().value());
    Meter received = registry.get("jdgram.datagrams.received").tag("role", "rx").meter();
    assertEquals("127.0.0.1:" + port, received.getId().getTag("local"));
    assertEquals(transport, received.getId().getTag("transport"));
    assertEquals("datagrams", received.getId().getBaseUnit());
    if ("nio".equals(transport)) {
      assertNull(registry.find("jdgram.receive.drops").meter(), "nio cannot know the kernel's drops");
    } else {
      assertNotNull(registry.find("jdgram.receive.drops").tag("role", "rx").functionCounter());
      assertEquals(0, registry.get("jdgram.receive.drops").tag("role", "rx").functionCounter().count());
    }
  }

  @Test
  void aGroupsMetersSumItsSockets() {
    try (SocketGroup g = SocketGroup.create(SocketOptions.of("udp4"), 2)) {
      g.onMessage((m, r) -> { });
      int port = g.bind(0, "127.0.0.1");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      JdgramMetrics.of(g).bindTo(registry);
      int senders = 6;
      for (int i = 0; i < senders; i++) {
        DgramSocket tx = udp4();
        for (int k = 0; k < 3; k++) {
          get(tx.sendAsync(new byte[8], port, "127.0.0.1"));
        }
      }
      eventually(senders * 3, () -> registry.get("jdgram.datagrams.received").functionCounter().count(), "received");
      assertEquals(senders * 3 * 8, registry.get("jdgram.bytes.received").functionCounter().count());
      assertEquals("127.0.0.1:" + port, registry.get("jdgram.bytes.received").meter().getId().getTag("local"));
    }
  }

  @Test
  void anUnboundSocketIsTaggedUnbound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JdgramMetrics.of(udp4()).bindTo(registry);
    assertEquals("unbound", registry.get("jdgram.datagrams.sent").meter().getId().getTag("local"));
    assertTrue(registry.getMeters().size() > 10);
  }
}
