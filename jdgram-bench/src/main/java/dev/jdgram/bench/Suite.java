package dev.jdgram.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * jdgram's benchmark suite (docs/benchmark-method.md): every peer in its own process, both ends
 * of a flow pinned to different cores, each figure the median of several runs with min and max,
 * printed as a table with the ratios jdgram/peer and written to docs/benchmarks.md and
 * docs/benchmarks.svg.
 *
 * <pre>
 * java -cp jdgram-bench.jar:lib/* dev.jdgram.bench.Suite [--quick|--full] [--runs N]
 *     [--systems c,jdgram,netty,netty-uring,jdk,node,compat]
 *     [--workloads rx-64,rx-1400,tx-64,pingpong,echo-pipelined,many-sockets,multicast-fanout,alloc]
 *     [--window MS] [--warmup MS] [--ping N] [--sockets N] [--members N] [--docs DIR | --no-docs]
 * </pre>
 */
public final class Suite {
  // ------------------------------------------------------------------ configuration
  int runs = 3;
  int warmupMs = 1500;
  int windowMs = 3000;
  int pingWarm = 30000; // long enough for C2 to finish: a compile in the window stalls a pinned peer for a tick (docs/performance.md)
  int pingCount = 20000;
  int sockets = 10000;
  String mode = "full";
  Set<String> families = new LinkedHashSet<>(List.of("c", "jdgram", "netty", "netty-uring", "jdk", "node", "compat"));
  List<String> workloads = new ArrayList<>(List.of("rx-64", "rx-1400", "tx-64", "pingpong", "echo-pipelined", "many-sockets",
      "multicast-fanout", "alloc"));
  /** Members of the group in multicast-fanout (docs/benchmark-method.md: 8). */
  int members = 8;
  Path docs;
  /** Extra JVM arguments for every jdgram peer (e.g. -Djdgram.linux.recvBatch=64, -XX:StartFlightRecording=...). */
  final List<String> jdgramJvm = new ArrayList<>();
  /** Receive batch sizes to sweep: the rx workloads then run jdgram linux at each of them (and C). */
  List<Integer> recvBatches;
  /** Warm-up of the alloc workload: long, so that the JIT has compiled (and scalar-replaced) the hot paths. */
  int allocWarmupMs = 8000;
  /** The rx workloads also run the lean receiver with each per-datagram fact (TTL, TOS, timestamp) on. */
  boolean meta;

  // ------------------------------------------------------------------ environment
  final String java = ProcessHandle.current().info().command().orElse("java");
  final String classpath = System.getProperty("java.class.path");
  Path work;
  String cbin; // null: no gcc
  String node; // null: no node
  boolean taskset;
  final List<Process> live = new CopyOnWriteArrayList<>();

  // ------------------------------------------------------------------ results
  /** workload row -> system -> samples */
  final Map<String, Map<String, List<Map<String, Double>>>> results = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();
  int step;
  int steps;
  long started = System.nanoTime();
  /** The 1-minute load average when the suite started: other work on the machine shows here. */
  final String loadAtStart = loadAverage();

  /** @return /proc/loadavg's 1-, 5- and 15-minute figures, or "unknown" */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  public static void main(String[] args) throws Exception {
    Suite s = new Suite();
    s.parse(args);
    int rc = s.runAll();
    System.exit(rc);
  }

