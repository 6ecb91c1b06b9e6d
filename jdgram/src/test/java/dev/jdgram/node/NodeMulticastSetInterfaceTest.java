package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static dev.jdgram.node.NodeMzSupport.closeAndWait;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-multicast-set-interface.js}. Nothing is sent. Where
 * Node resets the interface to the system's choice ({@code 0.0.0.0}, an unknown IPv6 scope), the
 * nio transport answers ENOTSUP, as README.md documents ("resetting the multicast interface to
 * any"); other transports must do what Node does.
 */
@Timeout(20)
class NodeMulticastSetInterfaceTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket bound(String type) {
    DgramSocket s = sockets.add(Dgram.createSocket(type));
    NodeMzSupport.bind(s, 0, "udp4".equals(type) ? "127.0.0.1" : "::1");
    return s;
  }

  @Test
  void anyAddressSelectsTheSystemDefault() {
    DgramSocket s = bound("udp4");
    if (NodeMzSupport.nio()) {
      DgramException e = assertCode("ENOTSUP", () -> s.setMulticastInterface("0.0.0.0"));
      assertEquals("setMulticastInterface", e.syscall());
    } else {
      assertDoesNotThrow(() -> s.setMulticastInterface("0.0.0.0"));
    }
  }

  @Test
  void loopbackInterfaceIsAccepted() {
    DgramSocket s = bound("udp4");
    assertDoesNotThrow(() -> s.setMulticastInterface("127.0.0.1"));
  }

  @Test
  void closedSocketThrowsNotRunning() {
    DgramSocket s = bound("udp4");
    closeAndWait(s);
    DgramException e = assertCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> s.setMulticastInterface("0.0.0.0"));
    assertEquals("Not running", e.getMessage());
  }

  @Test
  void addressOfTheWrongFamilyThrows() {
    DgramSocket s = bound("udp4");
    assertThrows(DgramException.class, () -> s.setMulticastInterface("::"));
  }

  /** Node: a number gives a TypeError; in Java the only non-string is null. */
  @Test
  void nullInterfaceThrowsInvalidArgType() {
    DgramSocket s = bound("udp4");
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.setMulticastInterface(null));
    assertEquals(true, e.getMessage().startsWith("The \"interfaceAddress\" argument must be of type string"),
        e.getMessage());
  }

  @Test
  void nonUnicastAddressThrows() {
    DgramSocket s = bound("udp4");
    assertThrows(DgramException.class, () -> s.setMulticastInterface("224.0.0.2"));
  }

  @Test
  void udp6UnparsableInterfaceThrowsEinval() {
    DgramSocket s = bound("udp6");
    DgramException e = assertCode("EINVAL", () -> s.setMulticastInterface("undefined"));
    assertEquals("setMulticastInterface EINVAL", e.getMessage());
  }

  @Test
  void udp6EmptyInterfaceThrowsEinval() {
    DgramSocket s = bound("udp6");
    assertCode("EINVAL", () -> s.setMulticastInterface(""));
  }

  /** Node (Linux): an unknown scope becomes scope 0, the system's choice, and does not throw. */
  @Test
  void udp6UnknownScopeSelectsTheSystemDefault() {
    DgramSocket s = bound("udp6");
    if (NodeMzSupport.nio()) {
      assertCode("ENOTSUP", () -> s.setMulticastInterface("::%lo0"));
    } else {
      assertDoesNotThrow(() -> s.setMulticastInterface("::%lo0"));
    }
  }

  /** Node's comment: {@code ::%lo0} is the loopback scope on macOS; on Linux it is {@code ::%lo}. */
  @Test
  void udp6LoopbackScopeIsAccepted() {
    DgramSocket s = bound("udp6");
    assertDoesNotThrow(() -> s.setMulticastInterface("::%lo"));
  }
}
