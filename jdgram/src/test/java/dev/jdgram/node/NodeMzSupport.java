package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.Lookup;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

/**
 * Helpers shared by the ports of Node's dgram tests m–z (the {@code Node*Test} classes of this
 * package whose topic starts with m to z). Every wait is bounded by {@link #TIMEOUT_MS}.
 */
final class NodeMzSupport {
  static final long TIMEOUT_MS = 5_000;

  private NodeMzSupport() {}

  /** True when the loops run on the java.nio transport (the default). */
  static boolean nio() {
    return "nio".equals(System.getProperty("jdgram.transport", "nio"));
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

  /** @return what arrives within {@code millis}, or null */
  static <T> T poll(BlockingQueue<T> q, long millis) {
    try {
      return q.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static <T> BlockingQueue<T> queue() {
    return new LinkedBlockingQueue<>();
  }

  /** Binds {@code s} to {@code address} ({@code null}: every address) on {@code port}; @return the port. */
  static int bind(DgramSocket s, int port, String address) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    Runnable onListening = () -> bound.complete(s.address().port());
    java.util.function.Consumer<DgramException> onError = bound::completeExceptionally;
    s.onError(onError);
    s.bind(port, address, onListening);
    try {
      return get(bound);
    } finally {
      s.off(onError);
    }
  }

  /** Closes {@code s} and waits for its {@code close} event. */
  static void closeAndWait(DgramSocket s) {
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    await(closed);
  }

  /** Asserts that {@code call} throws a {@link DgramException} with {@code code}; @return it. */
  static DgramException assertCode(String code, Executable call) {
    DgramException e = assertThrows(DgramException.class, call);
    assertEquals(code, e.code(), () -> "message: " + e.getMessage());
    return e;
  }

  /** A look-up that answers IP literals and refuses every name with {@code error}. */
  static Lookup literalsOnly(DgramException error) {
    return (host, family, cb) -> {
      InetAddress a;
      try {
        a = InetAddress.ofLiteral(host);
      } catch (IllegalArgumentException notLiteral) {
        cb.accept(error, null);
        return;
      }
      cb.accept(null, a);
    };
  }

  /** Node's {@code common.hasIPv6}, narrowed to the loopback: can a socket bind ::1? */
  static boolean hasIpv6Loopback() {
    try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
      c.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /** Sockets a test made, all closed after it. */
  static final class Sockets {
    private final List<DgramSocket> all = new ArrayList<>();

    DgramSocket add(DgramSocket s) {
      all.add(s);
      return s;
    }

    void closeAll() {
      for (DgramSocket s : all) {
        if (!s.isClosed()) {
          try {
            s.close();
          } catch (DgramException ignored) {
            // closed meanwhile
          }
        }
      }
      all.clear();
    }
  }
}
