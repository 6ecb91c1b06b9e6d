package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** connect / disconnect / remoteAddress, and what a connected socket sends and receives. */
class ConnectTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  private DgramSocket socket(String type) {
    DgramSocket s = Dgram.createSocket(type);
    sockets.add(s);
    return s;
  }

  private DgramSocket socket(String type, MessageListener l) {
    DgramSocket s = Dgram.createSocket(type, l);
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

  /** Connects and waits for the callback; fails on an error. */
  private static void connectAndWait(DgramSocket s, int port, String address) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    s.connect(port, address, err -> {
      if (err == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(err);
      }
    });
    Probe.get(done);
  }

  /** A port on 127.0.0.1 that nothing listens on (bound a moment ago, then closed). */
  private int closedPort() {
    DgramSocket s = Dgram.createSocket("udp4");
    int port = Probe.bindLoopback(s, false);
    CountDownLatch closed = new CountDownLatch(1);
    s.close(closed::countDown);
    Probe.await(closed);
    return port;
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void connectPortDefaultsToLocalhostOfTheFamily() {
    DgramSocket server4 = socket("udp4");
    int port4 = Probe.bindLoopback(server4, false);
    DgramSocket c4 = socket("udp4");
    CountDownLatch connected4 = new CountDownLatch(1);
    c4.onConnect(connected4::countDown);
    c4.connect(port4);
    Probe.await(connected4);
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port4), c4.remoteAddress());

    DgramSocket server6 = socket("udp6");
    int port6 = Probe.bindLoopback(server6, true);
    DgramSocket c6 = socket("udp6");
    CountDownLatch connected6 = new CountDownLatch(1);
    c6.onConnect(connected6::countDown);
    c6.connect(port6);
    Probe.await(connected6);
    assertEquals(new AddressInfo("::1", "IPv6", port6), c6.remoteAddress());
  }

  @Test
  void connectPortCallbackConnectsToLocalhostOfTheFamilyAndExchangesDatagrams() {
    for (boolean v6 : new boolean[] {false, true}) {
      String type = v6 ? "udp6" : "udp4";
      String localhost = v6 ? "::1" : "127.0.0.1";
      BlockingQueue<RemoteInfo> atServer = Probe.queue();
      DgramSocket server = socket(type, (msg, rinfo) -> atServer.add(rinfo));
      int port = Probe.bindLoopback(server, v6);
      BlockingQueue<String> atClient = Probe.queue();
      DgramSocket c = socket(type, (msg, rinfo) ->
          atClient.add(new String(msg, java.nio.charset.StandardCharsets.UTF_8) + " from " + rinfo.address()));
      BlockingQueue<String> callbacks = Probe.queue();
      // Node's socket.connect(port, callback): no address, so localhost of the family.
      c.connect(port, err -> callbacks.add(err == null ? "null" : err.getMessage()));
      assertEquals("null", Probe.take(callbacks), type);
      assertEquals(new AddressInfo(localhost, v6 ? "IPv6" : "IPv4", port), c.remoteAddress());

      c.send("ping", null);
      RemoteInfo client = Probe.take(atServer);
      assertEquals(localhost, client.address(), type);
      assertEquals(c.address().port(), client.port(), type);
      server.send("pong", client.port(), client.address(), null);
      assertEquals("pong from " + localhost, Probe.take(atClient), type);
      pause(100);
      assertTrue(callbacks.isEmpty(), () -> type + ": callback called again: " + callbacks.peek());
    }
  }

  @Test
  void connectPortCallbackOnAConnectedSocketThrowsIsConnected() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    CompletableFuture<DgramException> first = new CompletableFuture<>();
    c.connect(port, first::complete);
    assertNull(Probe.get(first));
    AtomicInteger callbacks = new AtomicInteger();
    DgramException e = assertThrows(DgramException.class,
        () -> c.connect(port, err -> callbacks.incrementAndGet()));
    assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", e.code());
    pause(100);
    assertEquals(0, callbacks.get(), "a connect that threw must not call its callback");
  }

  @Test
  void connectPortWithANullStringAddressStillMeansLocalhost() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    CountDownLatch connected = new CountDownLatch(1);
    c.onConnect(connected::countDown);
    c.connect(port, (String) null);
    Probe.await(connected);
    assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), c.remoteAddress());
  }

  @Test
  void connectEmitsConnectAndCallsCallbackWithNull() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    AtomicInteger events = new AtomicInteger();
    BlockingQueue<Object> callbacks = Probe.queue();
    CountDownLatch both = new CountDownLatch(2);
    c.onConnect(() -> {
      events.incrementAndGet();
      both.countDown();
    });
    c.connect(port, "127.0.0.1", err -> {
      callbacks.add(err == null ? "null" : err);
      both.countDown();
    });
    Probe.await(both);
    assertEquals("null", Probe.take(callbacks));
    pause(100);
    assertEquals(1, events.get());
    assertTrue(callbacks.isEmpty(), "callback called twice");
  }

  @Test
  void remoteAddressAfterConnectGivesThePeer() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    connectAndWait(c, port, "127.0.0.1");
    AddressInfo r = c.remoteAddress();
    assertEquals("127.0.0.1", r.address());
    assertEquals("IPv4", r.family());
    assertEquals(port, r.port());
  }

  @Test
  void remoteAddressBeforeConnectThrowsNotConnected() {
    DgramSocket c = socket("udp4");
    DgramException e = assertThrows(DgramException.class, c::remoteAddress);
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", e.code());
  }

  @Test
  void connectTwiceThrowsIsConnected() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    CountDownLatch connected = new CountDownLatch(1);
    c.onConnect(connected::countDown);
    c.connect(port, "127.0.0.1");
    // while CONNECTING
    DgramException whileConnecting = assertThrows(DgramException.class, () -> c.connect(port, "127.0.0.1"));
    assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", whileConnecting.code());
    assertEquals("Already connected", whileConnecting.getMessage());
    Probe.await(connected);
    // and once CONNECTED
    DgramException afterConnected = assertThrows(DgramException.class, () -> c.connect(port));
    assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", afterConnected.code());
  }

  @Test
  void connectToPortZeroOrAbove65535ThrowsBadPort() {
    DgramSocket c = socket("udp4");
    for (int port : new int[] {0, -1, 65536}) {
      DgramException e = assertThrows(DgramException.class, () -> c.connect(port, "127.0.0.1"), "port " + port);
      assertEquals("ERR_SOCKET_BAD_PORT", e.code());
    }
    DgramException e = assertThrows(DgramException.class, () -> c.connect(0));
    assertEquals("Port should be > 0 and < 65536. Received type number (0).", e.getMessage());
    // nothing happened to the socket: still unbound, still disconnected
    assertEquals("EBADF", assertThrows(DgramException.class, c::address).code());
  }

  @Test
  void connectBindsImplicitly() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    AtomicInteger listening = new AtomicInteger();
    c.onListening(listening::incrementAndGet);
    CompletableFuture<AddressInfo> local = new CompletableFuture<>();
    c.onConnect(() -> local.complete(c.address()));
    c.connect(port, "127.0.0.1");
    AddressInfo a = Probe.get(local);
    assertEquals("IPv4", a.family());
    assertTrue(a.port() > 0);
    assertEquals(1, listening.get(), "implicit bind emits 'listening' once");
    DgramException e = assertThrows(DgramException.class, () -> c.bind(0));
    assertEquals("ERR_SOCKET_ALREADY_BOUND", e.code());
  }

  @Test
  void connectedSendWithoutAddressReachesThePeer() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket server = socket("udp4", (msg, rinfo) -> got.add(new String(msg) + "|" + rinfo.port()));
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    connectAndWait(c, port, "127.0.0.1");
    BlockingQueue<Integer> sent = Probe.queue();
    c.send("hello", (err, n) -> sent.add(err == null ? n : -1));
    assertEquals(5, Probe.take(sent));
    assertEquals("hello|" + c.address().port(), Probe.take(got));
  }

  @Test
  void sendWithAddressOnConnectedSocketThrowsIsConnected() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    connectAndWait(c, port, "127.0.0.1");
    byte[] b = {1, 2, 3};
    List<org.junit.jupiter.api.function.Executable> calls = List.of(
        () -> c.send(b, port, "127.0.0.1"),
        () -> c.send(b, port, "127.0.0.1", (e, n) -> { }),
        () -> c.send(b, 0, 1, port, "127.0.0.1", null),
        () -> c.send(java.nio.ByteBuffer.wrap(b), port, "127.0.0.1", null),
        () -> c.send("x", port, "127.0.0.1", null),
        () -> c.send(List.of(b), port, "127.0.0.1", null));
    for (var call : calls) {
      DgramException e = assertThrows(DgramException.class, call);
      assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", e.code());
    }
  }

  @Test
  void disconnectThenRemoteAddressThrowsNotConnected() {
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    connectAndWait(c, port, "127.0.0.1");
    c.disconnect();
    DgramException e = assertThrows(DgramException.class, c::remoteAddress);
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", e.code());
    assertEquals("Not connected", e.getMessage());
    // disconnected: a send with a destination works again
    BlockingQueue<Object> sent = Probe.queue();
    c.send("x", port, "127.0.0.1", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(1, Probe.take(sent));
  }

  @Test
  void disconnectWhenNotConnectedThrowsNotConnected() {
    DgramSocket c = socket("udp4");
    DgramException e = assertThrows(DgramException.class, c::disconnect);
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", e.code());
    Probe.bindLoopback(c, false);
    DgramException e2 = assertThrows(DgramException.class, c::disconnect);
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", e2.code());
  }

  @Test
  void connectToUnknownHostGivesEnotfoundToTheCallback() {
    DgramSocket c = socket("udp4");
    BlockingQueue<DgramException> errors = Probe.queue();
    c.onError(errors::add);
    AtomicInteger connectEvents = new AtomicInteger();
    c.onConnect(connectEvents::incrementAndGet);
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    c.connect(4321, "no-such-host.invalid", cb::complete);
    DgramException e = Probe.get(cb);
    assertTrue(e != null, "callback must get the error");
    assertEquals("ENOTFOUND", e.code());
    pause(100);
    assertNull(errors.peek(), "with a callback, no 'error' event");
    assertEquals(0, connectEvents.get());
    // back to DISCONNECTED: connect may be retried
    DgramSocket server = socket("udp4");
    int port = Probe.bindLoopback(server, false);
    connectAndWait(c, port, "127.0.0.1");
    assertEquals(port, c.remoteAddress().port());
  }

  @Test
  void connectToUnknownHostWithoutCallbackEmitsError() {
    DgramSocket c = socket("udp4");
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    c.onError(error::complete);
    c.connect(4321, "no-such-host.invalid");
    DgramException e = Probe.get(error);
    assertEquals("ENOTFOUND", e.code());
    assertEquals("getaddrinfo ENOTFOUND no-such-host.invalid", e.getMessage());
  }

  @Test
  void connectedSocketOnlyReceivesFromItsPeer() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket receiver = socket("udp4", (msg, rinfo) -> got.add(new String(msg)));
    Probe.bindLoopback(receiver, false);
    int receiverPort = receiver.address().port();
    DgramSocket peer = socket("udp4");
    int peerPort = Probe.bindLoopback(peer, false);
    DgramSocket stranger = socket("udp4");
    Probe.bindLoopback(stranger, false);
    connectAndWait(receiver, peerPort, "127.0.0.1");

    BlockingQueue<Object> sent = Probe.queue();
    stranger.send("from-stranger", receiverPort, "127.0.0.1", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(13, Probe.take(sent));
    peer.send("from-peer", receiverPort, "127.0.0.1", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(9, Probe.take(sent));
    assertEquals("from-peer", Probe.take(got), "the stranger's datagram must be filtered");
    pause(100);
    assertNull(got.peek());
  }

  @Test
  void sendRightAfterConnectIsDelivered() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket server = socket("udp4", (msg, rinfo) -> got.add(new String(msg)));
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Object> sent = Probe.queue();
    c.connect(port, "127.0.0.1");
    c.send("early", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(5, Probe.take(sent));
    assertEquals("early", Probe.take(got));
  }

  @Test
  void sendRightAfterConnectOnBoundSocketIsDelivered() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket server = socket("udp4", (msg, rinfo) -> got.add(new String(msg)));
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    Probe.bindLoopback(c, false);
    BlockingQueue<Object> sent = Probe.queue();
    c.connect(port, "127.0.0.1");
    c.send("early".getBytes(), (err, n) -> sent.add(err == null ? n : err));
    assertEquals(5, Probe.take(sent));
    assertEquals("early", Probe.take(got));
  }

  @Test
  void sendRightAfterConnectToAHostNameIsDelivered() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket server = socket("udp4", (msg, rinfo) -> got.add(new String(msg)));
    int port = Probe.bindLoopback(server, false);
    DgramSocket c = socket("udp4");
    BlockingQueue<Object> sent = Probe.queue();
    c.connect(port, "localhost"); // resolved off the loop thread: the connect completes later
    c.send("early", (err, n) -> sent.add(err == null ? n : err));
    assertEquals(5, Probe.take(sent));
    assertEquals("early", Probe.take(got));
  }

  @Test
  void sendQueuedWhileConnectingGetsTheErrorWhenConnectFails() {
    // a lookup that fails names slowly, on another thread, so the send surely finds CONNECTING
    DgramException failure = new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND no-such-host.invalid");
    Lookup slowFailing = (host, family, cb) -> Thread.ofPlatform().start(() -> {
      if (host.equals("no-such-host.invalid")) {
        pause(150);
        cb.accept(failure, null);
      } else {
        try {
          cb.accept(null, java.net.InetAddress.getByName(host)); // literals only
        } catch (java.net.UnknownHostException e) {
          cb.accept(new DgramException("ENOTFOUND", e.toString()), null);
        }
      }
    });
    DgramSocket c = Dgram.createSocket(SocketOptions.of("udp4").lookup(slowFailing));
    sockets.add(c);
    c.onError(e -> { });
    Probe.bindLoopback(c, false);
    AtomicInteger callbacks = new AtomicInteger();
    CompletableFuture<DgramException> sendResult = new CompletableFuture<>();
    c.connect(4321, "no-such-host.invalid", err -> { });
    c.send("never", (err, n) -> {
      callbacks.incrementAndGet();
      sendResult.complete(err);
    });
    DgramException e = Probe.get(sendResult);
    assertTrue(e != null, "the queued send must fail with the connect's error");
    assertSame(failure, e);
    pause(100);
    assertEquals(1, callbacks.get());
  }

  @Test
  void udp4ConnectToIPv6AddressFailsWithEinval() {
    DgramSocket c = socket("udp4");
    CompletableFuture<DgramException> cb = new CompletableFuture<>();
    c.connect(4321, "::1", cb::complete);
    DgramException e = Probe.get(cb);
    assertTrue(e != null, "connect must fail");
    assertEquals("EINVAL", e.code());
    assertEquals("connect", e.syscall());
    assertEquals("connect EINVAL ::1:4321", e.getMessage());
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", assertThrows(DgramException.class, c::remoteAddress).code());
  }

  @Test
  void connectedSendToClosedPortGivesEconnrefusedErrorFromRecvmsg() throws InterruptedException {
    int port = closedPort();
    DgramSocket c = socket("udp4");
    BlockingQueue<DgramException> errors = Probe.queue();
    c.onError(errors::add);
    connectAndWait(c, port, "127.0.0.1");
    DgramException refused = null;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Probe.TIMEOUT_MS);
    for (int i = 0; i < 50 && refused == null && System.nanoTime() < deadline; i++) {
      c.send("knock", (err, n) -> { }); // send results are not the subject here
      DgramException e = errors.poll(100, TimeUnit.MILLISECONDS);
      if (e != null) {
        refused = e;
      }
    }
    if (refused == null) {
      fail("no ECONNREFUSED 'error' event after sending to a closed port");
    }
    assertEquals("ECONNREFUSED", refused.code());
    assertEquals("recvmsg", refused.syscall());
    assertEquals(-111, refused.errno());
    assertEquals("recvmsg ECONNREFUSED", refused.getMessage());
    assertTrue(!c.isClosed(), "the socket stays open");
  }
}
