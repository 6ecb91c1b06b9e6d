package dev.jdgram.sim;

import dev.jdgram.DgramSocket;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Multicast across a router, as a story on a simulated LAN and WAN, printed step by step with the layer
 * of each step: a member joins a group, its IGMP report goes on the wire, the router learns the
 * member, a datagram to the group is forwarded onto the member's link and not onto another, and
 * after the leave the router stops forwarding. For {@code jdgram demo --sim}.
 */
public final class SimDemo {
  /** The group the story uses. */
  public static final String GROUP = "239.255.42.99";
  /** The port the member listens on (the one Node's documentation uses in its examples). */
  public static final int PORT = 41234;

  private SimDemo() {}

  /** Plays the story with seed 1 on standard output. */
  public static void main(String[] args) {
    run(System.out, args.length > 0 ? Long.parseLong(args[0]) : 1);
  }

  /**
   * Plays the story.
   *
   * @param out where the lines go
   * @param seed the network's seed
   * @return true if every step happened as described above
   */
  public static boolean run(PrintStream out, long seed) {
    try (SimNetwork net = SimNetwork.create(seed)) {
      Lan lan1 = net.lan("lan1");
      Lan lan2 = net.lan("lan2");
      Lan lan3 = net.lan("lan3");
      Host r = net.router("router");
      r.nic("eth0", lan1, "10.1.0.254/24");
      Nic toMember = r.nic("eth1", lan2, "10.2.0.254/24");
      r.nic("eth2", lan3, "10.3.0.254/24");
      Host sender = net.host("sender");
      sender.nic("eth0", lan1, "10.1.0.1/24");
      sender.defaultRoute("10.1.0.254");
      Host member = net.host("member");
      member.nic("eth0", lan2, "10.2.0.1/24");
      member.defaultRoute("10.2.0.254");
      Host other = net.host("other");
      other.nic("eth0", lan3, "10.3.0.1/24");
      other.defaultRoute("10.3.0.254");
      Capture wire2 = lan2.capture();
      Capture wire3 = lan3.capture();

      out.println("== simulated network (seed " + seed + ") ==");
      out.println("  lan1 10.1.0.0/24: sender 10.1.0.1, router eth0 10.1.0.254");
      out.println("  lan2 10.2.0.0/24: member 10.2.0.1, router eth1 10.2.0.254");
      out.println("  lan3 10.3.0.0/24: other  10.3.0.1, router eth2 10.3.0.254");
      net.trace().listen(e -> {
        if (!e.action().equals("tx") && !e.action().equals("rx") && !e.action().equals("bind")) {
          out.println(String.format(Locale.ROOT, "  %9.3fms %-6s %-8s %-7s %s", e.timeMicros() / 1000.0, e.layer(), e.node(), e.action(), e.detail()));
        }
      });
      int[] got = new int[1];

      out.println("== 1. the member binds " + PORT + " and joins " + GROUP + " (IP_ADD_MEMBERSHIP) ==");
      DgramSocket m = member.socket("udp4");
      m.onMessage((msg, rinfo) -> {
        got[0]++;
        out.println("  APP    member   message \"" + new String(msg, StandardCharsets.UTF_8) + "\" from " + rinfo.address() + ":" + rinfo.port());
      });
      m.bind(PORT);
      DgramSocket other1 = other.socket("udp4");
      other1.bind(PORT);
      net.runFor(Duration.ofMillis(1));
      m.addMembership(GROUP);
      net.runFor(Duration.ofMillis(1));
      boolean learned = r.learnedGroups(toMember).containsKey(GROUP);
      out.println("  => router's groups on eth1: " + r.learnedGroups(toMember) + "; member's MAC filter: " + member.nic("eth0").macFilter().keySet());

      out.println("== 2. the sender sends to " + GROUP + " with multicast TTL 2 ==");
      DgramSocket s = sender.socket("udp4");
      s.bind(0);
      net.runFor(Duration.ofMillis(1));
      s.setMulticastTTL(2);
      s.send("hello, group".getBytes(StandardCharsets.UTF_8), PORT, GROUP);
      net.runFor(Duration.ofMillis(1));
      boolean delivered = got[0] == 1;
      boolean notOnLan3 = wire3.tags().stream().noneMatch(t -> t.startsWith("d"));
      out.println("  => frames with datagrams on lan2: " + wire2.tags().stream().filter(t -> t.startsWith("d")).count()
          + ", on lan3: " + wire3.tags().stream().filter(t -> t.startsWith("d")).count());

      out.println("== 3. the member leaves; the router stops forwarding ==");
      m.dropMembership(GROUP);
      net.runFor(Duration.ofMillis(1));
      s.send("anyone?".getBytes(StandardCharsets.UTF_8), PORT, GROUP);
      net.runFor(Duration.ofMillis(1));
      boolean stopped = got[0] == 1 && !r.learnedGroups(toMember).containsKey(GROUP);
      net.trace().listen(null);
      boolean ok = learned && delivered && notOnLan3 && stopped;
      out.println("== " + (ok ? "done" : "UNEXPECTED: see the steps above") + " ==");
      return ok;
    }
  }
}
