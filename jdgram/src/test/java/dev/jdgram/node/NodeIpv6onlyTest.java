package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-ipv6only.js: with {@code ipv6Only}, a udp6 socket on
 * {@code ::} leaves the same port free on {@code 0.0.0.0}. Differs on the nio transport, which
 * cannot set IPV6_V6ONLY and refuses the bind with {@code ENOTSUP} (README, "Choosing a
 * transport"); the Node behaviour is checked on a transport that can. Only binds: nothing is sent.
 */
class NodeIpv6onlyTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void ipv6OnlySocketLeavesTheIpv4PortFree() {
    assumeFalse("nio".equals(t.loop.transportName()), "java.nio cannot set IPV6_V6ONLY");
    DgramSocket v6 = t.socket(t.options("udp6").ipv6Only(true));
    int port = NodeAlSupport.listen(v6, () -> v6.bind(0, "::")).port();
    DgramSocket v4 = t.udp4();
    assertEquals(port, NodeAlSupport.listen(v4, () -> v4.bind(port, "0.0.0.0")).port());
  }

  @Test
  void ipv6OnlyOnTheNioTransportFailsTheBindWithEnotsup() {
    assumeTrue("nio".equals(t.loop.transportName()), "only the nio transport refuses ipv6Only");
    DgramSocket v6 = t.socket(t.options("udp6").ipv6Only(true));
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    v6.onError(error::complete);
    v6.onListening(() -> error.completeExceptionally(new AssertionError("bound without IPV6_V6ONLY")));
    v6.bind(0, "::");
    DgramException e = NodeAlSupport.get(error);
    assertEquals("ENOTSUP", e.code());
    assertEquals("bind", e.syscall());
  }
}
