package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ported from {@code test/parallel/test-dgram-msgsize.js}. */
@Timeout(20)
class NodeMsgsizeTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  @Test
  void oversizeDatagramFailsWithEmsgsizeInCallback() {
    DgramSocket sock = sockets.add(Dgram.createSocket("udp4"));
    byte[] buf = new byte[256 * 1024];
    CompletableFuture<DgramException> result = new CompletableFuture<>();
    sock.send(buf, 0, buf.length, 12345, "127.0.0.1", (err, bytes) -> result.complete(err));
    DgramException err = NodeMzSupport.get(result);
    assertNotNull(err, "the send must fail");
    assertEquals("EMSGSIZE", err.code());
    assertEquals("127.0.0.1", err.address());
    assertEquals(12345, err.port());
    assertEquals("send", err.syscall());
    assertEquals("send EMSGSIZE 127.0.0.1:12345", err.getMessage());
  }
}
