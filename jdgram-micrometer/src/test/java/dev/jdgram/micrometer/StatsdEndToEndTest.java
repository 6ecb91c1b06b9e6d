package dev.jdgram.micrometer;

import static dev.jdgram.micrometer.JdgramMetricsTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import io.micrometer.core.instrument.Clock;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end over UDP: Micrometer's own StatsD registry publishes a socket's meters to a jdgram
 * receiver on 127.0.0.1, which parses the StatsD lines (Datadog flavor:
 * {@code name:value|type|#tag:value,...}) and checks the numbers against the traffic.
 */
class StatsdEndToEndTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private StatsdMeterRegistry registry;

  private DgramSocket udp4() {
    DgramSocket s = Dgram.createSocket("udp4");
    sockets.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    if (registry != null) {
      registry.close();
    }
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  /** One StatsD line. */
  record Line(String name, double value, String type, String tags) {
    static Line parse(String text) {
      int colon = text.indexOf(':');
      String[] rest = text.substring(colon + 1).split("\\|");
      String tags = rest.length > 2 && rest[2].startsWith("#") ? rest[2].substring(1) : "";
      return new Line(text.substring(0, colon), Double.parseDouble(rest[0]), rest[1], tags);
    }
  }

  private static double sum(ConcurrentLinkedQueue<Line> lines, Predicate<Line> which) {
    return lines.stream().filter(which).mapToDouble(Line::value).sum();
  }

  private static void waitUntil(String what, java.util.function.BooleanSupplier done, ConcurrentLinkedQueue<Line> lines) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertTrue(done.getAsBoolean(), () -> what + "; lines seen: " + lines.size() + ", sent in them: "
        + lines.stream().filter(l -> l.name().startsWith("jdgram.datagrams.sent")).toList());
  }

  @Test
  void micrometersStatsdRegistryReportsASocketToAJdgramReceiver() {
    // the StatsD agent: a jdgram socket that collects the lines
    ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    DgramSocket agent = udp4();
    agent.onMessage((msg, rinfo) -> {
      for (String l : new String(msg, StandardCharsets.UTF_8).split("\n")) {
        if (l.startsWith("jdgram.")) {
          lines.add(Line.parse(l));
        }
      }
    });
    int agentPort = get(agent.bindAsync(0, "127.0.0.1")).port();

    // the measured socket and its traffic: 7 datagrams of 10 bytes, one EMSGSIZE
    DgramSocket sink = udp4();
    int sinkPort = get(sink.bindAsync(0, "127.0.0.1")).port();
    DgramSocket measured = udp4();
    get(measured.bindAsync(0, "127.0.0.1"));

    registry = new StatsdMeterRegistry(new StatsdConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public StatsdFlavor flavor() {
        return StatsdFlavor.DATADOG;
      }

      @Override
      public String host() {
        return "127.0.0.1";
      }

      @Override
      public int port() {
        return agentPort;
      }

      @Override
      public Duration pollingFrequency() {
        return Duration.ofMillis(100);
      }

      @Override
      public Duration step() {
        return Duration.ofMillis(100);
      }

      @Override
      public boolean buffered() {
        return false;
      }
    }, Clock.SYSTEM);
    JdgramMetrics.of(measured).bindTo(registry);
    // StatsD publishes a function counter as its increase since the previous poll, the first
    // poll setting the baseline: the traffic starts once the meters have been polled
    waitUntil("the first poll", () -> lines.stream().anyMatch(l -> l.name().equals("jdgram.datagrams.sent")), lines);

    for (int i = 0; i < 7; i++) {
      get(measured.sendAsync(new byte[10], sinkPort, "127.0.0.1"));
    }
    try {
      get(measured.sendAsync(new byte[65_508], sinkPort, "127.0.0.1"));
    } catch (AssertionError emsgsize) {
      // counted
    }

    // a function counter is published as the increase since the last poll: the lines add up
    waitUntil("7 datagrams sent", () -> sum(lines, l -> l.name().equals("jdgram.datagrams.sent")) == 7, lines);
    waitUntil("70 bytes sent", () -> sum(lines, l -> l.name().equals("jdgram.bytes.sent")) == 70, lines);
    waitUntil("one EMSGSIZE", () -> sum(lines, l -> l.name().equals("jdgram.send.errors")
        && l.tags().contains("code:EMSGSIZE")) == 1, lines);
    waitUntil("the queue gauge", () -> lines.stream().anyMatch(l -> l.name().equals("jdgram.send.queue.count")), lines);
    Line sent = lines.stream().filter(l -> l.name().equals("jdgram.datagrams.sent")).findFirst().orElseThrow();
    assertEquals("c", sent.type());
    assertTrue(sent.tags().contains("transport:" + measured.loop().transportName()), sent.tags());
    assertTrue(sent.tags().contains("local:127.0.0.1"), sent.tags());
    Line queue = lines.stream().filter(l -> l.name().equals("jdgram.send.queue.count")).findFirst().orElseThrow();
    assertEquals("g", queue.type());
    assertEquals(0, queue.value());
    assertEquals(0, sum(lines, l -> l.name().equals("jdgram.datagrams.received")));
    // and the agent's own socket counted what it received
    assertTrue(agent.stats().datagramsReceived() > 0);
  }
}
