package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Socket options: broadcast flag (never a broadcast send), TTL, buffer sizes, bind flags. */
@Timeout(30)
class OptionsTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  private DgramSocket socket(SocketOptions options) {
    DgramSocket s = Dgram.createSocket(options);
    sockets.add(s);
    return s;
  }

  private DgramSocket socket() {
    return socket(SocketOptions.of("udp4"));
  }

  private DgramSocket boundSocket() {
    DgramSocket s = socket();
    Probe.bindLoopback(s, false);
    return s;
  }

  private static boolean nioTransport() {
    String t = System.getProperty("jdgram.transport");
    return t == null || t.isEmpty() || t.equals("nio");
  }

  private static boolean linux() {
    return System.getProperty("os.name", "").toLowerCase().contains("linux");
  }

  private static DgramException fails(Executable call) {
    return assertThrows(DgramException.class, call);
  }

  // ------------------------------------------------------------------ broadcast (flag only)

  @Test
  void setBroadcastOnBoundSocketDoesNotThrow() {
    DgramSocket s = boundSocket();
    assertDoesNotThrow(() -> s.setBroadcast(true));
    assertDoesNotThrow(() -> s.setBroadcast(false));
  }

  @Test
  void setBroadcastBeforeBindIsEbadf() {
    DgramSocket s = socket();
    DgramException e = fails(() -> s.setBroadcast(true));
    assertEquals("EBADF", e.code());
    assertEquals("setBroadcast", e.syscall());
    assertEquals(-9, e.errno());
    assertEquals("setBroadcast EBADF", e.getMessage());
  }

  // ------------------------------------------------------------------ TTL

  @Test
  void setTtlOnNioIsEnotsup() {
    assumeTrue(nioTransport(), "the nio transport cannot set IP_TTL; other transports can");
    DgramSocket s = boundSocket();
    DgramException e = fails(() -> s.setTTL(64));
    assertEquals("ENOTSUP", e.code());
    assertEquals("setTTL", e.syscall());
    assertEquals(-95, e.errno());
  }

  @Test
  void setTtlOutOfRangeIsEinval() {
    DgramSocket s = boundSocket();
    for (int ttl : new int[] {0, 256}) {
      DgramException e = fails(() -> s.setTTL(ttl));
      assertEquals("EINVAL", e.code(), "ttl " + ttl);
      assertEquals("setTTL", e.syscall());
      assertEquals("setTTL EINVAL", e.getMessage());
    }
  }

  @Test
  void setTtlBeforeBindIsEbadf() {
    DgramSocket s = socket();
    DgramException e = fails(() -> s.setTTL(64));
    assertEquals("EBADF", e.code());
    assertEquals("setTTL", e.syscall());
  }

  // ------------------------------------------------------------------ buffer sizes

  @Test
  void recvBufferSizeIsDoubledByLinux() {
    assumeTrue(linux(), "Linux doubles SO_RCVBUF");
    DgramSocket s = boundSocket();
    s.setRecvBufferSize(10000);
    assertEquals(20000, s.getRecvBufferSize());
  }

  @Test
  void sendBufferSizeIsDoubledByLinux() {
    assumeTrue(linux(), "Linux doubles SO_SNDBUF");
    DgramSocket s = boundSocket();
    s.setSendBufferSize(10000);
    assertEquals(20000, s.getSendBufferSize());
  }

  @Test
  void recvBufferSizeBeforeBindIsBufferSizeError() {
    DgramSocket s = socket();
    for (Executable call : new Executable[] {s::getRecvBufferSize, () -> s.setRecvBufferSize(10000)}) {
      DgramException e = fails(call);
      assertEquals("ERR_SOCKET_BUFFER_SIZE", e.code());
      assertEquals("Could not get or set buffer size: uv_recv_buffer_size returned EBADF (bad file descriptor)",
          e.getMessage());
      assertEquals("uv_recv_buffer_size", e.syscall());
      assertEquals(-9, e.errno());
    }
  }

  @Test
  void sendBufferSizeBeforeBindIsBufferSizeError() {
    DgramSocket s = socket();
    for (Executable call : new Executable[] {s::getSendBufferSize, () -> s.setSendBufferSize(10000)}) {
      DgramException e = fails(call);
      assertEquals("ERR_SOCKET_BUFFER_SIZE", e.code());
      assertEquals("Could not get or set buffer size: uv_send_buffer_size returned EBADF (bad file descriptor)",
          e.getMessage());
      assertEquals("uv_send_buffer_size", e.syscall());
      assertEquals(-9, e.errno());
    }
  }

  @Test
  void negativeBufferSizeIsBadBufferSize() {
    DgramSocket unbound = socket();
    DgramSocket bound = boundSocket();
    for (DgramSocket s : List.of(unbound, bound)) {
      for (Executable call : new Executable[] {() -> s.setRecvBufferSize(-1), () -> s.setSendBufferSize(-1)}) {
        DgramException e = fails(call);
        assertEquals("ERR_SOCKET_BAD_BUFFER_SIZE", e.code());
        assertEquals("Buffer size must be a positive integer", e.getMessage());
      }
    }
  }

  @Test
  void bufferSizeOptionsAreAppliedWhenListening() {
    assumeTrue(linux(), "Linux doubles the sizes");
    DgramSocket s = socket(SocketOptions.of("udp4").recvBufferSize(10000).sendBufferSize(12000));
    CompletableFuture<int[]> sizes = new CompletableFuture<>();
    s.onError(sizes::completeExceptionally);
    s.bind(0, "127.0.0.1", () -> sizes.complete(new int[] {s.getRecvBufferSize(), s.getSendBufferSize()}));
    int[] got = Probe.get(sizes);
    assertEquals(20000, got[0], "SO_RCVBUF in 'listening'");
    assertEquals(24000, got[1], "SO_SNDBUF in 'listening'");
  }

  @Test
  void negativeBufferSizeOptionIsOutOfRange() {
    DgramException recv = fails(() -> SocketOptions.of("udp4").recvBufferSize(-1));
    assertEquals("ERR_OUT_OF_RANGE", recv.code());
    DgramException send = fails(() -> SocketOptions.of("udp4").sendBufferSize(-1));
    assertEquals("ERR_OUT_OF_RANGE", send.code());
  }

  // ------------------------------------------------------------------ bind flags

  @Test
  void ipv6OnlyOnNioFailsBindWithEnotsup() {
    assumeTrue(nioTransport(), "java.nio has no IPV6_V6ONLY; other transports set it");
    DgramSocket s = socket(SocketOptions.of("udp6").ipv6Only(true));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    s.bind(0, "::1", () -> error.completeExceptionally(new AssertionError("bound despite ipv6Only on nio")));
    DgramException e = Probe.get(error);
    assertEquals("ENOTSUP", e.code());
    assertEquals("bind", e.syscall());
  }

  @Test
  void reusePortLetsTwoSocketsBindTheSamePort() {
    DgramSocket a = socket(SocketOptions.of("udp4").reusePort(true));
    int port = Probe.bindLoopback(a, false);
    DgramSocket b = socket(SocketOptions.of("udp4").reusePort(true));
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    b.onError(bound::completeExceptionally);
    b.bind(port, "127.0.0.1", () -> bound.complete(b.address().port()));
    assertEquals(port, Probe.get(bound));
  }

  @Test
  void withoutReusePortSecondBindIsEaddrinuse() {
    // The control for the test above: the same binds without the option fail.
    DgramSocket a = socket();
    int port = Probe.bindLoopback(a, false);
    DgramSocket b = socket();
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    b.onError(error::complete);
    b.bind(port, "127.0.0.1", () -> error.completeExceptionally(new AssertionError("second bind succeeded")));
    DgramException e = Probe.get(error);
    assertEquals("EADDRINUSE", e.code());
    assertEquals("bind EADDRINUSE 127.0.0.1:" + port, e.getMessage());
  }
}
