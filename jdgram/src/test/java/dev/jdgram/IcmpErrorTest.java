package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICMP errors as events of their own, naming the destination they concern, also on an
 * unconnected socket (IP_RECVERR's error queue); don't-fragment and the path MTU.
 */
@Timeout(30)
class IcmpErrorTest {
  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  private DgramSocket socket(String type) {
    DgramSocket s = Dgram.createSocket(type);
    sockets.add(s);
    return s;
  }

  private static int bind(DgramSocket s, String address) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    s.onError(port::completeExceptionally);
    s.bind(0, address, () -> port.complete(s.address().port()));
    return Probe.get(port);
  }

  /** A port nobody listens on: bound once, then closed. */
  private int closedPort(String type, String address) {
    DgramSocket s = socket(type);
    int port = bind(s, address);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    s.close(() -> closed.complete(null));
    Probe.get(closed);
    return port;
  }

  @Test
  void portUnreachableOnAnUnconnectedSocketNamesTheDestination() {
    Assumptions.assumeFalse(OnTransport.nio(), "nio has no error queue (ENOTSUP, below)");
    for (String[] c : List.of(new String[] {"udp4", "127.0.0.1", "3", "3"}, new String[] {"udp6", "::1", "1", "4"})) {
      String type = c[0];
      String address = c[1];
      int gone = closedPort(type, address);
      DgramSocket s = socket(type);
      List<DgramException> errors = new CopyOnWriteArrayList<>();
      CompletableFuture<IcmpError> icmp = new CompletableFuture<>();
      s.onIcmpError(icmp::complete);
      int port = bind(s, address);
      s.onError(errors::add);
      s.send(new byte[] {1, 2, 3}, gone, address);
      IcmpError e = Probe.get(icmp);
      assertEquals(address, e.address(), type);
      assertEquals(gone, e.port(), type);
      assertEquals("ECONNREFUSED", e.code(), type);
      assertEquals(-111, e.errno(), type);
      assertEquals(Integer.parseInt(c[2]), e.icmpType(), type + ": destination unreachable");
      assertEquals(Integer.parseInt(c[3]), e.icmpCode(), type + ": port unreachable");
      assertEquals(address, e.reporter(), type);
      assertEquals(0, e.mtu(), type);

      // the socket goes on receiving, and the error was told once, as this event only
      CompletableFuture<String> next = new CompletableFuture<>();
      s.onMessage((msg, rinfo) -> next.complete(new String(msg)));
      DgramSocket peer = socket(type);
      bind(peer, address);
      peer.send("after".getBytes(), port, address);
      assertEquals("after", Probe.get(next));
      assertEquals(List.of(), errors);
    }
  }

  @Test
  void aConnectedSocketWithoutTheListenerStillGetsNodesErrorEvent() {
    Assumptions.assumeFalse(OnTransport.nio(), "java.nio reports it differently (PortUnreachableException)");
    int gone = closedPort("udp4", "127.0.0.1");
    DgramSocket s = socket("udp4");
    bind(s, "127.0.0.1");
    CompletableFuture<Void> connected = new CompletableFuture<>();
    s.connect(gone, "127.0.0.1", err -> connected.complete(null));
    Probe.get(connected);
    CompletableFuture<DgramException> error = new CompletableFuture<>();
    s.onError(error::complete);
    s.send(new byte[] {1});
    assertEquals("ECONNREFUSED", Probe.get(error).code());
  }

  @Test
  void nioCannotTellThem() {
    Assumptions.assumeTrue(OnTransport.nio(), "linux and the simulated kernel tell them (above)");
    DgramSocket s = socket("udp4");
    bind(s, "127.0.0.1");
    assertEquals("ENOTSUP", assertThrows(DgramException.class, () -> s.onIcmpError(e -> {})).code());
    assertEquals("ENOTSUP", assertThrows(DgramException.class, () -> s.setDontFragment(true)).code());
  }

  @Test
  void pathMtuOfAConnectedSocketIsTheLoopbacksAndDontFragmentStillDelivers() throws Exception {
    Assumptions.assumeTrue(OnTransport.linux(), "the kernel's route cache (IP_MTU) is linux's");
    DgramSocket rx = socket("udp4");
    CompletableFuture<Integer> got = new CompletableFuture<>();
    rx.onMessage((msg, rinfo) -> got.complete(msg.length));
    int port = bind(rx, "127.0.0.1");
    DgramSocket s = socket("udp4");
    bind(s, "127.0.0.1");
    assertEquals("ENOTCONN", assertThrows(DgramException.class, s::getPathMtu).code());
    CompletableFuture<Void> connected = new CompletableFuture<>();
    s.connect(port, "127.0.0.1", err -> connected.complete(null));
    Probe.get(connected);
    int loMtu = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/mtu")).trim());
    // the route's MTU, which IPv4 caps at its largest packet (IP_MAX_MTU, 65535)
    assertEquals(Math.min(loMtu, 65535), s.getPathMtu());
    s.setDontFragment(true);
    s.send(new byte[60_000]);
    assertEquals(60_000, Probe.get(got));
    assertTrue(loMtu > 60_000 + 28, "lo's MTU takes the datagram whole");
  }
}
