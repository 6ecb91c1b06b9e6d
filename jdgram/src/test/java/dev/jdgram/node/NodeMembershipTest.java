package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;
import static dev.jdgram.node.NodeMzSupport.closeAndWait;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-membership.js}: argument and state errors of
 * {@code add/dropMembership} and {@code add/dropSourceSpecificMembership}, and (from the older
 * revision of the same file) joining and leaving a group. Joins name the interface
 * {@code 127.0.0.1} (CONTRIBUTING.md, "Network rules"); Node's test lets the kernel choose it.
 */
@Timeout(20)
class NodeMembershipTest {
  private static final String GROUP = "224.0.0.114";
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private DgramSocket setup() {
    return sockets.add(Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true)));
  }

  @Test
  void addMembershipOnClosedSocketThrowsNotRunning() {
    DgramSocket s = setup();
    closeAndWait(s);
    DgramException e = assertCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> s.addMembership(GROUP, "127.0.0.1"));
    assertEquals("Not running", e.getMessage());
  }

  @Test
  void dropMembershipOnClosedSocketThrowsNotRunning() {
    DgramSocket s = setup();
    closeAndWait(s);
    DgramException e = assertCode("ERR_SOCKET_DGRAM_NOT_RUNNING", () -> s.dropMembership(GROUP, "127.0.0.1"));
    assertEquals("Not running", e.getMessage());
  }

  @Test
  void addMembershipWithoutGroupThrowsMissingArgs() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_MISSING_ARGS", () -> s.addMembership(null));
    assertEquals("The \"multicastAddress\" argument must be specified", e.getMessage());
    assertCode("ERR_MISSING_ARGS", () -> s.addMembership("")); // falsy in Node too
  }

  @Test
  void dropMembershipWithoutGroupThrowsMissingArgs() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_MISSING_ARGS", () -> s.dropMembership(null));
    assertEquals("The \"multicastAddress\" argument must be specified", e.getMessage());
  }

  @Test
  void addMembershipWithInvalidGroupThrowsEinval() {
    DgramSocket s = setup();
    DgramException e = assertCode("EINVAL", () -> s.addMembership("256.256.256.256", "127.0.0.1"));
    assertEquals("addMembership EINVAL", e.getMessage());
    assertEquals("addMembership", e.syscall());
  }

  @Test
  void dropMembershipWithInvalidGroupThrowsEinval() {
    DgramSocket s = setup();
    DgramException e = assertCode("EINVAL", () -> s.dropMembership("256.256.256.256", "127.0.0.1"));
    assertEquals("dropMembership EINVAL", e.getMessage());
  }

  @Test
  void addSourceSpecificMembershipWithoutSourceThrowsInvalidArgType() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.addSourceSpecificMembership(null, GROUP));
    assertTrue(e.getMessage().startsWith("The \"sourceAddress\" argument must be of type string. Received "),
        e.getMessage());
  }

  @Test
  void addSourceSpecificMembershipWithoutGroupThrowsInvalidArgType() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.addSourceSpecificMembership(GROUP, null));
    assertTrue(e.getMessage().startsWith("The \"groupAddress\" argument must be of type string. Received "),
        e.getMessage());
  }

  @Test
  void addSourceSpecificMembershipWithInvalidGroupThrowsEinval() {
    DgramSocket s = setup();
    DgramException e = assertCode("EINVAL", () -> s.addSourceSpecificMembership(GROUP, "0", "127.0.0.1"));
    assertEquals("addSourceSpecificMembership EINVAL", e.getMessage());
  }

  @Test
  void dropSourceSpecificMembershipWithoutSourceThrowsInvalidArgType() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.dropSourceSpecificMembership(null, GROUP));
    assertTrue(e.getMessage().startsWith("The \"sourceAddress\" argument must be of type string. Received "),
        e.getMessage());
  }

  @Test
  void dropSourceSpecificMembershipWithoutGroupThrowsInvalidArgType() {
    DgramSocket s = setup();
    DgramException e = assertCode("ERR_INVALID_ARG_TYPE", () -> s.dropSourceSpecificMembership(GROUP, null));
    assertTrue(e.getMessage().startsWith("The \"groupAddress\" argument must be of type string. Received "),
        e.getMessage());
  }

  @Test
  void dropSourceSpecificMembershipWithInvalidGroupThrowsEinval() {
    DgramSocket s = setup();
    DgramException e = assertCode("EINVAL", () -> s.dropSourceSpecificMembership(GROUP, "0", "127.0.0.1"));
    assertEquals("dropSourceSpecificMembership EINVAL", e.getMessage());
  }

  /** Older revision of the file: a join on an unbound socket succeeds (libuv binds it implicitly). */
  @Test
  void addMembershipOnUnboundSocketSucceeds() {
    DgramSocket s = setup();
    assertDoesNotThrow(() -> s.addMembership(GROUP, "127.0.0.1"));
  }

  /** Older revision of the file. */
  @Test
  void dropMembershipWithoutJoinThrowsEaddrnotavail() {
    DgramSocket s = setup();
    DgramException e = assertCode("EADDRNOTAVAIL", () -> s.dropMembership(GROUP, "127.0.0.1"));
    assertEquals("dropMembership EADDRNOTAVAIL", e.getMessage());
  }

  /** Older revision of the file. */
  @Test
  void dropMembershipAfterAddMembershipSucceeds() {
    DgramSocket s = setup();
    assertDoesNotThrow(() -> {
      s.addMembership(GROUP, "127.0.0.1");
      s.dropMembership(GROUP, "127.0.0.1");
    });
  }
}
