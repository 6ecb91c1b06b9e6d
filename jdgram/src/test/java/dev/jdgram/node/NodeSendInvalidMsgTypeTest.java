package dev.jdgram.node;

import static dev.jdgram.node.NodeMzSupport.assertCode;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-invalid-msg-type.js} (formerly
 * {@code test-dgram-regress-4496.js}): a message that is not a buffer throws ERR_INVALID_ARG_TYPE
 * synchronously, before any look-up of the host, and leaves the socket usable. Java's types rule
 * out Node's {@code true}; {@code null} and a list part of the wrong type stand for it. jdgram has
 * no {@code sendto()}.
 */
@Timeout(20)
class NodeSendInvalidMsgTypeTest {
  @Test
  void nonBufferMessageThrowsWithoutBreakingTheSocket() {
    DgramSocket socket = Dgram.createSocket("udp4");
    assertCode("ERR_INVALID_ARG_TYPE", () -> socket.send((byte[]) null, 0, 1, 1, "host", null));
    assertCode("ERR_INVALID_ARG_TYPE", () -> socket.send(List.of(Boolean.TRUE), 1, "host", null));
    NodeMzSupport.closeAndWait(socket);
  }
}