  void parse(String[] args) {
    for (int k = 0; k < args.length; k++) {
      String a = args[k];
      switch (a) {
        case "--quick" -> {
          mode = "quick";
          runs = 3;
          warmupMs = 400;
          windowMs = 600;
          pingWarm = 1000;
          pingCount = 3000;
          sockets = 1000;
          allocWarmupMs = 3000;
          workloads = new ArrayList<>(List.of("rx-64", "tx-64", "pingpong"));
        }
        case "--full" -> mode = "full";
        case "--runs" -> runs = Integer.parseInt(args[++k]);
        case "--warmup" -> warmupMs = Integer.parseInt(args[++k]);
        case "--window" -> windowMs = Integer.parseInt(args[++k]);
        case "--ping" -> pingCount = Integer.parseInt(args[++k]);
        case "--ping-warmup" -> pingWarm = Integer.parseInt(args[++k]);
        case "--sockets" -> sockets = Integer.parseInt(args[++k]);
        case "--members" -> members = Integer.parseInt(args[++k]);
        case "--systems" -> families = new LinkedHashSet<>(Arrays.asList(args[++k].split(",")));
        case "--workloads" -> workloads = new ArrayList<>(Arrays.asList(args[++k].split(",")));
        case "--docs" -> docs = Path.of(args[++k]);
        case "--no-docs" -> docs = null;
        case "--jdgram-jvm" -> jdgramJvm.add(args[++k]);
        case "--recv-batch" -> recvBatches = Arrays.stream(args[++k].split(",")).map(Integer::valueOf).toList();
        case "--alloc-warmup" -> allocWarmupMs = Integer.parseInt(args[++k]);
        case "--meta" -> meta = true;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
  }

  // ------------------------------------------------------------------ systems per workload

  record Sys(String name, String family, List<String> server, List<String> client) {}

  List<String> javaCmd(String transport, String... args) {
    return javaCmd(transport, List.of(), args);
  }

  /** A Peer JVM; {@code transport} non-null: a jdgram peer, which also gets {@link #jdgramJvm} and {@code extra}. */
  List<String> javaCmd(String transport, List<String> extra, String... args) {
    List<String> c = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx512m",
        "-XX:+UseSerialGC", "-Djdk.net.hosts.file=" + work.resolve("hosts"), "-cp", classpath));
    if (transport != null) {
      c.add("-Djdgram.transport=" + transport);
      c.addAll(jdgramJvm);
      c.addAll(extra);
    }
    c.add("dev.jdgram.bench.Peer");
    c.addAll(List.of(args));
    return c;
  }

  List<String> nodeCmd(String... args) {
    List<String> c = new ArrayList<>(List.of(node, work.resolve("peer.js").toString()));
    c.addAll(List.of(args));
    return c;
  }

  List<String> cCmd(String... args) {
    List<String> c = new ArrayList<>(List.of(cbin));
    c.addAll(List.of(args));
    return c;
  }

  boolean has(String family) {
    if (!families.contains(family)) {
      return false;
    }
    return switch (family) {
      case "c" -> cbin != null;
      case "node" -> node != null;
      default -> true;
    };
  }

  /** The receivers of rx-*: name -> command for "rx PORT WARMUP WINDOW". */
  List<Sys> receivers(String port) {
    String w = "" + warmupMs, win = "" + windowMs;
    List<Sys> l = new ArrayList<>();
    if (has("c")) {
      l.add(new Sys("c", "c", cCmd("rx-mmsg", port, w, win), null));
      l.add(new Sys("c-recvfrom", "c", cCmd("rx-from", port, w, win), null));
      // the C receiver with jdgram linux's socket set-up (16 per call, IP_PKTINFO, as for onDatagram): the kernel's share
      l.add(new Sys("c-cmsg", "c", cCmd("rx-cmsg", port, w, win), null));
      if (meta) { // the same receiver without IP_PKTINFO, and with each fact on: the kernel's share
        l.add(new Sys("c-lean", "c", cCmd("rx-lean", port, w, win), null));
        for (String f : List.of("ttl", "tos", "ts")) {
          l.add(new Sys("c-lean-" + f, "c", cCmd("rx-" + f, port, w, win), null));
        }
      }
    }
    if (has("netty")) {
      l.add(new Sys("netty-epoll", "netty", javaCmd(null, "netty-epoll", "rx", port, w, win), null));
      l.add(new Sys("netty-nio", "netty", javaCmd(null, "netty-nio", "rx", port, w, win), null));
    }
    if (has("netty-uring")) {
      l.add(new Sys("netty-io_uring", "netty-uring", javaCmd(null, "netty-io_uring", "rx", port, w, win), null));
    }
    if (has("jdk")) {
      l.add(new Sys("jdk", "jdk", javaCmd(null, "jdk", "rx", port, w, win), null));
    }
    if (has("node")) {
      l.add(new Sys("node", "node", nodeCmd("rx", port, w, win), null));
    }
    if (has("compat")) {
      // blocking java.net.DatagramSocket code on a virtual thread: the JDK's socket, and jdgram's adapter
      l.add(new Sys("jdk-socket-vt", "compat", javaCmd(null, "jdk-socket-vt", "rx", port, w, win), null));
      l.add(new Sys("jdgram-compat-vt", "compat", javaCmd("linux", "jdgram-compat-vt", "rx", port, w, win), null));
    }
    if (has("jdgram") && recvBatches != null) {
      // the receive batch sweep: jdgram linux at each batch size, side by side
      for (int n : recvBatches) {
        List<String> prop = List.of("-Djdgram.linux.recvBatch=" + n);
        l.add(new Sys("jdgram-linux-copy-b" + n, "jdgram", javaCmd("linux", prop, "jdgram-copy", "rx", port, w, win), null));
        l.add(new Sys("jdgram-linux-view-b" + n, "jdgram", javaCmd("linux", prop, "jdgram-view", "rx", port, w, win), null));
      }
    } else if (has("jdgram")) {
      for (String t : List.of("linux", "nio")) {
        l.add(new Sys("jdgram-" + t + "-copy", "jdgram", javaCmd(t, "jdgram-copy", "rx", port, w, win), null));
        l.add(new Sys("jdgram-" + t + "-view", "jdgram", javaCmd(t, "jdgram-view", "rx", port, w, win), null));
      }
      // the zero-copy receiver without IP_PKTINFO (SocketOptions.packetInfo(false)): what it costs
      l.add(new Sys("jdgram-linux-lean", "jdgram", javaCmd("linux", "jdgram-lean", "rx", port, w, win), null));
      if (meta) { // and each per-datagram fact asked of the kernel on top of it
        for (String f : List.of("ttl", "tos", "ts")) {
          l.add(new Sys("jdgram-linux-lean-" + f, "jdgram", javaCmd("linux", "jdgram-lean-" + f, "rx", port, w, win), null));
        }
      }
    }
    return l;
  }

