package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.io.DefaultIoClientFactory;
import org.xbill.DNS.io.IoClientFactory;
import org.xbill.DNS.io.TcpIoClient;
import org.xbill.DNS.io.UdpIoClient;

/**
 * dnsjava's SimpleResolver with its UDP exchanges on jdgram, asking dnsmasq, started here in the
 * foreground on a loopback port with static records and no upstream ({@code --no-resolv
 * --no-hosts}: it answers only what it is given). One answer is too big for UDP: dnsmasq sets
 * TC, and dnsjava asks again over TCP (its own TCP client).
 */
class DnsTest {
  /** Enough TXT records of ~50 bytes to pass 4096 bytes, the largest EDNS size in use. */
  private static final int BIG_TXT_RECORDS = 120;

  @TempDir Path dir;
  private Daemon dnsmasq;
  private int port;

  @BeforeEach
  void startServer() throws Exception {
    String exe = Daemon.require("dnsmasq", "dnsmasq-base");
    for (int attempt = 0; attempt < 5; attempt++) {
      port = Daemon.freePort();
      List<String> cmd = new ArrayList<>(List.of(exe, "--keep-in-foreground", "--conf-file=/dev/null",
          "--no-resolv", "--no-hosts", "--port=" + port, "--listen-address=127.0.0.1",
          "--bind-interfaces", "--pid-file=", "--user=" + System.getProperty("user.name"),
          "--host-record=www.example.test,192.0.2.10"));
      for (int i = 0; i < BIG_TXT_RECORDS; i++) {
        cmd.add("--txt-record=big.example.test,record " + i + " of a set too big for one datagram");
      }
      dnsmasq = Daemon.start(dir, "dnsmasq", cmd);
      Thread.sleep(500);
      if (dnsmasq.isAlive()) {
        return;
      }
      dnsmasq.close();
    }
    throw new IllegalStateException("dnsmasq did not start: " + dnsmasq.log());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (dnsmasq != null) {
      dnsmasq.close();
    }
  }

  private SimpleResolver resolver(JdgramUdpIoClient udp) {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    r.setTimeout(Duration.ofSeconds(5));
    TcpIoClient tcp = new DefaultIoClientFactory().createOrGetTcpClient();
    r.setIoClientFactory(new IoClientFactory() {
      @Override
      public TcpIoClient createOrGetTcpClient() {
        return tcp;
      }

      @Override
      public UdpIoClient createOrGetUdpClient() {
        return udp;
      }
    });
    return r;
  }

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  @Test
  void resolvesARecordOverJdgram() throws Exception {
    JdgramUdpIoClient udp = new JdgramUdpIoClient();
    Message answer = resolver(udp).send(query("www.example.test.", Type.A));
    assertEquals(Rcode.NOERROR, answer.getRcode(), "server log: " + dnsmasq.log());
    List<Record> records = answer.getSection(Section.ANSWER);
    assertEquals(1, records.size());
    assertEquals(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 10}), ((ARecord) records.get(0)).getAddress());
    assertEquals(1, udp.exchanges.get(), "the question went over jdgram");
    assertEquals(0, udp.truncated.get());
  }

  @Test
  void aTruncatedAnswerFallsBackToTcp() throws Exception {
    JdgramUdpIoClient udp = new JdgramUdpIoClient();
    Message answer = resolver(udp).send(query("big.example.test.", Type.TXT));
    assertEquals(Rcode.NOERROR, answer.getRcode(), "server log: " + dnsmasq.log());
    assertTrue(!answer.getHeader().getFlag(Flags.TC), "the final answer is whole");
    Set<String> texts = new HashSet<>();
    for (Record r : answer.getSection(Section.ANSWER)) {
      texts.add(((TXTRecord) r).getStrings().get(0));
    }
    assertEquals(BIG_TXT_RECORDS, texts.size());
    assertTrue(texts.contains("record 7 of a set too big for one datagram"));
    assertEquals(1, udp.exchanges.get(), "asked over jdgram first");
    assertEquals(1, udp.truncated.get(), "the UDP answer was truncated, so dnsjava went on to TCP");
  }

  @Test
  void manyQueriesAtOnce() throws Exception {
    JdgramUdpIoClient udp = new JdgramUdpIoClient();
    SimpleResolver r = resolver(udp);
    List<java.util.concurrent.CompletableFuture<Message>> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      answers.add(r.sendAsync(query("www.example.test.", Type.A)).toCompletableFuture());
    }
    for (var f : answers) {
      Message m = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(1, m.getSection(Section.ANSWER).size());
    }
    assertTrue(udp.exchanges.get() >= 50);
  }
}
