package dev.jdgram.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.OnTransport;
import dev.jdgram.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDK's {@code java.net.DatagramSocket} and {@link JdgramDatagramSocket} side by side: every
 * case runs on both and requires the same outcome (the behaviours the JDK's own tests check under
 * test/jdk/java/net/DatagramSocket: constructors, send and receive with truncation, timeouts,
 * close waking a receiver, connect and disconnect, port unreachable, closed sockets, options,
 * bad arguments). Where the two differ on purpose, the case says why, and docs/compat.md lists it.
 * Everything on 127.0.0.1 or ::1, ports the kernel chooses.
 */
class SideBySideTest {
  /** Wide, for a busy 2-core machine: a blocking receive never waits longer than this. */
  private static final int PATIENCE_MS = 10_000;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final List<DatagramSocket> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(DatagramSocket::close);
  }

  private <S extends DatagramSocket> S track(S s) {
    opened.add(s);
    return s;
  }

  private DatagramSocket loopback(Kind kind) throws SocketException {
    DatagramSocket s = track(kind.loopback());
    s.setSoTimeout(PATIENCE_MS);
    return s;
  }

  private static DatagramPacket to(DatagramSocket target, byte[] data) {
    return new DatagramPacket(data, data.length, target.getLocalSocketAddress());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(DatagramPacket p) {
    return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.US_ASCII);
  }

  // ================================================================== constructors

  @ParameterizedTest
  @EnumSource(Kind.class)
  void noArgConstructorBindsTheWildcardAndAnEphemeralPort(Kind kind) throws Exception {
    DatagramSocket s = track(kind.open());
    assertTrue(s.isBound());
    assertFalse(s.isConnected());
    assertFalse(s.isClosed());
    assertTrue(s.getLocalPort() > 0);
    // Both are the wildcard; its family differs on purpose (the JDK's is "::", jdgram's "0.0.0.0":
    // a jdgram socket's family is that of its bind address, docs/compat.md).
    assertTrue(s.getLocalAddress().isAnyLocalAddress());
    assertEquals(s.getLocalPort(), ((InetSocketAddress) s.getLocalSocketAddress()).getPort());
    assertNull(s.getInetAddress());
    assertEquals(-1, s.getPort());
    assertNull(s.getRemoteSocketAddress());
    assertNull(s.getChannel(), "a DatagramSocket made by its constructor has no channel");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void addressConstructorBindsThatAddress(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    assertEquals(LOOPBACK, s.getLocalAddress());
    assertEquals(new InetSocketAddress(LOOPBACK, s.getLocalPort()), s.getLocalSocketAddress());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void nullSocketAddressMakesAnUnboundSocket(Kind kind) throws Exception {
    DatagramSocket s = track(kind.open((SocketAddress) null));
    assertFalse(s.isBound());
    assertEquals(0, s.getLocalPort());
    assertNull(s.getLocalSocketAddress());
    assertTrue(s.getLocalAddress().isAnyLocalAddress());
    s.setReuseAddress(true); // options before bind
    assertTrue(s.getReuseAddress());
    s.bind(new InetSocketAddress(LOOPBACK, 0));
    assertTrue(s.isBound());
    assertTrue(s.getLocalPort() > 0);
    assertTrue(s.getReuseAddress());
    SocketException twice = assertThrows(SocketException.class, () -> s.bind(null));
    assertEquals("Already bound", twice.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void portOutOfRangeIsIllegal(Kind kind) {
    assertThrows(IllegalArgumentException.class, () -> track(kind.open(-1)));
    assertThrows(IllegalArgumentException.class, () -> track(kind.open(65536)));
    assertThrows(IllegalArgumentException.class, () -> track(kind.open(70000, LOOPBACK)));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aPortInUseIsABindException(Kind kind) throws Exception {
    DatagramSocket first = loopback(kind);
    BindException e = assertThrows(BindException.class,
        () -> track(kind.open(first.getLocalPort(), LOOPBACK)));
    assertEquals("Address already in use", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anAddressNotOfThisHostIsABindException(Kind kind) throws Exception {
    InetAddress testNet = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}); // TEST-NET-1
    BindException e = assertThrows(BindException.class, () -> track(kind.open(0, testNet)));
    assertEquals("Cannot assign requested address", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void bindChecksItsArgument(Kind kind) throws Exception {
    DatagramSocket s = track(kind.open((SocketAddress) null));
    assertThrows(IllegalArgumentException.class, () -> s.bind(new SocketAddress() {}));
    SocketException unresolved = assertThrows(SocketException.class,
        () -> s.bind(InetSocketAddress.createUnresolved("example.invalid", 0)));
    assertEquals("Unresolved address", unresolved.getMessage());
    assertFalse(s.isBound());
  }

  // ================================================================== send and receive

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sendAndReceiveTellTheSender(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    a.send(to(b, bytes("hello")));
    DatagramPacket p = new DatagramPacket(new byte[100], 100);
    b.receive(p);
    assertEquals("hello", text(p));
    assertEquals(5, p.getLength());
    assertEquals(a.getLocalSocketAddress(), p.getSocketAddress());
    assertInstanceOf(Inet4Address.class, p.getAddress());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receiveTruncatesToThePacketsBuffer(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    byte[] big = new byte[100];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    a.send(to(b, big));
    DatagramPacket p = new DatagramPacket(new byte[10], 10);
    b.receive(p);
    assertEquals(10, p.getLength());
    assertArrayEquals(java.util.Arrays.copyOf(big, 10), p.getData());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aPacketKeepsItsBufferLengthAcrossReceives(Kind kind) throws Exception {
    // DatagramPacket's getLength() after a receive is the datagram's; the room for the next
    // receive stays the buffer's (the JDK's package-private bufLength)
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    DatagramPacket p = new DatagramPacket(new byte[20], 20);
    a.send(to(b, bytes("short")));
    b.receive(p);
    assertEquals(5, p.getLength());
    a.send(to(b, bytes("twenty bytes exactly")));
    b.receive(p);
    assertEquals("twenty bytes exactly", text(p));
    p.setLength(3); // a caller's own setLength is the new room
    a.send(to(b, bytes("abcdef")));
    b.receive(p);
    assertEquals("abc", text(p));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receiveWritesAtThePacketsOffset(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    byte[] buf = new byte[16];
    buf[0] = 'x';
    DatagramPacket p = new DatagramPacket(buf, 4, 8);
    a.send(to(b, bytes("0123456789")));
    b.receive(p);
    assertEquals(4, p.getOffset());
    assertEquals(8, p.getLength());
    assertEquals("01234567", text(p));
    assertEquals('x', buf[0]);
    assertEquals(0, buf[12]);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sendTakesThePacketsOffsetAndLength(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    byte[] buf = bytes("..payload..");
    a.send(new DatagramPacket(buf, 2, 7, b.getLocalSocketAddress()));
    DatagramPacket p = new DatagramPacket(new byte[64], 64);
    b.receive(p);
    assertEquals("payload", text(p));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anEmptyDatagramArrives(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    a.send(new DatagramPacket(new byte[0], 0, b.getLocalSocketAddress()));
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    b.receive(p);
    assertEquals(0, p.getLength());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theLargestDatagramGoesAndOneByteMoreIsTooLong(Kind kind) throws Exception {
    DatagramSocket a = loopback(kind);
    DatagramSocket b = loopback(kind);
    b.setReceiveBufferSize(256 * 1024);
    byte[] max = new byte[65_507];
    max[65_506] = 42;
    a.send(to(b, max));
    DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
    b.receive(p);
    assertEquals(65_507, p.getLength());
    assertEquals(42, p.getData()[65_506]);
    SocketException e = assertThrows(SocketException.class, () -> a.send(to(b, new byte[65_508])));
    assertEquals("Message too long", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anUnboundSocketIsBoundBySend(Kind kind) throws Exception {
    DatagramSocket b = loopback(kind);
    DatagramSocket a = track(kind.open((SocketAddress) null));
    a.send(to(b, bytes("x")));
    assertTrue(a.isBound());
    assertTrue(a.getLocalPort() > 0);
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    b.receive(p);
    assertEquals(a.getLocalPort(), p.getPort());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void ipv6LoopbackWorks(Kind kind) throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    DatagramSocket a;
    try {
      a = track(kind.open(0, v6));
    } catch (SocketException e) {
      assumeTrue(false, "no ::1 on this machine: " + e.getMessage());
      return;
    }
    DatagramSocket b = track(kind.open(0, v6));
    b.setSoTimeout(PATIENCE_MS);
    a.send(to(b, bytes("six")));
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    b.receive(p);
    assertEquals("six", text(p));
    assertEquals(new InetSocketAddress(v6, a.getLocalPort()), p.getSocketAddress());
  }

  // ================================================================== timeouts, close

  @ParameterizedTest
  @EnumSource(Kind.class)
  void soTimeoutEndsAReceive(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    s.setSoTimeout(300);
    assertEquals(300, s.getSoTimeout());
    long t0 = System.nanoTime();
    SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
        () -> s.receive(new DatagramPacket(new byte[8], 8)));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= 250, "waited only " + waited + " ms");
    assertEquals("Receive timed out", e.getMessage());
    assertFalse(s.isClosed(), "a timeout leaves the socket open");
    DatagramSocket a = loopback(kind);
    a.send(to(s, bytes("after")));
    s.setSoTimeout(PATIENCE_MS);
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    s.receive(p);
    assertEquals("after", text(p));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void closeWakesABlockedReceive(Kind kind) throws Exception {
    closeWakes(kind, false);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void closeWakesAReceiveOnAVirtualThread(Kind kind) throws Exception {
    closeWakes(kind, true);
  }

  private void closeWakes(Kind kind, boolean virtual) throws Exception {
    DatagramSocket s = loopback(kind);
    s.setSoTimeout(0);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Runnable receiver = () -> {
      try {
        s.receive(new DatagramPacket(new byte[8], 8));
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    };
    Thread t = virtual ? Thread.ofVirtual().start(receiver) : Thread.ofPlatform().daemon().start(receiver);
    Thread.sleep(300); // let it block
    assertFalse(outcome.isDone());
    s.close();
    Throwable thrown = outcome.get(PATIENCE_MS, TimeUnit.MILLISECONDS);
    assertInstanceOf(SocketException.class, thrown);
    assertEquals("Socket closed", thrown.getMessage());
    t.join(PATIENCE_MS);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aClosedSocketRefusesWork(Kind kind) throws Exception {
    DatagramSocket peer = loopback(kind);
    DatagramSocket s = loopback(kind);
    s.close();
    s.close(); // twice is harmless
    assertTrue(s.isClosed());
    assertTrue(s.isBound(), "a closed socket stays bound");
    assertFalse(s.isConnected());
    assertNull(s.getLocalAddress());
    assertEquals(-1, s.getLocalPort());
    assertNull(s.getLocalSocketAddress());
    SocketException send = assertThrows(SocketException.class, () -> s.send(to(peer, bytes("x"))));
    assertEquals("Socket closed", send.getMessage());
    SocketException recv = assertThrows(SocketException.class, () -> s.receive(new DatagramPacket(new byte[1], 1)));
    assertEquals("Socket closed", recv.getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, () -> s.bind(null)).getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, s::getSoTimeout).getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, () -> s.setSoTimeout(5)).getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, s::getReceiveBufferSize).getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, s::getBroadcast).getMessage());
    assertThrows(ClosedChannelException.class, () -> s.getOption(StandardSocketOptions.SO_RCVBUF));
    assertThrows(ClosedChannelException.class, () -> s.setOption(StandardSocketOptions.SO_RCVBUF, 4096));
    assertEquals("Socket is closed", assertThrows(SocketException.class, s::getTrafficClass).getMessage());
    assertEquals("Socket is closed", assertThrows(SocketException.class, () -> s.setTrafficClass(0xB8)).getMessage());
    // closed is told before a bad class, as the JDK checks
    assertEquals("Socket is closed", assertThrows(SocketException.class, () -> s.setTrafficClass(256)).getMessage());
    assertThrows(ClosedChannelException.class, () -> s.getOption(StandardSocketOptions.IP_TOS));
    assertThrows(ClosedChannelException.class, () -> s.setOption(StandardSocketOptions.IP_TOS, 256));
    assertThrows(SocketException.class, () -> s.joinGroup(new InetSocketAddress("239.255.7.7", 0), null));
    // the JDK ignores connect and disconnect on a closed socket
    s.connect(peer.getLocalSocketAddress());
    s.connect(LOOPBACK, peer.getLocalPort());
    s.disconnect();
    assertFalse(s.isConnected());
  }

  // ================================================================== connect

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectAndDisconnect(Kind kind) throws Exception {
    DatagramSocket peer = loopback(kind);
    DatagramSocket other = loopback(kind);
    DatagramSocket s = loopback(kind);
    s.connect(peer.getLocalSocketAddress());
    assertTrue(s.isConnected());
    assertEquals(LOOPBACK, s.getInetAddress());
    assertEquals(peer.getLocalPort(), s.getPort());
    assertEquals(peer.getLocalSocketAddress(), s.getRemoteSocketAddress());

    DatagramPacket noAddress = new DatagramPacket(bytes("to peer"), 7);
    s.send(noAddress); // a connected socket fills in its peer
    assertEquals(peer.getLocalSocketAddress(), noAddress.getSocketAddress());
    DatagramPacket p = new DatagramPacket(new byte[16], 16);
    peer.receive(p);
    assertEquals("to peer", text(p));

    // only the peer's datagrams reach a connected socket
    other.send(to(s, bytes("from other")));
    peer.send(to(s, bytes("from peer")));
    s.receive(p);
    assertEquals("from peer", text(p));
    assertEquals(peer.getLocalSocketAddress(), p.getSocketAddress());

    IllegalArgumentException differ = assertThrows(IllegalArgumentException.class,
        () -> s.send(to(other, bytes("x"))));
    assertEquals("Connected and packet address differ", differ.getMessage());

    s.disconnect();
    assertFalse(s.isConnected());
    assertNull(s.getInetAddress());
    assertEquals(-1, s.getPort());
    assertNull(s.getRemoteSocketAddress());
    s.send(to(other, bytes("free again")));
    other.receive(p);
    assertEquals("free again", text(p));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectingAgainChangesThePeer(Kind kind) throws Exception {
    DatagramSocket first = loopback(kind);
    DatagramSocket second = loopback(kind);
    DatagramSocket s = loopback(kind);
    s.connect(first.getLocalSocketAddress());
    s.connect(second.getLocalSocketAddress());
    assertEquals(second.getLocalSocketAddress(), s.getRemoteSocketAddress());
    s.send(new DatagramPacket(bytes("2nd"), 3));
    DatagramPacket p = new DatagramPacket(new byte[8], 8);
    second.receive(p);
    assertEquals("2nd", text(p));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectBindsAnUnboundSocket(Kind kind) throws Exception {
    DatagramSocket peer = loopback(kind);
    DatagramSocket s = track(kind.open((SocketAddress) null));
    s.connect(peer.getLocalSocketAddress());
    assertTrue(s.isBound());
    assertTrue(s.isConnected());
    assertTrue(s.getLocalPort() > 0);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectChecksItsArguments(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    assertEquals("Address can't be null",
        assertThrows(IllegalArgumentException.class, () -> s.connect(null)).getMessage());
    assertEquals("Address can't be null",
        assertThrows(IllegalArgumentException.class, () -> s.connect(null, 80)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.connect(new SocketAddress() {}));
    assertThrows(IllegalArgumentException.class, () -> s.connect(LOOPBACK, -1));
    assertThrows(IllegalArgumentException.class, () -> s.connect(LOOPBACK, 65536));
    assertEquals("Unresolved address", assertThrows(SocketException.class,
        () -> s.connect(InetSocketAddress.createUnresolved("example.invalid", 80))).getMessage());
    assertEquals("Can't connect to port 0", assertThrows(SocketException.class,
        () -> s.connect(new InetSocketAddress(LOOPBACK, 0))).getMessage());
    UncheckedIOException unchecked = assertThrows(UncheckedIOException.class, () -> s.connect(LOOPBACK, 0));
    assertInstanceOf(SocketException.class, unchecked.getCause());
    assertFalse(s.isConnected());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aConnectedSocketLearnsOfAnUnreachablePort(Kind kind) throws Exception {
    DatagramSocket gone = track(kind.loopback());
    SocketAddress closedPort = gone.getLocalSocketAddress();
    gone.close();
    DatagramSocket s = loopback(kind);
    s.connect(closedPort);
    s.setSoTimeout(500);
    // The ICMP error comes back asynchronously: send until a receive reports it.
    IOException reported = null;
    for (int i = 0; i < 20 && reported == null; i++) {
      try {
        s.send(new DatagramPacket(bytes("anyone?"), 7));
        s.receive(new DatagramPacket(new byte[8], 8));
      } catch (PortUnreachableException e) {
        reported = e;
      } catch (SocketTimeoutException e) {
        // not yet
      }
    }
    assertInstanceOf(PortUnreachableException.class, reported);
    assertFalse(s.isClosed(), "the socket stays open");
    assertTrue(s.isConnected());
  }

  // ================================================================== bad arguments

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sendAndReceiveCheckTheirArguments(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    assertThrows(NullPointerException.class, () -> s.send(null));
    assertThrows(NullPointerException.class, () -> s.receive(null));
    assertEquals("Address not set", assertThrows(IllegalArgumentException.class,
        () -> s.send(new DatagramPacket(new byte[1], 1))).getMessage());
    assertEquals("Can't send to port 0", assertThrows(SocketException.class,
        () -> s.send(new DatagramPacket(new byte[1], 1, LOOPBACK, 0))).getMessage());
    // the packet refuses an unresolved address itself, before any socket sees it
    assertThrows(IllegalArgumentException.class,
        () -> s.send(new DatagramPacket(new byte[1], 1, InetSocketAddress.createUnresolved("example.invalid", 9))));
    assertFalse(s.isClosed());
  }

  // ================================================================== options

  @ParameterizedTest
  @EnumSource(Kind.class)
  void supportedOptionsIncludeTheStandardOnes(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    Set<SocketOption<?>> options = s.supportedOptions();
    for (SocketOption<?> o : List.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
        StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST,
        StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
        StandardSocketOptions.IP_MULTICAST_LOOP, StandardSocketOptions.IP_TOS)) {
      assertTrue(options.contains(o), o + " in " + options);
    }
    // every option jdgram offers, the JDK offers too
    assertTrue(track(new DatagramSocket((SocketAddress) null)).supportedOptions().containsAll(
        track(new JdgramDatagramSocket((SocketAddress) null)).supportedOptions()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void optionsRoundTrip(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    assertEquals(Boolean.TRUE, s.getOption(StandardSocketOptions.SO_BROADCAST), "on by default");
    assertTrue(s.getBroadcast());
    s.setOption(StandardSocketOptions.SO_BROADCAST, false);
    assertFalse(s.getBroadcast());
    s.setBroadcast(true);
    assertEquals(Boolean.TRUE, s.getOption(StandardSocketOptions.SO_BROADCAST));

    assertEquals(1, s.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
    s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
    assertEquals(7, s.getOption(StandardSocketOptions.IP_MULTICAST_TTL));

    assertEquals(Boolean.TRUE, s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
    s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
    assertEquals(Boolean.FALSE, s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));

    assertNull(s.getOption(StandardSocketOptions.IP_MULTICAST_IF));
    NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
    assumeTrue(lo != null, "no loopback interface");
    s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
    assertEquals(lo, s.getOption(StandardSocketOptions.IP_MULTICAST_IF));

    int before = s.getReceiveBufferSize();
    assertTrue(before > 0);
    s.setReceiveBufferSize(64 * 1024);
    assertTrue(s.getReceiveBufferSize() >= 32 * 1024, "SO_RCVBUF " + s.getReceiveBufferSize());
    s.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
    assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 32 * 1024);
    assertTrue(s.getSendBufferSize() > 0);

    assertEquals(0, s.getTrafficClass(), "the kernel's default");
    assertEquals(0, s.getOption(StandardSocketOptions.IP_TOS));
    assertFalse(s.getReuseAddress());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void trafficClassRoundTrips(Kind kind) throws Exception {
    List<SocketAddress> binds = new ArrayList<>(List.of(new InetSocketAddress(LOOPBACK, 0), new InetSocketAddress("::", 0)));
    if (hasIpv6Loopback()) {
      binds.add(new InetSocketAddress("::1", 0));
    }
    for (SocketAddress bind : binds) {
      DatagramSocket s = track(kind.open(bind));
      // Linux keeps a UDP socket's whole byte, ECN bits included, and reads it back as set
      // (IP_TOS on an IPv4 socket, IPV6_TCLASS on an IPv6 one): the JDK answers what it set.
      for (int tc : new int[] {0xB8, 0xBA, 0x03, 0xFF, 0}) {
        s.setTrafficClass(tc);
        assertEquals(tc, s.getTrafficClass(), bind + " " + tc);
        assertEquals(tc, s.getOption(StandardSocketOptions.IP_TOS), bind + " " + tc);
      }
      s.setOption(StandardSocketOptions.IP_TOS, 0x28);
      assertEquals(0x28, s.getTrafficClass(), bind.toString());
    }
    DatagramSocket unbound = track(kind.open((SocketAddress) null));
    assertEquals(0, unbound.getTrafficClass());
    unbound.setTrafficClass(0xB8); // the JDK's socket exists before bind; jdgram's applies it at bind
    unbound.bind(new InetSocketAddress(LOOPBACK, 0));
    assertEquals(0xB8, unbound.getTrafficClass());
  }

  /** The JDK's socket and jdgram's put the same TOS byte on the wire, each family and before bind. */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void theTrafficClassReachesTheWire(Kind kind) throws Exception {
    // The receiver reads the byte with IP_RECVTOS: a jdgram socket with recvTos, which nio
    // cannot offer (ENOTSUP); on the simulated transport it lives on the simulated localhost,
    // which only jdgram's sockets reach.
    assumeFalse(OnTransport.nio(), "the receiver needs IP_RECVTOS, which the nio transport cannot read");
    assumeFalse(OnTransport.sim() && kind == Kind.JDK, "the JDK's real socket cannot reach the simulated localhost");
    DatagramSocket v4 = loopback(kind);
    assertEquals(0, tosOnTheWire(v4, "127.0.0.1"), "the kernel's default");
    v4.setTrafficClass(0xB8); // DSCP EF
    assertEquals(0xB8, tosOnTheWire(v4, "127.0.0.1"));
    v4.setOption(StandardSocketOptions.IP_TOS, 0xBA); // EF with ECT(0)
    assertEquals(0xBA, tosOnTheWire(v4, "127.0.0.1"));

    DatagramSocket early = track(kind.open((SocketAddress) null));
    early.setTrafficClass(0xB8);
    early.bind(new InetSocketAddress(LOOPBACK, 0));
    assertEquals(0xB8, tosOnTheWire(early, "127.0.0.1"), "set before bind");

    if (!OnTransport.sim()) { // the simulated kernel's dual-stack socket cannot send to IPv4-mapped addresses
      DatagramSocket dual = track(kind.open(new InetSocketAddress("::", 0)));
      dual.setTrafficClass(0xB8);
      assertEquals(0xB8, tosOnTheWire(dual, "127.0.0.1"), "a dual-stack socket to an IPv4 peer");
    }
    if (hasIpv6Loopback()) {
      DatagramSocket v6 = track(kind.open(0, InetAddress.getByName("::1")));
      v6.setTrafficClass(0xB8);
      assertEquals(0xB8, tosOnTheWire(v6, "::1"), "IPV6_TCLASS");
    }
  }

  /** @return the TOS byte of one datagram {@code sender} sends to a receiver on {@code address} */
  private static int tosOnTheWire(DatagramSocket sender, String address) throws Exception {
    DgramSocket rx = Dgram.createSocket(SocketOptions.of(address.contains(":") ? "udp6" : "udp4").recvTos(true));
    try {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      CompletableFuture<Integer> tos = new CompletableFuture<>();
      rx.onError(port::completeExceptionally);
      rx.onDatagram(d -> tos.complete(d.tos()));
      rx.bind(0, address, () -> port.complete(rx.address().port()));
      sender.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.ofLiteral(address),
          port.get(PATIENCE_MS, TimeUnit.MILLISECONDS)));
      return tos.get(PATIENCE_MS, TimeUnit.MILLISECONDS);
    } finally {
      rx.close();
    }
  }

  private static boolean hasIpv6Loopback() {
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      return true;
    } catch (SocketException e) {
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void optionArgumentsAreChecked(Kind kind) throws Exception {
    DatagramSocket s = loopback(kind);
    assertThrows(NullPointerException.class, () -> s.setOption(null, 1));
    assertThrows(NullPointerException.class, () -> s.getOption(null));
    assertEquals("'TCP_NODELAY' not supported", assertThrows(UnsupportedOperationException.class,
        () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true)).getMessage());
    assertThrows(UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
    assertEquals("Invalid value 'null'", assertThrows(IllegalArgumentException.class,
        () -> s.setOption(StandardSocketOptions.SO_RCVBUF, null)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
    assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 256));
    assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, -1));
    assertEquals("timeout < 0", assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1)).getMessage());
    assertEquals("Invalid receive size", assertThrows(IllegalArgumentException.class,
        () -> s.setReceiveBufferSize(0)).getMessage());
    assertEquals("Invalid send size", assertThrows(IllegalArgumentException.class,
        () -> s.setSendBufferSize(0)).getMessage());
    assertEquals("Invalid IP_TOS value", assertThrows(IllegalArgumentException.class,
        () -> s.setTrafficClass(256)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(-1));
    assertEquals("Invalid IP_TOS value", assertThrows(IllegalArgumentException.class,
        () -> s.setOption(StandardSocketOptions.IP_TOS, 256)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.IP_TOS, -1));
    assertEquals("Invalid value 'null'", assertThrows(IllegalArgumentException.class,
        () -> s.setOption(StandardSocketOptions.IP_TOS, null)).getMessage());
    assertEquals(0, s.getTrafficClass(), "a refused class changes nothing");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void reuseAddressLetsTwoSocketsShareAPort(Kind kind) throws Exception {
    DatagramSocket a = track(kind.open((SocketAddress) null));
    a.setReuseAddress(true);
    a.bind(new InetSocketAddress(LOOPBACK, 0));
    DatagramSocket b = track(kind.open((SocketAddress) null));
    b.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    b.bind(new InetSocketAddress(LOOPBACK, a.getLocalPort()));
    assertEquals(a.getLocalPort(), b.getLocalPort());
  }

  // ================================================================== multicast on loopback

  @ParameterizedTest
  @EnumSource(Kind.class)
  void joinReceivesAGroupOnLoopbackAndLeaveStops(Kind kind) throws Exception {
    NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
    assumeTrue(lo != null, "no loopback interface");
    InetSocketAddress group = new InetSocketAddress(InetAddress.getByName("239.255.42.99"), 0);
    DatagramSocket r = track(kind.open((SocketAddress) null));
    r.setReuseAddress(true);
    r.bind(new InetSocketAddress(0));
    r.setSoTimeout(PATIENCE_MS);
    r.joinGroup(group, lo);
    assertEquals("Already a member of group",
        assertThrows(SocketException.class, () -> r.joinGroup(group, lo)).getMessage());
    DatagramSocket s = loopback(kind);
    s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo); // never by the default route
    s.send(new DatagramPacket(bytes("to group"), 8, group.getAddress(), r.getLocalPort()));
    DatagramPacket p = new DatagramPacket(new byte[16], 16);
    r.receive(p);
    assertEquals("to group", text(p));
    r.leaveGroup(group, lo);
    assertEquals("Not a member of group",
        assertThrows(SocketException.class, () -> r.leaveGroup(group, lo)).getMessage());
    assertEquals("Not a multicast address", assertThrows(SocketException.class,
        () -> r.joinGroup(new InetSocketAddress(LOOPBACK, 0), lo)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> r.joinGroup(null, lo));
  }
}
