package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.MessageListener;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Shared fixture of the ports of Node's {@code test-dgram-[a-l]*.js} files: a loop of its own per
 * test (so that what reaches the loop's uncaught-exception handler, where an {@code error} without
 * a listener goes, is seen by the test that caused it), the sockets a test made (closed at the
 * end), and waits that are always bounded (5 s), as Node's {@code common.mustCall} checks are at
 * process exit.
 */
final class NodeAlSupport implements AutoCloseable {
  static final long TIMEOUT_MS = 5_000;

  final EventLoop loop;
  /** What the loop's uncaught-exception handler received: Node would have crashed on these. */
  final BlockingQueue<Throwable> uncaught = new LinkedBlockingQueue<>();
  private final List<DgramSocket> sockets = new ArrayList<>();

  NodeAlSupport() {
    loop = EventLoop.create();
    loop.setUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
    loop.start();
  }

  SocketOptions options(String type) {
    return SocketOptions.of(type).loop(loop);
  }

  DgramSocket udp4() {
    return socket(options("udp4"), null);
  }

  DgramSocket udp6() {
    return socket(options("udp6"), null);
  }

  DgramSocket socket(SocketOptions options) {
    return socket(options, null);
  }

  DgramSocket socket(SocketOptions options, MessageListener onMessage) {
    DgramSocket s = onMessage == null ? Dgram.createSocket(options) : Dgram.createSocket(options, onMessage);
    synchronized (sockets) {
      sockets.add(s);
    }
    return s;
  }

  /**
   * Adds 'error' and 'listening' listeners, then runs {@code bind} (listeners first: the loop
   * may finish the bind before the caller's next statement), and waits for 'listening'.
   *
   * @return address() as read inside the 'listening' listener
   */
  static AddressInfo listen(DgramSocket s, Runnable bind) {
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    s.onListening(() -> f.complete(s.address()));
    bind.run();
    return get(f);
  }

  /** Binds {@code s} on 127.0.0.1 (or ::1); @return its port. */
  static int bindLoopback(DgramSocket s, boolean v6) {
    return listen(s, () -> s.bind(0, v6 ? "::1" : "127.0.0.1")).port();
  }

  /** Closes and waits for 'close'. */
  static void closeAndWait(DgramSocket s) {
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    await(closed);
  }

  static void await(CountDownLatch latch) {
    dev.jdgram.Probe.await(latch);
  }

  static <T> T get(CompletableFuture<T> f) {
    return dev.jdgram.Probe.get(f);
  }

  static <T> T take(BlockingQueue<T> q) {
    return dev.jdgram.Probe.take(q);
  }

  static <T> BlockingQueue<T> queue() {
    return new LinkedBlockingQueue<>();
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A UDP port on 127.0.0.1 that was free a moment ago (the JDK's socket releases it at once). */
  static int freePort() {
    try (java.net.DatagramSocket d = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0))) {
      return d.getLocalPort();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /** @return true for the codes a send cut short by close() completes with */
  static boolean isCloseError(String code) {
    return "ERR_SOCKET_DGRAM_NOT_RUNNING".equals(code) || "ECANCELED".equals(code);
  }

  /** Fails if anything reached the loop's uncaught-exception handler. */
  void assertNoUncaught() {
    Throwable first = uncaught.peek();
    if (first != null) {
      throw new AssertionError("uncaught on the loop: " + uncaught, first);
    }
  }

  /** Closes the sockets still open and the loop; then checks that nothing went uncaught. */
  @Override
  public void close() {
    List<DgramSocket> all;
    synchronized (sockets) {
      all = new ArrayList<>(sockets);
    }
    for (DgramSocket s : all) {
      try {
        s.close();
      } catch (DgramException alreadyClosed) {
        // closed by the test
      }
    }
    loop.close();
    assertNoUncaught();
  }
}
