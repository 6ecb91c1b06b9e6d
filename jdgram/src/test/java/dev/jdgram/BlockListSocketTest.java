package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** BlockLists on sockets: dropped on receive, refused on send and connect. Loopback only. */
@Timeout(30)
class BlockListSocketTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  private DgramSocket socket(SocketOptions options) {
    DgramSocket s = Dgram.createSocket(options);
    sockets.add(s);
    return s;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    s.onError(bound::completeExceptionally);
    s.bind(0, address, () -> bound.complete(s.address().port()));
    return Probe.get(bound);
  }

  /** Sends; @return what the callback got: null on success, else the error. */
  private static DgramException send(DgramSocket s, String text, int port, String address) {
    CompletableFuture<DgramException> done = new CompletableFuture<>();
    s.send(text, port, address, (err, n) -> {
      if (err == null && n != text.length()) {
        done.completeExceptionally(new AssertionError("sent " + n + " bytes of " + text.length()));
      }
      done.complete(err);
    });
    return Probe.get(done);
  }

  private static String poll(BlockingQueue<String> q, long millis) {
    try {
      return q.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void receiveBlockListDropsDatagramsFromBlockedSource() {
    BlockList blocked = new BlockList();
    blocked.addAddress("127.0.0.2");
    BlockingQueue<String> got = Probe.queue();
    DgramSocket r = socket(SocketOptions.of("udp4").receiveBlockList(blocked));
    r.onMessage((msg, rinfo) -> got.add(new String(msg) + "@" + rinfo.address()));
    int port = bind(r, "0.0.0.0");
    DgramSocket fromBlocked = socket(SocketOptions.of("udp4"));
    bind(fromBlocked, "127.0.0.2");
    DgramSocket fromAllowed = socket(SocketOptions.of("udp4"));
    bind(fromAllowed, "127.0.0.1");

    // Over lo, datagrams reach the receiver's queue in the order they were sent.
    assertNull(send(fromBlocked, "blocked 1", port, "127.0.0.1"));
    assertNull(send(fromAllowed, "allowed 1", port, "127.0.0.1"));
    assertNull(send(fromBlocked, "blocked 2", port, "127.0.0.1"));
    assertNull(send(fromAllowed, "allowed 2", port, "127.0.0.1"));
    assertEquals("allowed 1@127.0.0.1", Probe.take(got));
    assertEquals("allowed 2@127.0.0.1", Probe.take(got));
    assertNull(poll(got, 200), "a datagram from a blocked source was delivered");
  }

  @Test
  void sendToBlockedAddressFailsWithIpBlocked() {
    BlockingQueue<String> got = Probe.queue();
    DgramSocket target = socket(SocketOptions.of("udp4"));
    target.onMessage((msg, rinfo) -> got.add(new String(msg)));
    int port = bind(target, "127.0.0.3");

    BlockList blocked = new BlockList();
    blocked.addAddress("127.0.0.3");
    DgramSocket s = socket(SocketOptions.of("udp4").sendBlockList(blocked));
    bind(s, "127.0.0.1");
    DgramException e = send(s, "must not leave", port, "127.0.0.3");
    assertEquals("ERR_IP_BLOCKED", e == null ? null : e.code());
    assertEquals("IP(127.0.0.3) is blocked by net.BlockList", e.getMessage());

    // The list blocks only what is on it: the same socket reaches another address.
    DgramSocket allowedTarget = socket(SocketOptions.of("udp4"));
    BlockingQueue<String> gotAllowed = Probe.queue();
    allowedTarget.onMessage((msg, rinfo) -> gotAllowed.add(new String(msg)));
    int allowedPort = bind(allowedTarget, "127.0.0.1");
    assertNull(send(s, "allowed", allowedPort, "127.0.0.1"));
    assertEquals("allowed", Probe.take(gotAllowed));

    // Nothing reached the blocked address: a later datagram from an unrestricted socket is first.
    DgramSocket control = socket(SocketOptions.of("udp4"));
    assertNull(send(control, "control", port, "127.0.0.3"));
    assertEquals("control", Probe.take(got), "the blocked datagram was sent");
  }

  @Test
  void connectToBlockedAddressFailsWithIpBlocked() {
    BlockList blocked = new BlockList();
    blocked.addAddress("127.0.0.3");
    DgramSocket s = socket(SocketOptions.of("udp4").sendBlockList(blocked));
    AtomicBoolean connectEvent = new AtomicBoolean();
    s.onConnect(() -> connectEvent.set(true));
    CompletableFuture<DgramException> result = new CompletableFuture<>();
    s.connect(40000, "127.0.0.3", result::complete);
    DgramException e = Probe.get(result);
    assertEquals("ERR_IP_BLOCKED", e == null ? null : e.code());
    assertEquals("IP(127.0.0.3) is blocked by net.BlockList", e.getMessage());
    assertTrue(!connectEvent.get(), "'connect' emitted for a blocked address");
    DgramException notConnected = assertThrows(DgramException.class, s::remoteAddress);
    assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", notConnected.code());
  }
}
