package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ported from {@code test/parallel/test-dgram-udp4.js}: an echo over udp4, the client sending to {@code localhost}. */
@Timeout(20)
class NodeUdp4Test {
  @Test
  void echoOverLocalhostReportsSenderAddressAndPort() {
    String text = "A message to send";
    DgramSocket server = Dgram.createSocket("udp4");
    CompletableFuture<RemoteInfo> serverGot = new CompletableFuture<>();
    server.onMessage((msg, rinfo) -> {
      serverGot.complete(rinfo);
      if (text.equals(new String(msg))) {
        server.send(msg, 0, msg.length, rinfo.port(), rinfo.address(), null);
      }
    });
    CountDownLatch closed = new CountDownLatch(2);
    server.onClose(closed::countDown);
    int port = NodeMzSupport.bind(server, 0, null);

    DgramSocket client = Dgram.createSocket("udp4");
    client.onClose(closed::countDown);
    CompletableFuture<String> reply = new CompletableFuture<>();
    CompletableFuture<RemoteInfo> clientGot = new CompletableFuture<>();
    client.onMessage((msg, rinfo) -> {
      clientGot.complete(rinfo);
      reply.complete(new String(msg));
      client.close();
      server.close();
    });
    byte[] bytes = text.getBytes();
    client.send(bytes, 0, bytes.length, port, "localhost", null);

    assertEquals("127.0.0.1", NodeMzSupport.get(serverGot).address());
    assertEquals(text, NodeMzSupport.get(reply));
    RemoteInfo from = NodeMzSupport.get(clientGot);
    assertEquals("127.0.0.1", from.address());
    assertEquals(port, from.port());
    NodeMzSupport.await(closed);
  }
}
