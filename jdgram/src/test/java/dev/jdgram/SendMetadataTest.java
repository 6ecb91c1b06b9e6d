package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdgram.sim.Host;
import dev.jdgram.sim.Lan;
import dev.jdgram.sim.SimNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-datagram metadata on the send side (SendOptions): TOS and ECN (the socket's DSCP kept),
 * TTL, the source address to answer from; one by one and inside one batch; read back by a
 * receiver that asked for them.
 */
@Timeout(30)
class SendMetadataTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  private DgramSocket socket(SocketOptions o) {
    DgramSocket s = Dgram.createSocket(o);
    sockets.add(s);
    return s;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, address, () -> port.complete(s.address().port()));
    return Probe.get(port);
  }

  /** A receiver that tells, per datagram: "payload tos ttl from". */
  private int receiver(BlockingQueue<String> into) {
    DgramSocket rx = socket(SocketOptions.of("udp4").recvTos(true).recvTtl(true));
    rx.onDatagram(d -> into.add(new String(d.toByteArray()) + " tos=" + d.tos() + " ttl=" + d.ttl() + " from=" + d.address()));
    return bind(rx, "127.0.0.1");
  }

  private static String next(BlockingQueue<String> q) throws InterruptedException {
    String s = q.poll(10, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no datagram within 10 s");
    }
    return s;
  }

  @Test
  void tosEcnTtlAndSourcePerDatagram() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    int port = receiver(got);
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    bind(tx, "0.0.0.0");
    tx.setTOS(0xb8); // DSCP EF
    tx.send("a".getBytes(), port, "127.0.0.1", SendOptions.of().tos(0x22), null);
    tx.send("b".getBytes(), port, "127.0.0.1", SendOptions.of().ecn(1), null);
    tx.send("c".getBytes(), port, "127.0.0.1", SendOptions.of().ttl(9), null);
    tx.send("d".getBytes(), port, "127.0.0.1", SendOptions.of(), null);
    assertEquals("a tos=34 ttl=64 from=127.0.0.1", next(got));
    assertEquals("b tos=185 ttl=64 from=127.0.0.1", next(got), "ECT(1) with the socket's DSCP EF kept");
    assertEquals("c tos=184 ttl=9 from=127.0.0.1", next(got));
    assertEquals("d tos=184 ttl=64 from=127.0.0.1", next(got), "nothing asked: the socket's own");
    if (OnTransport.linux()) { // all of 127.0.0.0/8 is this host's on Linux's lo
      tx.send("e".getBytes(), port, "127.0.0.1", SendOptions.of().from("127.0.0.2"), null);
      assertEquals("e tos=184 ttl=64 from=127.0.0.2", next(got));
    }
  }

  @Test
  void aBatchCarriesEachDatagramsOwn() throws Exception {
    Assumptions.assumeFalse(OnTransport.nio(), "ENOTSUP on nio (covered below)");
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    int port = receiver(got);
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    bind(tx, "127.0.0.1");
    SendOptions five = SendOptions.of().ttl(5);
    CompletableFuture<String> done = new CompletableFuture<>();
    try (DatagramBatch b = new DatagramBatch(8, 1024)) {
      b.add("x0".getBytes(), five);
      b.add("x1".getBytes(), five); // same size, same options: one segmented send with the next
      b.add("x2".getBytes(), SendOptions.of().ttl(6).tos(4));
      b.add("x3".getBytes());
      tx.send(b, port, "127.0.0.1", (err, n) -> done.complete(err == null ? "sent " + n : err.code()));
      assertEquals("sent 4", Probe.get(done));
    }
    assertEquals("x0 tos=0 ttl=5 from=127.0.0.1", next(got));
    assertEquals("x1 tos=0 ttl=5 from=127.0.0.1", next(got));
    assertEquals("x2 tos=4 ttl=6 from=127.0.0.1", next(got));
    assertEquals("x3 tos=0 ttl=64 from=127.0.0.1", next(got));
  }

  @Test
  void nioSendsNoControlMessages() {
    Assumptions.assumeTrue(OnTransport.nio(), "linux and the simulated kernel carry them (above)");
    DgramSocket tx = socket(SocketOptions.of("udp4"));
    bind(tx, "127.0.0.1");
    assertEquals(0xb8, tx.setTOS(0xb8), "a socket-wide TOS is what java.nio can set");
    CompletableFuture<String> r = new CompletableFuture<>();
    tx.send("a".getBytes(), 9, "127.0.0.1", SendOptions.of().ttl(3), (err, n) -> r.complete(err == null ? "sent" : err.code()));
    assertEquals("ENOTSUP", Probe.get(r));
  }

  @Test
  void badOptionsThrowAtOnce() {
    assertEquals("ERR_OUT_OF_RANGE", assertThrows(DgramException.class, () -> SendOptions.of().ttl(0)).code());
    assertEquals("ERR_OUT_OF_RANGE", assertThrows(DgramException.class, () -> SendOptions.of().ecn(4)).code());
    assertEquals("ERR_OUT_OF_RANGE", assertThrows(DgramException.class, () -> SendOptions.of().tos(256)).code());
    assertEquals("ERR_INVALID_ARG_VALUE", assertThrows(DgramException.class, () -> SendOptions.of().from("example.com")).code());
  }

  /** A host with two networks answers each request from the address it was sent to. */
  @Test
  void aMultiHomedServerAnswersFromTheAddressEachRequestWasSentTo() {
    try (SimNetwork net = SimNetwork.create(21)) {
      Lan l1 = net.lan("l1");
      Lan l2 = net.lan("l2");
      Host server = net.host("server");
      server.nic("eth0", l1, "10.0.1.1/24");
      server.nic("eth1", l2, "10.0.2.1/24");
      Host client = net.host("client");
      client.nic("eth0", l1, "10.0.1.2/24");
      client.nic("eth1", l2, "10.0.2.2/24");
      DgramSocket srv = server.socket("udp4");
      srv.onDatagram(d -> srv.send(d.toByteArray(), d.port(), d.address(), SendOptions.of().from(d.localAddress()), null));
      srv.bind(7000); // the wildcard: it receives on both
      List<String> replies = new ArrayList<>();
      DgramSocket c = client.socket("udp4", (msg, rinfo) -> replies.add(new String(msg) + " from " + rinfo.address()));
      c.bind(0);
      net.runFor(Duration.ofMillis(10));
      c.send("one".getBytes(), 7000, "10.0.1.1");
      c.send("two".getBytes(), 7000, "10.0.2.1");
      net.runFor(Duration.ofMillis(50));
      assertEquals(List.of("one from 10.0.1.1", "two from 10.0.2.1"), replies, net.trace().toString());
    }
  }
}