  List<Sys> senders(String port, String size) {
    String w = "" + warmupMs, win = "" + windowMs, tail = "1000";
    List<Sys> l = new ArrayList<>();
    if (has("c")) {
      l.add(new Sys("c", "c", null, cCmd("tx-mmsg", port, size, w, win, tail)));
      l.add(new Sys("c-gso", "c", null, cCmd("tx-gso", port, size, w, win, tail)));
    }
    if (has("netty")) {
      l.add(new Sys("netty-epoll", "netty", null, javaCmd(null, "netty-epoll", "tx", port, size, w, win, tail)));
      l.add(new Sys("netty-nio", "netty", null, javaCmd(null, "netty-nio", "tx", port, size, w, win, tail)));
    }
    if (has("netty-uring")) {
      l.add(new Sys("netty-io_uring", "netty-uring", null, javaCmd(null, "netty-io_uring", "tx", port, size, w, win, tail)));
    }
    if (has("jdk")) {
      l.add(new Sys("jdk", "jdk", null, javaCmd(null, "jdk", "tx", port, size, w, win, tail)));
    }
    if (has("node")) {
      l.add(new Sys("node", "node", null, nodeCmd("tx", port, size, w, win, tail)));
    }
    if (has("jdgram")) {
      for (String t : List.of("linux", "nio")) {
        l.add(new Sys("jdgram-" + t + "-copy", "jdgram", null, javaCmd(t, "jdgram-send", "tx", port, size, w, win, tail)));
        l.add(new Sys("jdgram-" + t + "-batch", "jdgram", null, javaCmd(t, "jdgram-batch", "tx", port, size, w, win, tail)));
        if (t.equals("linux")) {
          l.add(new Sys("jdgram-linux-mmsg", "jdgram", null, javaCmd(t, "jdgram-mmsg", "tx", port, size, w, win, tail)));
        }
      }
    }
    return l;
  }

  /** Echo servers (server list) with the same system's ping client (client list). */
  List<Sys> echoes(String port, int durationMs) {
    String d = "" + durationMs, size = "64", pw = "" + pingWarm, pc = "" + pingCount;
    List<Sys> l = new ArrayList<>();
    if (has("c")) {
      l.add(new Sys("c", "c", cCmd("echo", port, d), cCmd("ping", port, size, pw, pc)));
    }
    if (has("netty")) {
      for (String n : List.of("netty-epoll", "netty-nio")) {
        l.add(new Sys(n, "netty", javaCmd(null, n, "echo", port, d), javaCmd(null, n, "ping", port, size, pw, pc)));
      }
    }
    if (has("netty-uring")) {
      String n = "netty-io_uring";
      l.add(new Sys(n, "netty-uring", javaCmd(null, n, "echo", port, d), javaCmd(null, n, "ping", port, size, pw, pc)));
    }
    if (has("jdk")) {
      l.add(new Sys("jdk", "jdk", javaCmd(null, "jdk", "echo", port, d), javaCmd(null, "jdk", "ping", port, size, pw, pc)));
    }
    if (has("node")) {
      l.add(new Sys("node", "node", nodeCmd("echo", port, d), nodeCmd("ping", port, size, pw, pc)));
    }
    if (has("compat")) {
      for (String n : List.of("jdk-socket-vt", "jdgram-compat-vt")) {
        String t = n.startsWith("jdgram") ? "linux" : null;
        l.add(new Sys(n, "compat", javaCmd(t, n, "echo", port, d), javaCmd(t, n, "ping", port, size, pw, pc)));
      }
    }
    if (has("jdgram")) {
      for (String t : List.of("linux", "nio")) {
        for (String v : List.of("copy", "view")) {
          l.add(new Sys("jdgram-" + t + "-" + v, "jdgram", javaCmd(t, "jdgram-" + v, "echo", port, d),
              javaCmd(t, "jdgram-" + v, "ping", port, size, pw, pc)));
        }
      }
    }
    return l;
  }

