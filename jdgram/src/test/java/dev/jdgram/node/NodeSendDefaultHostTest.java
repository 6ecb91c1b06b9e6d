package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-send-default-host.js} and
 * {@code test/parallel/test-dgram-udp6-send-default-host.js}: every form of {@code send} without
 * an address goes to the default host (127.0.0.1 or ::1). Node's typed-array views are Java's
 * heap and direct {@code ByteBuffer}s.
 */
@Timeout(20)
class NodeSendDefaultHostTest {
  private final NodeMzSupport.Sockets sockets = new NodeMzSupport.Sockets();

  @AfterEach
  void close() {
    sockets.closeAll();
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static ByteBuffer direct(byte[] b) {
    ByteBuffer d = ByteBuffer.allocateDirect(b.length);
    d.put(b).flip();
    return d;
  }

  private void everyFormReachesTheDefaultHost(String type, String expectedFrom) {
    DgramSocket client = sockets.add(Dgram.createSocket(type));
    BlockingQueue<String> received = NodeMzSupport.queue();
    BlockingQueue<String> from = NodeMzSupport.queue();
    client.onMessage((msg, rinfo) -> {
      received.add(new String(msg));
      from.add(rinfo.address());
    });
    int port = NodeMzSupport.bind(client, 0, null);
    byte[] x = filled(256, 'x');
    byte[] y = filled(256, 'y');
    byte[] z = filled(256, 'z');
    byte[] hello = "hello".getBytes();
    List<String> expected = new ArrayList<>();

    client.send(x, 0, x.length, port, null, null);
    client.send(y, port, null);
    client.send(List.of(z), port, null, null);
    client.send(hello, 0, hello.length, port, null, null);
    Collections.addAll(expected, new String(x), new String(y), new String(z), "hello");

    client.send(ByteBuffer.wrap(x), port, null, null);
    client.send(direct(x), port, null, null);
    client.send(ByteBuffer.wrap(y), port, null, null);
    client.send(direct(y), port, null, null);
    client.send(List.of(ByteBuffer.wrap(z)), port, null, null);
    client.send(List.of(direct(z)), port, null, null);
    Collections.addAll(expected, new String(x), new String(x), new String(y), new String(y),
        new String(z), new String(z));

    List<String> got = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      got.add(NodeMzSupport.take(received));
      assertEquals(expectedFrom, NodeMzSupport.take(from));
    }
    Collections.sort(got);
    Collections.sort(expected);
    assertEquals(expected, got);
  }

  /** Ported from {@code test/parallel/test-dgram-send-default-host.js}. */
  @Test
  void udp4SendsWithoutAddressGoTo127001() {
    everyFormReachesTheDefaultHost("udp4", "127.0.0.1");
  }

  /** Ported from {@code test/parallel/test-dgram-udp6-send-default-host.js}. */
  @Test
  void udp6SendsWithoutAddressGoToIpv6Loopback() {
    assumeTrue(NodeMzSupport.hasIpv6Loopback(), "no IPv6 loopback");
    everyFormReachesTheDefaultHost("udp6", "::1");
  }
}
