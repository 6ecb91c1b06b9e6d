package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void serverAndClientExchangeDatagrams() {
    BlockingQueue<String> got = Probe.queue();
    try (DgramSocket server = Dgram.createSocket("udp4", (msg, rinfo) -> got.add(new String(msg) + "|" + rinfo.address()));
         DgramSocket client = Dgram.createSocket("udp4")) {
      int port = Probe.bindLoopback(server, false);
      BlockingQueue<Integer> sent = Probe.queue();
      client.send("hello", port, "127.0.0.1", (err, n) -> sent.add(err == null ? n : -1));
      assertEquals(5, Probe.take(sent));
      assertEquals("hello|127.0.0.1", Probe.take(got));
    }
  }
}
