package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-socket-buffer-size.js}. Not portable: the bad sizes
 * {@code Infinity} and {@code 'Doh!'} (Java's {@code int} rules them out) and 2147483648, which
 * passes Node's uint32 check but fails in the kernel with EINVAL; it is no Java {@code int}.
 */
@Timeout(20)
class NodeSocketBufferSizeTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private static void assertEbadf(String which, DgramException e) {
    String syscall = "uv_" + which + "_buffer_size";
    assertEquals("ERR_SOCKET_BUFFER_SIZE", e.code());
    assertEquals("Could not get or set buffer size: " + syscall + " returned EBADF (bad file descriptor)",
        e.getMessage());
    assertEquals(syscall, e.syscall());
    assertEquals(-9, e.errno());
  }

  @Test
  void unboundSocketSendBufferSizeThrowsBufferSizeEbadf() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    assertEbadf("send", assertCode("ERR_SOCKET_BUFFER_SIZE", () -> socket.setSendBufferSize(8192)));
    assertEbadf("send", assertCode("ERR_SOCKET_BUFFER_SIZE", socket::getSendBufferSize));
  }

  @Test
  void unboundSocketRecvBufferSizeThrowsBufferSizeEbadf() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    assertEbadf("recv", assertCode("ERR_SOCKET_BUFFER_SIZE", () -> socket.setRecvBufferSize(8192)));
    assertEbadf("recv", assertCode("ERR_SOCKET_BUFFER_SIZE", socket::getRecvBufferSize));
  }

  @Test
  void negativeSizeThrowsBadBufferSize() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    NodeMzSupport.bind(socket, 0, "127.0.0.1");
    DgramException e = assertCode("ERR_SOCKET_BAD_BUFFER_SIZE", () -> socket.setRecvBufferSize(-1));
    assertEquals("Buffer size must be a positive integer", e.getMessage());
    e = assertCode("ERR_SOCKET_BAD_BUFFER_SIZE", () -> socket.setSendBufferSize(-1));
    assertEquals("Buffer size must be a positive integer", e.getMessage());
  }

  /** Linux doubles the requested size. */
  @Test
  void boundSocketSetsAndGetsBufferSizes() {
    DgramSocket socket = sockets.add(Dgram.createSocket("udp4"));
    NodeMzSupport.bind(socket, 0, "127.0.0.1");
    socket.setRecvBufferSize(10000);
    socket.setSendBufferSize(10000);
    int expected = System.getProperty("os.name").startsWith("Linux") ? 20000 : 10000;
    assertEquals(expected, socket.getRecvBufferSize());
    assertEquals(expected, socket.getSendBufferSize());
  }
}
