package dev.jdgram.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramSocket;
import dev.jdgram.OnTransport;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only the adapter has: its construction, its queue, its threads, its jdgram socket. */
class JdgramDatagramSocketTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final List<DatagramSocket> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(DatagramSocket::close);
  }

  private JdgramDatagramSocket open() throws SocketException {
    JdgramDatagramSocket s = new JdgramDatagramSocket(0, LOOPBACK);
    s.setSoTimeout(10_000);
    opened.add(s);
    return s;
  }

  @Test
  void overridesEveryPublicMethodOfDatagramSocket() throws Exception {
    // A method left to java.net.DatagramSocket would reach the JDK's own implementation.
    List<String> missing = new ArrayList<>();
    for (Method m : DatagramSocket.class.getMethods()) {
      if (m.getDeclaringClass() != DatagramSocket.class || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      try {
        JdgramDatagramSocket.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(m.toString());
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void opensNoDescriptorOfItsOwn() throws Exception {
    File fds = new File("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(fds.isDirectory(), "no /proc/self/fd");
    open().close(); // the loop and its poller exist before counting
    Thread.sleep(300); // (the loop closes a socket's descriptor after close() returns)
    // Other threads of the JVM may open or close a file meanwhile: margins of 2, where a hidden
    // descriptor per adapter would show as 20.
    int before = fds.list().length;
    List<DatagramSocket> unbound = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      unbound.add(new JdgramDatagramSocket((SocketAddress) null));
    }
    assertTrue(Math.abs(fds.list().length - before) <= 2, "an unbound adapter has no descriptor");
    for (DatagramSocket s : unbound) {
      s.bind(new InetSocketAddress(LOOPBACK, 0));
    }
    int perSocket = OnTransport.sim() ? 0 : 1; // the simulated kernel has no descriptors
    int delta = fds.list().length - before;
    assertTrue(Math.abs(delta - 20 * perSocket) <= 2, "20 bound sockets opened " + delta + " descriptors");
    unbound.forEach(DatagramSocket::close);
  }

  @Test
  void theJdgramSocketExistsFromBind() throws Exception {
    JdgramDatagramSocket s = new JdgramDatagramSocket((SocketAddress) null);
    opened.add(s);
    assertNull(s.dgramSocket());
    s.bind(new InetSocketAddress(LOOPBACK, 0));
    DgramSocket d = s.dgramSocket();
    assertNotNull(d);
    assertEquals(s.getLocalPort(), d.address().port());
    assertEquals("127.0.0.1", d.address().address());
  }

  @Test
  void whatDoesNotFitIsDroppedAndCounted() throws Exception {
    JdgramDatagramSocket r = open();
    r.setReceiveBufferSize(8 * 1024);
    long room = r.getReceiveBufferSize(); // what the kernel granted bounds the queue too
    DatagramSocket s = open();
    byte[] data = new byte[1000];
    long queueCap = room / (1000 + ReceiveQueue.ENTRY_OVERHEAD) + 1;
    int sent;
    if (OnTransport.linux()) {
      // receive reads the kernel itself there (PullReceiver): no queue; a burst that nobody
      // reads overflows the kernel's buffer, which drops and counts
      sent = (int) (4 * room / 1000) + 50;
      for (int i = 0; i < sent; i++) {
        s.send(new DatagramPacket(data, data.length, r.getLocalSocketAddress()));
      }
    } else {
      // one datagram at a time, each handed by the loop to the queue (the socket counts it as
      // received) before the next: the kernel never overflows, so the queue must, whatever the
      // loop's timing (a burst let the kernel drop first on a busy machine, and the queue never
      // filled)
      sent = (int) (2 * queueCap) + 10;
      for (int i = 0; i < sent; i++) {
        s.send(new DatagramPacket(data, data.length, r.getLocalSocketAddress()));
        long want = i + 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.dgramSocket().stats().datagramsReceived() < want && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        assertEquals(want, r.dgramSocket().stats().datagramsReceived(), "datagram " + i + " reached the loop");
      }
    }
    int received = 0;
    r.setSoTimeout(500);
    DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
    Thread.sleep(500);
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < deadline; ) {
      try {
        r.receive(p);
        received++;
      } catch (java.net.SocketTimeoutException e) {
        break;
      }
    }
    assertTrue(received < sent, "received " + received + " of " + sent);
    assertTrue(received <= 2 * queueCap + 16, "received " + received + ", queue holds " + queueCap);
    if (OnTransport.linux()) {
      assertEquals(0, r.droppedCount());
      assertTrue(r.getRecvDropCount() > 0, "the kernel dropped and counted");
    } else {
      assertTrue(r.droppedCount() > 0, "the queue dropped and counted");
      assertEquals(sent, received + r.droppedCount(), "each datagram either received or counted as dropped");
    }
    assertTrue(r.getRecvDropCount() >= r.droppedCount());
    assertTrue(received + r.getRecvDropCount() <= sent);
  }

  @Test
  void blockingOnTheLoopThreadIsRefused() throws Exception {
    JdgramDatagramSocket s = open();
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    s.dgramSocket().loop().execute(() -> {
      try {
        s.receive(new DatagramPacket(new byte[1], 1));
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
    });
    assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof IllegalStateException);
  }

  @Test
  void manyVirtualThreadsBlockInReceiveAtOnce() throws Exception {
    // More blocked receivers than carrier threads: each must park without holding its carrier,
    // or the sends below (on virtual threads too) would never run.
    int n = Runtime.getRuntime().availableProcessors() * 4 + 8;
    List<JdgramDatagramSocket> receivers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      receivers.add(open());
    }
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> got = new ArrayList<>();
      for (JdgramDatagramSocket r : receivers) {
        got.add(vts.submit(() -> {
          DatagramPacket p = new DatagramPacket(new byte[32], 32);
          r.receive(p);
          return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        }));
      }
      Thread.sleep(300);
      JdgramDatagramSocket sender = open();
      Future<?> sends = vts.submit(() -> {
        for (int i = 0; i < n; i++) {
          byte[] b = ("to " + i).getBytes(StandardCharsets.US_ASCII);
          sender.send(new DatagramPacket(b, b.length, receivers.get(i).getLocalSocketAddress()));
        }
        return null;
      });
      sends.get(20, TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        assertEquals("to " + i, got.get(i).get(20, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void anInterruptedVirtualThreadsReceiveClosesTheSocket() throws Exception {
    // as the JDK does for a virtual thread blocked in DatagramSocket.receive
    JdgramDatagramSocket s = open();
    s.setSoTimeout(0);
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        s.receive(new DatagramPacket(new byte[1], 1));
      } catch (Throwable e) {
        thrown.complete(e);
      }
    });
    Thread.sleep(200);
    t.interrupt();
    assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof SocketException);
    assertTrue(s.isClosed());
  }

  @Test
  void aUdp6SocketFromOptionsReachesIpv4PeersThroughMappedAddresses() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(OnTransport.sim(),
        "the simulated kernel does not route IPv4-mapped destinations (docs/compat.md)");
    JdgramDatagramSocket dual = new JdgramDatagramSocket(SocketOptions.of("udp6"), new InetSocketAddress(0));
    opened.add(dual);
    dual.setSoTimeout(10_000);
    JdgramDatagramSocket v4 = open();
    byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
    v4.send(new DatagramPacket(hi, 2, LOOPBACK, dual.getLocalPort()));
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    dual.receive(p);
    assertEquals(LOOPBACK, p.getAddress(), "an IPv4-mapped sender is shown as IPv4, as the JDK shows it");
    dual.send(new DatagramPacket(hi, 2, p.getSocketAddress()));
    v4.receive(p);
    assertEquals(dual.getLocalPort(), p.getPort());
  }

  @Test
  void closingTheLoopWakesABlockedReceive() throws Exception {
    EventLoop loop = EventLoop.create();
    Thread t = loop.start();
    JdgramDatagramSocket s = new JdgramDatagramSocket(SocketOptions.of("udp4").loop(loop),
        new InetSocketAddress(LOOPBACK, 0));
    opened.add(s);
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        s.receive(new DatagramPacket(new byte[1], 1));
      } catch (Throwable e) {
        thrown.complete(e);
      }
    });
    Thread.sleep(200);
    loop.close();
    assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof SocketException);
    assertTrue(s.isClosed());
    t.join(10_000);
  }

  @Test
  void runsOnTheLoopItIsGiven() throws Exception {
    EventLoop loop = EventLoop.create();
    Thread t = loop.start();
    try (JdgramDatagramSocket a = new JdgramDatagramSocket(SocketOptions.of("udp4").loop(loop),
        new InetSocketAddress(LOOPBACK, 0));
        JdgramDatagramSocket b = new JdgramDatagramSocket(SocketOptions.of("udp4").loop(loop),
            new InetSocketAddress(LOOPBACK, 0))) {
      assertEquals(loop, a.dgramSocket().loop());
      b.setSoTimeout(10_000);
      a.send(new DatagramPacket(new byte[3], 3, b.getLocalSocketAddress()));
      DatagramPacket p = new DatagramPacket(new byte[8], 8);
      b.receive(p);
      assertEquals(3, p.getLength());
    } finally {
      loop.close();
      t.join(10_000);
    }
    assertFalse(t.isAlive());
  }
}
