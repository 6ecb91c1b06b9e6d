package dev.jdgram.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.OnTransport;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter's receive reading the kernel on the caller's thread (linux: {@link PullReceiver});
 * the other transports take the queue's path, and the cases hold there too except where said.
 */
class PullReceiveTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final List<DatagramSocket> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(DatagramSocket::close);
  }

  private <T extends DatagramSocket> T track(T s) throws SocketException {
    s.setSoTimeout(10_000);
    opened.add(s);
    return s;
  }

  private static byte[] datagram(int i) {
    byte[] b = new byte[1 + i % 300]; // sizes differ, so a slot mix-up shows
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) (i * 31 + k);
    }
    return b;
  }

  @Test
  void readsEveryDatagramOnTheCallersThreadInOrderAndTheLoopDeliversNone() throws Exception {
    JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
    r.setReceiveBufferSize(1 << 20);
    AtomicInteger viaLoop = new AtomicInteger();
    r.dgramSocket().onMessage((msg, rinfo) -> viaLoop.incrementAndGet());
    DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
    int n = 500; // many batches of the reader's 8, and a batch's end mid-burst
    for (int i = 0; i < n; i++) {
      byte[] b = datagram(i);
      s.send(new DatagramPacket(b, b.length, r.getLocalSocketAddress()));
    }
    byte[] buf = new byte[2000];
    for (int i = 0; i < n; i++) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      r.receive(p);
      byte[] want = datagram(i);
      assertEquals(want.length, p.getLength(), "datagram " + i);
      assertArrayEquals(want, java.util.Arrays.copyOf(p.getData(), p.getLength()), "datagram " + i);
      assertEquals(s.getLocalSocketAddress(), p.getSocketAddress());
    }
    if (OnTransport.linux()) {
      assertEquals(0, viaLoop.get(), "the loop read none of them: the caller's thread did");
      assertEquals(0, r.droppedCount(), "no queue, nothing dropped on the way");
    }
  }

  @Test
  void whatReceiveReadsIsCountedInTheSocketsStats() throws Exception {
    JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
    r.setReceiveBufferSize(1 << 20);
    DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
    assertEquals(0, r.dgramSocket().stats().datagramsReceived());
    assertEquals(null, r.dgramSocket().stats().lastReceived());
    long before = System.currentTimeMillis();
    int n = 300; // more than 64: the every-64th stamp and the first-after-empty stamp both run
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      byte[] b = datagram(i);
      bytes += b.length;
      s.send(new DatagramPacket(b, b.length, r.getLocalSocketAddress()));
    }
    DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
    for (int i = 0; i < n; i++) {
      r.receive(p);
    }
    dev.jdgram.SocketStats st = r.dgramSocket().stats();
    // the loop's receiver stamps lastReceived at the end of its phase, maybe after the receive
    // returned; the caller's thread stamps it as it reads (linux)
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); st.lastReceived() == null && System.nanoTime() < end; ) {
      Thread.sleep(10);
      st = r.dgramSocket().stats();
    }
    long after = System.currentTimeMillis();
    assertEquals(n, st.datagramsReceived(), "each datagram receive() took, counted once");
    assertEquals(bytes, st.bytesReceived());
    long last = st.lastReceived().toEpochMilli();
    assertTrue(last >= before && last <= after, "lastReceived " + last + " within [" + before + ", " + after + "]");
  }

  @Test
  void truncatesToThePacketWhileTheNextDatagramStaysWhole() throws Exception {
    JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
    DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
    byte[] big = new byte[60_000];
    for (int k = 0; k < big.length; k++) {
      big[k] = (byte) k;
    }
    s.send(new DatagramPacket(new byte[100], 100, r.getLocalSocketAddress()));
    s.send(new DatagramPacket(big, big.length, r.getLocalSocketAddress()));
    DatagramPacket small = new DatagramPacket(new byte[50], 50);
    r.receive(small);
    assertEquals(50, small.getLength(), "truncated to the packet, as the JDK does");
    DatagramPacket large = new DatagramPacket(new byte[65_536], 65_536);
    r.receive(large); // read in the same batch as the first: kept whole
    assertEquals(big.length, large.getLength());
    assertArrayEquals(big, java.util.Arrays.copyOf(large.getData(), large.getLength()));
  }

  @Test
  void aTimeoutLeavesTheSocketReadyForTheNextDatagram() throws Exception {
    JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
    DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
    r.setSoTimeout(100);
    DatagramPacket p = new DatagramPacket(new byte[10], 10);
    assertThrows(SocketTimeoutException.class, () -> r.receive(p));
    assertThrows(SocketTimeoutException.class, () -> r.receive(p));
    r.setSoTimeout(10_000);
    s.send(new DatagramPacket(new byte[] {7}, 1, r.getLocalSocketAddress()));
    r.receive(p); // the readiness asked for by the timed-out receives still wakes this one
    assertEquals(7, p.getData()[0]);
  }

  @Test
  void twoReceiversShareTheDatagramsWithoutLossOrRepeat() throws Exception {
    JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
    r.setReceiveBufferSize(1 << 20);
    DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
    int n = 2000;
    Set<Integer> got = Collections.synchronizedSet(new HashSet<>());
    AtomicInteger repeats = new AtomicInteger();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      done.add(f);
      Thread.ofVirtual().start(() -> {
        DatagramPacket p = new DatagramPacket(new byte[8], 8);
        try {
          while (got.size() < n) {
            r.receive(p);
            int v = java.nio.ByteBuffer.wrap(p.getData(), 0, 4).getInt();
            if (!got.add(v)) {
              repeats.incrementAndGet();
            }
          }
          f.complete(null);
        } catch (SocketException e) {
          f.complete(null); // closed at the end, while the other took the last one
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      });
    }
    for (int i = 0; i < n; i++) {
      byte[] b = java.nio.ByteBuffer.allocate(4).putInt(i).array();
      s.send(new DatagramPacket(b, 4, r.getLocalSocketAddress()));
      if (i % 200 == 199) {
        Thread.sleep(5); // leave the receivers room: this case is about sharing, not drops
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    r.close(); // wakes the receiver still waiting
    for (CompletableFuture<Void> f : done) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, repeats.get(), "no datagram handed out twice");
    assertEquals(n, got.size(), "every datagram handed out once (drops: " + r.getRecvDropCount() + ")");
  }

  @Test
  void closeEndsReceiversThatAreReadingAndWaitingAndFreesThePort() throws Exception {
    // Closing while a receiver is inside a read: the descriptor is released only once it left.
    for (int round = 0; round < 50; round++) {
      JdgramDatagramSocket r = track(new JdgramDatagramSocket(0, LOOPBACK));
      DatagramSocket s = track(new JdgramDatagramSocket(0, LOOPBACK)); // a jdgram sender: on sim too
      InetSocketAddress at = (InetSocketAddress) r.getLocalSocketAddress();
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        try {
          while (true) {
            r.receive(p);
          }
        } catch (Throwable e) {
          ended.complete(e);
        }
      });
      for (int i = 0; i < round % 10 * 20; i++) {
        s.send(new DatagramPacket(new byte[32], 32, at));
      }
      r.close();
      Throwable e = ended.get(10, TimeUnit.SECONDS);
      assertTrue(e instanceof SocketException, "round " + round + ": " + e);
      assertEquals("Socket closed", e.getMessage());
      assertTrue(bindsSoon(at), "round " + round + ": the port is free again");
    }
  }

  /** @return true once a socket binds {@code at} (the loop releases a closed socket's port just after close() returns) */
  private static boolean bindsSoon(InetSocketAddress at) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (DatagramSocket again = new JdgramDatagramSocket(at)) {
        return true;
      } catch (SocketException e) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void aPendingErrorWithNobodyReceivingLeavesTheLoopIdleAndReachesTheNextReceive() throws Exception {
    OnTransport.skipOnSim("a port unreachable needs the kernel's ICMP");
    EventLoop loop = EventLoop.create();
    Thread loopThread = loop.start();
    try {
      JdgramDatagramSocket r = track(new JdgramDatagramSocket(SocketOptions.of("udp4").loop(loop),
          new InetSocketAddress(LOOPBACK, 0)));
      DatagramSocket closedPeer = new DatagramSocket(0, LOOPBACK);
      int port = closedPeer.getLocalPort();
      closedPeer.close();
      r.connect(LOOPBACK, port);
      r.send(new DatagramPacket(new byte[1], 1)); // port unreachable: the socket's error is pending
      Thread.sleep(200);
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long cpu0 = mx.getThreadCpuTime(loopThread.threadId());
      Thread.sleep(1000);
      long cpuMs = (mx.getThreadCpuTime(loopThread.threadId()) - cpu0) / 1_000_000;
      // a loop woken by the pending error again and again would burn most of the second
      assertTrue(cpuMs < 300, "the loop thread used " + cpuMs + " ms of CPU in an idle second");
      DatagramPacket p = new DatagramPacket(new byte[1], 1);
      assertThrows(PortUnreachableException.class, () -> r.receive(p), "the error waited for the receive");
    } finally {
      loop.close();
      loopThread.join(10_000);
    }
  }
}
