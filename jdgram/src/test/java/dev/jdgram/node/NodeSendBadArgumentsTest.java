package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-bad-arguments.js}, on an unconnected and on a
 * connected socket. Differences forced by Java's types: the missing buffer is {@code null}
 * ("Received null" for Node's "Received undefined"); {@code send(23, ...)} cannot be written, so
 * a list part of the wrong type stands for it; the type list in the messages names Java's types;
 * for a bad list part jdgram describes the part, Node the whole array; typed-array and DataView
 * views have no offset/length form in Java ({@code ByteBuffer} carries its own bounds). Java has
 * no connected {@code send(buf, offset, length)}: the six-argument form with port 0 stands for it.
 */
@Timeout(20)
class NodeSendBadArgumentsTest {
  private static final byte[] BUF = "test".getBytes();
  private static final String HOST = "127.0.0.1";
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket unconnected() {
    return sockets.add(Dgram.createSocket("udp4"));
  }

  private DgramSocket connected() {
    DgramSocket s = sockets.add(Dgram.createSocket("udp4"));
    CompletableFuture<DgramException> done = new CompletableFuture<>();
    s.connect(12345, null, done::complete);
    assertNull(NodeMzSupport.get(done));
    return s;
  }

  private static void assertMissingBuffer(DgramSocket s) {
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.send((byte[]) null));
    assertTrue(e.getMessage().startsWith("The \"buffer\" argument must be "), e.getMessage());
    e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.send((byte[]) null, 12345, HOST));
    assertTrue(e.getMessage().startsWith("The \"buffer\" argument must be "), e.getMessage());
  }

  private static void assertBadListPart(DgramSocket s) {
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.send(List.of(BUF, 23), 12345, HOST, null));
    assertTrue(e.getMessage().startsWith("The \"buffer list arguments\" argument must be "), e.getMessage());
  }

  @Test
  void unconnectedMissingBufferThrowsInvalidArgType() {
    assertMissingBuffer(unconnected());
  }

  @Test
  void unconnectedBadPortThrowsBadPort() {
    DgramSocket s = unconnected();
    for (int port : new int[] {-1, 0, 65536}) {
      assertCode("ERR_SOCKET_BAD_PORT", () -> s.send(BUF, 1, 1, port, HOST, null));
    }
    DgramException e = assertCode("ERR_SOCKET_BAD_PORT", () -> s.send(BUF, 1, 1, 0, HOST, null));
    assertEquals("Port should be > 0 and < 65536. Received type number (0).", e.getMessage());
  }

  @Test
  void unconnectedBadListPartThrowsInvalidArgType() {
    assertBadListPart(unconnected());
  }

  @Test
  void unconnectedOffsetOrLengthOutsideBufferThrowsOutOfBounds() {
    DgramSocket s = unconnected();
    byte[] input = "hello".getBytes();
    DgramException e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 6, 0, 12345, HOST, null));
    assertEquals("\"offset\" is outside of buffer bounds", e.getMessage());
    e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 0, 6, 12345, HOST, null));
    assertEquals("\"length\" is outside of buffer bounds", e.getMessage());
    e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 3, 4, 12345, HOST, null));
    assertEquals("\"length\" is outside of buffer bounds", e.getMessage());
  }

  @Test
  void connectedMissingBufferThrowsInvalidArgType() {
    assertMissingBuffer(connected());
  }

  @Test
  void connectedSendWithPortThrowsIsConnected() {
    DgramSocket s = connected();
    for (int port : new int[] {-1, 0, 65536}) {
      DgramException e = assertCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.send(BUF, 1, 1, port, HOST, null));
      assertEquals("Already connected", e.getMessage());
    }
    assertCode("ERR_SOCKET_DGRAM_IS_CONNECTED", () -> s.send(BUF, 1234, HOST, (err, n) -> {
      throw new AssertionError("must not be called");
    }));
  }

  @Test
  void connectedBadListPartThrowsInvalidArgType() {
    DgramSocket s = connected();
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.send(List.of(BUF, 23), null));
    assertTrue(e.getMessage().startsWith("The \"buffer list arguments\" argument must be "), e.getMessage());
  }

  @Test
  void connectedOffsetOrLengthOutsideBufferThrowsOutOfBounds() {
    DgramSocket s = connected();
    for (byte[] input : List.of("hello".getBytes(), new byte[] {1, 2, 3, 4, 5})) {
      DgramException e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 6, 0, 0, null, null));
      assertEquals("\"offset\" is outside of buffer bounds", e.getMessage());
      e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 0, 6, 0, null, null));
      assertEquals("\"length\" is outside of buffer bounds", e.getMessage());
      e = assertCode("ERR_BUFFER_OUT_OF_BOUNDS", () -> s.send(input, 3, 4, 0, null, null));
      assertEquals("\"length\" is outside of buffer bounds", e.getMessage());
    }
  }
}
