package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The dev.jdgram System.Logger (backed here by java.util.logging): lifecycle at DEBUG (FINE),
 * nothing per datagram, and nothing at all at the default level.
 */
class LoggingTest {
  /** Collects the formatted messages of dev.jdgram. */
  static final class Collect extends Handler {
    final List<String> messages = new ArrayList<>();

    @Override
    public synchronized void publish(LogRecord r) {
      Object[] p = r.getParameters();
      messages.add(p == null ? r.getMessage() : java.text.MessageFormat.format(r.getMessage(), p));
    }

    synchronized List<String> messages() {
      return List.copyOf(messages);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private static List<String> run(Level level) {
    Logger jul = Logger.getLogger("dev.jdgram");
    Level before = jul.getLevel();
    Collect collect = new Collect();
    jul.addHandler(collect);
    jul.setLevel(level);
    try {
      DgramSocket rx = Dgram.createSocket("udp4");
      java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(20);
      rx.onMessage((m, r) -> got.countDown());
      int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
      DgramSocket tx = Dgram.createSocket("udp4");
      Probe.get(tx.connectAsync(port, "127.0.0.1"));
      int txPort = tx.address().port();
      for (int i = 0; i < 20; i++) {
        Probe.get(tx.sendAsync(new byte[] {1}));
      }
      Probe.await(got);
      Probe.get(tx.closeAsync());
      Probe.get(rx.closeAsync());
      return collect.messages().stream()
          .filter(m -> m.contains(":" + port + " ") || m.contains(":" + txPort + " ") || m.endsWith(":" + port))
          .toList();
    } finally {
      jul.removeHandler(collect);
      jul.setLevel(before);
    }
  }

  @Test
  void lifecycleIsLoggedAtDebugAndNothingPerDatagram() {
    List<String> lines = run(Level.FINE);
    String transport = EventLoop().transportName();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("udp4 socket bound to 127.0.0.1:") && l.endsWith("(transport " + transport + ")")),
        lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains("connected to 127.0.0.1:")), lines::toString);
    assertEquals(2, lines.stream().filter(l -> l.endsWith(" closed")).count(), lines::toString);
    assertTrue(lines.size() <= 5, "a handful of lines for 20 datagrams, not one each: " + lines);
  }

  @Test
  void silentAtTheDefaultLevel() {
    assertEquals(List.of(), run(Level.INFO));
  }

  private static dev.jdgram.loop.EventLoop EventLoop() {
    return dev.jdgram.loop.EventLoop.getDefault();
  }
}
