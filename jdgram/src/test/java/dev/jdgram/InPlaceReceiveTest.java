package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DgramSocket.onDatagram: the zero-copy receive path. */
@Timeout(60)
class InPlaceReceiveTest {
  private final List<DgramSocket> sockets = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<Peer> channels = new ArrayList<>();

  @AfterEach
  void closeAll() throws IOException {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
    for (EventLoop l : loops) {
      l.close();
    }
    for (Peer c : channels) {
      c.close();
    }
  }

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, address, () -> port.complete(s.address().port()));
    return Probe.get(port);
  }

  private Peer sender(boolean v6) throws IOException {
    Peer c = Peer.open(v6 ? "::1" : "127.0.0.1");
    channels.add(c);
    return c;
  }

  private static byte[] pattern(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  record Copy(byte[] bytes, int size, String address, int port, String family, int position, int limit) {}

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1400, 65507})
  void seesExactBytesSizeAndSenderUdp4(int size) throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    BlockingQueue<Copy> seen = Probe.queue();
    s.onDatagram(d -> seen.add(new Copy(d.toByteArray(), d.size(), d.address(), d.port(), d.family(),
        d.data().position(), d.data().limit())));
    int port = bind(s, "127.0.0.1");
    Peer tx = sender(false);
    byte[] msg = pattern(size, size);
    tx.send(ByteBuffer.wrap(msg), new InetSocketAddress("127.0.0.1", port));
    Copy c = Probe.take(seen);
    assertEquals(size, c.size());
    assertArrayEquals(msg, c.bytes());
    assertEquals("127.0.0.1", c.address());
    assertEquals(((InetSocketAddress) tx.getLocalAddress()).getPort(), c.port());
    assertEquals("IPv4", c.family());
    assertEquals(0, c.position(), "the view starts at position 0");
    assertEquals(size, c.limit(), "the view ends at the datagram's size");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1400})
  void seesExactBytesSizeAndSenderUdp6(int size) throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp6"));
    BlockingQueue<Copy> seen = Probe.queue();
    s.onDatagram(d -> seen.add(new Copy(d.toByteArray(), d.size(), d.address(), d.port(), d.family(),
        d.data().position(), d.data().limit())));
    int port = bind(s, "::1");
    Peer tx = sender(true);
    byte[] msg = pattern(size, size + 1);
    tx.send(ByteBuffer.wrap(msg), new InetSocketAddress("::1", port));
    Copy c = Probe.take(seen);
    assertEquals(size, c.size());
    assertArrayEquals(msg, c.bytes());
    assertEquals("::1", c.address());
    assertEquals("IPv6", c.family());
    assertEquals(((InetSocketAddress) tx.getLocalAddress()).getPort(), c.port());
  }

  @Test
  void viewIsReadOnly() throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    CompletableFuture<Boolean> flag = new CompletableFuture<>();
    s.onDatagram(d -> {
      flag.complete(d.data().isReadOnly());
      try {
        d.data().put(0, (byte) 9);
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    int port = bind(s, "127.0.0.1");
    sender(false).send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("127.0.0.1", port));
    assertTrue(Probe.get(flag), "data() is read-only");
    assertTrue(Probe.get(outcome) instanceof ReadOnlyBufferException, "a write throws: " + Probe.get(outcome));
  }

  @Test
  void listenerMovingTheViewDoesNotMoveItForTheNext() throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    BlockingQueue<String> seen = Probe.queue();
    s.onDatagram(d -> {
      ByteBuffer b = d.data();
      b.get(new byte[2]); // moves the position
      b.limit(b.position()); // and the limit
    });
    s.onDatagram(d -> {
      ByteBuffer b = d.data();
      byte[] all = new byte[b.remaining()];
      b.get(all);
      seen.add(b.position() + ":" + all.length + ":" + all[0] + ":" + all[all.length - 1] + ":" + d.size());
    });
    int port = bind(s, "127.0.0.1");
    Peer tx = sender(false);
    for (int i = 1; i <= 3; i++) {
      byte[] msg = new byte[10 * i];
      msg[0] = (byte) i;
      msg[msg.length - 1] = (byte) (100 + i);
      tx.send(ByteBuffer.wrap(msg), new InetSocketAddress("127.0.0.1", port));
      assertEquals(10 * i + ":" + 10 * i + ":" + i + ":" + (100 + i) + ":" + 10 * i, Probe.take(seen),
          "datagram " + i);
    }
  }

  @Test
  void onMessageAndOnDatagramBothSeeEveryDatagram() throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp4").recvBufferSize(1 << 20));
    final int n = 500;
    List<byte[]> viaDatagram = new ArrayList<>();
    List<byte[]> viaMessage = new ArrayList<>();
    AtomicInteger both = new AtomicInteger();
    s.onDatagram(d -> {
      synchronized (viaDatagram) {
        viaDatagram.add(d.toByteArray());
      }
      both.incrementAndGet();
    });
    s.onMessage((msg, rinfo) -> {
      synchronized (viaMessage) {
        viaMessage.add(msg);
      }
      both.incrementAndGet();
    });
    int port = bind(s, "127.0.0.1");
    Peer tx = sender(false);
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] msg = pattern(1 + (i * 37) % 1200, i);
      sent.add(msg);
      tx.send(ByteBuffer.wrap(msg), new InetSocketAddress("127.0.0.1", port));
      if (i % 50 == 49) { // stay within the receive buffer
        long end = System.nanoTime() + 5_000_000_000L;
        while (both.get() < 2 * (i + 1) && System.nanoTime() < end) {
          Thread.sleep(1);
        }
      }
    }
    long end = System.nanoTime() + 5_000_000_000L;
    while (both.get() < 2 * n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    synchronized (viaDatagram) {
      synchronized (viaMessage) {
        assertEquals(n, viaDatagram.size());
        assertEquals(n, viaMessage.size());
        for (int i = 0; i < n; i++) {
          assertArrayEquals(sent.get(i), viaDatagram.get(i), "onDatagram #" + i);
          assertArrayEquals(sent.get(i), viaMessage.get(i), "onMessage #" + i);
        }
      }
    }
  }

  @Test
  void remoteInfoCopyOutlivesTheCall() throws Exception {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    BlockingQueue<RemoteInfo> seen = Probe.queue();
    s.onDatagram(d -> seen.add(d.remoteInfo()));
    int port = bind(s, "127.0.0.1");
    Peer tx = sender(false);
    tx.send(ByteBuffer.wrap(new byte[5]), new InetSocketAddress("127.0.0.1", port));
    RemoteInfo r = Probe.take(seen);
    assertEquals(new RemoteInfo("127.0.0.1", "IPv4", ((InetSocketAddress) tx.getLocalAddress()).getPort(), 5), r);
  }

  /**
   * Steady state allocates nothing per datagram on the linux transport: bytes allocated by the
   * loop thread across 20,000 datagrams from one sender, with only an onDatagram listener.
   */
  @Test
  void allocatesNothingPerDatagramOnLinux() throws Exception {
    Assumptions.assumeTrue("linux".equals(System.getProperty("jdgram.transport")),
        "the zero-allocation figure is the linux transport's");
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
        "thread allocation accounting unavailable");
    EventLoop loop = EventLoop.create();
    loops.add(loop);
    Thread loopThread = loop.start();
    DgramSocket s = socket(SocketOptions.of("udp4").loop(loop).recvBufferSize(4 << 20));
    // Steady state: after a warm-up, ten windows are measured and the best counts, so a JIT
    // recompilation or a deoptimization inside one window (the interpreter allocates where
    // compiled code does not) cannot make the figure.
    final int warm = 30_000;
    final int measured = 10_000;
    final int windows = 10;
    AtomicInteger count = new AtomicInteger();
    AtomicLong sum = new AtomicLong();
    long[] marks = new long[windows + 1];
    s.onDatagram(d -> {
      sum.addAndGet(d.data().get(0)); // touch the payload, as a real listener would
      int c = count.incrementAndGet();
      if (c >= warm && (c - warm) % measured == 0 && (c - warm) / measured <= windows) {
        marks[(c - warm) / measured] = mx.getCurrentThreadAllocatedBytes();
      }
    });
    int port = bind(s, "127.0.0.1");
    Peer tx = sender(false);
    InetSocketAddress dest = new InetSocketAddress("127.0.0.1", port);
    ByteBuffer msg = ByteBuffer.allocateDirect(64);
    msg.put(0, (byte) 1);
    int sent = 0;
    int total = warm + measured * windows;
    long deadline = System.nanoTime() + 40_000_000_000L;
    // send until the receiver has seen them all (a drop is made up for by sending more);
    // at most 2,000 ahead of the receiver, so the receive buffer never overflows
    while (count.get() < total && System.nanoTime() < deadline) {
      if (sent - count.get() < 2_000) {
        tx.send(msg.clear(), dest);
        sent++;
      } else {
        Thread.onSpinWait();
      }
    }
    assertTrue(count.get() >= total, "received " + count.get() + " of " + sent);
    CompletableFuture<Void> settled = new CompletableFuture<>();
    loop.execute(() -> settled.complete(null)); // marks[] written before this task ran
    Probe.get(settled);
    long bytes = Long.MAX_VALUE;
    StringBuilder all = new StringBuilder();
    for (int w = 0; w < windows; w++) {
      long b = marks[w + 1] - marks[w];
      all.append(w == 0 ? "" : ", ").append(b);
      bytes = Math.min(bytes, b);
    }
    double perDatagram = (double) bytes / measured;
    System.out.printf("onDatagram allocation on the loop thread (%s): windows of %d datagrams: [%s] bytes; best %.3f bytes/datagram%n",
        loopThread.getName(), measured, all, perDatagram);
    assertTrue(perDatagram < 8, "bytes per datagram: " + perDatagram + " (" + bytes + " over " + measured + ")");
  }
}
