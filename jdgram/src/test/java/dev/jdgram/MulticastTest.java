package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Multicast over the loopback interface only (CONTRIBUTING.md, "Network rules"): every sender pins its
 * outgoing interface with {@code setMulticastInterface("127.0.0.1")} before it sends to a group,
 * every join names the interface {@code "127.0.0.1"}, and the groups are administratively scoped
 * (239.0.0.0/8) or source-specific (232.0.0.0/8). Nothing here sends to a broadcast address.
 */
@Timeout(30)
class MulticastTest {
  /** A datagram the receiver got, with where it came from. */
  record Got(String text, RemoteInfo rinfo) {}

  private final List<DgramSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        s.close();
      }
    }
  }

  private DgramSocket socket() {
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true));
    sockets.add(s);
    return s;
  }

  /** Binds {@code s} to {@code address} (port 0) and waits for {@code listening}; @return port. */
  private static int bind(DgramSocket s, String address) {
    return bind(s, 0, address);
  }

  private static int bind(DgramSocket s, int port, String address) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    s.onError(bound::completeExceptionally);
    s.bind(port, address, () -> bound.complete(s.address().port()));
    return Probe.get(bound);
  }

  /** A receiver bound to 0.0.0.0 on a kernel-chosen port, collecting what it gets. */
  private DgramSocket receiver(BlockingQueue<Got> got) {
    DgramSocket r = socket();
    r.onMessage((msg, rinfo) -> got.add(new Got(new String(msg), rinfo)));
    bind(r, "0.0.0.0");
    return r;
  }

  /** A sender bound to {@code address} with its multicast interface pinned to loopback. */
  private DgramSocket pinnedSender(String address) {
    DgramSocket s = socket();
    bind(s, address);
    s.setMulticastInterface("127.0.0.1");
    return s;
  }

  /** Sends and waits for the callback; fails on a send error. */
  private static void sendAndWait(DgramSocket s, String text, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    s.send(text, port, address, (err, n) -> {
      if (err != null) {
        sent.completeExceptionally(err);
      } else {
        sent.complete(n);
      }
    });
    assertEquals(text.length(), Probe.get(sent));
  }

  private static Got poll(BlockingQueue<Got> q, long millis) {
    try {
      return q.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private DgramSocket boundSocket() {
    DgramSocket s = socket();
    bind(s, "127.0.0.1");
    return s;
  }

  // ------------------------------------------------------------------ delivery

  @Test
  void joinOnLoopbackReceivesDatagramSentToGroup() {
    String group = "239.255.77.1";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    int port = r.address().port();
    r.addMembership(group, "127.0.0.1");
    DgramSocket s = pinnedSender("127.0.0.1");
    sendAndWait(s, "hello group", port, group);
    Got g = Probe.take(got);
    assertEquals("hello group", g.text());
    assertEquals(new RemoteInfo("127.0.0.1", "IPv4", s.address().port(), 11), g.rinfo());
  }

  @Test
  void receiverBoundToGroupAddressReceives() {
    String group = "239.255.77.2";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = socket();
    r.onMessage((msg, rinfo) -> got.add(new Got(new String(msg), rinfo)));
    int port = bind(r, group);
    assertEquals(group, r.address().address());
    r.addMembership(group, "127.0.0.1");
    DgramSocket s = pinnedSender("127.0.0.1");
    sendAndWait(s, "to the group address", port, group);
    Got g = Probe.take(got);
    assertEquals("to the group address", g.text());
    assertEquals("127.0.0.1", g.rinfo().address());
  }

  /**
   * IP_MULTICAST_LOOP only controls the extra copy the kernel loops back to local members when
   * a datagram leaves by a real interface. A datagram that leaves by {@code lo} comes back in by
   * {@code lo} whatever the flag says (Linux, checked with node 20 as well), so on loopback the
   * host's own members still get exactly one copy with the flag off, and exactly one with it on.
   */
  @Test
  void multicastLoopbackOffStillDeliversExactlyOneCopyOnLo() {
    String group = "239.255.77.3";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    int port = r.address().port();
    r.addMembership(group, "127.0.0.1");
    DgramSocket s = pinnedSender("127.0.0.1");

    assertEquals(false, s.setMulticastLoopback(false));
    sendAndWait(s, "loop off", port, group);
    sendAndWait(s, "marker 1", port, "127.0.0.1"); // unicast over lo: arrives after the group copy
    assertEquals("loop off", Probe.take(got).text());
    assertEquals("marker 1", Probe.take(got).text(), "a second copy of the group datagram arrived");

    assertEquals(true, s.setMulticastLoopback(true));
    sendAndWait(s, "loop on", port, group);
    sendAndWait(s, "marker 2", port, "127.0.0.1");
    assertEquals("loop on", Probe.take(got).text());
    assertEquals("marker 2", Probe.take(got).text(), "a second copy of the group datagram arrived");
  }

  @Test
  void dropMembershipStopsDelivery() {
    String group = "239.255.77.4";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    int port = r.address().port();
    r.addMembership(group, "127.0.0.1");
    DgramSocket s = pinnedSender("127.0.0.1");
    sendAndWait(s, "while joined", port, group);
    assertEquals("while joined", Probe.take(got).text());

    r.dropMembership(group, "127.0.0.1");
    sendAndWait(s, "after drop", port, group);
    // A unicast datagram sent afterwards over lo arrives after the group one would have.
    sendAndWait(s, "control", port, "127.0.0.1");
    assertEquals("control", Probe.take(got).text(), "received a group datagram after dropMembership");
    assertNull(poll(got, 300), "received a group datagram after dropMembership");
  }

  // ------------------------------------------------------------------ membership errors

  @Test
  void secondAddMembershipOfSameGroupIsEaddrinuse() {
    DgramSocket r = boundSocket();
    r.addMembership("239.255.77.5", "127.0.0.1");
    DgramException e = assertThrows(DgramException.class, () -> r.addMembership("239.255.77.5", "127.0.0.1"));
    assertEquals("EADDRINUSE", e.code());
    assertEquals("addMembership", e.syscall());
    assertEquals(-98, e.errno());
    assertEquals("addMembership EADDRINUSE", e.getMessage());
  }

  @Test
  void dropMembershipOfGroupNeverJoinedIsEaddrnotavail() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> r.dropMembership("239.255.77.6", "127.0.0.1"));
    assertEquals("EADDRNOTAVAIL", e.code());
    assertEquals("dropMembership", e.syscall());
    assertEquals(-99, e.errno());
  }

  @Test
  void addMembershipWithoutGroupIsMissingArgs() {
    DgramSocket r = boundSocket();
    for (String group : new String[] {null, ""}) {
      DgramException e = assertThrows(DgramException.class, () -> r.addMembership(group, "127.0.0.1"));
      assertEquals("ERR_MISSING_ARGS", e.code(), "group " + group);
      assertEquals("The \"multicastAddress\" argument must be specified", e.getMessage());
    }
  }

  @Test
  void addMembershipOfUnparsableAddressIsEinval() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> r.addMembership("256.256.256.256", "127.0.0.1"));
    assertEquals("EINVAL", e.code());
    assertEquals("addMembership", e.syscall());
    assertEquals(-22, e.errno());
  }

  @Test
  void addMembershipOfNonMulticastAddressIsEinval() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> r.addMembership("127.0.0.1", "127.0.0.1"));
    assertEquals("EINVAL", e.code());
    assertEquals("addMembership", e.syscall());
  }

  // ------------------------------------------------------------------ options

  @Test
  void setMulticastTtlAcceptsZeroTo255AndReturnsIt() {
    DgramSocket s = boundSocket();
    for (int ttl = 0; ttl <= 255; ttl++) {
      assertEquals(ttl, s.setMulticastTTL(ttl));
    }
  }

  @Test
  void setMulticastTtlOutOfRangeIsEinval() {
    DgramSocket s = boundSocket();
    for (int ttl : new int[] {256, -1}) {
      DgramException e = assertThrows(DgramException.class, () -> s.setMulticastTTL(ttl));
      assertEquals("EINVAL", e.code(), "ttl " + ttl);
      assertEquals("setMulticastTTL", e.syscall());
      assertEquals("setMulticastTTL EINVAL", e.getMessage());
    }
  }

  @Test
  void setMulticastInterfaceIpv6OnUdp4IsEnoprotoopt() {
    DgramSocket s = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastInterface("::1"));
    assertEquals("ENOPROTOOPT", e.code());
    assertEquals("setMulticastInterface", e.syscall());
  }

  @Test
  void setMulticastInterfaceBogusIsEinval() {
    DgramSocket s = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastInterface("bogus"));
    assertEquals("EINVAL", e.code());
    assertEquals("setMulticastInterface", e.syscall());
  }

  @Test
  void setMulticastInterfaceNotLocalIsEaddrnotavail() {
    DgramSocket s = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastInterface("10.99.99.99"));
    assertEquals("EADDRNOTAVAIL", e.code());
    assertEquals("setMulticastInterface", e.syscall());
  }

  @Test
  void setMulticastInterfaceNullIsInvalidArgType() {
    DgramSocket s = boundSocket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastInterface(null));
    assertEquals("ERR_INVALID_ARG_TYPE", e.code());
  }

  @Test
  void setMulticastTtlBeforeBindIsEbadf() {
    DgramSocket s = socket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastTTL(1));
    assertEquals("EBADF", e.code());
    assertEquals("setMulticastTTL", e.syscall());
    assertEquals(-9, e.errno());
  }

  @Test
  void setMulticastLoopbackBeforeBindIsEbadf() {
    DgramSocket s = socket();
    DgramException e = assertThrows(DgramException.class, () -> s.setMulticastLoopback(true));
    assertEquals("EBADF", e.code());
    assertEquals("setMulticastLoopback", e.syscall());
  }

  @Test
  void setBroadcastBeforeBindIsEbadf() {
    DgramSocket s = socket();
    DgramException e = assertThrows(DgramException.class, () -> s.setBroadcast(true));
    assertEquals("EBADF", e.code());
    assertEquals("setBroadcast", e.syscall());
  }

  // ------------------------------------------------------------------ source-specific

  @Test
  void loopbackAliasWorksAsMulticastSource() {
    // The precondition of the SSM test: a socket bound to 127.0.0.2 can send to a group on lo.
    String group = "239.255.77.7";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    r.addMembership(group, "127.0.0.1");
    DgramSocket s2 = pinnedSender("127.0.0.2");
    sendAndWait(s2, "from .2", r.address().port(), group);
    Got g = Probe.take(got);
    assertEquals("from .2", g.text());
    assertEquals("127.0.0.2", g.rinfo().address());
  }

  @Test
  void sourceSpecificMembershipReceivesOnlyFromThatSource() {
    String group = "232.77.0.1";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    int port = r.address().port();
    r.addSourceSpecificMembership("127.0.0.1", group, "127.0.0.1");
    DgramSocket s1 = pinnedSender("127.0.0.1");
    DgramSocket s2 = pinnedSender("127.0.0.2");

    sendAndWait(s2, "from other source", port, group); // first: it would arrive first
    sendAndWait(s1, "from joined source", port, group);
    Got g = Probe.take(got);
    assertEquals("from joined source", g.text(), "a datagram from a source not joined was received");
    assertEquals(new RemoteInfo("127.0.0.1", "IPv4", s1.address().port(), 18), g.rinfo());
    assertNull(poll(got, 300), "a datagram from a source not joined was received");
  }

  @Test
  void dropSourceSpecificMembershipStopsDelivery() {
    String group = "232.77.0.2";
    BlockingQueue<Got> got = Probe.queue();
    DgramSocket r = receiver(got);
    int port = r.address().port();
    r.addSourceSpecificMembership("127.0.0.1", group, "127.0.0.1");
    DgramSocket s1 = pinnedSender("127.0.0.1");
    sendAndWait(s1, "joined", port, group);
    assertEquals("joined", Probe.take(got).text());

    r.dropSourceSpecificMembership("127.0.0.1", group, "127.0.0.1");
    sendAndWait(s1, "after drop", port, group);
    sendAndWait(s1, "control", port, "127.0.0.1");
    assertEquals("control", Probe.take(got).text(), "received a group datagram after the drop");
    assertNull(poll(got, 300), "received a group datagram after the drop");
  }

  /** Node 20 on Linux: {@code dropSourceSpecificMembership EINVAL} (the kernel's answer). */
  @Test
  void dropSourceSpecificMembershipNotJoinedIsEinval() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class,
        () -> r.dropSourceSpecificMembership("127.0.0.1", "232.77.0.5", "127.0.0.1"));
    assertEquals("EINVAL", e.code());
    assertEquals("dropSourceSpecificMembership", e.syscall());
    assertEquals(-22, e.errno());
  }

  /** Node 20 on Linux: {@code addSourceSpecificMembership EADDRNOTAVAIL} (the kernel's answer). */
  @Test
  void secondAddSourceSpecificMembershipIsEaddrnotavail() {
    DgramSocket r = boundSocket();
    r.addSourceSpecificMembership("127.0.0.1", "232.77.0.6", "127.0.0.1");
    DgramException e = assertThrows(DgramException.class,
        () -> r.addSourceSpecificMembership("127.0.0.1", "232.77.0.6", "127.0.0.1"));
    assertEquals("EADDRNOTAVAIL", e.code());
    assertEquals("addSourceSpecificMembership", e.syscall());
    assertEquals(-99, e.errno());
  }

  @Test
  void sourceSpecificMembershipWithInvalidSourceIsEinval() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class,
        () -> r.addSourceSpecificMembership("not-an-ip", "232.77.0.3", "127.0.0.1"));
    assertEquals("EINVAL", e.code());
    assertEquals("addSourceSpecificMembership", e.syscall());
  }

  @Test
  void sourceSpecificMembershipWithNullSourceIsInvalidArgType() {
    DgramSocket r = boundSocket();
    DgramException e = assertThrows(DgramException.class,
        () -> r.addSourceSpecificMembership(null, "232.77.0.4", "127.0.0.1"));
    assertEquals("ERR_INVALID_ARG_TYPE", e.code());
    assertEquals("The \"sourceAddress\" argument must be of type string. Received null", e.getMessage());
  }
}