  /**
   * The group members of multicast-fanout: each system's {@code mc-rx} (MEMBERS sockets of one
   * group in one process, one thread) for "GROUP PORT MEMBERS WARMUP WINDOW".
   */
  List<Sys> fanouts(String group, String port) {
    String w = "" + warmupMs, win = "" + windowMs, n = "" + members;
    List<Sys> l = new ArrayList<>();
    if (has("c")) {
      l.add(new Sys("c", "c", cCmd("mc-rx", group, port, n, w, win), null));
    }
    if (has("netty")) {
      l.add(new Sys("netty-epoll", "netty", javaCmd(null, "netty-epoll", "mc-rx", group, port, n, w, win), null));
      l.add(new Sys("netty-nio", "netty", javaCmd(null, "netty-nio", "mc-rx", group, port, n, w, win), null));
    }
    if (has("netty-uring")) {
      l.add(new Sys("netty-io_uring", "netty-uring", javaCmd(null, "netty-io_uring", "mc-rx", group, port, n, w, win), null));
    }
    if (has("jdk")) {
      l.add(new Sys("jdk", "jdk", javaCmd(null, "jdk", "mc-rx", group, port, n, w, win), null));
    }
    if (has("node")) {
      l.add(new Sys("node", "node", nodeCmd("mc-rx", group, port, n, w, win), null));
    }
    if (has("jdgram")) {
      for (String t : List.of("linux", "nio")) {
        l.add(new Sys("jdgram-" + t + "-copy", "jdgram", javaCmd(t, "jdgram-copy", "mc-rx", group, port, n, w, win), null));
        l.add(new Sys("jdgram-" + t + "-view", "jdgram", javaCmd(t, "jdgram-view", "mc-rx", group, port, n, w, win), null));
      }
    }
    return l;
  }

  // ------------------------------------------------------------------ running

