package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** createSocket and bind: the forms, 'listening', address(), and the ways bind fails. */
class BindTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket udp4() {
    return track(Dgram.createSocket("udp4"));
  }

  private DgramSocket udp6() {
    return track(Dgram.createSocket("udp6"));
  }

  private DgramSocket track(DgramSocket s) {
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

  /**
   * Adds 'listening' and 'error' listeners, then runs {@code bind} (listeners first: the loop
   * thread may finish the bind before the caller's next statement); waits for 'listening'.
   *
   * @return address() read inside the listener
   */
  private static AddressInfo listen(DgramSocket s, Runnable bind) {
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    s.onListening(() -> f.complete(s.address()));
    bind.run();
    return Probe.get(f);
  }

  /**
   * A port on 127.0.0.1 that was free a moment ago: bound and closed with the JDK's blocking
   * socket, which releases it at once (a jdgram close is CloseTest's subject, not this file's).
   */
  private static int freePort() {
    try (java.net.DatagramSocket d = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0))) {
      return d.getLocalPort();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ createSocket

  @Test
  void createSocketWithBadTypeThrowsBadType() {
    DgramException e = assertThrows(DgramException.class, () -> Dgram.createSocket("udp5"));
    assertEquals("ERR_SOCKET_BAD_TYPE", e.code());
    assertEquals("Bad socket type specified. Valid types are: udp4, udp6", e.getMessage());
    DgramException e2 = assertThrows(DgramException.class, () -> Dgram.createSocket(SocketOptions.of("tcp")));
    assertEquals("ERR_SOCKET_BAD_TYPE", e2.code());
    DgramException e3 = assertThrows(DgramException.class, () -> Dgram.createSocket((String) null));
    assertEquals("ERR_SOCKET_BAD_TYPE", e3.code());
  }

  @Test
  void udp4SocketBindsAndReportsIPv4() {
    DgramSocket s = udp4();
    AddressInfo a = listen(s, () -> s.bind(0, "127.0.0.1"));
    assertEquals("127.0.0.1", a.address());
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0 && a.port() < 65536, "port " + a.port());
  }

  @Test
  void udp6SocketBindsAndReportsIPv6() {
    DgramSocket s = udp6();
    AddressInfo a = listen(s, () -> s.bind(0, "::1"));
    assertEquals("::1", a.address());
    assertEquals("IPv6", a.family());
    assertTrue(a.port() > 0, "port " + a.port());
  }

  @Test
  void listenerGivenAtCreationReceivesMessages() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket server = track(Dgram.createSocket("udp4", (msg, rinfo) -> got.add(new String(msg) + "|" + rinfo.size())));
    int port = Probe.bindLoopback(server, false);
    DgramSocket client = udp4();
    client.send("ping".getBytes(), port, "127.0.0.1");
    assertEquals("ping|4", Probe.take(got));

    BlockingQueue<String> got6 = Probe.queue();
    DgramSocket server6 = track(Dgram.createSocket(SocketOptions.of("udp6"), (msg, rinfo) -> got6.add(new String(msg))));
    int port6 = Probe.bindLoopback(server6, true);
    udp6().send("ping6".getBytes(), port6, "::1");
    assertEquals("ping6", Probe.take(got6));
  }

  // ------------------------------------------------------------------ bind forms

  @Test
  void bindWithoutArgumentsBindsEveryAddressOnAChosenPort() {
    DgramSocket s = udp4();
    AddressInfo a = listen(s, () -> assertSame(s, s.bind()));
    assertEquals("0.0.0.0", a.address());
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0);
  }

  @Test
  void bindWithoutArgumentsOnUdp6BindsTheIPv6Wildcard() {
    DgramSocket s = udp6();
    AddressInfo a = listen(s, () -> s.bind());
    assertEquals("::", a.address());
    assertEquals("IPv6", a.family());
  }

  @Test
  void bindPortBindsThatPortOnEveryAddress() {
    int port = freePort();
    DgramSocket s = udp4();
    AddressInfo a = listen(s, () -> assertSame(s, s.bind(port)));
    assertEquals(new AddressInfo("0.0.0.0", "IPv4", port), a);
  }

  @Test
  void bindPortAddressBindsThatAddress() {
    int port = freePort();
    DgramSocket s = udp4();
    AddressInfo a = listen(s, () -> assertSame(s, s.bind(port, "127.0.0.1")));
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), a);
  }

  @Test
  void bindPortAddressNullAddressMeansWildcard() {
    DgramSocket s = udp4();
    assertEquals("0.0.0.0", listen(s, () -> s.bind(0, (String) null)).address());
  }

  @Test
  void bindPortCallbackBindsEveryAddressAndCallsTheCallbackOnceOnListening() {
    int port = freePort();
    DgramSocket s = udp4();
    BlockingQueue<AddressInfo> callbacks = Probe.queue();
    BlockingQueue<String> received = Probe.queue();
    s.onError(e -> callbacks.add(new AddressInfo("error " + e.code(), "", -1)));
    s.onMessage((msg, rinfo) -> received.add(new String(msg, java.nio.charset.StandardCharsets.UTF_8)));
    // Node's socket.bind(port, callback): no address, so 0.0.0.0.
    assertSame(s, s.bind(port, () -> callbacks.add(s.address())));
    assertEquals(new AddressInfo("0.0.0.0", "IPv4", port), Probe.take(callbacks));
    // Bound on every address: a datagram to the loopback address reaches it.
    DgramSocket sender = udp4();
    sender.send("to the wildcard", port, "127.0.0.1", null);
    assertEquals("to the wildcard", Probe.take(received));
    pause(100);
    assertTrue(callbacks.isEmpty(), () -> "callback called again: " + callbacks.peek());
  }

  @Test
  void bindPortCallbackWithANullCallbackStillEmitsListening() {
    DgramSocket s = udp6();
    AddressInfo a = listen(s, () -> assertSame(s, s.bind(0, (Runnable) null)));
    assertEquals("::", a.address());
    assertTrue(a.port() > 0);
  }

  @Test
  void bindPortCallbackToAPortInUseEmitsEaddrinuseAndSkipsTheCallback() {
    DgramSocket first = udp4();
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    first.onError(bound::completeExceptionally);
    first.bind(0, () -> bound.complete(first.address().port()));
    int port = Probe.get(bound);
    DgramSocket second = udp4();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    AtomicInteger callbacks = new AtomicInteger();
    second.onError(error::complete);
    second.bind(port, callbacks::incrementAndGet);
    DgramException e = Probe.get(error);
    assertEquals("EADDRINUSE", e.code());
    assertEquals("bind EADDRINUSE 0.0.0.0:" + port, e.getMessage());
    pause(150);
    assertEquals(0, callbacks.get(), "bind callback must not be called after a failed bind");
  }

  @Test
  void bindPortAddressCallbackCallsTheCallbackOnListening() {
    DgramSocket s = udp4();
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    assertSame(s, s.bind(0, "127.0.0.1", () -> f.complete(s.address())));
    AddressInfo a = Probe.get(f);
    assertEquals("127.0.0.1", a.address());
    assertTrue(a.port() > 0);
  }

  @Test
  void bindWithOptionsUsesPortAndAddressAndCallsTheCallback() {
    int port = freePort();
    DgramSocket s = udp4();
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    s.onError(f::completeExceptionally);
    assertSame(s, s.bind(BindOptions.of(port).address("127.0.0.1").exclusive(true), () -> f.complete(s.address())));
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), Probe.get(f));
  }

  @Test
  void bindWithOptionsAndNullCallbackStillEmitsListening() {
    DgramSocket s = udp4();
    assertEquals("127.0.0.1", listen(s, () -> s.bind(BindOptions.of(0).address("127.0.0.1"), null)).address());
  }

  @Test
  void listeningFiresExactlyOnce() {
    DgramSocket s = udp4();
    AtomicInteger events = new AtomicInteger();
    AtomicInteger callbacks = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(2);
    s.onListening(() -> {
      events.incrementAndGet();
      done.countDown();
    });
    s.bind(0, "127.0.0.1", () -> {
      callbacks.incrementAndGet();
      done.countDown();
    });
    Probe.await(done);
    // provoke more loop activity, then check nothing fired twice
    BlockingQueue<Integer> sent = Probe.queue();
    s.send("x", s.address().port(), "127.0.0.1", (err, n) -> sent.add(err == null ? n : -1));
    assertEquals(1, Probe.take(sent));
    pause(100);
    assertEquals(1, events.get());
    assertEquals(1, callbacks.get());
  }

  // ------------------------------------------------------------------ bind twice

  @Test
  void bindTwiceAfterBoundThrowsAlreadyBound() {
    DgramSocket s = udp4();
    Probe.bindLoopback(s, false);
    DgramException e = assertThrows(DgramException.class, () -> s.bind(0, "127.0.0.1"));
    assertEquals("ERR_SOCKET_ALREADY_BOUND", e.code());
    assertEquals("Socket is already bound", e.getMessage());
  }

  @Test
  void bindTwiceWhileBindingThrowsAlreadyBoundSynchronously() {
    DgramSocket s = udp4();
    CountDownLatch listening = new CountDownLatch(1);
    s.bind(0, "127.0.0.1", listening::countDown);
    DgramException e = assertThrows(DgramException.class, () -> s.bind());
    assertEquals("ERR_SOCKET_ALREADY_BOUND", e.code());
    DgramException e2 = assertThrows(DgramException.class, () -> s.bind(BindOptions.of(0), null));
    assertEquals("ERR_SOCKET_ALREADY_BOUND", e2.code());
    Probe.await(listening); // the first bind is unharmed
    assertEquals("127.0.0.1", s.address().address());
  }

  // ------------------------------------------------------------------ bind errors

  @Test
  void bindToPortInUseEmitsEaddrinuseAndSkipsTheCallback() {
    DgramSocket first = udp4();
    int port = Probe.bindLoopback(first, false);
    DgramSocket second = udp4();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    AtomicInteger bindCallbacks = new AtomicInteger();
    AtomicInteger listeningEvents = new AtomicInteger();
    second.onError(error::complete);
    second.onListening(listeningEvents::incrementAndGet);
    second.bind(port, "127.0.0.1", bindCallbacks::incrementAndGet);
    DgramException e = Probe.get(error);
    assertEquals("EADDRINUSE", e.code());
    assertEquals("bind", e.syscall());
    assertEquals(-98, e.errno());
    assertEquals("bind EADDRINUSE 127.0.0.1:" + port, e.getMessage());
    assertEquals("127.0.0.1", e.address());
    assertEquals(port, e.port());
    pause(150);
    assertEquals(0, bindCallbacks.get(), "bind callback must not be called after a failed bind");
    assertEquals(0, listeningEvents.get());
    assertTrue(!second.isClosed(), "a failed bind does not close the socket");
  }

  @Test
  void socketCanBindAgainAfterAFailedBind() {
    DgramSocket first = udp4();
    int port = Probe.bindLoopback(first, false);
    DgramSocket second = udp4();
    BlockingQueue<DgramException> errors = Probe.queue();
    second.onError(errors::add);
    second.bind(port, "127.0.0.1");
    assertEquals("EADDRINUSE", Probe.take(errors).code());
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    second.bind(0, "127.0.0.1", () -> f.complete(second.address()));
    AddressInfo a = Probe.get(f);
    assertEquals("127.0.0.1", a.address());
    assertTrue(a.port() > 0 && a.port() != port);
    assertTrue(errors.isEmpty(), "unexpected error " + errors.peek());
  }

  @Test
  void reuseAddrLetsTwoSocketsBindTheSamePort() {
    DgramSocket a = track(Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true)));
    int port = Probe.bindLoopback(a, false);
    DgramSocket b = track(Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true)));
    CompletableFuture<AddressInfo> f = new CompletableFuture<>();
    b.onError(f::completeExceptionally);
    b.bind(port, "127.0.0.1", () -> f.complete(b.address()));
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), Probe.get(f));
  }

  @Test
  void addressBeforeBindThrowsEbadfFromGetsockname() {
    DgramSocket s = udp4();
    DgramException e = assertThrows(DgramException.class, s::address);
    assertEquals("EBADF", e.code());
    assertEquals("getsockname", e.syscall());
    assertEquals(-9, e.errno());
    assertEquals("getsockname EBADF", e.getMessage());
  }

  @Test
  void badBindPortThrowsBadPort() {
    DgramSocket s = udp4();
    for (int port : new int[] {-1, 65536}) {
      DgramException e = assertThrows(DgramException.class, () -> s.bind(port), "port " + port);
      assertEquals("ERR_SOCKET_BAD_PORT", e.code());
      DgramException e2 = assertThrows(DgramException.class, () -> s.bind(BindOptions.of(port), null));
      assertEquals("ERR_SOCKET_BAD_PORT", e2.code());
    }
    // a bad argument does not corrupt the socket: it still binds
    assertEquals("127.0.0.1", addressAfterBind(s));
  }

  private static String addressAfterBind(DgramSocket s) {
    return listen(s, () -> s.bind(0, "127.0.0.1")).address();
  }

  @Test
  void bindToUnknownHostEmitsEnotfound() {
    DgramSocket s = udp4();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    AtomicInteger listening = new AtomicInteger();
    s.onError(error::complete);
    s.bind(0, "no-such-host.invalid", listening::incrementAndGet);
    DgramException e = Probe.get(error);
    assertEquals("ENOTFOUND", e.code());
    assertEquals("getaddrinfo", e.syscall());
    assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    assertEquals(0, listening.get());
    // and the socket can bind afterwards (bindState went back to UNBOUND)
    assertEquals("127.0.0.1", addressAfterBind(s));
  }

  @Test
  void udp4BindToIPv6AddressEmitsEinval() {
    DgramSocket s = udp4();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    s.bind(0, "::1");
    DgramException e = Probe.get(error);
    assertEquals("EINVAL", e.code());
    assertEquals("bind", e.syscall());
    assertEquals(-22, e.errno());
    assertEquals("bind EINVAL ::1", e.getMessage());
  }

  @Test
  void udp4BindToLocalhostWorks() {
    DgramSocket s = udp4();
    AddressInfo a = listen(s, () -> s.bind(0, "localhost"));
    assertEquals("127.0.0.1", a.address());
    assertEquals("IPv4", a.family());
  }

  @Test
  void udp6BindToLocalhostWorks() throws java.net.UnknownHostException {
    // The resolver is the hosts file the build gives the JVM (.ci/hosts, where localhost is also
    // ::1). When the build points at a missing file, the JDK knows localhost only as 127.0.0.1.
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.util.Arrays.stream(java.net.InetAddress.getAllByName("localhost")).anyMatch(x -> x instanceof java.net.Inet6Address),
        "this JVM resolves localhost to no IPv6 address (jdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file") + ")");
    DgramSocket s6 = udp6();
    AddressInfo a6 = listen(s6, () -> s6.bind(0, "localhost"));
    assertEquals("::1", a6.address());
    assertEquals("IPv6", a6.family());
  }

  @Test
  void closeBeforeExplicitBindCompletesGivesNoListeningAndNoError() {
    DgramSocket s = udp4();
    AtomicInteger listening = new AtomicInteger();
    BlockingQueue<DgramException> errors = Probe.queue();
    s.onError(errors::add);
    CountDownLatch closed = new CountDownLatch(1);
    // bind and close in one callback on the loop, as Node runs them in one tick: from another
    // thread, the loop could finish binding in between.
    s.loop().execute(() -> {
      s.bind(0, "127.0.0.1", listening::incrementAndGet);
      s.close(closed::countDown);
    });
    Probe.await(closed);
    pause(100);
    assertEquals(0, listening.get());
    assertNull(errors.peek());
    assertTrue(s.isClosed());
  }
}
