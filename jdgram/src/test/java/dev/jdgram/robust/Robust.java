package dev.jdgram.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.function.Executable;

/**
 * Shared helpers of the robustness tests: sockets that record everything they are told (and on
 * which thread), an echo sink on loopback, round trips, and "nothing but DgramException" checks.
 *
 * <p>Network rules: every datagram these helpers send goes to 127.0.0.1 or ::1.
 */
final class Robust {
  static final long WAIT_MS = 5_000;
  /** A host name that no resolver answers, and that the test JVM's hosts file rejects at once. */
  static final String LONG_HOST = "h".repeat(300);
  /** Host strings that cannot resolve without DNS (the JVM resolves only from .ci/hosts). */
  static final List<String> UNRESOLVABLE = List.of("999.1.1.1", "::g", LONG_HOST, "256.256.256.256",
      "1.2.3.4.5", "no-such-host.invalid", "127.0.0.1:80", "::1::1");

  private Robust() {}

  /** A listener or callback that ran on a thread other than its loop's. */
  static final Queue<String> WRONG_THREAD = new ConcurrentLinkedQueue<>();

  static void onLoop(DgramSocket s, String what) {
    if (!s.loop().inLoop()) {
      WRONG_THREAD.add(what + " ran on " + Thread.currentThread().getName());
    }
  }

  /** Fails unless {@code call} throws a DgramException with {@code code}; anything else escaping fails too. */
  static DgramException throwsCode(String code, Executable call) {
    try {
      call.execute();
    } catch (DgramException e) {
      assertEquals(code, e.code(), () -> "wrong code: " + e);
      return e;
    } catch (Throwable t) {
      throw new AssertionError("a " + t.getClass().getName() + " escaped instead of DgramException " + code, t);
    }
    fail("no DgramException " + code + " was thrown");
    return null;
  }

  /** Runs {@code call}; a DgramException is returned, anything else that escapes fails the test. */
  static DgramException onlyDgram(Executable call) {
    try {
      call.execute();
      return null;
    } catch (DgramException e) {
      return e;
    } catch (Throwable t) {
      throw new AssertionError("a " + t.getClass().getName() + " escaped: " + t, t);
    }
  }

  static <T> T poll(BlockingQueue<T> q, long ms) {
    try {
      return q.poll(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static <T> T take(BlockingQueue<T> q) {
    T v = poll(q, WAIT_MS);
    if (v == null) {
      fail("timed out waiting for an event");
    }
    return v;
  }

  static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no result in time: " + e, e);
    }
  }

  static boolean waitUntil(java.util.function.BooleanSupplier cond, long ms) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** The stacks of jdgram's threads, for a failure message about a hang. */
  static String jdgramStacks() {
    StringBuilder sb = new StringBuilder();
    Thread.getAllStackTraces().forEach((t, st) -> {
      if (t.getName().startsWith("jdgram-")) {
        sb.append('\n').append(t.getName()).append(" ").append(t.getState()).append(':');
        for (int i = 0; i < Math.min(st.length, 25); i++) {
          sb.append("\n    at ").append(st[i]);
        }
      }
    });
    return sb.toString();
  }

  /** A datagram as received. */
  record Got(String text, RemoteInfo rinfo) {}

  /**
   * A socket that records its datagrams, errors and close events, and checks that each of its
   * listeners runs on its loop thread.
   */
  static final class Sock {
    final DgramSocket socket;
    final boolean v6;
    final BlockingQueue<Got> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<DgramException> errors = new LinkedBlockingQueue<>();
    final AtomicInteger listening = new AtomicInteger();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    Sock(EventLoop loop, String type) {
      v6 = "udp6".equals(type);
      socket = Dgram.createSocket(SocketOptions.of(type).loop(loop));
      socket.onMessage((msg, rinfo) -> {
        onLoop(socket, "message");
        messages.add(new Got(new String(msg, StandardCharsets.UTF_8), rinfo));
      });
      socket.onError(e -> {
        onLoop(socket, "error");
        errors.add(e);
      });
      socket.onListening(() -> {
        onLoop(socket, "listening");
        listening.incrementAndGet();
      });
      socket.onClose(() -> {
        onLoop(socket, "close");
        closed.complete(null);
      });
    }

    String loopback() {
      return v6 ? "::1" : "127.0.0.1";
    }

    /** Binds on loopback and waits for listening; @return the port. */
    int bindLoopback() {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      socket.bind(0, loopback(), () -> port.complete(socket.address().port()));
      return get(port);
    }

    void closeQuietly() {
      if (!socket.isClosed()) {
        onlyDgram(socket::close);
      }
    }

    /** Waits for a datagram whose text is {@code text}, skipping others. */
    Got awaitText(String text) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      while (System.nanoTime() < end) {
        Got g = poll(messages, 50);
        if (g != null && g.text().equals(text)) {
          return g;
        }
      }
      fail("datagram '" + text + "' never arrived");
      return null;
    }
  }

  /** An echo server on loopback: answers "ping:X" with "pong:X" to the sender. */
  static final class Echo {
    final DgramSocket socket;
    final int port;
    final boolean v6;

    Echo(EventLoop loop, boolean v6) {
      this.v6 = v6;
      socket = Dgram.createSocket(SocketOptions.of(v6 ? "udp6" : "udp4").loop(loop));
      socket.onError(e -> { });
      socket.onMessage((msg, rinfo) -> {
        onLoop(socket, "echo message");
        String t = new String(msg, StandardCharsets.UTF_8);
        if (t.startsWith("ping:") && isLoopback(rinfo.address())) {
          socket.send("pong:" + t.substring(5), rinfo.port(), rinfo.address(), (err, n) -> { });
        }
      });
      CompletableFuture<Integer> p = new CompletableFuture<>();
      socket.bind(0, v6 ? "::1" : "127.0.0.1", () -> p.complete(socket.address().port()));
      port = get(p);
    }

    String address() {
      return v6 ? "::1" : "127.0.0.1";
    }

    void close() {
      onlyDgram(socket::close);
    }
  }

  static boolean isLoopback(String a) {
    return a.equals("127.0.0.1") || a.equals("::1") || a.equals("::ffff:127.0.0.1");
  }

  /**
   * A round trip through {@code s}: it sends to {@code echo} (as a connected socket if it is
   * connected, which these tests only ever do to that echo), and receives the answer.
   */
  static void roundTrip(Sock s, Echo echo) {
    String id = UUID.randomUUID().toString();
    CompletableFuture<DgramException> sent = new CompletableFuture<>();
    boolean connected;
    try {
      s.socket.remoteAddress();
      connected = true;
    } catch (DgramException notConnected) {
      connected = false;
    }
    if (connected) {
      s.socket.send("ping:" + id, (err, n) -> {
        onLoop(s.socket, "send callback");
        sent.complete(err);
      });
    } else {
      s.socket.send("ping:" + id, echo.port, echo.address(), (err, n) -> {
        onLoop(s.socket, "send callback");
        sent.complete(err);
      });
    }
    assertNull(get(sent), "round-trip send failed");
    Got g = s.awaitText("pong:" + id);
    assertTrue(isLoopback(g.rinfo().address()), g.rinfo().toString());
  }
}
