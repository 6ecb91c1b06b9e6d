package dev.jdgram.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SimDemoTest {
  @Test
  void theMulticastAcrossARouterStoryPlaysOut() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ok = SimDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(ok, out);
    assertTrue(out.contains("IGMPv2 report 239.255.42.99 on eth0"), out);
    assertTrue(out.contains("member of 239.255.42.99 on eth1: 10.2.0.1"), out);
    assertTrue(out.contains("onto eth1 (members learned there), ttl 2 -> 1"), out);
    assertTrue(out.contains("message \"hello, group\" from 10.1.0.1"), out);
    assertTrue(out.contains("no members of 239.255.42.99 learned on any other link"), out);
  }
}
