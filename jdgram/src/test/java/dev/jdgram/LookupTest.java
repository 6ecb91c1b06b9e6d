package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lookup option: which names it is asked, what its answers do; and the default lookup. */
class LookupTest {
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

  /** One question put to a Lookup. */
  record Call(String host, String family) {}

  /** A literal as an InetAddress, without any resolver. */
  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip); // literals only: never reaches a resolver
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean isLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
  }

  /**
   * A lookup that records every call and maps {@code my.service} to loopback of the asked
   * family, literals to themselves, and everything else to ENOTFOUND.
   */
  private static Lookup recording(BlockingQueue<Call> calls) {
    return (host, family, cb) -> {
      calls.add(new Call(host, family));
      if ("my.service".equals(host)) {
        cb.accept(null, literal("IPv6".equals(family) ? "::1" : "127.0.0.1"));
      } else if (isLiteral(host)) {
        cb.accept(null, literal(host));
      } else {
        cb.accept(new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND " + host), null);
      }
    };
  }

  /** A sink bound on loopback with the default lookup. */
  private BlockingQueue<String> sink(boolean v6, int[] portOut) {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket s = socket(SocketOptions.of(v6 ? "udp6" : "udp4"));
    s.onMessage((msg, rinfo) -> got.add(new String(msg, StandardCharsets.UTF_8) + "|" + rinfo.address()));
    portOut[0] = Probe.bindLoopback(s, v6);
    return got;
  }

  private static boolean sawCall(BlockingQueue<Call> calls, Call wanted) {
    return calls.contains(wanted);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ a custom lookup is used

  @Test
  void customLookupIsUsedForBind() {
    BlockingQueue<Call> calls = Probe.queue();
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(recording(calls)));
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    s.bind(0, "my.service", () -> f.complete(s.address()));
    AddressInfo a = Probe.get(f);
    assertEquals("127.0.0.1", a.address());
    assertEquals("IPv4", a.family());
    assertEquals(new Call("my.service", "IPv4"), Probe.take(calls));
  }

  @Test
  void customLookupIsUsedForConnect() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    BlockingQueue<Call> calls = Probe.queue();
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(recording(calls)));
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    s.connect(port[0], "my.service", cb::complete);
    assertNull(Probe.get(cb));
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port[0]), s.remoteAddress());
    assertTrue(sawCall(calls, new Call("my.service", "IPv4")), "calls: " + calls);
    s.send("via-connect", (err, n) -> { });
    assertEquals("via-connect|127.0.0.1", Probe.take(got));
  }

  @Test
  void customLookupIsUsedForSend() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    BlockingQueue<Call> calls = Probe.queue();
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(recording(calls)));
    BlockingQueue<Object> sent = Probe.queue();
    s.send("via-send", port[0], "my.service", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(8, Probe.take(sent));
    assertEquals("via-send|127.0.0.1", Probe.take(got));
    assertTrue(sawCall(calls, new Call("my.service", "IPv4")), "calls: " + calls);
  }

  @Test
  void customLookupIsAskedWithIPv6FamilyOnUdp6() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(true, port);
    BlockingQueue<Call> calls = Probe.queue();
    DgramSocket s = socket(SocketOptions.of("udp6").lookup(recording(calls)));
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    s.bind(0, "my.service", () -> f.complete(s.address()));
    assertEquals("::1", Probe.get(f).address());
    BlockingQueue<Object> sent = Probe.queue();
    s.send("six", port[0], "my.service", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(3, Probe.take(sent));
    assertEquals("six|::1", Probe.take(got));
    assertTrue(sawCall(calls, new Call("my.service", "IPv6")), "calls: " + calls);
    for (Call c : calls) {
      assertEquals("IPv6", c.family(), "every call of a udp6 socket asks for IPv6: " + c);
    }
  }

  // ------------------------------------------------------------------ errors from the lookup

  @Test
  void lookupErrorReachesBindAsTheSameError() {
    DgramException failure = new DgramException("EAI_AGAIN", "getaddrinfo EAI_AGAIN my.service");
    DgramSocket s = socket(SocketOptions.of("udp4").lookup((host, family, cb) -> cb.accept(failure, null)));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    AtomicInteger listening = new AtomicInteger();
    s.onError(error::complete);
    s.bind(0, "my.service", listening::incrementAndGet);
    assertSame(failure, Probe.get(error));
    pause(100);
    assertEquals(0, listening.get());
  }

  @Test
  void lookupErrorReachesSendCallbackAsTheSameError() {
    DgramException failure = new DgramException("EAI_AGAIN", "getaddrinfo EAI_AGAIN my.service");
    BlockingQueue<Call> calls = Probe.queue();
    Lookup lookup = (host, family, cb) -> {
      if ("my.service".equals(host)) {
        cb.accept(failure, null);
      } else {
        recording(calls).lookup(host, family, cb);
      }
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(lookup));
    BlockingQueue<DgramException> errors = Probe.queue();
    s.onError(errors::add);
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    s.send("x", 4321, "my.service", (err, n) -> cb.complete(err));
    assertSame(failure, Probe.get(cb));
    pause(100);
    assertNull(errors.peek(), "with a callback, no 'error' event");

    // without a callback the same error goes to 'error'
    s.send("x".getBytes(), 4321, "my.service");
    assertSame(failure, Probe.take(errors));
  }

  @Test
  void lookupErrorReachesConnectCallbackAsTheSameError() {
    DgramException failure = new DgramException("EAI_AGAIN", "getaddrinfo EAI_AGAIN my.service");
    BlockingQueue<Call> calls = Probe.queue();
    Lookup lookup = (host, family, cb) -> {
      if ("my.service".equals(host)) {
        cb.accept(failure, null);
      } else {
        recording(calls).lookup(host, family, cb);
      }
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(lookup));
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    s.connect(4321, "my.service", cb::complete);
    assertSame(failure, Probe.get(cb));
  }

  @Test
  void lookupThatThrowsGivesAnErrorNotAnException() {
    DgramSocket s = socket(SocketOptions.of("udp4").lookup((host, family, cb) -> {
      throw new IllegalStateException("resolver broken");
    }));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    s.bind(0, "my.service"); // must not throw
    DgramException e = Probe.get(error);
    assertTrue(e.code() != null && !e.code().isEmpty(), "error with a code: " + e);
  }

  @Test
  void lookupAnsweringNeitherAddressNorErrorGivesEnotfound() {
    DgramSocket s = socket(SocketOptions.of("udp4").lookup((host, family, cb) -> cb.accept(null, null)));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    s.bind(0, "my.service");
    assertEquals("ENOTFOUND", Probe.get(error).code());
  }

  // ------------------------------------------------------------------ awkward lookups

  @Test
  void lookupAnsweringLaterOnAnotherThreadWorks() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    BlockingQueue<Call> calls = Probe.queue();
    Lookup inner = recording(calls);
    Lookup delayed = (host, family, cb) -> Thread.ofPlatform().name("slow-resolver").start(() -> {
      pause(150);
      inner.lookup(host, family, cb);
    });
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(delayed));
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    s.bind(0, "my.service", () -> f.complete(s.address()));
    assertEquals("127.0.0.1", Probe.get(f).address());
    BlockingQueue<Object> sent = Probe.queue();
    s.send("late", port[0], "my.service", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(4, Probe.take(sent));
    assertEquals("late|127.0.0.1", Probe.take(got));
  }

  @Test
  void lookupAnsweringTwiceDoesNotBreakTheSocket() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    Lookup twice = (host, family, cb) -> {
      InetAddress answer = "my.service".equals(host) ? literal("127.0.0.1") : literal(host);
      cb.accept(null, answer);
      cb.accept(null, literal("127.0.0.2"));
      cb.accept(new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND " + host), null);
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(twice));
    BlockingQueue<DgramException> errors = Probe.queue();
    AtomicInteger listening = new AtomicInteger();
    s.onError(errors::add);
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onListening(listening::incrementAndGet);
    s.bind(0, "my.service", () -> f.complete(s.address()));
    assertEquals("127.0.0.1", Probe.get(f).address());
    BlockingQueue<Object> sent = Probe.queue();
    AtomicInteger callbacks = new AtomicInteger();
    s.send("twice", port[0], "my.service", (err, n) -> {
      callbacks.incrementAndGet();
      sent.add(err == null ? n : err);
    });
    assertEquals(5, Probe.take(sent));
    assertEquals("twice|127.0.0.1", Probe.take(got));
    pause(150);
    assertEquals(1, listening.get());
    assertEquals(1, callbacks.get());
    assertNull(errors.peek(), "no error from the extra answers");
    assertNull(got.peek(), "one datagram only");
  }

  @Test
  void lookupAnsweringTwiceFromDifferentThreadsDoesNotBreakTheSocket() {
    Lookup racing = (host, family, cb) -> {
      InetAddress answer = "my.service".equals(host) ? literal("127.0.0.1") : literal(host);
      BiConsumer<DgramException, InetAddress> c = cb;
      Thread.ofPlatform().start(() -> c.accept(null, answer));
      Thread.ofPlatform().start(() -> c.accept(null, answer));
    };
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(racing));
    AtomicInteger listening = new AtomicInteger();
    BlockingQueue<DgramException> errors = Probe.queue();
    s.onError(errors::add);
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onListening(listening::incrementAndGet);
    s.bind(0, "my.service", () -> f.complete(s.address()));
    assertEquals("127.0.0.1", Probe.get(f).address());
    pause(150);
    assertEquals(1, listening.get());
    assertNull(errors.peek());
  }

  @Test
  void sendWithImplicitBindWhoseLookupFailsCallsTheCallbackOnce() {
    DgramException failure = new DgramException("EAI_FAIL", "getaddrinfo EAI_FAIL 0.0.0.0");
    DgramSocket s = socket(SocketOptions.of("udp4").lookup((host, family, cb) -> cb.accept(failure, null)));
    BlockingQueue<DgramException> errors = Probe.queue();
    s.onError(errors::add);
    AtomicInteger callbacks = new AtomicInteger();
    CompletableFuture<DgramException> result = new CompletableFuture<>();
    s.send("x", 4321, "127.0.0.1", (err, n) -> {
      callbacks.incrementAndGet();
      result.complete(err);
    });
    assertSame(failure, Probe.get(result), "the queued send learns why the implicit bind failed");
    assertSame(failure, Probe.take(errors), "the failed bind is emitted as 'error'");
    pause(100);
    assertEquals(1, callbacks.get());
  }

  @Test
  void sendRightAfterConnectWithASlowLookupIsDelivered() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    BlockingQueue<Call> calls = Probe.queue();
    Lookup inner = recording(calls);
    Lookup delayed = (host, family, cb) -> Thread.ofPlatform().start(() -> {
      pause(100);
      inner.lookup(host, family, cb);
    });
    DgramSocket s = socket(SocketOptions.of("udp4").lookup(delayed));
    BlockingQueue<Object> sent = Probe.queue();
    s.connect(port[0], "my.service");
    s.send("queued", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(6, Probe.take(sent));
    assertEquals("queued|127.0.0.1", Probe.take(got));
  }

  // ------------------------------------------------------------------ the default lookup

  @Test
  void defaultLookupResolvesLocalhost() {
    int[] port = new int[1];
    BlockingQueue<String> got = sink(false, port);
    DgramSocket s = socket(SocketOptions.of("udp4"));
    BlockingQueue<Object> sent = Probe.queue();
    s.send("to-localhost", port[0], "localhost", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(12, Probe.take(sent));
    assertEquals("to-localhost|127.0.0.1", Probe.take(got));

    DgramSocket c = socket(SocketOptions.of("udp4"));
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    c.connect(port[0], "localhost", cb::complete);
    assertNull(Probe.get(cb));
    assertEquals("127.0.0.1", c.remoteAddress().address());
  }

  @Test
  void defaultLookupFailsFastForUnknownNames() {
    DgramSocket s = socket(SocketOptions.of("udp4"));
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    long t0 = System.nanoTime();
    s.send("x", 4321, "unknown-name.invalid", (err, n) -> cb.complete(err));
    DgramException e = Probe.get(cb);
    assertEquals("ENOTFOUND", e.code());
    assertEquals("getaddrinfo ENOTFOUND unknown-name.invalid", e.getMessage());
    assertEquals("getaddrinfo", e.syscall());
    assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "the hosts-file resolver answers at once");
  }
}
