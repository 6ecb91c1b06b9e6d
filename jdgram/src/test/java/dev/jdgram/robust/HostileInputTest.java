package dev.jdgram.robust;

import static dev.jdgram.robust.Robust.LONG_HOST;
import static dev.jdgram.robust.Robust.UNRESOLVABLE;
import static dev.jdgram.robust.Robust.get;
import static dev.jdgram.robust.Robust.onlyDgram;
import static dev.jdgram.robust.Robust.roundTrip;
import static dev.jdgram.robust.Robust.take;
import static dev.jdgram.robust.Robust.throwsCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.BindOptions;
import dev.jdgram.BlockList;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendCallback;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import dev.jdgram.loop.Timer;
import dev.jdgram.robust.Robust.Echo;
import dev.jdgram.robust.Robust.Sock;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile arguments to every public method: null, negative, out of range, malformed, wrong type.
 * Each gives a DgramException with Node's code (thrown, or through the callback / 'error' event
 * where Node reports it there), nothing else escapes, and the socket still does a round trip.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
  private EventLoop loop;
  private Echo echo4;
  private Echo echo6;
  private final List<Sock> socks = new ArrayList<>();
  private final BlockingQueue<Throwable> uncaught = new LinkedBlockingQueue<>();

  @BeforeAll
  void startLoop() {
    loop = EventLoop.create();
    loop.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    loop.start();
    echo4 = new Echo(loop, false);
    echo6 = new Echo(loop, true);
  }

  @AfterAll
  void stopLoop() {
    echo4.close();
    echo6.close();
    loop.close();
  }

  @BeforeEach
  void clear() {
    Robust.WRONG_THREAD.clear();
    uncaught.clear();
  }

  @AfterEach
  void closeAll() {
    for (Sock s : socks) {
      s.closeQuietly();
    }
    socks.clear();
    assertTrue(Robust.WRONG_THREAD.isEmpty(), () -> "listeners off the loop thread: " + Robust.WRONG_THREAD);
    assertTrue(uncaught.isEmpty(), () -> "uncaught on the loop: " + uncaught);
  }

  private Sock sock(String type) {
    Sock s = new Sock(loop, type);
    socks.add(s);
    return s;
  }

  private Sock bound(String type) {
    Sock s = sock(type);
    s.bindLoopback();
    return s;
  }

  private Echo echoFor(Sock s) {
    return s.v6 ? echo6 : echo4;
  }

  private void usable(Sock s) {
    roundTrip(s, echoFor(s));
  }

  /** A send callback that records what it is told, and fails if told twice. */
  private static final class Cb implements SendCallback {
    final CompletableFuture<DgramException> result = new CompletableFuture<>();
    final AtomicInteger calls = new AtomicInteger();
    final DgramSocket owner;

    Cb(DgramSocket owner) {
      this.owner = owner;
    }

    @Override
    public void onSent(DgramException error, int bytes) {
      Robust.onLoop(owner, "send callback");
      calls.incrementAndGet();
      result.complete(error);
    }

    DgramException error() {
      return get(result);
    }

    /** For sends that threw: the callback must never run. */
    void assertNeverCalled() throws InterruptedException {
      Thread.sleep(20);
      assertEquals(0, calls.get(), "a send that threw also called its callback");
    }
  }

  // ================================================================ Dgram / SocketOptions / BindOptions

  @Test
  void createSocketRejectsBadTypes() {
    for (String type : Arrays.asList(null, "", "udp5", "UDP4", "udp4 ", "tcp", LONG_HOST)) {
      throwsCode("ERR_SOCKET_BAD_TYPE", () -> Dgram.createSocket(type));
      throwsCode("ERR_SOCKET_BAD_TYPE", () -> Dgram.createSocket(type, (m, r) -> { }));
      throwsCode("ERR_SOCKET_BAD_TYPE", () -> Dgram.createSocket(SocketOptions.of(type).loop(loop)));
    }
    throwsCode("ERR_INVALID_ARG_TYPE", () -> Dgram.createSocket((SocketOptions) null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> Dgram.createSocket((SocketOptions) null, null));
    // a null message listener is simply none, as Node ignores a non-function
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop), null);
    s.close();
  }

  @Test
  void socketOptionsRejectNegativeBufferSizes() {
    for (int bad : new int[] {-1, Integer.MIN_VALUE}) {
      throwsCode("ERR_OUT_OF_RANGE", () -> SocketOptions.of("udp4").recvBufferSize(bad));
      throwsCode("ERR_OUT_OF_RANGE", () -> SocketOptions.of("udp4").sendBufferSize(bad));
    }
    // null lookup / block lists / loop mean "the default"
    SocketOptions o = SocketOptions.of("udp4").lookup(null).receiveBlockList(null).sendBlockList(null).loop(null)
        .reuseAddr(true).reusePort(false).ipv6Only(false).loop(loop);
    Sock s = new Sock(loop, "udp4");
    socks.add(s);
    assertEquals("udp4", o.type());
    usable(s);
  }

  @Test
  void createSocketOnAClosedLoopThrowsDgramException() {
    EventLoop closed = EventLoop.create();
    closed.close();
    DgramException e = onlyDgram(() -> Dgram.createSocket(SocketOptions.of("udp4").loop(closed)));
    assertNotNull(e, "a socket was created on a closed loop");
  }

  @Test
  void hugeBufferSizeOptionsReportThroughErrorNotThrow() {
    // Node throws from startListening when the kernel refuses; jdgram emits 'error' instead.
    Sock s = new Sock(loop, "udp4");
    socks.add(s);
    DgramSocket big = Dgram.createSocket(SocketOptions.of("udp4").loop(loop)
        .recvBufferSize(Integer.MAX_VALUE).sendBufferSize(Integer.MAX_VALUE));
    try {
      CompletableFuture<Integer> p = new CompletableFuture<>();
      big.onError(e -> { });
      big.bind(0, "127.0.0.1", () -> p.complete(big.address().port()));
      assertTrue(get(p) > 0);
    } finally {
      big.close();
    }
    usable(s);
  }

  @Test
  void bindOptionsAreValidatedAtBind() {
    Sock s = sock("udp4");
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.bind((BindOptions) null, null));
    for (int bad : new int[] {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(BindOptions.of(bad), null));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(BindOptions.of(bad).address("127.0.0.1"), () -> { }));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(bad));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(bad, "127.0.0.1"));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(bad, null, null));
    }
    assertEquals(0, s.listening.get());
    BindOptions o = BindOptions.of(0).address(null).exclusive(true).address("127.0.0.1");
    assertNotNull(o.toString());
    CompletableFuture<Void> l = new CompletableFuture<>();
    s.socket.bind(o, () -> l.complete(null));
    get(l);
    usable(s);
  }

  // ================================================================ listeners

  @Test
  void nullListenersAreRejected() {
    Sock s = sock("udp4");
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.onMessage(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.onListening(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.onConnect(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.onClose(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.onError(null));
    assertNull(onlyDgram(() -> s.socket.off(null)));
    assertNull(onlyDgram(() -> s.socket.off("not a listener")));
    assertNull(onlyDgram(() -> s.socket.off(42)));
    usable(s);
  }

  // ================================================================ bind

  @Test
  void bindToUnresolvableHostsEmitsEnotfoundQuicklyAndAllowsARebind() {
    for (String host : UNRESOLVABLE) {
      for (String type : List.of("udp4", "udp6")) {
        Sock s = sock(type);
        long t0 = System.nanoTime();
        assertNull(onlyDgram(() -> s.socket.bind(0, host)), "bind threw for " + host);
        DgramException e = take(s.errors);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("ENOTFOUND", e.code(), () -> host + ": " + e);
        assertEquals("getaddrinfo", e.syscall());
        assertTrue(ms < 2_000, host + " took " + ms + " ms to fail: the resolver went to the network?");
        assertEquals(0, s.listening.get());
        // back to UNBOUND, as Node: a second bind works
        s.bindLoopback();
        usable(s);
      }
    }
  }

  @Test
  void bindToAnAddressOfTheOtherFamilyEmitsEinval() {
    Sock s4 = sock("udp4");
    s4.socket.bind(0, "::1");
    DgramException e = take(s4.errors);
    assertEquals("EINVAL", e.code(), e::toString);
    assertEquals("bind", e.syscall());
    s4.bindLoopback();
    usable(s4);
  }

  @Test
  void bindToANonLocalAddressEmitsEaddrnotavail() {
    Sock s = sock("udp4");
    s.socket.bind(0, "10.255.255.1"); // a bind sends nothing
    DgramException e = take(s.errors);
    assertEquals("EADDRNOTAVAIL", e.code(), e::toString);
    s.bindLoopback();
    usable(s);
  }

  @Test
  void bindTwiceAndBindClosedThrow() {
    Sock s = bound("udp4");
    throwsCode("ERR_SOCKET_ALREADY_BOUND", () -> s.socket.bind());
    throwsCode("ERR_SOCKET_ALREADY_BOUND", () -> s.socket.bind(0, "127.0.0.1", () -> { }));
    throwsCode("ERR_SOCKET_ALREADY_BOUND", () -> s.socket.bind(BindOptions.of(0), null));
    usable(s);
    Sock c = sock("udp4");
    c.socket.close();
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> c.socket.bind());
  }

  // ================================================================ connect / disconnect

  @Test
  void connectRejectsBadPortsSynchronously() {
    Sock s = sock("udp4");
    for (int bad : new int[] {0, -1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.connect(bad));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.connect(bad, "127.0.0.1"));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.connect(bad, null, e -> { }));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.connect(bad, "999.1.1.1", e -> { }));
    }
    usable(s);
  }

  @Test
  void connectToUnresolvableHostsFailsThroughTheCallbackThenWorks() {
    for (String host : UNRESOLVABLE) {
      Sock s = sock("udp4");
      CompletableFuture<DgramException> cb = new CompletableFuture<>();
      assertNull(onlyDgram(() -> s.socket.connect(echo4.port, host, err -> {
        Robust.onLoop(s.socket, "connect callback");
        cb.complete(err);
      })));
      DgramException e = get(cb);
      assertNotNull(e, host);
      assertEquals("ENOTFOUND", e.code(), e::toString);
      assertTrue(s.errors.isEmpty(), "with a callback, no 'error' too");
      throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", s.socket::remoteAddress);
      // DISCONNECTED again: connect works now
      CompletableFuture<DgramException> ok = new CompletableFuture<>();
      s.socket.connect(echo4.port, "127.0.0.1", ok::complete);
      assertNull(get(ok));
      usable(s);
    }
  }

  @Test
  void connectWithoutCallbackEmitsError() {
    Sock s = sock("udp6");
    s.socket.connect(echo6.port, LONG_HOST);
    assertEquals("ENOTFOUND", take(s.errors).code());
    s.socket.connect(echo6.port, "127.0.0.1"); // wrong family
    DgramException e = take(s.errors);
    assertEquals("EINVAL", e.code(), e::toString);
    assertEquals("connect", e.syscall());
    usable(s);
  }

  @Test
  void connectTwiceAndOnClosedThrow() {
    Sock s = sock("udp4");
    CompletableFuture<DgramException> ok = new CompletableFuture<>();
    s.socket.connect(echo4.port, null, ok::complete);
    throwsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.socket.connect(echo4.port)); // while connecting
    assertNull(get(ok));
    throwsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.socket.connect(echo4.port, "127.0.0.1"));
    throwsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.socket.connect(1, LONG_HOST, e -> { }));
    usable(s);
    Sock c = sock("udp4");
    c.socket.close();
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> c.socket.connect(echo4.port));
  }

  @Test
  void disconnectWhenNotConnectedThrows() {
    Sock s = sock("udp4");
    throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", s.socket::disconnect); // unbound
    s.bindLoopback();
    throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", s.socket::disconnect); // bound
    CompletableFuture<DgramException> ok = new CompletableFuture<>();
    s.socket.connect(echo4.port, "127.0.0.1", ok::complete);
    assertNull(get(ok));
    s.socket.disconnect();
    throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", s.socket::disconnect); // twice
    usable(s);
    s.socket.close();
    throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", s.socket::disconnect); // closed, as Node
  }

  // ================================================================ send

  @Test
  void sendRejectsNullMessagesInEveryForm() throws Exception {
    Sock s = bound("udp4");
    Cb cb = new Cb(s.socket);
    int p = echo4.port;
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((byte[]) null, p, "127.0.0.1"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((byte[]) null, p, "127.0.0.1", cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((byte[]) null, 0, 0, p, "127.0.0.1", cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((ByteBuffer) null, p, "127.0.0.1", cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((String) null, p, "127.0.0.1", cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((List<?>) null, p, "127.0.0.1", cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((byte[]) null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((byte[]) null, cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((ByteBuffer) null, cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((String) null, cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((List<?>) null, cb));
    cb.assertNeverCalled();
    usable(s);
  }

  @Test
  void sendRejectsWrongTypedListParts() throws Exception {
    Sock s = bound("udp4");
    Cb cb = new Cb(s.socket);
    int p = echo4.port;
    List<List<?>> bad = List.of(
        List.of("a", 42),
        List.of(1),
        List.of(new byte[1], List.of("nested")),
        List.of(new Object()),
        Arrays.asList("a", null),
        List.of(new int[] {1, 2}),
        List.of(new StringBuilder("sb")),
        List.of(new Byte[] {1}));
    for (List<?> l : bad) {
      DgramException e = throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send(l, p, "127.0.0.1", cb));
      assertTrue(e.getMessage().contains("buffer list arguments"), e::getMessage);
      throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send(l, cb)); // connected form: type first
    }
    cb.assertNeverCalled();
    usable(s);
  }

  @Test
  void sendRejectsOffsetsAndLengthsOutsideTheBuffer() throws Exception {
    Sock s = bound("udp4");
    Cb cb = new Cb(s.socket);
    byte[] b = new byte[8];
    int p = echo4.port;
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, -1, 1, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, 9, 0, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, Integer.MIN_VALUE, 0, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, 0, 9, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, 4, 5, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, 0, -1, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, 1, Integer.MAX_VALUE, p, "127.0.0.1", cb));
    throwsCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.socket.send(b, Integer.MAX_VALUE, Integer.MAX_VALUE, p, "127.0.0.1", cb));
    cb.assertNeverCalled();
    // the edges are fine: offset == length of the buffer sends an empty datagram
    Cb edge = new Cb(s.socket);
    s.socket.send(b, 8, 0, p, "127.0.0.1", edge);
    assertNull(edge.error());
    usable(s);
  }

  @Test
  void sendRejectsBadPortsInEveryForm() throws Exception {
    Sock s = bound("udp4");
    Cb cb = new Cb(s.socket);
    for (int bad : new int[] {0, -1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(new byte[1], bad, "127.0.0.1"));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(new byte[1], bad, "127.0.0.1", cb));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(new byte[1], 0, 1, bad, null, cb));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(ByteBuffer.allocate(1), bad, null, cb));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send("x", bad, LONG_HOST, cb));
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(List.of("x"), bad, "::g", cb));
    }
    // the connected forms on a socket that is not connected: Node's "Received undefined"
    throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(new byte[1]));
    throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send("x", cb));
    throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(ByteBuffer.allocate(1), cb));
    throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send(List.of(), cb));
    cb.assertNeverCalled();
    usable(s);
  }

  @Test
  void sendToUnresolvableHostsFailsThroughTheCallback() {
    for (String type : List.of("udp4", "udp6")) {
      Sock s = bound(type);
      Echo echo = echoFor(s);
      for (String host : UNRESOLVABLE) {
        List<Cb> cbs = new ArrayList<>();
        for (int form = 0; form < 5; form++) {
          Cb cb = new Cb(s.socket);
          cbs.add(cb);
          switch (form) {
            case 0 -> s.socket.send(new byte[] {1}, echo.port, host, cb);
            case 1 -> s.socket.send(new byte[] {1, 2}, 1, 1, echo.port, host, cb);
            case 2 -> s.socket.send(ByteBuffer.wrap(new byte[] {1}), echo.port, host, cb);
            case 3 -> s.socket.send("x", echo.port, host, cb);
            default -> s.socket.send(List.of("a", new byte[1], ByteBuffer.allocate(1)), echo.port, host, cb);
          }
        }
        for (Cb cb : cbs) {
          DgramException e = cb.error();
          assertNotNull(e, host);
          assertEquals("ENOTFOUND", e.code(), e::toString);
        }
        assertTrue(Robust.waitUntil(() -> cbs.stream().allMatch(c -> c.calls.get() == 1), 200));
        Robust.waitUntil(() -> false, 30);
        for (Cb cb : cbs) {
          assertEquals(1, cb.calls.get(), "a send callback called more than once");
        }
        assertTrue(s.errors.isEmpty(), () -> "with a callback, no 'error' too: " + s.errors);
      }
      // without a callback, a look-up failure goes to 'error' (Node)
      s.socket.send(new byte[1], echo.port, "999.1.1.1");
      assertEquals("ENOTFOUND", take(s.errors).code());
      usable(s);
    }
  }

  @Test
  void sendToTheOtherFamilyFailsWithEinval() {
    Sock s4 = bound("udp4");
    Cb cb = new Cb(s4.socket);
    s4.socket.send("x", echo6.port, "::1", cb);
    DgramException e = cb.error();
    assertEquals("EINVAL", e.code(), e::toString);
    assertEquals("send", e.syscall());
    assertEquals("send EINVAL ::1:" + echo6.port, e.getMessage());
    usable(s4);
    Sock s6 = bound("udp6");
    Cb cb6 = new Cb(s6.socket);
    s6.socket.send("x", echo4.port, "127.0.0.1", cb6);
    assertEquals("EINVAL", cb6.error().code());
    usable(s6);
  }

  @Test
  void oversizeDatagramFailsWithEmsgsize() {
    Sock s = bound("udp4");
    Cb cb = new Cb(s.socket);
    s.socket.send(new byte[70_000], echo4.port, "127.0.0.1", cb);
    DgramException e = cb.error();
    assertEquals("EMSGSIZE", e.code(), e::toString);
    assertEquals("send EMSGSIZE 127.0.0.1:" + echo4.port, e.getMessage());
    Cb list = new Cb(s.socket);
    s.socket.send(List.of(new byte[40_000], new byte[40_000]), echo4.port, "127.0.0.1", list);
    assertEquals("EMSGSIZE", list.error().code());
    usable(s);
  }

  @Test
  void sendOnConnectedSocketWithADestinationThrowsIsConnected() throws Exception {
    Sock s = sock("udp4");
    CompletableFuture<DgramException> ok = new CompletableFuture<>();
    s.socket.connect(echo4.port, "127.0.0.1", ok::complete);
    assertNull(get(ok));
    Cb cb = new Cb(s.socket);
    throwsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.socket.send("x", echo4.port, "127.0.0.1", cb));
    throwsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.socket.send(new byte[1], 0, 1, echo4.port, null, cb));
    cb.assertNeverCalled();
    usable(s);
  }

  @Test
  void sendOnClosedSocketThrowsNotRunningButArgumentErrorsWin() throws Exception {
    Sock s = bound("udp4");
    s.socket.close();
    get(s.closed);
    Cb cb = new Cb(s.socket);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> s.socket.send("x", echo4.port, "127.0.0.1", cb));
    throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.send("x", 0, "127.0.0.1", cb)); // Node: the port check first
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send((String) null, echo4.port, null, cb));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> s.socket.send(List.of(3), echo4.port, null, cb));
    cb.assertNeverCalled();
  }

  @Test
  void sendWithAnEmptyOrNullAddressGoesToLoopback() {
    Sock s = bound("udp4");
    Cb a = new Cb(s.socket);
    s.socket.send("ping:null-address", echo4.port, null, a);
    assertNull(a.error());
    s.awaitText("pong:null-address");
    Cb b = new Cb(s.socket);
    s.socket.send("ping:empty-address", echo4.port, "", b);
    assertNull(b.error());
    s.awaitText("pong:empty-address");
  }

  @Test
  void aByteBufferIsNotConsumedAndReadOnlyOrDirectBuffersWork() {
    Sock s = bound("udp4");
    ByteBuffer ro = ByteBuffer.wrap("ping:ro".getBytes()).asReadOnlyBuffer();
    Cb a = new Cb(s.socket);
    s.socket.send(ro, echo4.port, "127.0.0.1", a);
    assertNull(a.error());
    assertEquals(0, ro.position());
    s.awaitText("pong:ro");
    ByteBuffer direct = ByteBuffer.allocateDirect(16);
    direct.put("ping:direct".getBytes()).flip();
    Cb b = new Cb(s.socket);
    s.socket.send(List.of(direct), echo4.port, "127.0.0.1", b);
    assertNull(b.error());
    s.awaitText("pong:direct");
  }

  // ================================================================ memberships (interface 127.0.0.1 only)

  @Test
  void membershipArgumentErrors() {
    Sock s = bound("udp4");
    DgramSocket d = s.socket;
    throwsCode("ERR_MISSING_ARGS", () -> d.addMembership(null, "127.0.0.1"));
    throwsCode("ERR_MISSING_ARGS", () -> d.addMembership("", "127.0.0.1"));
    throwsCode("ERR_MISSING_ARGS", () -> d.dropMembership(null, "127.0.0.1"));
    throwsCode("ERR_MISSING_ARGS", () -> d.dropMembership("", "127.0.0.1"));
    for (String badGroup : List.of("999.1.1.1", "::g", LONG_HOST, "127.0.0.1", "239.1.2", "1.2.3.4.5")) {
      DgramException e = throwsCode("EINVAL", () -> d.addMembership(badGroup, "127.0.0.1"));
      assertEquals("addMembership", e.syscall());
      assertEquals("addMembership EINVAL", e.getMessage());
      if (!badGroup.equals("127.0.0.1")) { // a unicast group never joined: the kernel's EADDRNOTAVAIL
        throwsCode("EINVAL", () -> d.dropMembership(badGroup, "127.0.0.1"));
      }
    }
    for (String badIface : List.of("999.1.1.1", "::g", LONG_HOST, "", "x")) {
      throwsCode("EINVAL", () -> d.addMembership("239.1.2.3", badIface));
      throwsCode("EINVAL", () -> d.dropMembership("239.1.2.3", badIface));
    }
    // not joined, joined twice
    throwsCode("EADDRNOTAVAIL", () -> d.dropMembership("239.1.2.3", "127.0.0.1"));
    d.addMembership("239.1.2.3", "127.0.0.1");
    throwsCode("EADDRINUSE", () -> d.addMembership("239.1.2.3", "127.0.0.1"));
    d.dropMembership("239.1.2.3", "127.0.0.1");
    usable(s);
  }

  @Test
  void sourceSpecificMembershipArgumentErrors() {
    Sock s = bound("udp4");
    DgramSocket d = s.socket;
    throwsCode("ERR_INVALID_ARG_TYPE", () -> d.addSourceSpecificMembership(null, "239.1.2.3", "127.0.0.1"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> d.addSourceSpecificMembership("127.0.0.1", null, "127.0.0.1"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> d.dropSourceSpecificMembership(null, "239.1.2.3", "127.0.0.1"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> d.dropSourceSpecificMembership("127.0.0.1", null, "127.0.0.1"));
    for (String bad : List.of("", "999.1.1.1", "::g", LONG_HOST)) {
      DgramException e = throwsCode("EINVAL", () -> d.addSourceSpecificMembership(bad, "239.1.2.3", "127.0.0.1"));
      assertEquals("addSourceSpecificMembership", e.syscall());
      throwsCode("EINVAL", () -> d.addSourceSpecificMembership("127.0.0.1", bad, "127.0.0.1"));
      throwsCode("EINVAL", () -> d.addSourceSpecificMembership("127.0.0.1", "239.1.2.3", bad.isEmpty() ? "x" : bad));
      throwsCode("EINVAL", () -> d.dropSourceSpecificMembership(bad, "239.1.2.3", "127.0.0.1"));
    }
    // a unicast group
    throwsCode("EINVAL", () -> d.addSourceSpecificMembership("127.0.0.1", "127.0.0.2", "127.0.0.1"));
    // not joined (Linux: EINVAL for SSM)
    throwsCode("EINVAL", () -> d.dropSourceSpecificMembership("127.0.0.1", "239.1.2.4", "127.0.0.1"));
    d.addSourceSpecificMembership("127.0.0.1", "239.1.2.4", "127.0.0.1");
    d.dropSourceSpecificMembership("127.0.0.1", "239.1.2.4", "127.0.0.1");
    usable(s);
  }

  @Test
  void membershipOnClosedSocketThrowsNotRunning() {
    Sock s = sock("udp4");
    s.socket.close();
    DgramSocket d = s.socket;
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.addMembership("239.1.2.3", "127.0.0.1"));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.addMembership(null, "127.0.0.1")); // healthCheck first
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.dropMembership("239.1.2.3", "127.0.0.1"));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.addSourceSpecificMembership(null, null, null));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.dropSourceSpecificMembership("127.0.0.1", "239.1.2.3", "127.0.0.1"));
  }

  // ================================================================ options

  @Test
  void ttlOutOfRangeIsEinval() {
    Sock s = bound("udp4");
    for (int bad : new int[] {0, -1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      DgramException e = throwsCode("EINVAL", () -> s.socket.setTTL(bad));
      assertEquals("setTTL", e.syscall());
      assertEquals("setTTL EINVAL", e.getMessage());
    }
    for (int bad : new int[] {-1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      throwsCode("EINVAL", () -> s.socket.setMulticastTTL(bad));
    }
    // a valid TTL: done, or ENOTSUP on nio (never silently ignored)
    DgramException e = onlyDgram(() -> s.socket.setTTL(64));
    if (e != null) {
      assertEquals("ENOTSUP", e.code(), e::toString);
    }
    assertEquals(0, s.socket.setMulticastTTL(0));
    assertEquals(255, s.socket.setMulticastTTL(255));
    usable(s);
  }

  @Test
  void optionsBeforeBindAreEbadf() {
    Sock s = sock("udp4");
    DgramSocket d = s.socket;
    throwsCode("EBADF", () -> d.setBroadcast(true));
    throwsCode("EBADF", () -> d.setTTL(64));
    throwsCode("EBADF", () -> d.setMulticastTTL(1));
    throwsCode("EBADF", () -> d.setMulticastLoopback(true));
    throwsCode("EBADF", () -> d.setMulticastInterface("127.0.0.1"));
    throwsCode("EBADF", d::address);
    throwsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", d::remoteAddress);
    throwsCode("ERR_SOCKET_BUFFER_SIZE", d::getRecvBufferSize);
    throwsCode("ERR_SOCKET_BUFFER_SIZE", d::getSendBufferSize);
    throwsCode("ERR_SOCKET_BUFFER_SIZE", () -> d.setRecvBufferSize(4096));
    throwsCode("ERR_SOCKET_BUFFER_SIZE", () -> d.setSendBufferSize(4096));
    DgramException e = throwsCode("ERR_SOCKET_BUFFER_SIZE", d::getRecvBufferSize);
    assertEquals(-9, e.errno());
    assertEquals("uv_recv_buffer_size", e.syscall());
    assertEquals(0, d.getSendQueueSize());
    assertEquals(0, d.getSendQueueCount());
    usable(s);
  }

  @Test
  void multicastInterfaceArgumentErrors() {
    for (String type : List.of("udp4", "udp6")) {
      Sock s = bound(type);
      DgramSocket d = s.socket;
      throwsCode("ERR_INVALID_ARG_TYPE", () -> d.setMulticastInterface(null));
      for (String bad : List.of("", "::g", "999.1.1.1", LONG_HOST, "lo", "1.2.3.4.5")) {
        DgramException e = throwsCode("EINVAL", () -> d.setMulticastInterface(bad));
        assertEquals("setMulticastInterface", e.syscall());
      }
      if (!s.v6) {
        throwsCode("EADDRNOTAVAIL", () -> d.setMulticastInterface("10.255.255.1"));
        d.setMulticastInterface("127.0.0.1");
      }
      usable(s);
    }
  }

  @Test
  void bufferSizeArgumentErrors() {
    Sock s = bound("udp4");
    DgramSocket d = s.socket;
    for (int bad : new int[] {-1, Integer.MIN_VALUE}) {
      throwsCode("ERR_SOCKET_BAD_BUFFER_SIZE", () -> d.setRecvBufferSize(bad));
      throwsCode("ERR_SOCKET_BAD_BUFFER_SIZE", () -> d.setSendBufferSize(bad));
    }
    // the extremes either work (the kernel clamps) or fail with ERR_SOCKET_BUFFER_SIZE
    for (int size : new int[] {0, 1, Integer.MAX_VALUE}) {
      DgramException e = onlyDgram(() -> d.setRecvBufferSize(size));
      if (e != null) {
        assertEquals("ERR_SOCKET_BUFFER_SIZE", e.code(), e::toString);
      }
      e = onlyDgram(() -> d.setSendBufferSize(size));
      if (e != null) {
        assertEquals("ERR_SOCKET_BUFFER_SIZE", e.code(), e::toString);
      }
    }
    assertTrue(d.getRecvBufferSize() > 0);
    d.setRecvBufferSize(65536);
    d.setSendBufferSize(65536);
    usable(s);
    d.close();
    // closed: the size is checked first (Node), then NOT_RUNNING
    throwsCode("ERR_SOCKET_BAD_BUFFER_SIZE", () -> d.setRecvBufferSize(-1));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setRecvBufferSize(1));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", d::getSendBufferSize);
  }

  @Test
  void everythingOnAClosedSocketIsNotRunningOrHarmless() {
    Sock s = bound("udp4");
    DgramSocket d = s.socket;
    d.close();
    get(s.closed);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", d::close);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.close(() -> { }));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", d::address);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", d::remoteAddress);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setBroadcast(false));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setTTL(1));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setMulticastTTL(1));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setMulticastLoopback(false));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.setMulticastInterface(null));
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", d::getRecvBufferSize);
    assertEquals(0, d.getSendQueueSize());
    assertEquals(0, d.getSendQueueCount());
    // Node: ref/unref never throw, not even when closed
    assertNull(onlyDgram(() -> d.ref().unref().ref()));
    assertTrue(d.isClosed());
    assertEquals(loop, d.loop());
  }

  // ================================================================ custom look-ups that misbehave

  @Test
  void misbehavingLookupsEndInDgramExceptions() {
    List<dev.jdgram.Lookup> lookups = List.of(
        (host, family, cb) -> { throw new IllegalStateException("boom"); },
        (host, family, cb) -> { throw new NullPointerException(); },
        (host, family, cb) -> cb.accept(null, null), // neither error nor address
        (host, family, cb) -> { // answers twice
          cb.accept(null, InetAddress.getLoopbackAddress());
          cb.accept(new dev.jdgram.DgramException("EAI_AGAIN", "again"), null);
        },
        (host, family, cb) -> new Thread(() -> cb.accept(null, null)).start()); // from another thread
    for (dev.jdgram.Lookup lookup : lookups) {
      DgramSocket d = Dgram.createSocket(SocketOptions.of("udp4").loop(loop).lookup(lookup));
      try {
        BlockingQueue<DgramException> errors = new LinkedBlockingQueue<>();
        d.onError(errors::add);
        CompletableFuture<DgramException> cb = new CompletableFuture<>();
        assertNull(onlyDgram(() -> d.send("x", echo4.port, "some.name", (e, n) -> cb.complete(e))));
        DgramException sendErr = get(cb);
        CompletableFuture<DgramException> cc = new CompletableFuture<>();
        assertNull(onlyDgram(() -> d.connect(echo4.port, "some.name", cc::complete)));
        DgramException connectErr = get(cc);
        // the loop carries on, and the socket still sends by literal (which a custom lookup also answers)
        if (sendErr != null) {
          assertNotNull(sendErr.code());
        }
        if (connectErr != null) {
          assertNotNull(connectErr.code());
        }
      } finally {
        d.close();
      }
    }
  }

  // ================================================================ BlockList

  @Test
  void blockListRejectsNullAndMalformedInput() {
    BlockList b = new BlockList();
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addAddress(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addAddress(null, "ipv4"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addAddress("1.2.3.4", null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addRange(null, "1.2.3.4"));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addRange("1.2.3.4", null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addRange("1.2.3.4", "1.2.3.5", null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addSubnet(null, 8));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.addSubnet("1.0.0.0", 8, null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.check((String) null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.check((InetAddress) null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.check("1.2.3.4", null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.removeAddress(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.removeRange(null, null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> b.removeSubnet(null, 1));
    for (String bad : List.of("999.1.1.1", "::g", "", LONG_HOST, "1.2.3", "01.2.3.4", "::1::1", "1.2.3.4.5",
        "[::1]", "::1%", "\u0000", "１.２.３.４")) {
      throwsCode("ERR_INVALID_ADDRESS", () -> {
        b.addAddress(bad);
        throw new AssertionError("addAddress accepted " + java.util.Arrays.toString(bad.toCharArray())
            + " (Node: ERR_INVALID_ADDRESS); rules now " + b.rules());
      });
      throwsCode("ERR_INVALID_ADDRESS", () -> b.addAddress(bad, "ipv6"));
      throwsCode("ERR_INVALID_ADDRESS", () -> b.addRange(bad, "1.2.3.4"));
      throwsCode("ERR_INVALID_ADDRESS", () -> b.addRange("1.2.3.4", bad));
      throwsCode("ERR_INVALID_ADDRESS", () -> b.addSubnet(bad, 8));
      throwsCode("ERR_INVALID_ADDRESS", () -> b.removeAddress(bad));
      assertFalse(b.check(bad));
      assertFalse(b.check(bad, "ipv4"));
      assertFalse(b.check(bad, "ipv6"));
    }
  }

  @Test
  void blockListRejectsBadFamiliesPrefixesAndRanges() {
    BlockList b = new BlockList();
    for (String fam : List.of("ipx", "", "IPv5", LONG_HOST)) {
      throwsCode("ERR_INVALID_ARG_VALUE", () -> b.addAddress("1.2.3.4", fam));
      throwsCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("1.2.3.4", "1.2.3.5", fam));
      throwsCode("ERR_INVALID_ARG_VALUE", () -> b.addSubnet("1.2.3.0", 24, fam));
      assertFalse(b.check("1.2.3.4", fam));
    }
    for (int bad : new int[] {-1, 33, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      throwsCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("1.2.3.0", bad));
      throwsCode("ERR_OUT_OF_RANGE", () -> b.removeSubnet("1.2.3.0", bad));
    }
    for (int bad : new int[] {-1, 129}) {
      throwsCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("::", bad));
      throwsCode("ERR_OUT_OF_RANGE", () -> b.addSubnet("::", bad, "ipv6"));
    }
    throwsCode("ERR_INVALID_ARG_VALUE", () -> b.addRange("1.2.3.5", "1.2.3.4"));
    throwsCode("ERR_INVALID_ADDRESS", () -> b.addRange("1.2.3.4", "::1")); // families differ
    throwsCode("ERR_INVALID_ADDRESS", () -> b.addAddress("::1", "ipv4"));
    assertTrue(b.rules().isEmpty(), () -> "a rejected call left a rule: " + b.rules());
    b.addSubnet("10.0.0.0", 8);
    assertTrue(b.check("10.1.2.3"));
    assertNotNull(b.toString());
  }

  // ================================================================ EventLoop

  @Test
  void eventLoopRejectsNullTasks() {
    throwsCode("ERR_INVALID_ARG_TYPE", () -> loop.execute(null));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> loop.setTimeout(null, 1));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> loop.setInterval(null, 1));
    throwsCode("ERR_INVALID_ARG_TYPE", () -> loop.setImmediate(null));
    assertNull(onlyDgram(() -> loop.setUncaughtExceptionHandler((t, e) -> uncaught.add(e))));
  }

  @Test
  void eventLoopRejectsWrongStates() {
    throwsCode("ERR_INVALID_STATE", () -> loop.start()); // already running
    throwsCode("ERR_INVALID_STATE", () -> loop.run());
    throwsCode("ERR_INVALID_STATE", () -> loop.runOnce());
    throwsCode("ERR_INVALID_STATE", () -> loop.runNoWait());
    // run() from inside its own callback: thrown there, to the uncaught handler
    CompletableFuture<Throwable> inside = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        loop.run();
        inside.complete(null);
      } catch (Throwable t) {
        inside.complete(t);
      }
    });
    Throwable t = get(inside);
    assertTrue(t instanceof DgramException de && de.code().equals("ERR_INVALID_STATE"), String.valueOf(t));

    EventLoop closed = EventLoop.create();
    closed.close();
    assertNull(onlyDgram(closed::close)); // twice is harmless
    throwsCode("ERR_INVALID_STATE", () -> closed.execute(() -> { }));
    throwsCode("ERR_INVALID_STATE", closed::start);
    throwsCode("ERR_INVALID_STATE", closed::run);
    throwsCode("ERR_INVALID_STATE", closed::runOnce);
    throwsCode("ERR_INVALID_STATE", closed::runNoWait);
    // timers on a closed loop never fire, and their methods do not throw
    Timer tm = closed.setTimeout(() -> { }, 1);
    assertNull(onlyDgram(() -> tm.ref().unref().cancel()));
    assertNull(onlyDgram(closed::stop));
    assertFalse(closed.inLoop());
  }

  @Test
  void unknownTransportIsADgramException() {
    String old = System.getProperty("jdgram.transport");
    System.setProperty("jdgram.transport", "no-such-transport");
    try {
      throwsCode("ERR_INVALID_ARG_VALUE", EventLoop::create);
    } finally {
      if (old == null) {
        System.clearProperty("jdgram.transport");
      } else {
        System.setProperty("jdgram.transport", old);
      }
    }
  }

  @Test
  void negativeAndZeroDelaysFire() {
    CountDownLatch fired = new CountDownLatch(3);
    loop.setTimeout(fired::countDown, -5);
    loop.setTimeout(fired::countDown, Long.MIN_VALUE);
    Timer[] iv = new Timer[1];
    iv[0] = loop.setInterval(() -> {
      fired.countDown();
      iv[0].cancel();
    }, -1);
    try {
      assertTrue(fired.await(2, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Timer t = loop.setTimeout(() -> { }, 10);
    t.cancel();
    t.cancel();
    t.ref().unref();
    assertFalse(t.isActive());
  }

  /**
   * A huge delay or period must neither fire at once in a tight loop nor starve the loop. Node
   * clamps a delay above 2^31-1 ms to 1 ms (with a TimeoutOverflowWarning), so an interval of
   * Long.MAX_VALUE fires about once per millisecond there, while other timers keep running.
   */
  @Test
  void hugeIntervalDoesNotStarveTheLoop() throws Exception {
    EventLoop own = EventLoop.create();
    own.start();
    try {
      AtomicInteger fires = new AtomicInteger();
      Timer[] iv = new Timer[1];
      CompletableFuture<Long> other = new CompletableFuture<>();
      long t0 = System.nanoTime();
      own.execute(() -> {
        // the interval cancels itself after 100,000 firings, so a starved loop ends by itself
        iv[0] = own.setInterval(() -> {
          if (fires.incrementAndGet() >= 100_000) {
            iv[0].cancel();
          }
        }, Long.MAX_VALUE);
        own.setTimeout(() -> other.complete(System.nanoTime()), 20);
      });
      long at = get(other);
      long ms = TimeUnit.NANOSECONDS.toMillis(at - t0);
      int firedBefore = fires.get();
      iv[0].cancel();
      assertTrue(ms < 1_000, "a 20 ms timer took " + ms + " ms next to a Long.MAX_VALUE interval");
      // Node fires it about once per ms; anything far above means it fires in a busy loop
      assertTrue(firedBefore < 1_000, "the Long.MAX_VALUE interval fired " + firedBefore
          + " times in " + ms + " ms (overflow: due = now + period wraps negative)");
    } finally {
      own.close();
    }
  }

  @Test
  void hugeTimeoutIsClampedNotOverflowed() throws Exception {
    // Node: a delay above 2^31-1 becomes 1 ms. What matters here: it fires once, the loop lives.
    CountDownLatch fired = new CountDownLatch(1);
    AtomicInteger count = new AtomicInteger();
    loop.setTimeout(() -> {
      count.incrementAndGet();
      fired.countDown();
    }, Long.MAX_VALUE);
    assertTrue(fired.await(2, TimeUnit.SECONDS), "a Long.MAX_VALUE timeout never fired (Node fires it after 1 ms)");
    Thread.sleep(20);
    assertEquals(1, count.get());
    Sock s = bound("udp4");
    usable(s);
  }

  @Test
  void listenerThatThrowsDoesNotBreakTheSocket() {
    Sock s = bound("udp4");
    s.socket.onMessage((m, r) -> { throw new IllegalStateException("listener bug"); });
    usable(s);
    Throwable t = take(uncaught);
    assertTrue(t instanceof IllegalStateException, String.valueOf(t));
    usable(s);
    assertTrue(take(uncaught) instanceof IllegalStateException);
    uncaught.clear();
  }

  @Test
  void closeCallbackConsumerVariantsAndDefaultSocket() {
    // the default loop, the plain type overloads
    DgramSocket d = Dgram.createSocket("udp4", (m, r) -> { });
    CompletableFuture<Void> closed = new CompletableFuture<>();
    d.close(() -> closed.complete(null));
    get(closed);
    throwsCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> d.close(null));
    Consumer<DgramException> noop = e -> { };
    assertNull(onlyDgram(() -> d.onError(noop).off(noop)));
  }

  @Test
  void closeAfterARoundTripEmitsClose() {
    for (String type : List.of("udp4", "udp6")) {
      Sock s = sock(type);
      throwsCode("ERR_SOCKET_BAD_PORT", () -> s.socket.bind(-1, s.loopback()));
      usable(s); // implicit bind by send
      s.socket.close();
      try {
        get(s.closed);
      } catch (AssertionError e) {
        throw new AssertionError(type + ": no 'close' event after close() of a socket bound by send", e);
      }
    }
  }
}
