package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import dev.jdgram.observe.HandleEvents;
import dev.jdgram.observe.ReceiveBatchEvent;
import dev.jdgram.observe.SendFlushEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flight Recorder events of category dev.jdgram, recorded in-process to a file and read back
 * with RecordingFile.
 */
class JfrEventsTest {
  @TempDir
  Path dir;

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<RecordedEvent> record(Recording r, Runnable work) throws Exception {
    r.start();
    try {
      work.run();
    } finally {
      r.stop();
    }
    Path file = dir.resolve("events-" + System.nanoTime() + ".jfr");
    r.dump(file);
    r.close();
    assertTrue(Files.size(file) > 0);
    return RecordingFile.readAllEvents(file);
  }

  private static List<RecordedEvent> named(List<RecordedEvent> all, String name) {
    return all.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
  }

  @Test
  void socketLifecycleReceivePhasesErrorsAndSlowCallbacksAreRecorded() throws Exception {
    Recording r = new Recording();
    r.enable("dev.jdgram.SocketLifecycle");
    r.enable("dev.jdgram.SocketError");
    r.enable("dev.jdgram.ReceivePhase");
    r.enable("dev.jdgram.SlowCallback").withThreshold(Duration.ofMillis(50));
    int[] ports = new int[2];
    String[] txAddress = new String[1];
    EventLoop loop = EventLoop.create();
    loop.start();
    List<RecordedEvent> events = record(r, () -> {
      DgramSocket rx = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      CountDownLatch got = new CountDownLatch(10);
      CountDownLatch slowDone = new CountDownLatch(1);
      rx.onMessage((m, ri) -> got.countDown());
      ports[0] = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
      DgramSocket tx = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      Probe.get(tx.connectAsync(ports[0], "127.0.0.1"));
      ports[1] = tx.address().port();
      txAddress[0] = tx.address().address(); // connected: the source address the kernel chose
      for (int i = 0; i < 10; i++) {
        Probe.get(tx.sendAsync(new byte[100]));
      }
      Probe.await(got);
      CompletableFuture<Integer> tooBig = tx.sendAsync(new byte[65_508]);
      try {
        Probe.get(tooBig);
      } catch (AssertionError expected) {
        // EMSGSIZE, recorded as a SocketError
      }
      loop.setTimeout(() -> {
        sleep(120); // a callback that holds the loop
        slowDone.countDown();
      }, 1);
      Probe.await(slowDone);
      Probe.get(tx.closeAsync());
      Probe.get(rx.closeAsync());
    });
    loop.close();
    String rxLocal = "127.0.0.1:" + ports[0];
    String txLocal = txAddress[0] + ":" + ports[1];

    List<RecordedEvent> lifecycle = named(events, "dev.jdgram.SocketLifecycle");
    lifecycle.sort(java.util.Comparator.comparing(RecordedEvent::getStartTime)); // threads write apart
    // bound implicitly by connect, to the wildcard; connected, from the address the kernel chose
    String txWildcard = "0.0.0.0:" + ports[1];
    List<String> steps = lifecycle.stream()
        .filter(e -> e.getString("localAddress") != null && e.getString("localAddress").endsWith(":" + ports[1])
            || rxLocal.equals(e.getString("localAddress")))
        .map(e -> e.getString("action") + " " + e.getString("localAddress")
            + (e.getString("remoteAddress") == null ? "" : " -> " + e.getString("remoteAddress")))
        .collect(Collectors.toList());
    assertEquals(List.of("bind " + rxLocal, "bind " + txWildcard, "connect " + txLocal + " -> " + rxLocal,
        "close " + txLocal, "close " + rxLocal), steps);
    RecordedEvent bind = lifecycle.get(0);
    assertEquals("udp4", bind.getString("type"));
    assertEquals(OnTransport.name().isEmpty() ? bind.getString("transport") : OnTransport.name(),
        bind.getString("transport"));

    List<RecordedEvent> phases = named(events, "dev.jdgram.ReceivePhase").stream()
        .filter(e -> rxLocal.equals(e.getString("localAddress"))).collect(Collectors.toList());
    long datagrams = phases.stream().mapToLong(e -> e.getLong("datagrams")).sum();
    long bytes = phases.stream().mapToLong(e -> e.getLong("bytes")).sum();
    assertEquals(10, datagrams, "every datagram in one phase or another");
    assertEquals(1000, bytes);

    List<RecordedEvent> errors = named(events, "dev.jdgram.SocketError");
    assertEquals(1, errors.size(), () -> errors.toString());
    RecordedEvent error = errors.get(0);
    assertEquals("EMSGSIZE", error.getString("code"));
    assertEquals("send", error.getString("syscall"));
    assertEquals(txLocal, error.getString("localAddress"));
    assertEquals(-90, error.getInt("errno"));

    List<RecordedEvent> slow = named(events, "dev.jdgram.SlowCallback");
    assertTrue(slow.stream().anyMatch(e -> "timers".equals(e.getString("phase"))
        && e.getDuration().toMillis() >= 100 && e.getString("callback").contains("JfrEventsTest")), () -> slow.toString());
  }

