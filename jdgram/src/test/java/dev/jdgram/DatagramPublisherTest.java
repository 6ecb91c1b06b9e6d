package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** DatagramPublisher: demand drives the socket; a slow subscriber makes the kernel drop, counted. */
class DatagramPublisherTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Peer> peers = new ArrayList<>();

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  @AfterEach
  void closeAll() throws IOException {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
    for (Peer p : peers) {
      p.close();
    }
    loops.forEach(EventLoop::close);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A subscriber that records signals and requests only when told. */
  static final class Recorder implements Flow.Subscriber<ReceivedDatagram> {
    final BlockingQueue<ReceivedDatagram> items = Probe.queue();
    final CompletableFuture<Throwable> terminal = new CompletableFuture<>();
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    final AtomicInteger count = new AtomicInteger();

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.complete(s);
    }

    @Override
    public void onNext(ReceivedDatagram d) {
      count.incrementAndGet();
      items.add(d);
    }

    @Override
    public void onError(Throwable t) {
      terminal.complete(t);
    }

    @Override
    public void onComplete() {
      terminal.complete(null);
    }

    void request(long n) {
      Probe.get(subscription).request(n);
    }
  }

  private static int waitSteady(AtomicInteger n) {
    int last = -1;
    for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; ) {
      sleep(100);
      int now = n.get();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return n.get();
  }

  @Test
  void deliversWhatIsRequestedInOrderAndCompletesOnClose() {
    DgramSocket rx = socket(SocketOptions.of("udp4"));
    DatagramPublisher pub = rx.publisher();
    Recorder r = new Recorder();
    pub.subscribe(r);
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    for (int i = 0; i < 10; i++) {
      Probe.get(tx.sendAsync("d" + i, port, "127.0.0.1"));
    }
    r.request(3);
    for (int i = 0; i < 3; i++) {
      ReceivedDatagram d = Probe.take(r.items);
      assertEquals("d" + i, new String(d.data(), StandardCharsets.UTF_8));
      assertEquals(tx.address().port(), d.rinfo().port());
    }
    sleep(200);
    assertEquals(3, r.count.get(), "nothing beyond the demand");
    r.request(7);
    for (int i = 3; i < 10; i++) {
      assertEquals("d" + i, new String(Probe.take(r.items).data(), StandardCharsets.UTF_8));
    }
    rx.close();
    assertEquals(null, Probe.get(r.terminal), "completed on close");
  }

  @Test
  void aSlowSubscriberMakesTheKernelDropAndCountInsteadOfTheJvmBuffering() throws Exception {
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    loop.start();
    DgramSocket rx = socket(SocketOptions.of("udp4").loop(loop));
    Recorder r = new Recorder();
    DatagramPublisher pub = rx.publisher();
    pub.subscribe(r);
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    rx.setRecvBufferSize(4096);
    r.request(5);
    Peer tx = Peer.open("127.0.0.1");
    peers.add(tx);
    InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
    int burst = 2_000;
    for (int i = 0; i < burst; i++) {
      tx.send(ByteBuffer.wrap(new byte[100]), dest);
      if (i % 100 == 99) {
        sleep(1); // a flood, yet one the loop could keep up with if it were reading
      }
    }
    int got = waitSteady(r.count);
    assertEquals(5, got, "the subscriber got what it asked for, no more");
    SocketStats st = rx.stats();
    System.out.printf("publisher flood: sent %d, delivered %d, read by the socket %d, held-and-dropped %d,"
        + " kernel drops %d%n", burst, got, st.datagramsReceived(), pub.dropped(), st.receiveDrops());
    // what the socket read beyond the demand is at most what it read in the wake-up that spent it
    assertTrue(st.datagramsReceived() <= 5 + 64, "the socket stopped reading: read " + st.datagramsReceived());
    assertEquals(0, pub.dropped());
    // new demand: the socket reads again, and what the kernel kept comes through
    r.request(Long.MAX_VALUE);
    int after = waitSteady(r.count);
    assertTrue(after > 5, "reading resumed with new demand: " + after);
    SocketStats end = rx.stats();
    assertEquals(after, end.datagramsReceived(), "everything read was delivered");
    if (OnTransport.nio()) {
      assertEquals(-1, end.receiveDrops());
      assertTrue(after < burst, "a 4 KiB buffer cannot have kept " + burst);
      return;
    }
    assertTrue(end.receiveDrops() > 0, "the kernel dropped, and counted: " + end);
    long accounted = after + end.receiveDrops();
    assertTrue(accounted <= burst && accounted >= burst - burst / 100,
        "delivered " + after + " + dropped " + end.receiveDrops() + " vs sent " + burst);
  }

  @Test
  void cancelLetsTheSocketReadAsBefore() {
    DgramSocket rx = socket(SocketOptions.of("udp4"));
    BlockingQueue<String> plain = Probe.queue();
    rx.onMessage((m, ri) -> plain.add(new String(m, StandardCharsets.UTF_8)));
    Recorder r = new Recorder();
    rx.publisher().subscribe(r);
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    Probe.get(tx.sendAsync("while paused", port, "127.0.0.1"));
    sleep(200);
    assertTrue(plain.isEmpty(), "a publisher without demand holds the whole socket's reading");
    Probe.get(r.subscription).cancel();
    assertEquals("while paused", Probe.take(plain), "the kernel kept it; cancel resumed reading");
    Probe.get(tx.sendAsync("after", port, "127.0.0.1"));
    assertEquals("after", Probe.take(plain));
    sleep(100);
    assertEquals(0, r.count.get(), "nothing after cancel");
    assertTrue(!r.terminal.isDone());
  }

  @Test
  void aLimitCompletesAfterThatManyAndASecondSubscriberIsRejected() {
    DgramSocket rx = socket(SocketOptions.of("udp4"));
    DatagramPublisher pub = DatagramPublisher.of(rx, 2);
    Recorder r = new Recorder();
    pub.subscribe(r);
    Recorder second = new Recorder();
    pub.subscribe(second);
    assertInstanceOf(IllegalStateException.class, Probe.get(second.terminal));
    int port = Probe.get(rx.bindAsync(0, "127.0.0.1")).port();
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    for (int i = 0; i < 3; i++) {
      Probe.get(tx.sendAsync("x" + i, port, "127.0.0.1"));
    }
    r.request(10);
    assertEquals(null, Probe.get(r.terminal));
    assertEquals(2, r.count.get());
    assertThrows(NullPointerException.class, () -> pub.subscribe(null));
    assertEquals("ERR_OUT_OF_RANGE", assertThrows(DgramException.class, () -> DatagramPublisher.of(rx, -1)).code());
  }
}
