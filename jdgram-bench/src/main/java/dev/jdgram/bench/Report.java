package dev.jdgram.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The suite's table, ratios, goals, machine facts: as console text, Markdown and SVG. */
final class Report {
  static final List<String> COLUMNS = List.of("c", "c-recvfrom", "c-cmsg", "c-lean", "c-lean-ttl", "c-lean-tos", "c-lean-ts", "c-gso", "netty-epoll", "netty-nio", "netty-io_uring", "jdk", "node",
      "jdgram-linux-copy", "jdgram-linux-view", "jdgram-linux-lean", "jdgram-linux-lean-ttl", "jdgram-linux-lean-tos", "jdgram-linux-lean-ts", "jdgram-linux-batch", "jdgram-linux-mmsg", "jdgram-nio-copy",
      "jdgram-nio-view", "jdgram-nio-batch");
  static final Map<String, String> LABEL = Map.ofEntries(Map.entry("c", "C"), Map.entry("c-recvfrom", "C recvfrom"),
      Map.entry("c-cmsg", "C as jdgram"), Map.entry("c-lean", "C as jdgram, no pktinfo"),
      Map.entry("c-lean-ttl", "C … + IP_RECVTTL"), Map.entry("c-lean-tos", "C … + IP_RECVTOS"),
      Map.entry("c-lean-ts", "C … + SO_TIMESTAMPNS"),
      Map.entry("c-gso", "C GSO"), Map.entry("netty-epoll", "Netty epoll"), Map.entry("netty-nio", "Netty NIO"),
      Map.entry("netty-io_uring", "Netty io_uring"),
      Map.entry("jdk", "JDK"), Map.entry("node", "Node"), Map.entry("jdgram-linux-copy", "jdgram linux"),
      Map.entry("jdgram-linux-view", "jdgram linux zero-copy"), Map.entry("jdgram-linux-lean", "jdgram linux zero-copy, no pktinfo"),
      Map.entry("jdgram-linux-lean-ttl", "… + recvTtl"), Map.entry("jdgram-linux-lean-tos", "… + recvTos"),
      Map.entry("jdgram-linux-lean-ts", "… + recvTimestamp"),
      Map.entry("jdgram-linux-batch", "jdgram linux batch(GSO)"),
      Map.entry("jdgram-linux-mmsg", "jdgram linux batch(mmsg)"), Map.entry("jdgram-nio-copy", "jdgram nio"),
      Map.entry("jdgram-nio-view", "jdgram nio zero-copy"), Map.entry("jdgram-nio-batch", "jdgram nio batch"));
  static final List<String> PEERS = List.of("c", "c-gso", "netty-epoll", "netty-nio", "netty-io_uring", "jdk", "node");

  /** A table row: a field of a workload's samples. */
  record Row(String label, String workload, String field, String unit, boolean higherBetter, boolean ratio) {}

