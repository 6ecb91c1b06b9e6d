package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jdgram against the machine's real Node.js ({@code node} on the PATH; the tests are skipped
 * with a reason when there is none). Each case starts {@code src/test/resources/interop/peer.js}
 * as a child process with a JSON role; the child binds port 0 and prints its port, the Java side
 * passes its own port in the role. Both sides check what the other one sent: payload (SHA-256 and,
 * for small ones, the bytes), size, and the sender's address, family and port.
 *
 * <p>Network rules (CONTRIBUTING.md): unicast goes to 127.0.0.1 and ::1 only;
 * multicast joins name 127.0.0.1 and every multicast sender, Java or Node, pins its interface
 * with {@code setMulticastInterface("127.0.0.1")} before it sends; no broadcast, no names. Every
 * child is destroyed in a finally block (try-with-resources), every wait has a limit, and the
 * script ends itself after its own timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeInteropTest {
  /** Limit for one line from the child (start-up of node included) or one event in Java. */
  private static final long WAIT_MS = 10_000;
  /** The child's own limit: it exits with code 3 after this even if nothing arrives. */
  private static final long CHILD_TIMEOUT_MS = 15_000;
  /** The largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
  private static final int MAX_UDP4 = 65_507;

  private static Path node;
  private static Path script;
  private static String nodeVersion;

  private final List<DgramSocket> sockets = new ArrayList<>();
  private final Random random = new Random(0x1D6_2A11L);

  @BeforeAll
  static void findNode() throws IOException, InterruptedException, URISyntaxException {
    dev.jdgram.OnTransport.skipOnSim("the node process's sockets are real, on this machine's kernel");
    node = onPath("node");
    Assumptions.assumeTrue(node != null, "no executable 'node' on the PATH: the interop tests need Node.js");
    Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
    try {
      assertTrue(p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "node --version did not finish");
      nodeVersion = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } finally {
      p.destroyForcibly();
    }
    URL res = NodeInteropTest.class.getResource("/interop/peer.js");
    assertNotNull(res, "test resource interop/peer.js is missing");
    script = Path.of(res.toURI());
    System.out.println("NodeInteropTest: " + node + " " + nodeVersion);
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  @AfterEach
  void closeAll() {
    for (DgramSocket s : sockets) {
      try {
        if (!s.isClosed()) {
          s.close();
        }
      } catch (DgramException alreadyClosed) {
        // closed by the test
      }
    }
  }

  // ================================================================== unicast

  /** jdgram sends to Node; Node answers "echo:" + the datagram to the sender it saw. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp4", "udp6"})
  void unicastJdgramToNode(String type) throws Exception {
    String lo = loopback(type);
    try (NodePeer peer = NodePeer.start(recvRole(type, lo, 1, "prefix"))) {
      int nodePort = peer.port();
      BlockingQueue<Got> got = new LinkedBlockingQueue<>();
      DgramSocket s = socket(type, got);
      int myPort = bind(s, 0, lo);

      byte[] payload = randomBytes(1_000);
      assertEquals(payload.length, sendAndWait(s, payload, nodePort, lo));

      Message m = peer.message();
      m.assertFrom(lo, family(type), myPort);
      m.assertPayload(payload);

      Got echo = take(got);
      assertEquals(new RemoteInfo(lo, family(type), nodePort, 5 + payload.length), echo.rinfo());
      assertArrayEquals(concat("echo:".getBytes(StandardCharsets.US_ASCII), payload), echo.msg());
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /** Node sends to jdgram; jdgram answers to the sender it saw. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp4", "udp6"})
  void unicastNodeToJdgram(String type) throws Exception {
    String lo = loopback(type);
    BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    DgramSocket s = socket(type, got);
    int myPort = bind(s, 0, lo);
    try (NodePeer peer = NodePeer.start(sendRole(type, lo, myPort, lo).size(1_200).expect(1))) {
      int nodePort = peer.port();
      Payload sent = peer.payload();
      assertEquals("SENT 1200", String.join(" ", peer.expect("SENT")));

      Got g = take(got);
      assertEquals(new RemoteInfo(lo, family(type), nodePort, 1_200), g.rinfo());
      sent.assertMatches(g.msg());

      byte[] reply = randomBytes(321);
      assertEquals(reply.length, sendAndWait(s, reply, g.rinfo().port(), g.rinfo().address()));
      Message m = peer.message();
      m.assertFrom(lo, family(type), myPort);
      m.assertPayload(reply);
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /**
   * An empty datagram is a datagram: jdgram sends 0 bytes, Node receives them and sends the same
   * (empty) datagram back, which jdgram must deliver as a 0-byte message.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp4", "udp6"})
  void emptyDatagramBothWays(String type) throws Exception {
    String lo = loopback(type);
    try (NodePeer peer = NodePeer.start(recvRole(type, lo, 1, "same"))) {
      int nodePort = peer.port();
      BlockingQueue<Got> got = new LinkedBlockingQueue<>();
      DgramSocket s = socket(type, got);
      int myPort = bind(s, 0, lo);

      assertEquals(0, sendAndWait(s, new byte[0], nodePort, lo));
      Message m = peer.message();
      m.assertFrom(lo, family(type), myPort);
      m.assertPayload(new byte[0]);
      assertEquals("ECHOED 0", String.join(" ", peer.expect("ECHOED")));

      Got back = take(got);
      assertEquals(new RemoteInfo(lo, family(type), nodePort, 0), back.rinfo());
      assertEquals(0, back.msg().length);
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  // ================================================================== connected sockets

  /**
   * Node connects to jdgram and sends with no address; jdgram answers (unconnected) to the
   * sender it saw, and Node's connected socket accepts it because it comes from its peer.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp4", "udp6"})
  void nodeConnectsToJdgram(String type) throws Exception {
    String lo = loopback(type);
    BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    DgramSocket s = socket(type, got);
    int myPort = bind(s, 0, lo);
    try (NodePeer peer = NodePeer.start(sendRole(type, lo, myPort, lo).connect().text("from connected node").expect(1))) {
      int nodePort = peer.port();
      peer.payload();
      assertEquals(List.of("CONNECTED", lo, String.valueOf(myPort)), List.of(peer.expect("CONNECTED")));
      assertEquals("SENT 19", String.join(" ", peer.expect("SENT")));

      Got g = take(got);
      assertEquals(new RemoteInfo(lo, family(type), nodePort, 19), g.rinfo());
      assertEquals("from connected node", new String(g.msg(), StandardCharsets.UTF_8));

      assertEquals(13, sendAndWait(s, "reply to node".getBytes(StandardCharsets.UTF_8), nodePort, lo));
      Message m = peer.message();
      m.assertFrom(lo, family(type), myPort);
      m.assertPayload("reply to node".getBytes(StandardCharsets.UTF_8));
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /**
   * jdgram connects to Node and sends with no address; Node answers to the sender it saw, and
   * jdgram's connected socket receives it.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp4", "udp6"})
  void jdgramConnectsToNode(String type) throws Exception {
    String lo = loopback(type);
    try (NodePeer peer = NodePeer.start(recvRole(type, lo, 1, "prefix"))) {
      int nodePort = peer.port();
      BlockingQueue<Got> got = new LinkedBlockingQueue<>();
      DgramSocket s = socket(type, got);
      int myPort = bind(s, 0, lo);

      CompletableFuture<Void> connected = new CompletableFuture<>();
      s.connect(nodePort, lo, err -> {
        if (err != null) {
          connected.completeExceptionally(err);
        } else {
          connected.complete(null);
        }
      });
      get(connected);
      assertEquals(new AddressInfo(lo, family(type), nodePort), s.remoteAddress());

      byte[] payload = "from connected jdgram".getBytes(StandardCharsets.UTF_8);
      CompletableFuture<Integer> sent = new CompletableFuture<>();
      s.send(payload, (err, n) -> complete(sent, err, n));
      assertEquals(payload.length, get(sent));

      Message m = peer.message();
      m.assertFrom(lo, family(type), myPort);
      m.assertPayload(payload);

      Got echo = take(got);
      assertEquals(new RemoteInfo(lo, family(type), nodePort, 5 + payload.length), echo.rinfo());
      assertEquals("echo:from connected jdgram", new String(echo.msg(), StandardCharsets.UTF_8));
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  // ================================================================== multicast on loopback

  /** Node joins 239.255.91.1 on 127.0.0.1; jdgram, pinned to 127.0.0.1, sends to the group. */
  @Test
  void multicastJdgramToNode() throws Exception {
    String group = "239.255.91.1";
    try (NodePeer peer = NodePeer.start(recvRole("udp4", "0.0.0.0", 1, null).group(group))) {
      int nodePort = peer.port(); // printed after addMembership
      DgramSocket s = socket("udp4", new LinkedBlockingQueue<>());
      int myPort = bind(s, 0, "127.0.0.1");
      s.setMulticastInterface("127.0.0.1");

      byte[] payload = randomBytes(700);
      assertEquals(payload.length, sendAndWait(s, payload, nodePort, group));
      Message m = peer.message();
      m.assertFrom("127.0.0.1", "IPv4", myPort);
      m.assertPayload(payload);
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /** jdgram joins 239.255.91.2 on 127.0.0.1; Node, pinned to 127.0.0.1, sends to the group. */
  @Test
  void multicastNodeToJdgram() throws Exception {
    String group = "239.255.91.2";
    BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true));
    sockets.add(s);
    s.onMessage((msg, rinfo) -> got.add(new Got(msg, rinfo)));
    int myPort = bind(s, 0, "0.0.0.0");
    s.addMembership(group, "127.0.0.1");
    try (NodePeer peer = NodePeer.start(
        sendRole("udp4", "127.0.0.1", myPort, group).multicastInterface("127.0.0.1").size(800))) {
      int nodePort = peer.port();
      Payload sent = peer.payload();
      assertEquals("SENT 800", String.join(" ", peer.expect("SENT")));
      Got g = take(got);
      assertEquals(new RemoteInfo("127.0.0.1", "IPv4", nodePort, 800), g.rinfo());
      sent.assertMatches(g.msg());
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  // ================================================================== the largest datagram

  /** 65,507 random bytes from jdgram to Node; Node sends the same datagram back. */
  @Test
  void largestDatagramJdgramToNode() throws Exception {
    try (NodePeer peer = NodePeer.start(recvRole("udp4", "127.0.0.1", 1, "same"))) {
      int nodePort = peer.port();
      BlockingQueue<Got> got = new LinkedBlockingQueue<>();
      DgramSocket s = socket("udp4", got);
      int myPort = bind(s, 0, "127.0.0.1");

      byte[] payload = randomBytes(MAX_UDP4);
      assertEquals(MAX_UDP4, sendAndWait(s, payload, nodePort, "127.0.0.1"));
      Message m = peer.message();
      m.assertFrom("127.0.0.1", "IPv4", myPort);
      m.assertPayload(payload);

      Got back = take(got);
      assertEquals(new RemoteInfo("127.0.0.1", "IPv4", nodePort, MAX_UDP4), back.rinfo());
      assertArrayEquals(payload, back.msg(), "the 65,507-byte datagram Node sent back differs");
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /** 65,507 random bytes from Node to jdgram, checked against Node's SHA-256. */
  @Test
  void largestDatagramNodeToJdgram() throws Exception {
    BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    DgramSocket s = socket("udp4", got);
    int myPort = bind(s, 0, "127.0.0.1");
    try (NodePeer peer = NodePeer.start(sendRole("udp4", "127.0.0.1", myPort, "127.0.0.1").size(MAX_UDP4))) {
      int nodePort = peer.port();
      Payload sent = peer.payload();
      assertEquals("SENT " + MAX_UDP4, String.join(" ", peer.expect("SENT")));
      Got g = take(got);
      assertEquals(new RemoteInfo("127.0.0.1", "IPv4", nodePort, MAX_UDP4), g.rinfo());
      sent.assertMatches(g.msg());
      peer.expect("CLOSED");
      peer.assertExitsCleanly();
    }
  }

  /**
   * 65,508 bytes is one too many for IPv4: Node's send callback gets EMSGSIZE, and so does
   * jdgram's, with the same errno, syscall, address, port and message shape. On both sides a
   * small datagram sent afterwards is the first thing the receiver gets (no piece of the
   * oversized one went out).
   */
  @Test
  void oneByteTooManyIsEmsgsizeInBoth() throws Exception {
    BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    DgramSocket javaReceiver = socket("udp4", got);
    int javaReceiverPort = bind(javaReceiver, 0, "127.0.0.1");
    try (NodePeer nodeSender = NodePeer.start(
            sendRole("udp4", "127.0.0.1", javaReceiverPort, "127.0.0.1").size(MAX_UDP4 + 1).thenText("after"));
         NodePeer nodeReceiver = NodePeer.start(recvRole("udp4", "127.0.0.1", 1, null))) {
      // Node's side.
      nodeSender.port();
      assertEquals(List.of("PAYLOAD", String.valueOf(MAX_UDP4 + 1)), List.of(nodeSender.expect("PAYLOAD")).subList(0, 2));
      String[] nodeErr = nodeSender.expect("SEND_ERROR", "SENT");
      assertEquals("SEND_ERROR", nodeErr[0], "Node's send of 65,508 bytes did not fail");
      assertEquals("EMSGSIZE", nodeErr[1], "Node's error code");
      assertEquals("SENT 5", String.join(" ", nodeSender.expect("SENT")));
      Got first = take(got);
      assertEquals("after", new String(first.msg(), StandardCharsets.UTF_8),
          "jdgram received something before the marker Node sent after its oversized datagram");
      nodeSender.expect("CLOSED");
      nodeSender.assertExitsCleanly();

      // jdgram's side, to a Node receiver.
      int nodePort = nodeReceiver.port();
      DgramSocket s = socket("udp4", new LinkedBlockingQueue<>());
      int myPort = bind(s, 0, "127.0.0.1");
      CompletableFuture<Integer> sent = new CompletableFuture<>();
      s.send(new byte[MAX_UDP4 + 1], nodePort, "127.0.0.1", (err, n) -> complete(sent, err, n));
      DgramException e = failureOf(sent);
      assertEquals(nodeErr[1], e.code(), "jdgram's error code (Node: " + nodeErr[1] + ")");
      assertEquals(Integer.parseInt(nodeErr[2]), e.errno(), "errno (Node's err.errno)");
      assertEquals(nodeErr[3], e.syscall(), "syscall (Node's err.syscall)");
      assertEquals(nodeErr[4], e.address(), "address (Node's err.address)");
      assertEquals(nodePort, e.port(), "port (Node's err.port is the destination port)");
      // JSON.stringify(err.message) may hold spaces: it is the rest of the line.
      String nodeMessage = unquote(String.join(" ", List.of(nodeErr).subList(6, nodeErr.length)));
      assertEquals(nodeMessage.replace(":" + javaReceiverPort, ":" + nodePort), e.getMessage(),
          "message (Node's, with Node's destination port replaced by jdgram's)");

      byte[] marker = "after".getBytes(StandardCharsets.UTF_8);
      assertEquals(5, sendAndWait(s, marker, nodePort, "127.0.0.1"));
      Message m = nodeReceiver.message();
      m.assertFrom("127.0.0.1", "IPv4", myPort);
      m.assertPayload(marker);
      nodeReceiver.expect("CLOSED");
      nodeReceiver.assertExitsCleanly();
    }
  }

  // ================================================================== helpers: Java side

  /** A datagram jdgram received. */
  record Got(byte[] msg, RemoteInfo rinfo) {}

  private DgramSocket socket(String type, BlockingQueue<Got> got) {
    DgramSocket s = Dgram.createSocket(type);
    sockets.add(s);
    s.onMessage((msg, rinfo) -> got.add(new Got(msg, rinfo)));
    return s;
  }

  private static int bind(DgramSocket s, int port, String address) {
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    s.onError(bound::completeExceptionally);
    s.bind(port, address, () -> bound.complete(s.address().port()));
    return get(bound);
  }

  private static int sendAndWait(DgramSocket s, byte[] payload, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    s.send(payload, port, address, (err, n) -> complete(sent, err, n));
    return get(sent);
  }

  private static void complete(CompletableFuture<Integer> f, DgramException err, int n) {
    if (err != null) {
      f.completeExceptionally(err);
    } else {
      f.complete(n);
    }
  }

  private static DgramException failureOf(CompletableFuture<Integer> f) {
    try {
      Integer n = f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      fail("the send succeeded with " + n + " bytes; expected EMSGSIZE");
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof DgramException de) {
        return de;
      }
      throw new AssertionError("the send failed with " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no send callback in time: " + e, e);
    }
  }

  private static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no result in time: " + e, e);
    }
  }

  private static Got take(BlockingQueue<Got> q) throws InterruptedException {
    Got g = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    if (g == null) {
      fail("jdgram received nothing within " + WAIT_MS + " ms");
    }
    return g;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String loopback(String type) {
    return type.equals("udp6") ? "::1" : "127.0.0.1";
  }

  private static String family(String type) {
    return type.equals("udp6") ? "IPv6" : "IPv4";
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Undoes JSON.stringify of a plain message (quotes, \" and \\ only). */
  private static String unquote(String json) {
    assertTrue(json.startsWith("\"") && json.endsWith("\""), json);
    return json.substring(1, json.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
  }

  // ================================================================== helpers: the Node side

  /** A role for peer.js, written as JSON. */
  static final class Role {
    private final StringBuilder json = new StringBuilder("{");

    Role put(String key, Object value) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append('"').append(key).append("\":");
      if (value instanceof Role nested) {
        json.append(nested.json());
      } else if (value instanceof String s) {
        json.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else {
        json.append(value);
      }
      return this;
    }

    Role size(int n) {
      return put("size", n);
    }

    Role text(String s) {
      return put("text", s);
    }

    Role thenText(String s) {
      return put("thenText", s);
    }

    Role expect(int n) {
      return put("expect", n);
    }

    Role connect() {
      return put("connect", true);
    }

    Role group(String g) {
      return put("group", g);
    }

    Role multicastInterface(String i) {
      return put("multicastInterface", i);
    }

    String json() {
      return json + "}";
    }
  }

  private static Role recvRole(String type, String bind, int count, String echo) {
    Role r = new Role().put("mode", "recv").put("type", type).put("bind", bind).put("count", count)
        .put("timeoutMs", CHILD_TIMEOUT_MS);
    return echo == null ? r : r.put("echo", echo);
  }

  private static Role sendRole(String type, String bind, int toPort, String toAddress) {
    return new Role().put("mode", "send").put("type", type).put("bind", bind).put("timeoutMs", CHILD_TIMEOUT_MS)
        .put("to", new Role().put("port", toPort).put("address", toAddress));
  }

  /** What Node said it sent. */
  record Payload(int size, String sha256) {
    void assertMatches(byte[] got) {
      assertEquals(size, got.length, "size of the datagram Node sent");
      assertEquals(sha256, NodeInteropTest.sha256(got), "SHA-256 of the datagram Node sent");
    }
  }

  /** A MESSAGE line: what Node received. */
  record Message(int size, String address, String family, int port, String sha256, String base64) {
    void assertFrom(String expectedAddress, String expectedFamily, int expectedPort) {
      assertEquals(expectedAddress, address, "rinfo.address in Node");
      assertEquals(expectedFamily, family, "rinfo.family in Node");
      assertEquals(expectedPort, port, "rinfo.port in Node");
    }

    void assertPayload(byte[] expected) {
      assertEquals(expected.length, size, "size of the datagram Node received");
      assertEquals(NodeInteropTest.sha256(expected), sha256, "SHA-256 of the datagram Node received");
      if (!base64.equals("-")) {
        byte[] bytes = base64.equals("=") ? new byte[0] : Base64.getDecoder().decode(base64);
        assertArrayEquals(expected, bytes, "bytes Node received");
      }
    }
  }

  /** peer.js in a child process: its standard output as lines, standard error collected. */
  static final class NodePeer implements AutoCloseable {
    final Process process;
    final String role;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> allLines = new ArrayList<>();
    final StringBuffer stderr = new StringBuffer();

    private NodePeer(Role role) throws IOException {
      this.role = role.json();
      process = new ProcessBuilder(node.toString(), script.toString(), this.role).start();
      process.getOutputStream().close();
      Thread.ofPlatform().daemon(true).name("node-out").start(() -> pump(process.getInputStream(), true));
      Thread.ofPlatform().daemon(true).name("node-err").start(() -> pump(process.getErrorStream(), false));
    }

    static NodePeer start(Role role) throws IOException {
      return new NodePeer(role);
    }

    private void pump(InputStream in, boolean out) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (out) {
            synchronized (allLines) {
              allLines.add(line.length() > 200 ? line.substring(0, 200) + "..." : line);
            }
            lines.add(line);
          } else {
            stderr.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    }

    /**
     * The next line that starts with one of {@code words}, split at spaces; FATAL and TIMEOUT
     * lines (the script's own failures) fail the test at once.
     */
    String[] expect(String... words) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
        if (line == null) {
          fail("node printed no " + String.join("/", words) + " line within " + WAIT_MS + " ms" + describe());
        }
        String[] parts = line.split(" ");
        if (parts[0].equals("FATAL") || parts[0].equals("TIMEOUT")) {
          fail("node: " + line + describe());
        }
        for (String w : words) {
          if (parts[0].equals(w)) {
            return parts;
          }
        }
      }
    }

    int port() throws InterruptedException {
      int p = Integer.parseInt(expect("LISTENING")[1]);
      assertTrue(p > 0 && p < 65536, "node's port " + p);
      return p;
    }

    Payload payload() throws InterruptedException {
      String[] p = expect("PAYLOAD");
      return new Payload(Integer.parseInt(p[1]), p[2]);
    }

    Message message() throws InterruptedException {
      String[] m = expect("MESSAGE");
      return new Message(Integer.parseInt(m[1]), m[2], m[3], Integer.parseInt(m[4]), m[5], m[6]);
    }

    /** The script ends by itself once its socket has closed. */
    void assertExitsCleanly() throws InterruptedException {
      assertTrue(process.waitFor(WAIT_MS, TimeUnit.MILLISECONDS),
          "node is still running " + WAIT_MS + " ms after its work was done" + describe());
      assertEquals(0, process.exitValue(), "node's exit code" + describe());
    }

    String describe() {
      synchronized (allLines) {
        return "\nrole: " + role + "\nnode stdout: " + allLines + "\nnode stderr: " + stderr;
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(WAIT_MS, TimeUnit.MILLISECONDS);
    }
  }
}
