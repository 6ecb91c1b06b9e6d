package dev.jdgram.sim;

import static dev.jdgram.sim.SimFixtures.MS10;
import static dev.jdgram.sim.SimFixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.DgramSocket;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Captures: frames with valid checksums, pcap that tshark reads. */
@Timeout(30)
class SimCaptureTest {
  @TempDir
  Path dir;

  /** IGMPv2, IGMPv3, MLD, UDP over IPv4 and IPv6 on one LAN. */
  static Capture busyLan(SimNetwork net) {
    Lan lan = net.lan("lan0");
    Capture cap = lan.capture();
    Host a = net.host("a");
    Nic na = a.nic("eth0", lan, "10.0.0.1/24", "fd00::1/64");
    a.route("224.0.0.0/4", na);
    Host b = net.host("b");
    Nic nb = b.nic("eth0", lan, "10.0.0.2/24", "fd00::2/64");
    b.route("224.0.0.0/4", nb);
    DgramSocket r4 = b.socket("udp4");
    r4.bind(5000);
    DgramSocket r6 = dev.jdgram.Dgram.createSocket(b.options("udp6").ipv6Only(true)); // else [::]:5000 clashes with 0.0.0.0:5000
    r6.bind(5000);
    net.runFor(MS10);
    r4.addMembership("239.1.1.1");
    r4.addSourceSpecificMembership("10.0.0.1", "232.1.1.1");
    r6.addMembership("ff15::1234");
    DgramSocket t4 = a.socket("udp4");
    t4.send(b("unicast"), 5000, "10.0.0.2");
    t4.send(b("group"), 5000, "239.1.1.1");
    t4.send(b("odd"), 5000, "10.0.0.2", null);
    DgramSocket t6 = a.socket("udp6");
    t6.send(b("six"), 5000, "fd00::2");
    t6.send(b("group6"), 5000, "ff15::1234");
    net.runFor(MS10);
    r4.dropMembership("239.1.1.1");
    r6.dropMembership("ff15::1234");
    net.runFor(MS10);
    t4.send(b("closed port"), 5999, "10.0.0.2"); // answered by ICMP port unreachable
    net.runFor(MS10);
    return cap;
  }

  static int sum(byte[] b, int off, int len, long init) {
    long s = init;
    for (int i = 0; i + 1 < len; i += 2) {
      s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      s += (b[off + len - 1] & 0xff) << 8;
    }
    while ((s >>> 16) != 0) {
      s = (s & 0xffff) + (s >>> 16);
    }
    return (int) s;
  }

  @Test
  void framesCarryValidChecksums() {
    try (SimNetwork net = SimNetwork.create(1)) {
      Capture cap = busyLan(net);
      List<String> kinds = new ArrayList<>();
      for (byte[] f : cap.frames()) {
        int type = ((f[12] & 0xff) << 8) | (f[13] & 0xff);
        if (type == 0x0800) {
          int ihl = (f[14] & 0x0f) * 4;
          assertEquals(0xffff, sum(f, 14, ihl, 0), "IPv4 header checksum");
          int proto = f[14 + 9] & 0xff;
          int l4 = 14 + ihl;
          int len = f.length - l4;
          if (proto == 17) {
            long pseudo = sum(f, 14 + 12, 8, 0) + 17 + len;
            assertEquals(0xffff, sum(f, l4, len, pseudo), "UDP checksum");
            kinds.add("udp4");
          } else if (proto == 1) {
            assertEquals(0xffff, sum(f, l4, len, 0), "ICMP checksum");
            kinds.add("icmp" + (f[l4] & 0xff));
          } else {
            assertEquals(2, proto);
            assertEquals(0xffff, sum(f, l4, len, 0), "IGMP checksum");
            kinds.add("igmp" + Integer.toHexString(f[l4] & 0xff));
          }
        } else {
          assertEquals(0x86dd, type);
          int nh = f[14 + 6] & 0xff;
          int l4 = 14 + 40 + (nh == 0 ? 8 : 0);
          int proto = nh == 0 ? f[54] & 0xff : nh;
          int len = f.length - l4;
          long pseudo = sum(f, 14 + 8, 32, 0) + proto + len;
          assertEquals(0xffff, sum(f, l4, len, pseudo), "UDP/ICMPv6 checksum over IPv6");
          kinds.add(proto == 17 ? "udp6" : "mld" + (f[l4] & 0xff));
        }
      }
      assertEquals(List.of("igmp16", "igmp22", "mld131", "udp4", "udp4", "udp4", "udp6", "udp6", "igmp17", "mld132", "udp4", "icmp3"), kinds);
    }
  }

  @Test
  void tsharkReadsThePcap() throws Exception {
    Path pcap = dir.resolve("lan0.pcap");
    try (SimNetwork net = SimNetwork.create(1)) {
      busyLan(net).writePcap(pcap);
    }
    assertTrue(Files.size(pcap) > 24);
    String tshark = findTshark();
    Assumptions.assumeTrue(tshark != null, "tshark is not installed: the pcap is checked in Java only");
    Process p = new ProcessBuilder(tshark, "-n", "-r", pcap.toString(),
        "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-T", "fields", "-e", "frame.protocols", "-e", "_ws.expert.message")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // stderr: tshark's warnings
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "tshark finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().toList();
    assertEquals(12, lines.size(), out);
    assertTrue(lines.get(11).startsWith("eth:ethertype:ip:icmp:ip:udp"), out);
    assertTrue(lines.get(0).startsWith("eth:ethertype:ip:igmp"), out);
    assertTrue(lines.get(2).contains("icmpv6"), out);
    assertTrue(lines.get(3).startsWith("eth:ethertype:ip:udp"), out);
    assertFalse(out.toLowerCase().contains("bad"), out);
    assertFalse(out.toLowerCase().contains("malformed"), out);
  }

  static String findTshark() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(d, "tshark");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
