package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-address-types.js}: an empty or missing address
 * means the default host. Its invalid address types ({@code []}, numbers, booleans, bigints,
 * objects, symbols: ERR_INVALID_ARG_TYPE) cannot be passed for a {@code String} parameter.
 */
@Timeout(20)
class NodeSendAddressTypesTest {
  private static final byte[] BUF = "test".getBytes();
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private void sendsToDefaultHost(String address) {
    DgramSocket client = sockets.add(Dgram.createSocket("udp4"));
    int port = NodeMzSupport.bind(client, 0, null);
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    client.send(BUF, port, address, (DgramException err, int bytes) -> {
      if (err != null) {
        sent.completeExceptionally(err);
      } else {
        sent.complete(bytes);
      }
    });
    assertEquals(BUF.length, NodeMzSupport.get(sent));
  }

  @Test
  void nullAddressSendsToDefaultHost() {
    sendsToDefaultHost(null);
  }

  @Test
  void emptyAddressSendsToDefaultHost() {
    sendsToDefaultHost("");
  }

  @Test
  void emptyAddressDeliversToLoopback() {
    DgramSocket client = sockets.add(Dgram.createSocket("udp4"));
    CompletableFuture<String> from = new CompletableFuture<>();
    client.onMessage((msg, rinfo) -> from.complete(rinfo.address()));
    int port = NodeMzSupport.bind(client, 0, null);
    client.send(BUF, port, "", null);
    assertEquals("127.0.0.1", NodeMzSupport.get(from));
  }
}
