package dev.jdgram.handle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.loop.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one handle against a fake kernel: the parts of libuv's {@code uv_udp_t} that no transport
 * may change (close, the receive cap, drain order, the phase-end flush, the GSO fallback, the
 * receive-error policy, the checks made before the kernel is asked).
 */
class UdpHandleTest {
  private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

  private EventLoop loop;
  private LoopContext ctx;
  private FakeKernel kernel;
  private UdpHandle handle;
  private final List<String> events = new ArrayList<>();

  /** A kernel that does what each test tells it and writes down what it was asked. */
  static final class FakeKernel implements UdpKernel {
    final LoopContext ctx;
    UdpKernel.Watcher watcher;
    boolean socket;
    int watching;
    int maxMany = 1;
    /** Answers for trySend / trySendMany, oldest first; empty: the kernel takes everything. */
    final ArrayDeque<Integer> sendAnswers = new ArrayDeque<>();
    /** Answers for recv: a count of datagrams to hand over, or an errno; empty: AGAIN. */
    final ArrayDeque<Integer> recvAnswers = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();
    boolean refuseGso;
    InetSocketAddress boundTo;
    int boundFlags;

    FakeKernel(LoopContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public boolean hasSocket() {
      return socket;
    }

    @Override
    public void bind(InetSocketAddress local, int flags) {
      boundTo = local;
      boundFlags = flags;
      socket = true;
    }

    @Override
    public void connect(InetSocketAddress remote) {}

    @Override
    public void disconnect() {}

    @Override
    public InetSocketAddress localAddress() {
      return boundTo;
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return PEER;
    }

    @Override
    public void watch(int events) {
      watching = events;
    }

    @Override
    public void close(Runnable onReleased) {
      socket = false;
      calls.add("close");
      ctx.nextTick(onReleased); // as a kernel that releases the descriptor at once
    }

    @Override
    public int recv(RecvSink sink, int max) {
      calls.add("recv " + max);
      Integer a = recvAnswers.poll();
      if (a == null) {
        return AGAIN;
      }
      if (a < 0) {
        return a;
      }
      int n = Math.min(a, max);
      if (a > n) {
        recvAnswers.addFirst(a - n);
      }
      ByteBuffer b = ByteBuffer.allocate(1);
      for (int i = 0; i < n; i++) {
        b.clear();
        if (!sink.onDatagram(b, PEER, new RecvInfo())) {
          return i + 1;
        }
      }
      return n;
    }

    @Override
    public int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
      calls.add("send");
      Integer a = sendAnswers.poll();
      return a == null ? data.remaining() : a;
    }

    @Override
    public int maxSendMany() {
      return maxMany;
    }

    @Override
    public int trySendMany(SendReq[] reqs, int count) {
      calls.add("sendmmsg " + count);
      Integer a = sendAnswers.poll();
      return a == null ? count : a;
    }

    @Override
    public int trySendBatch(NativeBatch batch, int from, InetSocketAddress dest, boolean gso) {
      calls.add("batch " + from + (gso ? " gso" : ""));
      if (gso && refuseGso) {
        return GSO_REFUSED;
      }
      return batch.count() - from;
    }

    @Override
    public void setBroadcast(boolean on) {}

    @Override
    public void setTOS(int tos) {}

    @Override
    public void setTTL(int ttl) {
      calls.add("ttl " + ttl);
    }

    @Override
    public void setMulticastTTL(int ttl) {}

    @Override
    public void setMulticastLoopback(boolean on) {}

    @Override
    public void setMulticastInterface(InetAddress iface, String scope) {}

    @Override
    public void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
      calls.add("join " + group.getHostAddress());
    }

