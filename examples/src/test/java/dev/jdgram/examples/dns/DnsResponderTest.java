package dev.jdgram.examples.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.examples.Tools;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DNS responder asked by dig (bind9-dnsutils) at 127.0.0.1 on a port of its own. dig is
 * given the server as a literal, so nothing asks the machine's resolver.
 */
@Timeout(120)
class DnsResponderTest {
  private DnsResponder server;
  private int port;

  @BeforeEach
  void start() {
    Zone zone = new Zone("example.test")
        .a("@", 300, "192.0.2.1")
        .a("www", 300, "192.0.2.10")
        .a("www", 300, "192.0.2.11")
        .aaaa("www", 300, "2001:db8::10")
        .txt("@", 60, "v=spf1 -all")
        .txt("info", 120, "hello from jdgram", "second string");
    // Four 200-byte TXT records: more than 512 bytes, less than the EDNS limit of 1232.
    for (int i = 0; i < 4; i++) {
      zone.txt("big", 60, String.valueOf(i).repeat(200));
    }
    server = new DnsResponder(zone);
    port = server.listen(0, "127.0.0.1").orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS).join()
        .port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** dig with bounded retries; {@code +tries=3} because a busy machine may be slow to answer. */
  private String dig(String... args) throws Exception {
    Tools.need("dig", "bind9-dnsutils");
    List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p",
        String.valueOf(port), "+time=5", "+tries=3"));
    cmd.addAll(List.of(args));
    return Tools.check(cmd.toArray(String[]::new));
  }

  private static List<String> lines(String output) {
    return output.lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
  }

  @Test
  void aRecords() throws Exception {
    assertEquals(List.of("192.0.2.10", "192.0.2.11"), lines(dig("+short", "www.example.test",
        "A")));
    assertEquals(List.of("192.0.2.1"), lines(dig("+short", "EXAMPLE.test", "A")));
  }

  @Test
  void aaaaRecord() throws Exception {
    assertEquals(List.of("2001:db8::10"), lines(dig("+short", "www.example.test", "AAAA")));
  }

  @Test
  void txtRecordsWithTtlAndTheAuthoritativeFlag() throws Exception {
    String out = dig("+noall", "+answer", "+comments", "info.example.test", "TXT");
    assertTrue(out.contains("status: NOERROR"), out);
    assertTrue(out.matches("(?s).*flags: qr aa rd;.*"), out);
    assertTrue(out.matches("(?s).*info\\.example\\.test\\.\\s+120\\s+IN\\s+TXT\\s+"
        + "\"hello from jdgram\" \"second string\".*"), out);
    assertEquals(List.of("\"v=spf1 -all\""), lines(dig("+short", "example.test", "TXT")));
  }

  @Test
  void unknownNameIsNxdomainAndMissingTypeIsEmpty() throws Exception {
    String nx = dig("+noall", "+comments", "nosuch.example.test", "A");
    assertTrue(nx.contains("status: NXDOMAIN"), nx);
    String nodata = dig("+noall", "+comments", "+answer", "info.example.test", "A");
    assertTrue(nodata.contains("status: NOERROR"), nodata);
    assertTrue(nodata.contains("ANSWER: 0,"), nodata);
  }

  @Test
  void outsideTheZoneIsRefused() throws Exception {
    String out = dig("+noall", "+comments", "www.example.org", "A");
    assertTrue(out.contains("status: REFUSED"), out);
  }

  @Test
  void anAnswerTooLongForClassicDnsIsTruncatedAndFitsWithEdns() throws Exception {
    // +ignore: dig would otherwise retry over TCP, which this server does not speak.
    String classic = dig("+noedns", "+ignore", "+noall", "+comments", "big.example.test", "TXT");
    assertTrue(classic.matches("(?s).*flags: qr aa tc rd;.*"), classic);
    assertTrue(classic.contains("ANSWER: 0,"), classic);
    String edns = dig("+noall", "+comments", "+answer", "big.example.test", "TXT");
    assertTrue(edns.contains("ANSWER: 4,"), edns);
    assertTrue(edns.contains("udp: 1232"), edns);
  }

  @Test
  void withoutEdnsToo() throws Exception {
    String out = dig("+noedns", "+noall", "+answer", "+comments", "www.example.test", "AAAA");
    assertTrue(out.contains("status: NOERROR"), out);
    assertTrue(out.contains("2001:db8::10"), out);
    assertTrue(!out.contains("OPT PSEUDOSECTION"), out);
  }
}
