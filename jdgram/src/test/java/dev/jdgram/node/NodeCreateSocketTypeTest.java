package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Ported from test/parallel/test-dgram-createSocket-type.js: only "udp4" and "udp6" are socket
 * types; the buffer-size options are applied when the socket binds. Node's non-string invalid
 * types (arrays, String objects, numbers, objects, booleans, undefined) cannot be passed to a
 * {@code String} parameter; the invalid strings and null are checked.
 */
class NodeCreateSocketTypeTest {
  private static final String BAD_TYPE = "Bad socket type specified. Valid types are: udp4, udp6";
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private static void assertBadType(Executable create) {
    DgramException e = assertThrows(DgramException.class, create);
    assertEquals("ERR_SOCKET_BAD_TYPE", e.code());
    assertEquals(BAD_TYPE, e.getMessage());
  }

  @Test
  void invalidTypesThrowBadType() {
    for (String type : Arrays.asList("test", "", "UDP4", "udp4 ", "tcp", null)) {
      assertBadType(() -> Dgram.createSocket(type));
      assertBadType(() -> Dgram.createSocket(SocketOptions.of(type).loop(t.loop)));
    }
  }

  @Test
  void validTypesCreateSockets() {
    for (String type : new String[] {"udp4", "udp6"}) {
      DgramSocket plain = Dgram.createSocket(type);
      plain.close();
      DgramSocket withOptions = t.socket(t.options(type));
      withOptions.close();
    }
  }

  /** Linux doubles the sizes; Node accepts either value. */
  @Test
  void bufferSizeOptionsAreAppliedWhenTheSocketBinds() {
    DgramSocket s = t.socket(t.options("udp4").recvBufferSize(10000).sendBufferSize(15000));
    CompletableFuture<int[]> sizes = new CompletableFuture<>();
    s.onError(sizes::completeExceptionally);
    s.bind(0, "127.0.0.1", () -> sizes.complete(new int[] {s.getRecvBufferSize(), s.getSendBufferSize()}));
    int[] got = NodeAlSupport.get(sizes);
    assertTrue(got[0] == 10000 || got[0] == 20000, "SO_RCVBUF not 10000 or 20000, was " + got[0]);
    assertTrue(got[1] == 15000 || got[1] == 30000, "SO_SNDBUF not 15000 or 30000, was " + got[1]);
  }
}