    @Override
    public void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join) {}

    @Override
    public int bufferSize(boolean recv, int value) {
      return value;
    }

    @Override
    public void wantRecvInfo(int what) {
      calls.add("recvinfo " + what);
    }
  }

  @BeforeEach
  void setUp() {
    loop = EventLoop.create();
    ctx = LoopContext.of(loop);
    kernel = new FakeKernel(ctx);
    handle = newHandle();
  }

  /** A handle over {@link #kernel}, made anew once a test has set the kernel's batch size. */
  private UdpHandle newHandle() {
    return new UdpHandle(ctx, false, w -> {
      kernel.watcher = w;
      return kernel;
    });
  }

  @AfterEach
  void tearDown() {
    loop.close();
  }

  /**
   * Runs {@code task} on the loop, then lets the loop finish what it scheduled; an assertion that
   * fails inside the task fails the test (not only the loop's uncaught handler).
   */
  private void onLoop(Runnable task) {
    Throwable[] failed = {null};
    loop.execute(() -> {
      try {
        task.run();
      } catch (Throwable t) {
        failed[0] = t;
      }
    });
    for (int i = 0; i < 5; i++) {
      loop.runNoWait();
    }
    if (failed[0] instanceof Error e) {
      throw e;
    }
    if (failed[0] instanceof RuntimeException e) {
      throw e;
    }
  }

  private SendReq req(String name, InetSocketAddress dest) {
    return new SendReq(ByteBuffer.wrap(name.getBytes()), dest, (r, status) -> events.add(name + " " + status));
  }

  private final HandleListener listener = new HandleListener() {
    @Override
    public void onRecv(ByteBuffer data, InetSocketAddress from, RecvInfo info) {
      events.add("datagram");
    }

    @Override
    public void onRecvError(int errno) {
      events.add("error " + Errno.name(errno));
    }

    @Override
    public void onWriteQueueDrained() {
      events.add("drained");
    }
  };

  private void bound() {
    onLoop(() -> handle.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  @Test
  void closeCancelsEveryQueuedSendExactlyOnceThenCallsBack() {
    bound();
    kernel.sendAnswers.add(UdpKernel.AGAIN); // the kernel is full from the first send on
    onLoop(() -> {
      handle.send(req("a", PEER));
      handle.send(req("b", PEER));
      handle.send(req("c", PEER));
      assertEquals(3, handle.sendQueueCount());
      assertEquals(UdpKernel.WRITABLE, kernel.watching & UdpKernel.WRITABLE, "waits for writability");
      handle.close(() -> events.add("closed"));
      handle.close(() -> events.add("closed again"));
      assertTrue(events.isEmpty(), "nothing is called back inside close: " + events);
    });
    int ecanceled = Errno.ECANCELED;
    assertEquals(List.of("a " + ecanceled, "b " + ecanceled, "c " + ecanceled, "closed", "closed again"), events);
    assertEquals(0, handle.sendQueueCount());
    assertEquals(List.of("send", "close"), kernel.calls, "the queue is not retried on close while the kernel is full");
  }

  @Test
  void readsAtMost32DatagramsPerWakeUp() {
    bound();
    kernel.recvAnswers.add(100);
    onLoop(() -> handle.recvStart(listener));
    assertEquals(UdpKernel.READABLE, kernel.watching);
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(32, events.size());
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(64, events.size());
  }

  @Test
  void stopsDeliveringWhenTheListenerStopsReceiving() {
    bound();
    kernel.recvAnswers.add(10);
    onLoop(() -> handle.recvStart(new HandleListener() {
      @Override
      public void onRecv(ByteBuffer data, InetSocketAddress from, RecvInfo info) {
        events.add("datagram");
        handle.recvStop();
      }

      @Override
      public void onRecvError(int errno) {}
    }));
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(1, events.size());
    assertEquals(0, kernel.watching);
  }

  @Test
  void icmpErrorsAreReportedAndReadingGoesOnOtherErrorsEndTheWakeUp() {
    bound();
    kernel.recvAnswers.add(Errno.ECONNREFUSED);
    kernel.recvAnswers.add(2);
    onLoop(() -> handle.recvStart(listener));
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(List.of("error ECONNREFUSED", "datagram", "datagram"), events);

    events.clear();
    kernel.recvAnswers.add(Errno.ENOMEM);
    kernel.recvAnswers.add(2);
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(List.of("error ENOMEM"), events, "a lasting error ends the wake-up");
    onLoop(() -> kernel.watcher.onReady(UdpKernel.READABLE));
    assertEquals(List.of("error ENOMEM", "datagram", "datagram"), events, "the next wake-up reads on");
  }

  @Test
  void writabilityDrainsTheQueueInOrderThenSignalsDrain() {
    bound();
    kernel.sendAnswers.add(UdpKernel.AGAIN);
    onLoop(() -> {
      handle.recvStart(listener);
      handle.send(req("a", PEER));
      handle.send(req("b", PEER));
      handle.send(req("c", PEER));
    });
    assertEquals(3, handle.blockedBytes(), "what waits for the kernel counts against the high-water mark");
    onLoop(() -> kernel.watcher.onReady(UdpKernel.WRITABLE));
    assertEquals(List.of("drained", "a 1", "b 1", "c 1"), events);
    assertEquals(UdpKernel.READABLE, kernel.watching, "no longer waits for writability");
  }

  @Test
  void sendsHeldInAPhaseGoOutTogetherAtItsEnd() {
    kernel.maxMany = 64;
    handle = newHandle();
    bound();
    onLoop(() -> {
      for (int i = 0; i < 10; i++) {
        handle.send(req("d" + i, PEER));
      }
      assertEquals(List.of("send"), kernel.calls, "the first goes at once, the rest wait for the phase's end");
      assertEquals(0, handle.blockedBytes(), "held for the flush is not blocked");
    });
    assertEquals(List.of("send", "sendmmsg 9"), kernel.calls);
    assertEquals(10, events.size());
    assertEquals("d0 2", events.get(0));
    assertEquals("d9 2", events.get(9));
  }

  @Test
  void aFullBatchWorthIsSentWithoutWaitingForThePhaseEnd() {
    kernel.maxMany = 4;
    handle = newHandle();
    bound();
    onLoop(() -> {
      for (int i = 0; i < 5; i++) {
        handle.send(req("d" + i, PEER));
      }
      assertEquals(List.of("send", "sendmmsg 4"), kernel.calls);
    });
  }

  @Test
  void aRefusedSegmentedSendGoesAgainUnsegmentedForThisSocketOnly() {
    bound();
    kernel.refuseGso = true;
    List<String> done = new ArrayList<>();
    try (NativeBatch batch = new NativeBatch(8, 1024)) {
      for (int i = 0; i < 4; i++) {
        batch.add(new byte[100], 0, 100);
      }
      onLoop(() -> handle.sendBatch(batch, PEER, (sent, errno) -> done.add(sent + "/" + errno)));
      assertEquals(List.of("4/0"), done, "nothing lost, nothing reported");
      assertEquals(List.of("batch 0 gso", "batch 0"), kernel.calls);
      assertEquals(1, handle.gsoFallbacks());
      onLoop(() -> handle.sendBatch(batch, PEER, (sent, errno) -> done.add(sent + "/" + errno)));
      assertEquals(List.of("batch 0 gso", "batch 0", "batch 0"), kernel.calls, "segmentation stays off");
    }

    FakeKernel other = new FakeKernel(ctx);
    UdpHandle second = new UdpHandle(ctx, false, w -> other);
    onLoop(() -> second.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    try (NativeBatch batch = new NativeBatch(8, 1024)) {
      batch.add(new byte[100], 0, 100);
      batch.add(new byte[100], 0, 100);
      onLoop(() -> second.sendBatch(batch, PEER, (sent, errno) -> {}));
    }
    assertEquals(List.of("batch 0 gso"), other.calls, "another socket keeps its own capability");
  }

  @Test
  void checksMadeBeforeTheKernelIsAsked() {
    // EDESTADDRREQ: no destination on an unconnected handle
    bound();
    onLoop(() -> handle.send(req("x", null)));
    assertEquals(List.of("x " + Errno.EDESTADDRREQ), events);
    assertTrue(kernel.calls.isEmpty());

    // family: an IPv6 destination on a udp4 handle
    events.clear();
    InetSocketAddress v6 = new InetSocketAddress(IpLiteral.parse("::1"), 9);
    onLoop(() -> handle.send(req("y", v6)));
    assertEquals(List.of("y " + Errno.EINVAL), events);

    // TTL ranges, checked before the socket is (as libuv does)
    FakeKernel k2 = new FakeKernel(ctx);
    UdpHandle unbound = new UdpHandle(ctx, false, w -> k2);
    assertEquals(Errno.EINVAL, assertThrows(SysError.class, () -> unbound.setTTL(0)).errno());
    assertEquals(Errno.EINVAL, assertThrows(SysError.class, () -> unbound.setMulticastTTL(256)).errno());
    assertEquals(Errno.EBADF, assertThrows(SysError.class, () -> unbound.setTTL(64)).errno());
    assertTrue(k2.calls.isEmpty());
  }

  @Test
  void membershipOnAnUnboundHandleBindsItToTheWildcardFirst() {
    onLoop(() -> handle.membership(IpLiteral.parse("239.1.2.3"), null, null, true));
    assertEquals(IpLiteral.wildcard(false), kernel.boundTo.getAddress());
    assertEquals(0, kernel.boundTo.getPort());
    assertEquals(UdpHandle.REUSEADDR, kernel.boundFlags);
    assertEquals(List.of("join 239.1.2.3"), kernel.calls);
    assertEquals(Errno.EINVAL, assertThrows(SysError.class,
        () -> handle.membership(IpLiteral.parse("10.1.2.3"), null, null, true)).errno(), "not a group");
  }

  @Test
  void aClosedHandleRefusesSendsOnTheNextTick() {
    bound();
    onLoop(() -> handle.close(() -> {}));
    onLoop(() -> {
      handle.send(req("late", PEER));
      assertTrue(events.isEmpty());
    });
    assertEquals(List.of("late " + Errno.EBADF), events);
    assertEquals(Errno.EBADF, assertThrows(SysError.class, () -> handle.setTTL(64)).errno());
  }
}