  static final List<Row> ROWS = List.of(
      new Row("rx-64 datagrams/s", "rx-64", "value", "/s", true, true),
      new Row("rx-64 datagrams per receiver CPU-s", "rx-64", "perCpu", "/s", true, true),
      new Row("rx-64 receiver CPU %", "rx-64", "cpu", "%", false, false),
      new Row("rx-64 kernel drops/s", "rx-64", "drops", "/s", false, false),
      new Row("rx-1400 datagrams/s", "rx-1400", "value", "/s", true, true),
      new Row("rx-1400 datagrams per receiver CPU-s", "rx-1400", "perCpu", "/s", true, true),
      new Row("rx-1400 MB/s", "rx-1400", "MBps", "MB/s", true, false),
      new Row("rx-1400 receiver CPU %", "rx-1400", "cpu", "%", false, false),
      new Row("tx-64 sent/s", "tx-64", "value", "/s", true, true),
      new Row("tx-64 sent per sender CPU-s", "tx-64", "perCpu", "/s", true, true),
      new Row("tx-64 sender CPU %", "tx-64", "cpu", "%", false, false),
      new Row("tx-64 received at sink/s", "tx-64", "received", "/s", true, true),
      new Row("pingpong p50 us", "pingpong", "value", "us", false, true),
      new Row("pingpong p99 us", "pingpong", "p99", "us", false, true),
      new Row("pingpong p99.9 us", "pingpong", "p999", "us", false, true),
      new Row("echo-pipelined round trips/s", "echo-pipelined", "value", "/s", true, true),
      new Row("alloc rx-64 B/datagram", "rx-64", "alloc", "B", false, false),
      new Row("alloc tx-64 B/datagram", "tx-64", "alloc", "B", false, false),
      new Row("alloc rx-64 B/datagram, long warm-up", "alloc-rx", "alloc", "B", false, false),
      new Row("alloc tx-64 B/datagram, long warm-up", "alloc-tx", "alloc", "B", false, false),
      new Row("multicast-fanout deliveries/s", "multicast-fanout", "value", "/s", true, true),
      new Row("multicast-fanout deliveries per receiver CPU-s", "multicast-fanout", "perCpu", "/s", true, true),
      new Row("multicast-fanout receiver CPU %", "multicast-fanout", "cpu", "%", false, false),
      new Row("multicast-fanout kernel drops/s", "multicast-fanout", "drops", "/s", false, false),
      new Row("many-sockets datagrams/s", "many-sockets", "value", "/s", true, false),
      new Row("many-sockets heap B/socket", "many-sockets", "heapPerSocket", "B", false, false));

  record Stat(double median, double min, double max, int n) {}

  final Suite suite;

  Report(Suite suite) {
    this.suite = suite;
  }

  Stat stat(String workload, String sys, String field) {
    var bySys = suite.results.get(workload);
    if (bySys == null || !bySys.containsKey(sys)) {
      return null;
    }
    List<Double> v = new ArrayList<>();
    for (Map<String, Double> s : bySys.get(sys)) {
      if (s.containsKey(field)) {
        v.add(s.get(field));
      }
    }
    if (v.isEmpty()) {
      return null;
    }
    v.sort(null);
    int n = v.size();
    double med = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    return new Stat(med, v.get(0), v.get(n - 1), n);
  }

  List<String> columns() {
    List<String> c = new ArrayList<>();
    for (String col : COLUMNS) {
      for (var m : suite.results.values()) {
        if (m.containsKey(col)) {
          c.add(col);
          break;
        }
      }
    }
    return c;
  }

  List<Row> rows() {
    List<Row> r = new ArrayList<>();
    for (Row row : ROWS) {
      for (String col : COLUMNS) {
        if (stat(row.workload, col, row.field) != null) {
          r.add(row);
          break;
        }
      }
    }
    return r;
  }

