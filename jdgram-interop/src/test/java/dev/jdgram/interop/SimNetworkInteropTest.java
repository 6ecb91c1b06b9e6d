package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.compat.JdgramDatagramSocket;
import dev.jdgram.sim.Host;
import dev.jdgram.sim.Lan;
import dev.jdgram.sim.Layer;
import dev.jdgram.sim.SimNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.commons.net.DatagramSocketFactory;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.io.DefaultIoClientFactory;
import org.xbill.DNS.io.IoClientFactory;
import org.xbill.DNS.io.TcpIoClient;
import org.xbill.DNS.io.UdpIoClient;

/**
 * The same TFTP and DNS clients on the simulated network, with 5% of the frames lost on each
 * host's cable: their own retransmissions must get every file and every answer through. A
 * daemon cannot join the simulation, so the servers are the test's own, on jdgram
 * ({@link SimTftpServer}, {@link SimDnsResponder}); the clients are unchanged library code on
 * {@link JdgramDatagramSocket}s of the client host.
 */
class SimNetworkInteropTest {
  private static final String CLIENT = "10.0.0.1";
  private static final String SERVER = "10.0.0.2";

  private SimNetwork net;
  private Host client;
  private Host server;
  private SimDriver driver;

  @BeforeEach
  void network() {
    net = SimNetwork.create(18);
    Lan lan = net.lan("lan0");
    client = net.host("client");
    client.nic("eth0", lan, CLIENT + "/24");
    server = net.host("server");
    server.nic("eth0", lan, SERVER + "/24");
    client.nic("eth0").link().loss(0.05);
    server.nic("eth0").link().loss(0.05);
  }

  @AfterEach
  void stop() throws Exception {
    if (driver != null) {
      driver.close();
    }
    net.close();
  }

  private JdgramDatagramSocket clientSocket(InetSocketAddress local) throws SocketException {
    return new JdgramDatagramSocket(client.options("udp4"), local);
  }

  @Test
  void tftpFilesGetThroughLoss() throws Exception {
    SimTftpServer tftp = new SimTftpServer(server, SERVER, 69);
    byte[] served = new byte[100 * 1024 + 123];
    new Random(1).nextBytes(served);
    tftp.files.put("served.bin", served);
    driver = new SimDriver(net);

    TFTPClient c = new TFTPClient();
    c.setDatagramSocketFactory(new DatagramSocketFactory() {
      @Override
      public DatagramSocket createDatagramSocket() throws SocketException {
        return clientSocket(new InetSocketAddress(CLIENT, 0));
      }

      @Override
      public DatagramSocket createDatagramSocket(int port) throws SocketException {
        return clientSocket(new InetSocketAddress(CLIENT, port));
      }

      @Override
      public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
        return clientSocket(new InetSocketAddress(laddr, port));
      }
    });
    c.setDefaultTimeout(Duration.ofMillis(300));
    c.setMaxTimeouts(20);
    c.open();
    byte[] put = new byte[60 * 1024 + 7];
    new Random(2).nextBytes(put);
    try {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      c.receiveFile("served.bin", TFTP.BINARY_MODE, got, InetAddress.getByName(SERVER), 69);
      assertArrayEquals(served, got.toByteArray());
      // A new session (a new socket, a new port) for the put: the old transfer may still be
      // repeating its last block (its final ACK lost), and a client that takes the first packet
      // of the new transfer from it would follow the wrong server port.
      c.close();
      c.open();
      // The put runs without loss, because Commons Net's client cannot recover a lost DATA
      // block or a lost WRQ, whatever the server does. In TFTPClient.sendFile(String, int,
      // InputStream, InetAddress, int) (commons-net 3.11.1, the version used here, lines
      // 291-402; the same code, five lines further down, in 3.13.0, the newest release, and on
      // the project's main branch, four in 3.12.0), the request or block is sent once, at line
      // 312, before the loop that waits for its ACK (lines 315-375); a receive timeout there
      // (the catch at lines 367-370) only counts towards setMaxTimeouts and waits again, and an
      // ACK for the previous block, which an RFC 1350 server repeats when the next block does
      // not come, is dropped (discardPackets(), line 357) without sending anything. So once a DATA frame is lost,
      // neither side ever sends what the other waits for, until the client gives up with
      // "Connection timed out.". receiveFile, above, does get through loss: the server repeats
      // its DATA on its own timer, and the client answers a repeat of the previous block with
      // its last ACK again (lines 195-199). (Its RRQ, too, is sent once, at line 143: that the
      // first frames pass is fixed by the network's seed, before any timing can vary.)
      java.util.concurrent.CompletableFuture<Void> cleared = new java.util.concurrent.CompletableFuture<>();
      net.loop().execute(() -> { // the network's own thread owns the links
        client.nic("eth0").link().clearFaults();
        server.nic("eth0").link().clearFaults();
        cleared.complete(null);
      });
      cleared.get(10, java.util.concurrent.TimeUnit.SECONDS);
      c.sendFile("put.bin", TFTP.BINARY_MODE, new ByteArrayInputStream(put), InetAddress.getByName(SERVER), 69);
    } finally {
      c.close();
    }
    for (int i = 0; i < 100 && !tftp.files.containsKey("put.bin"); i++) {
      Thread.sleep(50);
    }
    assertArrayEquals(put, tftp.files.get("put.bin"));
    driver.close();
    driver = null;
    // the loss was real (all of it during the get: the put ran without): frames were dropped
    // on the cables, and the server's timer sent blocks again
    assertTrue(net.trace().drops(Layer.LINK).size() > 0, "frames dropped on the cables");
    assertTrue(tftp.retransmissions.get() > 0, "blocks the server sent again");
  }

  @Test
  void dnsAnswersGetThroughLoss() throws Exception {
    SimDnsResponder dns = new SimDnsResponder(server, SERVER, 53);
    driver = new SimDriver(net);
    JdgramUdpIoClient udp = new JdgramUdpIoClient(local ->
        clientSocket(local.getAddress().isAnyLocalAddress() ? new InetSocketAddress(CLIENT, 0) : local));
    SimpleResolver simple = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(SERVER), 53));
    TcpIoClient tcp = new DefaultIoClientFactory().createOrGetTcpClient();
    simple.setIoClientFactory(new IoClientFactory() {
      @Override
      public TcpIoClient createOrGetTcpClient() {
        return tcp; // never used: no answer here is truncated (the simulation has no TCP)
      }

      @Override
      public UdpIoClient createOrGetUdpClient() {
        return udp;
      }
    });
    simple.setTimeout(Duration.ofMillis(400));
    // dnsjava retransmits through ExtendedResolver: a lost question or answer is asked again
    ExtendedResolver resolver = new ExtendedResolver(List.of(simple));
    resolver.setRetries(10);
    resolver.setTimeout(Duration.ofSeconds(30));
    int names = 100;
    for (int n = 1; n <= names; n++) {
      Name name = Name.fromString("host-" + n + ".example.test.");
      Message answer = resolver.send(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)));
      List<Record> records = answer.getSection(Section.ANSWER);
      assertEquals(1, records.size(), name.toString());
      assertEquals(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) n}),
          ((ARecord) records.get(0)).getAddress());
    }
    driver.close();
    driver = null;
    int lost = net.trace().drops(Layer.LINK).size();
    assertTrue(lost > 0, "with 5% loss over 200+ frames, some were dropped");
    assertTrue(udp.exchanges.get() > names, "dnsjava asked again after losses: " + udp.exchanges.get() + " exchanges");
    assertTrue(dns.questions.get() >= names);
  }
}
