package dev.jdgram.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdgram.netns.NetLab.Ns;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Per-datagram metadata and ICMP errors on a real routed network of namespaces (docs/metadata.md):
 * <pre>
 *   a .71.2 ---+                                        +--- b .72.2
 *              [brA] --- r0 .71.1  router  r1 .72.1 --- [brB]
 *   near .71.3 +                  (r1: MTU 1280)
 * </pre>
 * Every address is in 10.200.0.0/16, inside namespaces this test makes and deletes.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class MetadataTopologyTest {
  private static final long ARRIVE = 5_000;

  private NetLab lab;
  private Ns router;
  private AgentProcess a;
  private AgentProcess near;
  private AgentProcess b;

  @BeforeAll
  static void requireNamespaces() {
    String reason = NetLab.skipReason();
    assumeTrue(reason == null, () -> "skipped: " + reason);
  }

  @BeforeEach
  void routedNetwork(TestInfo info) throws IOException {
    NetLab.assertRootClean();
    lab = new NetLab(info.getDisplayName());
    Ns brA = lab.bridge("brA");
    Ns brB = lab.bridge("brB");
    Ns r = lab.router("router");
    router = r;
    Ns an = lab.host("a");
    Ns nn = lab.host("near");
    Ns bn = lab.host("b");
    lab.link(r, "r0", brA, "10.200.71.1/24", null);
    lab.link(r, "r1", brB, "10.200.72.1/24", null);
    lab.link(an, "eth0", brA, "10.200.71.2/24", null);
    lab.link(nn, "eth0", brA, "10.200.71.3/24", null);
    lab.link(bn, "eth0", brB, "10.200.72.2/24", null);
    lab.ip(an, "route", "add", "default", "via", "10.200.71.1");
    lab.ip(nn, "route", "add", "default", "via", "10.200.71.1");
    lab.ip(bn, "route", "add", "default", "via", "10.200.72.1");
    lab.ip(r, "link", "set", "r1", "mtu", "1280"); // the narrow WAN side
    NetLab.assertRootClean();
    List<AgentProcess> agents = lab.agents(an, nn, bn);
    a = agents.get(0);
    near = agents.get(1);
    b = agents.get(2);
    a.ok("open t udp4 meta");
    a.ok("bind t 0 0.0.0.0");
    for (AgentProcess h : List.of(near, b)) {
      h.ok("open r udp4 meta");
      h.ok("bind r 5007 0.0.0.0");
    }
  }

  @AfterEach
  void deleteLab() throws IOException {
    if (lab != null) {
      lab.close();
    }
    assertEquals(List.of(), NetLab.leftovers(), "namespaces left behind");
    NetLab.assertRootClean();
  }

  @Test
  void theTtlIsOneLessBehindTheRouterAndTosAndEcnCrossItUnchanged() throws Exception {
    a.ok("send t 10.200.71.3 5007 lan");
    a.ok("send t 10.200.72.2 5007 wan");
    assertEquals(64, near.awaitMsg("r", "lan", ARRIVE).ttl());
    assertEquals(63, b.awaitMsg("r", "wan", ARRIVE).ttl());
    a.ok("sendo t 10.200.72.2 5007 marked tos=0xb9 ttl=9");
    AgentProcess.Msg m = b.awaitMsg("r", "marked", ARRIVE);
    assertEquals(0xb9, m.tos(), "DSCP EF and ECT(1), as sent");
    assertEquals(8, m.ttl(), "the datagram's own TTL, one less behind the router");
  }

  @Test
  void aDontFragmentDatagramOverTheWansMtuComesBackWithTheMtu() throws Exception {
    a.ok("df t 1");
    a.ok("sendn t 10.200.72.2 5007 1400"); // fits a's own link (1500): the router cannot forward it
    String icmp = a.await(l -> l.startsWith("icmp t "), ARRIVE, "an ICMP error on a");
    assertTrue(icmp.contains(" addr=10.200.72.2 port=5007 "), icmp);
    assertTrue(icmp.contains(" code=EMSGSIZE type=3 icode=4 "), icmp); // fragmentation needed
    assertTrue(icmp.contains(" reporter=10.200.71.1 "), icmp);
    assertTrue(icmp.endsWith(" mtu=1280"), icmp);
    assertEquals(List.of(), b.texts("r"), "nothing crossed");
    // The kernel now knows the path MTU: the next one fails at once, and smaller ones pass.
    String again = a.cmd("sendn t 10.200.72.2 5007 1400");
    assertTrue(again.startsWith("err EMSGSIZE"), again);
    a.ok("sendn t 10.200.72.2 5007 1200");
    b.await(l -> l.startsWith("msg r ") && l.contains(" size=1200 "), ARRIVE, "the 1200-byte datagram");
  }

  /**
   * The router is a multi-homed host: asked on its far address (.72.1) through its near
   * interface, it answers from the address asked, chosen per datagram, where the route alone
   * would pick the near interface's address (.71.1).
   */
  @Test
  void aMultiHomedHostAnswersFromTheAddressEachRequestWasSentTo() throws Exception {
    AgentProcess srv = lab.agents(router).getFirst();
    srv.ok("open s udp4");
    srv.ok("bind s 5008 0.0.0.0");
    srv.ok("mode s replyvia");
    a.ok("send t 10.200.72.1 5008 far");
    a.ok("send t 10.200.71.1 5008 near");
    assertEquals("10.200.72.1", a.awaitMsg("t", "re:far", ARRIVE).from());
    assertEquals("10.200.71.1", a.awaitMsg("t", "re:near", ARRIVE).from());
    AgentProcess.Msg asked = srv.awaitMsg("s", "far", ARRIVE);
    assertEquals("10.200.72.1", asked.to(), "IP_PKTINFO told where it was sent");
  }

  @Test
  void aClosedPortOfAnotherHostIsTheUnconnectedSendersEvent() throws Exception {
    a.ok("send t 10.200.72.2 5999 nobody");
    String icmp = a.await(l -> l.startsWith("icmp t "), ARRIVE, "an ICMP error on a");
    assertTrue(icmp.contains(" addr=10.200.72.2 port=5999 code=ECONNREFUSED type=3 icode=3 reporter=10.200.72.2 "), icmp);
    assertTrue(a.matching(l -> l.startsWith("error t ")).isEmpty(), "told once, as the event: " + a);
  }
}
