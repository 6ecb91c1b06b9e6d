package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdgram.BlockList;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ported from test/parallel/test-dgram-blocklist.js: a sendBlockList refuses connect and send
 * with {@code ERR_IP_BLOCKED} through their callbacks; a receiveBlockList drops datagrams
 * silently.
 */
class NodeBlocklistTest {
  private final NodeAlSupport t = new NodeAlSupport();

  @AfterEach
  void tearDown() {
    t.close();
  }

  private static BlockList blocking(String address) {
    BlockList list = new BlockList();
    list.addAddress(address);
    return list;
  }

  @Test
  void connectToABlockedAddressGivesIpBlockedToTheCallback() {
    DgramSocket s = t.socket(t.options("udp4").sendBlockList(blocking("127.0.0.1")));
    CompletableFuture<DgramException> result = new CompletableFuture<>();
    s.connect(9999, "127.0.0.1", result::complete);
    DgramException err = NodeAlSupport.get(result);
    assertEquals("ERR_IP_BLOCKED", err == null ? null : err.code());
    assertEquals("IP(127.0.0.1) is blocked by net.BlockList", err.getMessage());
  }

  @Test
  void sendToABlockedAddressGivesIpBlockedToTheCallback() {
    DgramSocket s = t.socket(t.options("udp4").sendBlockList(blocking("127.0.0.1")));
    CompletableFuture<DgramException> result = new CompletableFuture<>();
    s.send("hello", 9999, "127.0.0.1", (err, bytes) -> result.complete(err));
    DgramException err = NodeAlSupport.get(result);
    assertEquals("ERR_IP_BLOCKED", err == null ? null : err.code());
  }

  /**
   * Node closes the receiver from inside the hooked check(); here a second datagram, from
   * 127.0.0.2 (not blocked), sent after the blocked one was handed to the kernel, shows that the
   * first was received and dropped.
   */
  @Test
  void aDatagramFromABlockedAddressEmitsNoMessage() {
    BlockingQueue<String> messages = NodeAlSupport.queue();
    DgramSocket receiver = t.socket(t.options("udp4").receiveBlockList(blocking("127.0.0.1")),
        (msg, rinfo) -> messages.add(new String(msg) + "@" + rinfo.address()));
    int port = NodeAlSupport.bindLoopback(receiver, false);

    DgramSocket blocked = t.udp4();
    CompletableFuture<DgramException> sent = new CompletableFuture<>();
    blocked.send("hello", port, "127.0.0.1", (err, bytes) -> sent.complete(err));
    assertNull(NodeAlSupport.get(sent), "the send itself succeeds");

    DgramSocket allowed = t.udp4();
    NodeAlSupport.listen(allowed, () -> allowed.bind(0, "127.0.0.2"));
    allowed.send("after", port, "127.0.0.1", (err, bytes) -> { });
    assertEquals("after@127.0.0.2", NodeAlSupport.take(messages));
    NodeAlSupport.pause(50);
    assertEquals(0, messages.size(), "unexpected: " + messages);
  }
}