  @Test
  void aSlowListenerIsBlamedInThePollPhase() throws Exception {
    Recording r = new Recording();
    r.enable("dev.jdgram.SlowCallback").withThreshold(Duration.ofMillis(50));
    EventLoop loop = EventLoop.create();
    loop.start();
    List<RecordedEvent> events = record(r, () -> {
      DgramSocket rx = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      CountDownLatch got = new CountDownLatch(1);
      rx.onDatagram(new SlowListener(got));
      int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
      DgramSocket tx = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      Probe.get(tx.sendAsync("slow", port, "127.0.0.1"));
      Probe.await(got);
      Probe.get(tx.closeAsync());
      Probe.get(rx.closeAsync());
    });
    loop.close();
    List<RecordedEvent> slow = named(events, "dev.jdgram.SlowCallback");
    assertTrue(slow.stream().anyMatch(e -> "poll".equals(e.getString("phase"))
        && e.getString("callback").equals(SlowListener.class.getName())), () -> slow.toString());
  }

  /** A listener that holds the loop for 120 ms. */
  static final class SlowListener implements DatagramListener {
    private final CountDownLatch done;

    SlowListener(CountDownLatch done) {
      this.done = done;
    }

    @Override
    public void onDatagram(Datagram d) {
      sleep(120);
      done.countDown();
    }
  }

  /**
   * The handle's two events, through the API the handle calls (HandleEvents): what a wired handle
   * records, and that a disabled event gives back null (nothing allocated, no clock read).
   */
  @Test
  void theHandleEventsRecordThroughTheirApiAndAreNullWhenDisabled() throws Exception {
    assertNull(HandleEvents.recvBatchBegin(), "disabled: no event");
    assertNull(HandleEvents.sendFlushBegin(), "disabled: no event");
    Recording r = new Recording();
    r.enable("dev.jdgram.ReceiveBatch").with("minDatagrams", "4");
    r.enable("dev.jdgram.SendFlush");
    List<RecordedEvent> events = record(r, () -> {
      ReceiveBatchEvent small = HandleEvents.recvBatchBegin();
      HandleEvents.recvBatchEnd(small, "test", 3, 300); // below minDatagrams: not recorded
      ReceiveBatchEvent big = HandleEvents.recvBatchBegin();
      HandleEvents.recvBatchEnd(big, "test", 32, 3200);
      SendFlushEvent flush = HandleEvents.sendFlushBegin();
      HandleEvents.sendFlushEnd(flush, "test", "sendmmsg", 8, 8, 800, 8);
    });
    List<RecordedEvent> batches = named(events, "dev.jdgram.ReceiveBatch");
    assertEquals(1, batches.size());
    assertEquals(32, batches.get(0).getInt("datagrams"));
    assertEquals(3200, batches.get(0).getLong("bytes"));
    List<RecordedEvent> flushes = named(events, "dev.jdgram.SendFlush");
    assertEquals(1, flushes.size());
    assertEquals("sendmmsg", flushes.get(0).getString("syscall"));
    assertEquals(8, flushes.get(0).getInt("datagrams"));
    assertFalse(flushes.get(0).getEventType().getCategoryNames().isEmpty());
    assertEquals(List.of("dev.jdgram"), flushes.get(0).getEventType().getCategoryNames());
  }
}
