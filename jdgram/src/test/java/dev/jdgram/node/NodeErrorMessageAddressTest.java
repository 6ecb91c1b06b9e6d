package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-error-message-address.js: a bind to an address that is not
 * local fails with {@code EADDRNOTAVAIL}, whose message names the address and, the port being 0,
 * no port ({@code port()} is -1 where Node's {@code err.port} is undefined). Only binds: nothing
 * is sent.
 */
class NodeErrorMessageAddressTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private static DgramException bindError(DgramSocket s, String address) {
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    BlockingQueue<String> listening = NodeAlSupport.queue();
    s.onError(error::complete);
    s.onListening(() -> listening.add("listening"));
    s.bind(0, address);
    DgramException e = NodeAlSupport.get(error);
    assertTrue(listening.isEmpty(), "'listening' after a failed bind");
    return e;
  }

  @Test
  void ipv4BindToAForeignAddressNamesTheAddressWithoutAPort() {
    DgramException e = bindError(t.udp4(), "1.1.1.1");
    assertEquals("EADDRNOTAVAIL", e.code());
    assertEquals("bind EADDRNOTAVAIL 1.1.1.1", e.getMessage());
    assertEquals("1.1.1.1", e.address());
    assertEquals(-1, e.port());
    assertEquals("bind", e.syscall());
  }

  @Test
  void ipv6BindToAForeignAddressNamesTheAddressWithoutAPort() {
    DgramException e = bindError(t.udp6(), "111::1");
    // EAFNOSUPPORT or EPROTONOSUPPORT: IPv6 is disabled on this system.
    assertTrue(List.of("EADDRNOTAVAIL", "EAFNOSUPPORT", "EPROTONOSUPPORT").contains(e.code()), e.code());
    assertEquals("bind " + e.code() + " 111::1", e.getMessage());
    assertEquals("111::1", e.address());
    assertEquals(-1, e.port());
  }
}