  int runAll() throws Exception {
    Thread hook = new Thread(this::killAll);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      setUp();
      int perRun = 0;
      for (String wl : workloads) {
        perRun += switch (wl) {
          case "rx-64", "rx-1400" -> receivers("0").size();
          case "tx-64" -> senders("0", "64").size();
          case "pingpong", "echo-pipelined" -> echoes("0", 0).size();
          case "many-sockets" -> has("jdgram") && has("c") ? 2 : 0;
          case "multicast-fanout" -> has("c") ? fanouts("g", "0").size() : 0;
          case "alloc" -> has("jdgram") && has("c") ? 4 : 0;
          default -> 0;
        };
      }
      steps = perRun * runs;
      System.out.printf(Locale.ROOT, "jdgram-bench %s: %d runs per figure, warm-up %d ms, window %d ms, %d steps; "
          + "receivers on core 1, senders on core 0%s%n", mode, runs, warmupMs, windowMs, steps,
          taskset ? "" : " (taskset missing: not pinned)");
      for (String wl : workloads) {
        switch (wl) {
          case "rx-64" -> rx(wl, 64);
          case "rx-1400" -> rx(wl, 1400);
          case "tx-64" -> tx(wl, 64);
          case "pingpong" -> pingpong(wl);
          case "echo-pipelined" -> pipelined(wl);
          case "many-sockets" -> many(wl);
          case "multicast-fanout" -> fanout(wl);
          case "alloc" -> alloc(wl);
          default -> System.out.println("unknown workload " + wl + ": skipped");
        }
      }
      Report r = new Report(this);
      String text = recvBatches != null ? r.sweep() : r.console();
      System.out.println();
      System.out.println(text);
      if (docs != null) {
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("benchmarks.md"), r.markdown() + handWritten(docs.resolve("benchmarks.md")));
        Files.writeString(docs.resolve("benchmarks.svg"), r.svg());
        System.out.println("wrote " + docs.resolve("benchmarks.md") + " and " + docs.resolve("benchmarks.svg"));
      }
      return 0;
    } finally {
      killAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down
      }
      deleteWork();
    }
  }

  void setUp() throws Exception {
    work = Files.createTempDirectory("jdgram-bench");
    Files.writeString(work.resolve("hosts"), "127.0.0.1 localhost\n");
    copyResource("peer.js", work.resolve("peer.js"));
    taskset = onPath("taskset");
    if (families.contains("c")) {
      if (onPath("gcc")) {
        Path src = work.resolve("udppeers.c");
        copyResource("udppeers.c", src);
        Path bin = work.resolve("udppeers");
        Process p = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          cbin = bin.toString();
        } else {
          notes.add("gcc failed, C peers skipped: " + out.strip());
        }
      } else {
        notes.add("no gcc on the PATH: C peers skipped");
      }
    }
    if (families.contains("node")) {
      if (onPath("node")) {
        node = "node";
      } else {
        notes.add("no node on the PATH: Node.js peer skipped");
      }
    }
  }

  /** Where the suite's part of docs/benchmarks.md ends; what follows it is written by hand and kept. */
  static final String HAND_WRITTEN = "<!-- Written by hand below this line: bin/jdgram-bench keeps it when it rewrites the file. -->";

  /** The hand-written tail of {@code md} from {@link #HAND_WRITTEN} on, or "" when there is none. */
  static String handWritten(Path md) throws IOException {
    if (!Files.exists(md)) {
      return "";
    }
    String old = Files.readString(md);
    int at = old.indexOf(HAND_WRITTEN);
    return at < 0 ? "" : "\n" + old.substring(at);
  }

  static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, cmd))) {
        return true;
      }
    }
    return false;
  }

  void copyResource(String name, Path to) throws IOException {
    try (InputStream in = Suite.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " missing");
      }
      Files.write(to, in.readAllBytes());
    }
  }

  void deleteWork() {
    if (work == null) {
      return;
    }
    try (var s = Files.walk(work)) {
      s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  void killAll() {
    for (Process p : live) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    live.clear();
  }

  static int freePort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      return s.getLocalPort();
    }
  }

  /** A started peer: its stdout lines in a queue, stderr in a log file. */
  final class Child implements AutoCloseable {
    final Process p;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final String what;

    Child(String what, String core, List<String> cmd) throws IOException {
      this.what = what;
      List<String> full = new ArrayList<>();
      if (taskset && core != null) {
        full.addAll(List.of("taskset", "-c", core));
      }
      full.addAll(cmd);
      ProcessBuilder pb = new ProcessBuilder(full);
      pb.redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("stderr.log").toFile()));
      p = pb.start();
      live.add(p);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // process gone
        }
        lines.add("EOF");
      }, "peer-out");
      t.setDaemon(true);
      t.start();
    }

    /** @return the first line starting with {@code prefix}, or null after {@code ms} or EOF */
    String await(String prefix, long ms) throws InterruptedException {
      long end = System.nanoTime() + ms * 1_000_000L;
      while (true) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        String l = lines.poll(left, TimeUnit.NANOSECONDS);
        if (l == null || l.equals("EOF")) {
          return null;
        }
        if (l.startsWith(prefix)) {
          return l;
        }
      }
    }

    @Override
    public void close() {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      live.remove(p);
    }
  }

  static Map<String, Double> parse(String line) {
    Map<String, Double> m = new HashMap<>();
    if (line == null) {
      return m;
    }
    for (String kv : line.split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        try {
          m.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
        } catch (NumberFormatException e) {
          // error=...
        }
      }
    }
    return m;
  }

  void record(String row, String sys, Map<String, Double> sample) {
    results.computeIfAbsent(row, k -> new LinkedHashMap<>()).computeIfAbsent(sys, k -> new ArrayList<>()).add(sample);
  }

  void progress(String wl, String sys, int run, String figure) {
    step++;
    System.out.printf(Locale.ROOT, "[%3d/%d %4.0fs] %-14s %-20s run %d/%d  %s%n", step, steps,
        (System.nanoTime() - started) / 1e9, wl, sys, run + 1, runs, figure);
    System.out.flush();
  }

  static long[] udpErrors() {
    try {
      List<String> l = Files.readAllLines(Path.of("/proc/net/snmp"));
      for (int k = 0; k + 1 < l.size(); k++) {
        if (l.get(k).startsWith("Udp:") && l.get(k + 1).startsWith("Udp:")) {
          List<String> names = Arrays.asList(l.get(k).split("\\s+"));
          String[] v = l.get(k + 1).split("\\s+");
          return new long[] {Long.parseLong(v[names.indexOf("RcvbufErrors")]), Long.parseLong(v[names.indexOf("InDatagrams")])};
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return new long[] {0, 0};
  }

  long bound() {
    return warmupMs + windowMs + 20_000L;
  }

  // ------------------------------------------------------------------ workloads

  void rx(String wl, int size) throws Exception {
    if (cbin == null) {
      notes.add(wl + ": needs the C GSO blaster (gcc): not measured");
      return;
    }
    for (int run = 0; run < runs; run++) {
      for (Sys s : receivers("0")) {
        int port = freePort();
        Sys sys = receivers("" + port).stream().filter(x -> x.name.equals(s.name)).findFirst().orElseThrow();
        Map<String, Double> res;
        try (Child rcv = new Child(sys.name, "1", sys.server)) {
          if (rcv.await("READY", 30_000) == null) {
            res = Map.of();
          } else {
            long[] e0 = udpErrors();
            long t0 = System.nanoTime();
            int blast = warmupMs + windowMs + 3000;
            try (Child bl = new Child("blaster", "0", cCmd("tx-gso", "" + port, "" + size, "0", "" + blast, "0"))) {
              res = new HashMap<>(parse(rcv.await("RESULT", bound())));
              long[] e1 = udpErrors();
              double secs = (System.nanoTime() - t0) / 1e9;
              res.put("drops", (e1[0] - e0[0]) / secs);
            }
          }
        }
        Map<String, Double> sample = rate(res, size);
        record(wl, sys.name, sample);
        progress(wl, sys.name, run, fmtRate(sample.get("value")) + extras(sample));
      }
    }
  }

  static Map<String, Double> rate(Map<String, Double> res, int size) {
    Map<String, Double> out = new HashMap<>();
    double secs = res.getOrDefault("secs", 0.0);
    double count = res.getOrDefault("count", 0.0);
    out.put("value", secs > 0 ? count / secs : 0.0);
    if (secs > 0) {
      out.put("MBps", res.getOrDefault("bytes", count * size) / secs / 1e6);
      if (res.containsKey("cpu")) {
        out.put("cpu", 100 * res.get("cpu") / secs);
        if (res.get("cpu") > 0.05 * secs) {
          // datagrams per CPU-second of the process under test: robust to other load on its core
          out.put("perCpu", count / res.get("cpu"));
        }
      }
    }
    if (res.containsKey("alloc")) {
      out.put("alloc", res.get("alloc"));
    }
    if (res.containsKey("drops")) {
      out.put("drops", res.get("drops"));
    }
    return out;
  }

  void tx(String wl, int size) throws Exception {
    if (cbin == null) {
      notes.add(wl + ": needs the C recvmmsg sink (gcc): not measured");
      return;
    }
    for (int run = 0; run < runs; run++) {
      for (Sys s : senders("0", "" + size)) {
        int port = freePort();
        Sys sys = senders("" + port, "" + size).stream().filter(x -> x.name.equals(s.name)).findFirst().orElseThrow();
        Map<String, Double> sent = Map.of();
        Map<String, Double> got = Map.of();
        try (Child sink = new Child("sink", "1", cCmd("rx-mmsg", "" + port, "" + warmupMs, "" + windowMs))) {
          if (sink.await("READY", 30_000) != null) {
            try (Child snd = new Child(sys.name, "0", sys.client)) {
              sent = parse(snd.await("RESULT", bound()));
              got = parse(sink.await("RESULT", bound()));
            }
          }
        }
        Map<String, Double> sample = rate(sent, size);
        Map<String, Double> recv = rate(got, size);
        sample.put("received", recv.get("value"));
        record(wl, sys.name, sample);
        progress(wl, sys.name, run, "sent " + fmtRate(sample.get("value")) + ", received " + fmtRate(recv.get("value"))
            + extras(sample));
      }
    }
  }

  void pingpong(String wl) throws Exception {
    for (int run = 0; run < runs; run++) {
      for (Sys s : echoes("0", 0)) {
        int port = freePort();
        Sys sys = echoes("" + port, 90_000).stream().filter(x -> x.name.equals(s.name)).findFirst().orElseThrow();
        Map<String, Double> res = Map.of();
        try (Child srv = new Child(sys.name, "1", sys.server)) {
          if (srv.await("READY", 30_000) != null) {
            try (Child cli = new Child(sys.name + "-ping", "0", sys.client)) {
              res = parse(cli.await("RESULT", 70_000));
            }
          }
        }
        Map<String, Double> sample = new HashMap<>();
        sample.put("value", res.getOrDefault("p50", 0.0));
        sample.put("p99", res.getOrDefault("p99", 0.0));
        sample.put("p999", res.getOrDefault("p999", 0.0));
        record(wl, sys.name, sample);
        progress(wl, sys.name, run, String.format(Locale.ROOT, "p50 %.1f us, p99 %.1f us, p99.9 %.1f us",
            sample.get("value"), sample.get("p99"), sample.get("p999")));
      }
    }
  }

  void pipelined(String wl) throws Exception {
    if (cbin == null) {
      notes.add(wl + ": needs the C pipelined client (gcc): not measured");
      return;
    }
    for (int run = 0; run < runs; run++) {
      for (Sys s : echoes("0", 0)) {
        int port = freePort();
        Sys sys = echoes("" + port, warmupMs + windowMs + 20_000).stream().filter(x -> x.name.equals(s.name)).findFirst()
            .orElseThrow();
        Map<String, Double> res = Map.of();
        try (Child srv = new Child(sys.name, "1", sys.server)) {
          if (srv.await("READY", 30_000) != null) {
            try (Child cli = new Child("pipe", "0", cCmd("pipe", "" + port, "64", "64", "" + warmupMs, "" + windowMs))) {
              res = parse(cli.await("RESULT", bound()));
            }
          }
        }
        Map<String, Double> sample = rate(res, 64);
        sample.remove("MBps");
        record(wl, sys.name, sample);
        progress(wl, sys.name, run, fmtRate(sample.get("value")) + " round trips");
      }
    }
  }

  void many(String wl) throws Exception {
    if (!has("jdgram") || cbin == null) {
      notes.add(wl + ": needs jdgram and the C spray sender: not measured");
      return;
    }
    for (int run = 0; run < runs; run++) {
      for (String t : List.of("linux", "nio")) {
        String name = "jdgram-" + t + "-view";
        Path ports = work.resolve("ports-" + t + ".txt");
        Files.deleteIfExists(ports);
        Map<String, Double> res = Map.of();
        Map<String, Double> heap = Map.of();
        List<String> cmd = javaCmd(t, "jdgram-view", "many", ports.toString(), "" + sockets, "" + warmupMs, "" + windowMs);
        try (Child rcv = new Child(name, "1", cmd)) {
          heap = parse(rcv.await("HEAP", 90_000));
          if (rcv.await("READY", 10_000) != null) {
            int total = warmupMs + windowMs + 3000;
            try (Child sp = new Child("spray", "0", cCmd("spray", ports.toString(), "64", "0", "" + total, "0"))) {
              res = parse(rcv.await("RESULT", bound()));
            }
          }
        }
        Map<String, Double> sample = rate(res, 64);
        sample.put("heapPerSocket", heap.getOrDefault("perSocket", 0.0));
        record(wl, name, sample);
        progress(wl, name, run, fmtRate(sample.get("value")) + String.format(Locale.ROOT, ", %.0f B heap/socket (%d sockets)",
            sample.get("heapPerSocket"), sockets));
      }
    }
  }

  /** A group for one step of multicast-fanout: 239.255.X.Y, X and Y random, never 239.255.0.0/24 or .255. */
  static String randomGroup() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "239.255." + r.nextInt(1, 255) + "." + r.nextInt(1, 255);
  }

  /**
   * multicast-fanout: the system's {@link #members} group members (one process, core 1), all bound
   * to one group and port and joined on 127.0.0.1, under the C {@code mc-tx} sender (core 0):
   * UDP_SEGMENT, 64 datagrams of 64 bytes per sendmsg to the group, IP_MULTICAST_IF 127.0.0.1.
   * The figure is the deliveries/s summed over all members in the window (each datagram sent
   * counts once per member that got it). The group and port are new at every step.
   */
  void fanout(String wl) throws Exception {
    if (cbin == null) {
      notes.add(wl + ": needs the C multicast sender (gcc): not measured");
      return;
    }
    for (int run = 0; run < runs; run++) {
      for (Sys s : fanouts("g", "0")) {
        String group = randomGroup();
        int port = freePort();
        Sys sys = fanouts(group, "" + port).stream().filter(x -> x.name.equals(s.name)).findFirst().orElseThrow();
        Map<String, Double> res;
        try (Child rcv = new Child(sys.name, "1", sys.server)) {
          if (rcv.await("READY", 30_000) == null) {
            res = Map.of();
          } else {
            long[] e0 = udpErrors();
            long t0 = System.nanoTime();
            int blast = warmupMs + windowMs + 3000;
            try (Child tx = new Child("mc-sender", "0", cCmd("mc-tx", group, "" + port, "64", "0", "" + blast, "0", "gso"))) {
              res = new HashMap<>(parse(rcv.await("RESULT", bound())));
              long[] e1 = udpErrors();
              double secs = (System.nanoTime() - t0) / 1e9;
              res.put("drops", (e1[0] - e0[0]) / secs);
            }
          }
        }
        Map<String, Double> sample = rate(res, 64);
        sample.remove("MBps");
        record(wl, sys.name, sample);
        String balance = res.containsKey("memberMin") && res.getOrDefault("secs", 0.0) > 0 ? String.format(Locale.ROOT, ", per member %s–%s",
            fmtRate(res.get("memberMin") / res.get("secs")), fmtRate(res.get("memberMax") / res.get("secs"))) : "";
        progress(wl, sys.name, run, fmtRate(sample.get("value")) + " deliveries (" + members + " members)" + balance
            + extras(sample));
      }
    }
  }

  /**
   * alloc: bytes allocated per datagram on the loop thread in steady state, after a long warm-up
   * ({@link #allocWarmupMs}) so that the JIT has compiled the hot paths: the zero-copy receive and
   * onMessage under the GSO blaster (64 B), and the batch send (GSO and sendmmsg) into a C sink.
   */
  void alloc(String wl) throws Exception {
    if (!has("jdgram") || cbin == null) {
      notes.add(wl + ": needs jdgram and the C peers: not measured");
      return;
    }
    String w = "" + allocWarmupMs, win = "" + windowMs;
    for (int run = 0; run < runs; run++) {
      for (String v : List.of("copy", "view")) {
        String name = "jdgram-linux-" + v;
        int port = freePort();
        Map<String, Double> res = Map.of();
        try (Child rcv = new Child(name, "1", javaCmd("linux", "jdgram-" + v, "rx", "" + port, w, win))) {
          if (rcv.await("READY", 30_000) != null) {
            int blast = allocWarmupMs + windowMs + 3000;
            try (Child bl = new Child("blaster", "0", cCmd("tx-gso", "" + port, "64", "0", "" + blast, "0"))) {
              res = parse(rcv.await("RESULT", allocWarmupMs + bound()));
            }
          }
        }
        Map<String, Double> sample = rate(res, 64);
        record("alloc-rx", name, sample);
        progress(wl + " rx", name, run, fmtRate(sample.get("value")) + extras(sample));
      }
      // the batch senders, and send(byte[]) one datagram at a time (the copy column, as in tx-64)
      for (String v : List.of("batch", "mmsg", "send")) {
        String name = "jdgram-linux-" + (v.equals("send") ? "copy" : v);
        int port = freePort();
        Map<String, Double> sent = Map.of();
        try (Child sink = new Child("sink", "1", cCmd("rx-mmsg", "" + port, w, win))) {
          if (sink.await("READY", 30_000) != null) {
            try (Child snd = new Child(name, "0", javaCmd("linux", "jdgram-" + v, "tx", "" + port, "64", w, win, "1000"))) {
              sent = parse(snd.await("RESULT", allocWarmupMs + bound()));
            }
          }
        }
        Map<String, Double> sample = rate(sent, 64);
        record("alloc-tx", name, sample);
        progress(wl + " tx", name, run, "sent " + fmtRate(sample.get("value")) + extras(sample));
      }
    }
  }

  static String extras(Map<String, Double> s) {
    StringBuilder b = new StringBuilder();
    if (s.containsKey("cpu")) {
      b.append(String.format(Locale.ROOT, ", cpu %.0f%%", s.get("cpu")));
    }
    if (s.containsKey("drops")) {
      b.append(String.format(Locale.ROOT, ", drops %s", fmtRate(s.get("drops"))));
    }
    if (s.containsKey("alloc")) {
      b.append(String.format(Locale.ROOT, ", alloc %.1f B/dgram", s.get("alloc")));
    }
    return b.toString();
  }

  static String fmtRate(Double v) {
    if (v == null) {
      return "-";
    }
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM/s", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.0fk/s", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f/s", v);
  }

  static String now() {
    return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }
}