  static String num(double v, String unit) {
    if (unit.equals("/s")) {
      if (v >= 1e6) {
        return String.format(Locale.ROOT, "%.2fM", v / 1e6);
      }
      if (v >= 1e3) {
        return String.format(Locale.ROOT, "%.0fk", v / 1e3);
      }
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (unit.equals("us") || unit.equals("B") && v < 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  String cell(Row row, String col, boolean range) {
    Stat s = stat(row.workload, col, row.field);
    if (s == null) {
      return "-";
    }
    String m = num(s.median, row.unit);
    return range && s.n > 1 ? m + " (" + num(s.min, row.unit) + "–" + num(s.max, row.unit) + ")" : m;
  }

  /** jdgram/peer on the medians; for latencies too (lower is better there). */
  Double ratio(Row row, String jd, String peer) {
    Stat a = stat(row.workload, jd, row.field);
    Stat b = stat(row.workload, peer, row.field);
    if (a == null || b == null || b.median == 0) {
      return null;
    }
    return a.median / b.median;
  }

  List<String[]> ratioRows() {
    List<String[]> out = new ArrayList<>();
    for (Row row : rows()) {
      if (!row.ratio) {
        continue;
      }
      for (String jd : columns()) {
        if (!jd.startsWith("jdgram") || stat(row.workload, jd, row.field) == null) {
          continue;
        }
        String[] r = new String[PEERS.size() + 1];
        r[0] = row.label + " — " + LABEL.get(jd);
        boolean any = false;
        for (int k = 0; k < PEERS.size(); k++) {
          Double q = ratio(row, jd, PEERS.get(k));
          r[k + 1] = q == null ? "-" : String.format(Locale.ROOT, "%.2f", q);
          any |= q != null;
        }
        if (any) {
          out.add(r);
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ performance goals

  record Goal(String text, String measured, String holds) {}

  Goal ratioGoal(String text, String wl, String field, String jd, String peer, double target, boolean atLeast) {
    Stat a = stat(wl, jd, field);
    Stat b = stat(wl, peer, field);
    if (a == null || b == null || b.median == 0) {
      return new Goal(text, "not measured", "not measured");
    }
    double q = a.median / b.median;
    boolean ok = atLeast ? q >= target : q <= target;
    if (field.equals("value")) {
      Stat ac = stat(wl, jd, "perCpu");
      Stat bc = stat(wl, peer, "perCpu");
      if (ac != null && bc != null && bc.median > 0) {
        double qc = ac.median / bc.median;
        boolean okc = atLeast ? qc >= target : qc <= target;
        return new Goal(text, String.format(Locale.ROOT, "%.2f (per CPU-s %.2f)", q, qc),
            (ok ? "yes" : "no") + " (per CPU-s: " + (okc ? "yes" : "no") + ")");
      }
    }
    return new Goal(text, String.format(Locale.ROOT, "%.2f", q), ok ? "yes" : "no");
  }

  Goal valueGoal(String text, String wl, String field, String jd, double target) {
    Stat a = stat(wl, jd, field);
    if (a == null) {
      return new Goal(text, "not measured", "not measured");
    }
    return new Goal(text, String.format(Locale.ROOT, "%.1f", a.median), a.median <= target ? "yes" : "no");
  }

  List<Goal> goals() {
    List<Goal> g = new ArrayList<>();
    g.add(ratioGoal("rx-64 onMessage ≥ 0.85 × C recvmmsg", "rx-64", "value", "jdgram-linux-copy", "c", 0.85, true));
    g.add(ratioGoal("rx-64 onMessage ≥ 1.20 × Netty epoll", "rx-64", "value", "jdgram-linux-copy", "netty-epoll", 1.20, true));
    g.add(ratioGoal("rx-64 zero-copy ≥ 0.95 × C recvmmsg", "rx-64", "value", "jdgram-linux-view", "c", 0.95, true));
    g.add(ratioGoal("rx-64 zero-copy, packetInfo(false) ≥ 0.95 × C", "rx-64", "value", "jdgram-linux-lean", "c", 0.95, true));
    for (String f : List.of("ttl", "tos", "ts")) {
      String col = "jdgram-linux-lean-" + f;
      if (stat("rx-64", col, "value") != null) { // --meta: each fact costs at most 5%, and no allocation
        g.add(ratioGoal("rx-64 zero-copy with " + LABEL.get(col).substring(4) + " ≥ 0.95 × without", "rx-64", "value", col,
            "jdgram-linux-lean", 0.95, true));
        g.add(valueGoal("alloc: zero-copy with " + LABEL.get(col).substring(4) + " 0 B/datagram (< 1)", "rx-64", "alloc", col, 1.0));
        // not a goal of jdgram's: the same fact's cost to a C receiver, the kernel's share of it
        g.add(ratioGoal("  (for reference: C with " + LABEL.get("c-lean-" + f).substring(6) + " ≥ 0.95 × without)", "rx-64",
            "value", "c-lean-" + f, "c-lean", 0.95, true));
      }
    }
    g.add(ratioGoal("rx-64 onMessage ≥ 3.5 × Node", "rx-64", "value", "jdgram-linux-copy", "node", 3.5, true));
    g.add(ratioGoal("rx-64 zero-copy ≥ 3.5 × Node", "rx-64", "value", "jdgram-linux-view", "node", 3.5, true));
    g.add(ratioGoal("rx-1400 onMessage ≥ 0.90 × C", "rx-1400", "value", "jdgram-linux-copy", "c", 0.90, true));
    g.add(ratioGoal("rx-1400 zero-copy ≥ 0.90 × C", "rx-1400", "value", "jdgram-linux-view", "c", 0.90, true));
    g.add(ratioGoal("rx-1400 zero-copy, packetInfo(false) ≥ 0.90 × C", "rx-1400", "value", "jdgram-linux-lean", "c", 0.90, true));
    g.add(ratioGoal("tx-64 send(byte[]) ≥ 0.95 × C sendmmsg", "tx-64", "value", "jdgram-linux-copy", "c", 0.95, true));
    g.add(ratioGoal("tx-64 send(byte[]) ≥ 1.10 × Netty epoll", "tx-64", "value", "jdgram-linux-copy", "netty-epoll", 1.10, true));
    g.add(ratioGoal("tx-64 batch (sendmmsg) ≥ 0.95 × C sendmmsg", "tx-64", "value", "jdgram-linux-mmsg", "c", 0.95, true));
    g.add(ratioGoal("tx-64 batch (GSO) ≥ 0.90 × C GSO blaster", "tx-64", "value", "jdgram-linux-batch", "c-gso", 0.90, true));
    g.add(ratioGoal("pingpong p50 ≤ 1.10 × C", "pingpong", "value", "jdgram-linux-copy", "c", 1.10, false));
    g.add(ratioGoal("pingpong p99 ≤ 1.20 × C", "pingpong", "p99", "jdgram-linux-copy", "c", 1.20, false));
    g.add(ratioGoal("pingpong p50 < Netty epoll", "pingpong", "value", "jdgram-linux-copy", "netty-epoll", 1.0, false));
    g.add(ratioGoal("pingpong p99 < Netty epoll", "pingpong", "p99", "jdgram-linux-copy", "netty-epoll", 1.0, false));
    g.add(ratioGoal("pingpong p50 < Node", "pingpong", "value", "jdgram-linux-copy", "node", 1.0, false));
    g.add(ratioGoal("pingpong p99 < Node", "pingpong", "p99", "jdgram-linux-copy", "node", 1.0, false));
    // the tail of the copying path (onMessage), on both transports: the median of the runs' p99.9
    g.add(ratioGoal("pingpong p99.9 onMessage ≤ 1.5 × C (linux)", "pingpong", "p999", "jdgram-linux-copy", "c", 1.5, false));
    g.add(ratioGoal("pingpong p99.9 onMessage ≤ 1.5 × C (nio)", "pingpong", "p999", "jdgram-nio-copy", "c", 1.5, false));
    String arx = stat("alloc-rx", "jdgram-linux-view", "alloc") != null ? "alloc-rx" : "rx-64";
    String atx = stat("alloc-tx", "jdgram-linux-batch", "alloc") != null ? "alloc-tx" : "tx-64";
    String lw = arx.equals("alloc-rx") ? ", long warm-up" : "";
    g.add(valueGoal("alloc: zero-copy receive 0 B/datagram (< 1)" + lw, arx, "alloc", "jdgram-linux-view", 1.0));
    g.add(valueGoal("alloc: batch send (GSO) 0 B/datagram (< 1)" + lw, atx, "alloc", "jdgram-linux-batch", 1.0));
    g.add(valueGoal("alloc: batch send (sendmmsg) 0 B/datagram (< 1)" + lw, atx, "alloc", "jdgram-linux-mmsg", 1.0));
    g.add(valueGoal("alloc: onMessage ≤ the array (80 B for 64 B)" + lw, arx, "alloc", "jdgram-linux-copy", 80.0));
    g.add(valueGoal("alloc: send(byte[]) ≤ 16 B/datagram" + lw, atx, "alloc", "jdgram-linux-copy", 16.0));
    g.add(valueGoal("many-sockets < 2 KiB heap per idle socket", "many-sockets", "heapPerSocket", "jdgram-linux-view", 2048));
    g.add(ratioGoal("rx-64 DatagramSocket adapter on a virtual thread ≥ 1.20 × JDK DatagramSocket on one", "rx-64",
        "value", "jdgram-compat-vt", "jdk-socket-vt", 1.20, true));
    g.add(ratioGoal("nio transport rx-64 onMessage ≥ JDK loop", "rx-64", "value", "jdgram-nio-copy", "jdk", 1.0, true));
    g.add(ratioGoal("nio transport rx-64 zero-copy ≥ JDK loop", "rx-64", "value", "jdgram-nio-view", "jdk", 1.0, true));
    g.add(ratioGoal("nio transport tx-64 send ≥ JDK loop", "tx-64", "value", "jdgram-nio-copy", "jdk", 1.0, true));
    // docs/benchmark-method.md sets no target for multicast-fanout: the ratios to C and Netty epoll, as figures
    Goal fc = ratioGoal("", "multicast-fanout", "value", "jdgram-linux-copy", "c", 0, true);
    Goal fn = ratioGoal("", "multicast-fanout", "value", "jdgram-linux-copy", "netty-epoll", 0, true);
    g.add(new Goal("multicast-fanout onMessage (no target set): × C, × Netty epoll",
        fc.measured() + ", " + fn.measured(), fc.measured().equals("not measured") ? "not measured" : "figure only"));
    return g;
  }

  // ------------------------------------------------------------------ machine facts

  static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("?");
    } catch (Exception e) {
      return "not found";
    }
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  List<String[]> facts() {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"date", Suite.now()});
    f.add(new String[] {"mode", suite.mode + ": " + suite.runs + " runs per figure, warm-up " + suite.warmupMs
        + " ms, window " + suite.windowMs + " ms, ping " + suite.pingWarm + "+" + suite.pingCount + " round trips"});
    f.add(new String[] {"cores", Runtime.getRuntime().availableProcessors() + " (" + cpuModel() + ")"});
    f.add(new String[] {"pinning", suite.taskset ? "receiver / echo server: taskset -c 1; sender / blaster / client: taskset -c 0"
        : "none (no taskset)"});
    f.add(new String[] {"load average (1, 5, 15 min)", "at the start " + suite.loadAtStart + "; at the end " + Suite.loadAverage()});
    f.add(new String[] {"kernel", System.getProperty("os.name") + " " + System.getProperty("os.version")});
    f.add(new String[] {"JDK", Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
        + System.getProperty("java.vendor") + "); peers: -XX:+UseSerialGC -Xmx512m"});
    String nodeV = suite.node == null ? "not found" : run(suite.node, "--version");
    f.add(new String[] {"Node.js", nodeV});
    String netty = io.netty.util.Version.identify().getOrDefault("netty-transport-native-epoll",
        io.netty.util.Version.identify().values().stream().findFirst().orElse(null)) + "";
    f.add(new String[] {"Netty", netty.replaceAll("^netty-[a-z-]+-", "")});
    f.add(new String[] {"gcc", suite.cbin == null ? "not used" : run("gcc", "-dumpfullversion")});
    return f;
  }

  // ------------------------------------------------------------------ renderings

  String console() {
    StringBuilder b = new StringBuilder();
    List<String> cols = columns();
    b.append("Medians (").append(suite.runs).append(" runs); min–max in docs/benchmarks.md\n");
    table(b, cols, false, false);
    b.append("\nRatios jdgram/peer (medians; for pingpong rows lower is better, elsewhere higher)\n");
    ratioTable(b, false);
    b.append("\nPerformance goals, linux transport unless said\n");
    for (Goal g : goals()) {
      b.append(String.format(Locale.ROOT, "  %-48s %-26s %s%n", g.text, g.measured, g.holds));
    }
    for (String n : suite.notes) {
      b.append("note: ").append(n).append('\n');
    }
    return b.toString();
  }

  /** The receive batch sweep (--recv-batch): jdgram linux at each size against C recvmmsg, rx-64 and rx-1400. */
  String sweep() {
    StringBuilder b = new StringBuilder();
    b.append("Receive batch sweep: medians (min–max) of ").append(suite.runs).append(" runs; per CPU-s = datagrams per ")
        .append("CPU-second of the receiver process; (×C) = ratio to the C recvmmsg receiver's median in the same run\n\n");
    b.append("| workload | path | recvBatch | datagrams/s | ×C | per CPU-s | ×C | CPU % |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String wl : List.of("rx-64", "rx-1400")) {
      if (!suite.results.containsKey(wl)) {
        continue;
      }
      Stat c = stat(wl, "c", "value"), cc = stat(wl, "c", "perCpu");
      b.append(sweepLine(wl, "C recvmmsg", "64", "c", c, cc));
      for (String v : List.of("copy", "view")) {
        for (int n : suite.recvBatches) {
          b.append(sweepLine(wl, v.equals("copy") ? "onMessage" : "onDatagram", "" + n, "jdgram-linux-" + v + "-b" + n, c, cc));
        }
      }
    }
    return b.toString();
  }

  private String sweepLine(String wl, String path, String n, String sys, Stat c, Stat cc) {
    Stat r = stat(wl, sys, "value"), p = stat(wl, sys, "perCpu"), cpu = stat(wl, sys, "cpu");
    return "| " + wl + " | " + path + " | " + n + " | " + range(r) + " | " + q(r, c) + " | " + range(p) + " | " + q(p, cc)
        + " | " + (cpu == null ? "-" : String.format(Locale.ROOT, "%.0f", cpu.median)) + " |\n";
  }

  private static String range(Stat s) {
    return s == null ? "-" : num(s.median, "/s") + " (" + num(s.min, "/s") + "–" + num(s.max, "/s") + ")";
  }

  private static String q(Stat a, Stat b) {
    return a == null || b == null || b.median == 0 ? "-" : String.format(Locale.ROOT, "%.2f", a.median / b.median);
  }

  void table(StringBuilder b, List<String> cols, boolean md, boolean range) {
    List<String[]> rows = new ArrayList<>();
    String[] head = new String[cols.size() + 1];
    head[0] = "workload";
    for (int k = 0; k < cols.size(); k++) {
      head[k + 1] = LABEL.get(cols.get(k));
    }
    rows.add(head);
    for (Row r : rows()) {
      String[] line = new String[cols.size() + 1];
      line[0] = r.label;
      for (int k = 0; k < cols.size(); k++) {
        line[k + 1] = cell(r, cols.get(k), range);
      }
      rows.add(line);
    }
    render(b, rows, md);
  }

  void ratioTable(StringBuilder b, boolean md) {
    List<String[]> rows = new ArrayList<>();
    String[] head = new String[PEERS.size() + 1];
    head[0] = "jdgram / peer";
    for (int k = 0; k < PEERS.size(); k++) {
      head[k + 1] = "/" + LABEL.get(PEERS.get(k));
    }
    rows.add(head);
    rows.addAll(ratioRows());
    render(b, rows, md);
  }

  static void render(StringBuilder b, List<String[]> rows, boolean md) {
    int n = rows.get(0).length;
    int[] w = new int[n];
    for (String[] r : rows) {
      for (int k = 0; k < n; k++) {
        w[k] = Math.max(w[k], r[k].length());
      }
    }
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      StringBuilder line = new StringBuilder(md ? "| " : "");
      for (int k = 0; k < n; k++) {
        String c = r[k];
        line.append(k == 0 ? pad(c, w[k], false) : pad(c, w[k], true));
        line.append(md ? " | " : "  ");
      }
      b.append(line.toString().stripTrailing()).append('\n');
      if (md && i == 0) {
        b.append('|');
        for (int k = 0; k < n; k++) {
          b.append(k == 0 ? " --- |" : " ---: |");
        }
        b.append('\n');
      }
    }
  }

  static String pad(String s, int w, boolean right) {
    String p = " ".repeat(Math.max(0, w - s.length()));
    return right ? p + s : s + p;
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# jdgram benchmarks\n\n");
    b.append("Written by `bin/jdgram-bench ").append(suite.mode.equals("quick") ? "--quick" : "--full")
        .append("` (module `jdgram-bench`; method in [benchmark-method.md](benchmark-method.md), goals and limits in ")
        .append("[performance.md](performance.md)). Every peer runs in its own process; the receiver (or echo server) ")
        .append("is pinned to core 1, the sender (GSO blaster, ping client) to core 0. Each cell is the median of ")
        .append(suite.runs).append(" runs with min–max. The machine has 2 cores: runs differ by ±20% or more ")
        .append("(more when other work runs; the load averages before and after the run are in the table below), ")
        .append("so read the ratios of one run, not absolute figures.\n\n");
    b.append("![ratios](benchmarks.svg)\n\n");
    b.append("## Machine\n\n| fact | value |\n| --- | --- |\n");
    for (String[] f : facts()) {
      b.append("| ").append(f[0]).append(" | ").append(f[1].replace("|", "/")).append(" |\n");
    }
    b.append("\n## Figures (median (min–max))\n\n");
    table(b, columns(), true, true);
    b.append("\nColumns: **C** is the C `recvmmsg` receiver (rx), the `sendmmsg` sender (tx), the blocking ")
        .append("`recvfrom`/`sendto` echo server and ping client (pingpong, echo-pipelined); **C recvfrom** a ")
        .append("one-datagram-per-call receiver; **C as jdgram** the `recvmmsg` receiver with jdgram linux's socket set-up ")
        .append("of an `onDatagram` listener (16 per call, `IP_PKTINFO` on, a control buffer per message); **C GSO** the `UDP_SEGMENT` sender. rx workloads are driven by the C ")
        .append("GSO blaster (64 datagrams per `sendmsg`). tx-64 floods a C `recvmmsg` sink from a socket connected to it (every sender, as the C one; the kernel then skips a route lookup per datagram); *sent/s* is what the ")
        .append("sender handed to the kernel (Netty: written to the channel), *received at sink/s* what arrived. ")
        .append("**jdgram linux / nio** is `onMessage(byte[])` on receive and `send(byte[])` one datagram at a time ")
        .append("on send; **zero-copy** is `onDatagram`; **zero-copy, no pktinfo** the same on a socket made with `SocketOptions.packetInfo(false)` (no `IP_PKTINFO`: the datagram's destination and interface unknown); **batch(GSO)** is `send(DatagramBatch)` with 64 datagrams of ")
        .append("one size (one `UDP_SEGMENT` sendmsg); **batch(mmsg)** the same with 64/65-byte datagrams alternating, ")
        .append("which takes the `sendmmsg` path. In pingpong and echo-pipelined the zero-copy columns are an ")
        .append("`onDatagram` echo server answering with `send(ByteBuffer)`. echo-pipelined: a C client keeps 64 ")
        .append("datagrams in flight against the system's echo server. alloc: bytes the JVM allocated on the loop ")
        .append("(I/O) thread per datagram in the window (`ThreadMXBean.getThreadAllocatedBytes`); the *long warm-up* rows measure it ")
        .append("after ").append(suite.allocWarmupMs).append(" ms of traffic (JIT-compiled hot paths): zero-copy and ")
        .append("onMessage receive under the GSO blaster, batch sends into a C sink. many-sockets: ")
        .append(suite.sockets).append(" jdgram sockets on one loop, a C `sendmmsg` sender spraying over all ports; ")
        .append("heap per socket after binding, after GC. multicast-fanout: ").append(suite.members)
        .append(" members of one group (239.255.x.y, a new group and port each run) in the system's process, all on ")
        .append("one thread, each bound to the group's address and port with address reuse and joined on 127.0.0.1; ")
        .append("the sender is the C `UDP_SEGMENT` sender (64 datagrams of 64 B per `sendmsg`, `IP_MULTICAST_IF` ")
        .append("127.0.0.1, loop on, TTL 1) for every column; the figure is the deliveries summed over all members.\n");
    b.append("\n## Ratios jdgram/peer (medians)\n\nHigher is better except the pingpong rows (latency: lower is better).\n\n");
    ratioTable(b, true);
    b.append("\n## Performance goals on this run\n\n| goal | measured | holds |\n| --- | ---: | --- |\n");
    for (Goal g : goals()) {
      b.append("| ").append(g.text).append(" | ").append(g.measured).append(" | ").append(g.holds).append(" |\n");
    }
    b.append("\nJMH micro-benchmarks (`bin/jdgram-jmh`) are not part of this table: see their section below, written by hand.\n");
    if (!suite.notes.isEmpty()) {
      b.append("\nNotes:\n\n");
      for (String n : suite.notes) {
        b.append("- ").append(n).append('\n');
      }
    }
    return b.toString();
  }

  /** A horizontal bar chart of speed ratios jdgram/peer (latencies inverted: peer/jdgram). */
  String svg() {
    record Bar(String label, String peer, double v) {}
    List<Bar> bars = new ArrayList<>();
    List<String> peers = List.of("c", "c-gso", "netty-epoll", "jdk", "node");
    for (Row row : rows()) {
      if (!row.ratio || row.field.equals("p999") || row.label.startsWith("tx-64 received")) {
        continue;
      }
      for (String jd : List.of("jdgram-linux-copy", "jdgram-linux-view", "jdgram-linux-batch", "jdgram-linux-mmsg")) {
        for (String p : peers) {
          if (p.equals("c-gso") && !jd.equals("jdgram-linux-batch")) {
            continue;
          }
          Double q = ratio(row, jd, p);
          if (q != null && q > 0) {
            bars.add(new Bar(row.label.replace(" datagrams/s", "").replace(" round trips/s", "") + " · "
                + LABEL.get(jd).replace("jdgram ", "") + " vs " + LABEL.get(p), p, row.higherBetter ? q : 1 / q));
          }
        }
      }
    }
    int rowH = 18, left = 380, width = 900, chart = width - left - 60, top = 60;
    double max = Math.max(2.0, Math.min(6.0, bars.stream().mapToDouble(Bar::v).max().orElse(1)));
    int height = top + bars.size() * rowH + 50;
    Map<String, String> color = Map.of("c", "#4e79a7", "c-gso", "#76b7b2", "netty-epoll", "#f28e2b", "jdk", "#59a14f",
        "node", "#e15759");
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
        width, height));
    s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    s.append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">jdgram (linux transport) speed relative to each peer</text>\n");
    s.append("<text x=\"10\" y=\"38\">ratio of medians, ").append(esc(suite.mode)).append(" run of ")
        .append(esc(Suite.now())).append("; &gt; 1 = jdgram faster (pingpong: peer RTT / jdgram RTT); bars capped at ")
        .append(String.format(Locale.ROOT, "%.1f", max)).append("</text>\n");
    for (int k = 0; k < bars.size(); k++) {
      Bar bar = bars.get(k);
      int y = top + k * rowH;
      double w = Math.min(bar.v, max) / max * chart;
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", left - 6, y + 12,
          esc(bar.label)));
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", left, y + 2,
          w, rowH - 4, color.getOrDefault(bar.peer, "#999")));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2f</text>%n", left + w + 4, y + 12, bar.v));
    }
    double one = left + 1.0 / max * chart;
    s.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-dasharray=\"4,3\"/>%n", one, top - 4, one,
        top + bars.size() * rowH));
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">1.0 = parity</text>%n", one,
        top + bars.size() * rowH + 16));
    s.append("</svg>\n");
    return s.toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
