package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.Lookup;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-custom-lookup.js: the {@code lookup} option is used (for
 * bind's default address too), and without it the default resolver is. Node's check that a
 * non-function lookup throws {@code ERR_INVALID_ARG_TYPE} has no Java counterpart: the type
 * system admits only {@link Lookup}s, and null means "not given" (the default resolver), which
 * is tested instead.
 */
class NodeCustomLookupTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void theGivenLookupIsCalledForBind() {
    List<String> calls = new CopyOnWriteArrayList<>();
    Lookup recording = (host, family, callback) -> {
      calls.add(host + "/" + family);
      InetAddress ip;
      try {
        ip = InetAddress.getByName(host); // the literal bind() asks for: no resolver involved
      } catch (UnknownHostException e) {
        callback.accept(new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND " + host), null);
        return;
      }
      callback.accept(null, ip);
    };
    DgramSocket s = t.socket(t.options("udp4").lookup(recording));
    NodeAlSupport.listen(s, () -> s.bind(0, null, () -> { }));
    assertEquals(List.of("0.0.0.0/IPv4"), calls);
  }

  /** Node wraps dns.lookup to see it called; here the default resolves "localhost". */
  @Test
  void withoutTheOptionTheDefaultResolverIsUsed() {
    DgramSocket s = t.udp4();
    assertEquals("127.0.0.1", NodeAlSupport.listen(s, () -> s.bind(0, "localhost")).address());
  }

  @Test
  void aNullLookupMeansTheDefaultResolver() {
    DgramSocket s = t.socket(t.options("udp4").lookup(null));
    assertEquals("127.0.0.1", NodeAlSupport.listen(s, () -> s.bind(0, "localhost")).address());
  }
}
