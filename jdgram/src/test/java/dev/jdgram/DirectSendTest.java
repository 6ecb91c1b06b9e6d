package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Sends made on the loop thread with nothing ahead of them go straight to the handle, copied
 * once into its native send slots (DirectSend): the same bytes, callbacks and order as every
 * other send, and no garbage per datagram; sends that take the general path (a look-up, a
 * datagram too large for a slot) are never overtaken by them.
 */
class DirectSendTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      try {
        s.close();
      } catch (DgramException alreadyClosed) {
        // closed by the test
      }
    }
  }

  private record Sink(BlockingQueue<byte[]> got, int port) {}

  /** A receiver on a loop of its own, so that its work is not the sender loop's. */
  private Sink sink() {
    DgramSocket s = socket(SocketOptions.of("udp4").loop(ownLoop()));
    BlockingQueue<byte[]> got = Probe.queue();
    s.onMessage((m, r) -> got.add(m));
    AddressInfo a = Probe.get(s.bindAsync(0, "127.0.0.1"));
    return new Sink(got, a.port());
  }

  private final List<dev.jdgram.loop.EventLoop> loops = new ArrayList<>();

  private dev.jdgram.loop.EventLoop ownLoop() {
    dev.jdgram.loop.EventLoop l = dev.jdgram.loop.EventLoop.create();
    l.start();
    loops.add(l);
    return l;
  }

  @AfterEach
  void closeLoops() {
    for (dev.jdgram.loop.EventLoop l : loops) {
      l.close();
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void loopSendsToThePeerArriveWholeAndCompleteInOrder() {
    Sink sink = sink();
    DgramSocket s = socket(SocketOptions.of("udp4"));
    Probe.get(s.bindAsync(0, "127.0.0.1"));
    Probe.get(s.connectAsync(sink.port(), "127.0.0.1"));
    int n = 200;
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(n);
    s.loop().execute(() -> {
      byte[] buf = new byte[64];
      for (int i = 0; i < n; i++) {
        int id = i;
        byte[] msg = ("peer-" + i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(msg, 0, buf, 0, msg.length);
        // one array, overwritten at once: the datagram must be the bytes at send() time
        s.send(buf, 0, msg.length, (err, bytes) -> {
          assertNull(err);
          assertEquals(msg.length, bytes);
          order.add(id);
          done.countDown();
        });
        java.util.Arrays.fill(buf, (byte) 'x');
      }
    });
    Probe.await(done);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
      assertEquals("peer-" + i, text(Probe.take(sink.got())));
    }
    assertEquals(expected, order);
  }

  @Test
  void sendsOnTheGeneralPathAreNotOvertakenByLaterLoopSends() {
    Sink sink = sink();
    DgramSocket s = socket(SocketOptions.of("udp4"));
    Probe.get(s.bindAsync(0, "127.0.0.1"));
    // the first send to an address is looked up; after it the socket remembers the literal
    Probe.get(s.sendAsync("warm".getBytes(StandardCharsets.UTF_8), sink.port(), "127.0.0.1"));
    assertEquals("warm", text(Probe.take(sink.got())));
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(11);
    SendCallback record = (err, bytes) -> {
      assertNull(err);
      done.countDown();
    };
    s.loop().execute(() -> {
      // a large datagram (past a native slot) takes the general path, which hands it to the
      // handle on a later tick; the small ones after it could go straight to the handle, to
      // the remembered literal, but must wait behind it
      s.send(new byte[4000], sink.port(), "127.0.0.1", (e, b) -> {
        order.add("large");
        record.onSent(e, b);
      });
      for (int i = 0; i < 10; i++) {
        String m = "small-" + i;
        s.send(m.getBytes(StandardCharsets.UTF_8), sink.port(), "127.0.0.1", (e, b) -> {
          order.add(m);
          record.onSent(e, b);
        });
      }
    });
    Probe.await(done);
    List<String> expected = new ArrayList<>(List.of("large"));
    for (int i = 0; i < 10; i++) {
      expected.add("small-" + i);
    }
    assertEquals(expected, order, "callbacks in send order");
    List<String> arrived = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      byte[] b = Probe.take(sink.got());
      arrived.add(b.length == 4000 ? "large" : text(b));
    }
    assertEquals(expected, arrived, "datagrams in send order");
  }

  @Test
  void aFailedDirectSendReportsTheAddressAsWrittenAndTheSocketGoesOn() {
    OnTransport.skipOnSim("needs a port that answers with ICMP port unreachable");
    Assumptions.assumeFalse(OnTransport.nio(), "java.nio reports no ICMP error on an unconnected send");
    // a closed port: the first send draws ICMP port unreachable, reported to a later send of
    // the connected socket (ECONNREFUSED), as libuv and Node report it
    DgramSocket closed = socket(SocketOptions.of("udp4"));
    int port = Probe.get(closed.bindAsync(0, "127.0.0.1")).port();
    Probe.get(closed.closeAsync());
    DgramSocket s = socket(SocketOptions.of("udp4"));
    Probe.get(s.bindAsync(0, "127.0.0.1"));
    Probe.get(s.connectAsync(port, "127.0.0.1"));
    BlockingQueue<DgramException> errors = Probe.queue();
    AtomicInteger ok = new AtomicInteger();
    for (int attempt = 0; attempt < 50 && errors.isEmpty(); attempt++) {
      CountDownLatch sent = new CountDownLatch(1);
      s.loop().execute(() -> s.send(new byte[] {1}, (err, bytes) -> {
        if (err != null) {
          errors.add(err);
        } else {
          ok.incrementAndGet();
        }
        sent.countDown();
      }));
      Probe.await(sent);
    }
    DgramException e = Probe.take(errors);
    assertEquals("ECONNREFUSED", e.code());
    assertEquals("send ECONNREFUSED", e.getMessage());
    assertTrue(ok.get() >= 1, "the first send went out");
  }

  @Test
  void aLoopThatKeepsSendingAllocatesNothingPerDatagram() throws Exception {
    Assumptions.assumeTrue(OnTransport.linux(),
        "the allocation of the linux transport's path; java.nio and the simulated kernel make objects of their own per datagram");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // a receiver that never reads: the kernel drops what overflows it, the sends all succeed
    java.nio.channels.DatagramChannel sink = java.nio.channels.DatagramChannel.open();
    sink.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
    int port = ((java.net.InetSocketAddress) sink.getLocalAddress()).getPort();
    try {
      DgramSocket s = socket(SocketOptions.of("udp4"));
      Probe.get(s.bindAsync(0, "127.0.0.1"));
      Probe.get(s.connectAsync(port, "127.0.0.1"));
      byte[] msg = new byte[64];
      AtomicLong completed = new AtomicLong();
      SendCallback counting = (err, bytes) -> completed.incrementAndGet();
      // one round: 64 sends from one task, as a sending loop does, then the next round
      long warm = burst(s, msg, counting, completed, 1500);
      CompletableFuture<Long> before = new CompletableFuture<>();
      s.loop().execute(() -> before.complete(threads.getThreadAllocatedBytes(Thread.currentThread().threadId())));
      long start = Probe.get(before);
      long sends = burst(s, msg, counting, completed, 300);
      CompletableFuture<Long> after = new CompletableFuture<>();
      s.loop().execute(() -> after.complete(threads.getThreadAllocatedBytes(Thread.currentThread().threadId())));
      long allocated = Probe.get(after) - start;
      double perSend = (double) allocated / sends;
      // the general path allocated about 216 bytes per datagram (a heap copy, a request, a
      // send op, a callback lambda); the bound leaves room for the loop's own rare objects
      assertTrue(perSend < 16, "bytes allocated per send on the loop thread: " + perSend
          + " (" + allocated + " over " + sends + " sends, after " + warm + " to warm up)");
      // the slots are reused: as many as one round's sends in flight, not one per send
      CompletableFuture<Integer> made = new CompletableFuture<>();
      s.loop().execute(() -> made.complete(s.handle().sendSlots())); // the loop's own field
      int slots = Probe.get(made);
      assertTrue(slots >= 64 && slots <= 256, "native send slots made: " + slots);
    } finally {
      sink.close();
    }
  }

  /** {@code rounds} rounds of 64 loop-thread sends; @return how many completed. */
  private static long burst(DgramSocket s, byte[] msg, SendCallback cb, AtomicLong completed, int rounds) {
    long start = completed.get();
    CountDownLatch done = new CountDownLatch(1);
    Runnable round = new Runnable() {
      int left = rounds;

      @Override
      public void run() {
        if (left-- == 0) {
          done.countDown();
          return;
        }
        for (int k = 0; k < 64; k++) {
          s.send(msg, cb);
        }
        s.loop().setImmediate(this);
      }
    };
    s.loop().execute(round);
    Probe.await(done);
    // the last round's callbacks run on the next ticks: wait for them on the loop
    CompletableFuture<Void> settled = new CompletableFuture<>();
    s.loop().setTimeout(() -> settled.complete(null), 10);
    Probe.get(settled);
    return completed.get() - start;
  }
}
