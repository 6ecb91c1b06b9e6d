package dev.jdgram.examples.ssdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.examples.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSDP-style discovery on 239.255.255.250, pinned to 127.0.0.1 with TTL 0 on every side
 * (socat's ip-multicast-if and ip-add-membership options, the examples' MulticastScope): no
 * datagram leaves the loopback interface. Ports are the kernel's choice, never 1900.
 */
@Timeout(120)
class SsdpTest {
  private static final String TYPE = "urn:schemas-upnp-org:device:Basic:1";
  private static final String USN = "uuid:5d1c3b2a-0000-4000-8000-000000000001::" + TYPE;
  private static final String LOCATION = "http://127.0.0.1:8080/description.xml";

  @TempDir Path tmp;

  @Test
  void answersAnMSearchSentBySocat() throws Exception {
    Tools.need("socat", "socat");
    try (SsdpService service = new SsdpService(MulticastScope.loopback(0), TYPE, USN, LOCATION,
        60_000)) {
      int port = service.start().orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS).join();
      Path search = tmp.resolve("m-search");
      Files.writeString(search, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:" + port
          + "\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n");
      // socat sends stdin to the group out of 127.0.0.1, then (-t) keeps printing what comes
      // back to its socket for 4 s: the answer, sent within MX = 1 s.
      Tools.Result r = Tools.run(List.of("socat", "-t", "4", "-",
          "UDP4-DATAGRAM:239.255.255.250:" + port
              + ",ip-multicast-if=127.0.0.1,ip-multicast-ttl=0"), search);
      assertEquals(0, r.exit(), r.output());
      SsdpMessage answer = SsdpMessage.parse(r.output().getBytes());
      assertTrue(answer != null && answer.isSearchResponse(), r.output());
      assertEquals(TYPE, answer.header("ST"));
      assertEquals(USN, answer.header("USN"));
      assertEquals(LOCATION, answer.header("LOCATION"));
      assertTrue(r.output().contains("\r\n\r\n"), "not HTTPU: " + r.output());
    }
  }

  @Test
  void socatHearsTheNotifications() throws Exception {
    Tools.need("socat", "socat");
    int port = Tools.freeUdpPort();
    // socat joins the group on 127.0.0.1 and prints every datagram; -T 3 ends it 3 s after
    // the last one (the byebye).
    Process socat = new ProcessBuilder("socat", "-u", "-T", "3",
        "UDP4-RECV:" + port + ",bind=239.255.255.250,reuseaddr,"
            + "ip-add-membership=239.255.255.250:127.0.0.1", "STDOUT")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("socat.out").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Tools.WAIT_SECONDS);
      while (!Tools.udpPortBound(port) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(Tools.udpPortBound(port), "socat did not bind " + port);
      SsdpService service = new SsdpService(MulticastScope.loopback(port), TYPE, USN, LOCATION,
          200);
      assertEquals(port, service.start().orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS).join());
      Thread.sleep(1000); // the first alive and a few repeats
      service.close();
      assertTrue(socat.waitFor(Tools.WAIT_SECONDS, TimeUnit.SECONDS), "socat still running");
    } finally {
      socat.destroyForcibly();
    }
    String out = Files.readString(tmp.resolve("socat.out"));
    assertTrue(out.startsWith("NOTIFY * HTTP/1.1\r\n"), out);
    assertTrue(out.contains("NTS: ssdp:alive\r\n"), out);
    assertTrue(out.contains("USN: " + USN + "\r\n"), out);
    assertTrue(out.contains("HOST: 239.255.255.250:" + port + "\r\n"), out);
    assertTrue(out.split("NTS: ssdp:alive").length > 2, "alive not repeated: " + out);
    assertTrue(out.strip().endsWith("NTS: ssdp:byebye\r\nUSN: " + USN), out);
  }

  @Test
  void searchFindsTheServiceAndOnlyForItsType() throws Exception {
    try (SsdpService service = new SsdpService(MulticastScope.loopback(0), TYPE, USN, LOCATION,
        60_000)) {
      int port = service.start().orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS).join();
      List<SsdpMessage> found = SsdpSearch.search(MulticastScope.loopback(port), TYPE, 1500)
          .orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS).join();
      assertEquals(1, found.size(), found::toString);
      assertEquals(USN, found.getFirst().header("usn"));
      List<SsdpMessage> none = SsdpSearch.search(MulticastScope.loopback(port),
          "urn:schemas-upnp-org:device:Printer:1", 1200).orTimeout(Tools.WAIT_SECONDS,
              TimeUnit.SECONDS).join();
      assertEquals(List.of(), none);
    }
  }
}
