package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Ported from test/parallel/test-dgram-connect.js: connect's callback, remoteAddress(), connect
 * while connected or connecting, disconnect when not connected, reconnect after disconnect, and
 * the port check. Connecting sends nothing; port 12345 is Node's.
 */
class NodeConnectTest {
  private static final int PORT = 12345;
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private static void assertThrowsCode(String code, String message, Executable call) {
    DgramException e = assertThrows(DgramException.class, call);
    assertEquals(code, e.code());
    assertEquals(message, e.getMessage());
  }

  /** Connects an unbound socket to 127.0.0.1:PORT and waits for the callback. */
  private DgramSocket connected() {
    DgramSocket s = t.udp4();
    CompletableFuture<DgramException> done = new CompletableFuture<>();
    s.connect(PORT, null, done::complete);
    assertNull(NodeAlSupport.get(done));
    return s;
  }

  @Test
  void connectCallbackSeesTheRemotePort() {
    DgramSocket s = t.udp4();
    CompletableFuture<Integer> remotePort = new CompletableFuture<>();
    s.onError(remotePort::completeExceptionally);
    s.connect(PORT, null, err -> {
      if (err != null) {
        remotePort.completeExceptionally(err);
      } else {
        remotePort.complete(s.remoteAddress().port());
      }
    });
    assertEquals(PORT, NodeAlSupport.get(remotePort));
    assertEquals("127.0.0.1", s.remoteAddress().address());
  }

  @Test
  void connectWhileConnectedThrowsAlreadyConnected() {
    DgramSocket s = connected();
    AtomicInteger called = new AtomicInteger();
    assertThrowsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected",
        () -> s.connect(PORT, null, err -> called.incrementAndGet()));
    NodeAlSupport.pause(50);
    assertEquals(0, called.get(), "the refused connect's callback must not run");
  }

  @Test
  void disconnectTwiceThrowsNotConnected() {
    DgramSocket s = connected();
    s.disconnect();
    assertThrowsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected", s::disconnect);
  }

  @Test
  void remoteAddressAfterDisconnectThrowsNotConnected() {
    DgramSocket s = connected();
    s.disconnect();
    assertThrowsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected", s::remoteAddress);
  }

  @Test
  void connectAfterDisconnectEmitsConnect() {
    DgramSocket s = connected();
    s.disconnect();
    CountDownLatch connectEvent = new CountDownLatch(1);
    s.onConnect(connectEvent::countDown);
    s.connect(PORT);
    NodeAlSupport.await(connectEvent);
    assertEquals(PORT, s.remoteAddress().port());
  }

  /** Starts a connect whose completion the test waits for, as Node's test does. */
  private CountDownLatch connecting(DgramSocket s) {
    CountDownLatch done = new CountDownLatch(1);
    s.connect(PORT, null, err -> done.countDown());
    return done;
  }

  @Test
  void connectWhileConnectingThrowsAlreadyConnected() {
    DgramSocket s = t.udp4();
    CountDownLatch done = connecting(s);
    assertThrowsCode("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected", () -> s.connect(PORT));
    NodeAlSupport.await(done);
    assertEquals(PORT, s.remoteAddress().port());
  }

  @Test
  void disconnectWhileConnectingThrowsNotConnected() {
    DgramSocket s = t.udp4();
    // connect and disconnect in one callback on the loop, as Node runs them in one tick: from
    // another thread, the loop could finish connecting in between.
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    s.loop().execute(() -> {
      s.connect(PORT, null, err -> done.countDown());
      try {
        s.disconnect();
        thrown.complete(null);
      } catch (Throwable e) {
        thrown.complete(e);
      }
    });
    Throwable e = NodeAlSupport.get(thrown);
    assertThrowsCode("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected", () -> {
      if (e != null) {
        throw e;
      }
    });
    NodeAlSupport.await(done);
    assertEquals(PORT, s.remoteAddress().port());
  }

  /** Node also passes null and undefined; an int cannot be either. */
  @Test
  void connectToAnInvalidPortThrowsBadPort() {
    DgramSocket s = t.udp4();
    for (int port : new int[] {0, 78960, -1}) {
      DgramException e = assertThrows(DgramException.class, () -> s.connect(port), "port " + port);
      assertEquals("ERR_SOCKET_BAD_PORT", e.code());
      assertTrue(e.getMessage().startsWith("Port should be > 0 and < 65536"), e.getMessage());
    }
  }
}
