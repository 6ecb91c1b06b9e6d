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
      // The put runs without loss: Commons Net's sendFile does not send a DATA block again when
      // its ACK does not come (it only waits again, and drops the server's repeated earlier
      // ACK), so one lost DATA frame stops a put with any server. receiveFile, above, does
      // recover: it repeats its last ACK on a timeout.
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
    assertTrue(net.trace().drops(Layer.LINK).size() + tftp.retransmissions.get() > 0,
        "the loss was real: some frames were dropped on the cables");
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
