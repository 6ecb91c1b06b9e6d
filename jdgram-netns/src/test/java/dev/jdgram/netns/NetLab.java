package dev.jdgram.netns;

import dev.jdgram.DgramSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network built of Linux network namespaces for one test (CONTRIBUTING.md, "Network rules"): hosts,
 * bridges and routers are each a namespace of their own named {@code jdg-<pid>-<n>}, connected by
 * veth pairs created directly inside them (so the machine's own namespace never holds one end),
 * with addresses from 10.200.0.0/16 and fd0a:200::/32. {@link #close()} stops every process
 * started in them and deletes every namespace; a JVM shutdown hook does the same if the test JVM
 * is stopped, and {@link #sweep()} removes namespaces left by runs whose JVM is gone.
 */
final class NetLab implements AutoCloseable {
  static final String PREFIX = "jdg-" + ProcessHandle.current().pid() + "-";
  private static final Pattern OURS = Pattern.compile("^(jdg-(\\d+)-\\S+)");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  /** Everything alive, in every lab of this JVM, for the shutdown hook. */
  private static final Set<NetLab> LIVE = Collections.synchronizedSet(new LinkedHashSet<>());
  private static String skipReason;
  private static boolean checked;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (NetLab lab : List.copyOf(LIVE)) {
        lab.close();
      }
    }, "jdgram-netns-cleanup"));
  }

  /** A namespace: a host, a bridge or a router. */
  record Ns(String name, String label) {
    @Override
    public String toString() {
      return label + "(" + name + ")";
    }
  }

  /** One end of a veth pair: {@code name} in {@code ns}, its peer {@code port} in {@code bridge}. */
  record Iface(Ns ns, String name, String ip4, String ip6, Ns bridge, String port) {}

  private final String test;
  private final List<Ns> namespaces = Collections.synchronizedList(new ArrayList<>());
  private final List<LineProcess> processes = Collections.synchronizedList(new ArrayList<>());
  /** Interfaces linked but not yet seen operationally up and IPv6-configured ({@link #awaitLinks}). */
  private final List<Iface> unsettled = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger ports = new AtomicInteger();
  private final Path tmp;

  NetLab(String test) throws IOException {
    this.test = test;
    this.tmp = Files.createTempDirectory("jdgram-netns-");
    LIVE.add(this);
  }

  // ---------------------------------------------------------------- environment

  /** @return why these tests cannot run here, or null when they can (root, ip, netns). */
  static synchronized String skipReason() {
    if (checked) {
      return skipReason;
    }
    checked = true;
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return skipReason = "network namespaces need Linux";
    }
    try {
      Result id = exec(5, List.of("id", "-u"));
      if (!id.out.strip().equals("0")) {
        return skipReason = "network namespaces need root (uid " + id.out.strip() + ")";
      }
      Result ip = exec(5, List.of("ip", "-V"));
      if (ip.rc != 0) {
        return skipReason = "'ip' (iproute2) does not run: " + ip.out;
      }
      String probe = PREFIX + "probe";
      Result add = exec(5, List.of("ip", "netns", "add", probe));
      exec(5, List.of("ip", "netns", "del", probe));
      if (add.rc != 0) {
        return skipReason = "cannot create a network namespace: " + add.out.strip();
      }
    } catch (IOException e) {
      return skipReason = "'ip' (iproute2) not found: " + e.getMessage();
    }
    sweep();
    return skipReason = null;
  }

  /** @return whether a program is on the PATH */
  static boolean has(String program) {
    try {
      return exec(5, List.of("sh", "-c", "command -v " + program)).rc == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Deletes the namespaces of earlier runs whose JVM is gone ({@code jdg-<pid>-*} with no live
   * {@code pid}), stopping the processes left inside them first.
   */
  static void sweep() {
    try {
      for (String line : exec(5, List.of("ip", "netns", "list")).out.split("\n")) {
        Matcher m = OURS.matcher(line.strip());
        if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false) == false) {
          deleteNamespace(m.group(1));
        }
      }
    } catch (IOException e) {
      // nothing to sweep
    }
  }

  private static void deleteNamespace(String name) throws IOException {
    // Processes still inside one of our namespaces were started by this fixture: stop them by pid.
    for (String pid : exec(5, List.of("ip", "netns", "pids", name)).out.split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    exec(10, List.of("ip", "netns", "del", name));
  }

  // ---------------------------------------------------------------- building

  private Ns namespace(String label) throws IOException {
    Ns ns = new Ns(PREFIX + COUNTER.incrementAndGet(), label);
    run("ip", "netns", "add", ns.name);
    namespaces.add(ns);
    // No duplicate address detection (addresses usable at once), no reverse-path filter.
    sh(ns, "ip link set lo up"
        + " && echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad"
        + " && echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad"
        + " && echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter"
        + " && echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter");
    return ns;
  }

  /** A host: a namespace with only loopback until {@link #link} gives it interfaces. */
  Ns host(String label) throws IOException {
    return namespace(label);
  }

  /** A router: a host that forwards IPv4 and IPv6 unicast. */
  Ns router(String label) throws IOException {
    Ns ns = namespace(label);
    sh(ns, "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding");
    return ns;
  }

  /**
   * A switch: a namespace holding bridge {@code br0}, IGMP/MLD snooping off (it floods every
   * group to every port, as a plain switch does), no address.
   */
  Ns bridge(String label) throws IOException {
    Ns ns = namespace(label);
    ip(ns, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", "stp_state", "0");
    ip(ns, "link", "set", "br0", "up");
    return ns;
  }

  /**
   * Connects {@code ns} to {@code bridge} with a veth pair: {@code ifname} in {@code ns}, port
   * {@code pN} on {@code br0}. Both ends are created inside their namespaces.
   *
   * @param cidr4 an IPv4 address with prefix from 10.200.0.0/16, or null
   * @param cidr6 an IPv6 address with prefix from fd0a:200::/32, or null
   */
  Iface link(Ns ns, String ifname, Ns bridge, String cidr4, String cidr6) throws IOException {
    if (cidr4 != null && !cidr4.startsWith("10.200.")) {
      throw new IllegalArgumentException("addresses come from 10.200.0.0/16: " + cidr4);
    }
    if (cidr6 != null && !cidr6.startsWith("fd0a:200:")) {
      throw new IllegalArgumentException("addresses come from fd0a:200::/32: " + cidr6);
    }
    String port = "p" + ports.incrementAndGet();
    ip(ns, "link", "add", ifname, "type", "veth", "peer", "name", port, "netns", bridge.name);
    ip(bridge, "link", "set", port, "master", "br0", "up");
    if (cidr4 != null) {
      ip(ns, "addr", "add", cidr4, "dev", ifname);
    }
    if (cidr6 != null) {
      ip(ns, "-6", "addr", "add", cidr6, "dev", ifname, "nodad");
    }
    ip(ns, "link", "set", ifname, "up");
    Iface iface = new Iface(ns, ifname, cidr4 == null ? null : cidr4.substring(0, cidr4.indexOf('/')),
        cidr6 == null ? null : cidr6.substring(0, cidr6.indexOf('/')), bridge, port);
    unsettled.add(iface);
    return iface;
  }

  /**
   * Waits (bounded) until every interface linked so far is operationally up and, where IPv6 is
   * on, configured by the kernel (its {@code multicast ff00::/8} route in table local). "up" alone
   * is not enough: the kernel sets the operational state and configures IPv6 only when its link
   * watch handles the carrier change, and it defers that up to a second for a veth whose ifindex
   * equals its peer's (e.g. a host's eth1 = 3 and bridge port p2 = 3): a link watch event counts
   * as urgent only for a device whose ifindex differs from its iflink. Until then the interface
   * drops arriving group datagrams (Ip6InNoRoutes), though a membership on it is already taken.
   */
  void awaitLinks() throws IOException {
    List<Iface> pending;
    synchronized (unsettled) {
      pending = List.copyOf(unsettled);
      unsettled.clear();
    }
    Map<Ns, List<String>> byNs = new LinkedHashMap<>();
    for (Iface i : pending) {
      byNs.computeIfAbsent(i.ns(), k -> new ArrayList<>()).add(i.name());
    }
    for (Map.Entry<Ns, List<String>> e : byNs.entrySet()) {
      String names = String.join(" ", e.getValue());
      // 150 x 20 ms: 3 s at most (the kernel's deferral is at most about 1 s).
      String script = "for i in $(seq 150); do ready=1; for d in " + names + "; do"
          + " [ \"$(cat /sys/class/net/$d/operstate)\" = up ] || ready=0;"
          + " [ \"$(cat /proc/sys/net/ipv6/conf/$d/disable_ipv6 2>/dev/null || echo 1)\" = 1 ]"
          + " || ip -6 route show table local dev $d | grep -q '^multicast ff00::/8' || ready=0;"
          + " done; [ $ready = 1 ] && exit 0; sleep 0.02; done;"
          + " for d in " + names + "; do ip -o link show dev $d; ip -6 route show table local dev $d; done; exit 1";
      Result r = exec(10, List.of("ip", "netns", "exec", e.getKey().name, "sh", "-c", script));
      if (r.rc != 0) {
        throw new IOException(e.getKey() + ": interfaces " + names + " not up and configured within 3 s:\n" + r.out);
      }
    }
  }

  /** {@code ip -n NS args...}, which must succeed. */
  String ip(Ns ns, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns.name));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  /** A shell command inside {@code ns}, which must succeed. */
  String sh(Ns ns, String script) throws IOException {
    return run("ip", "netns", "exec", ns.name, "sh", "-c", script);
  }

  /** @return the interface's index inside its namespace */
  int ifIndex(Iface i) throws IOException {
    return Integer.parseInt(sh(i.ns, "cat /sys/class/net/" + i.name + "/ifindex").strip());
  }

  // ---------------------------------------------------------------- programs

  /** Starts an {@link Agent} JVM inside {@code ns} (linux transport unless told otherwise). */
  AgentProcess agent(Ns ns) throws IOException {
    return agent(ns, "linux");
  }

  AgentProcess agent(Ns ns, String transport) throws IOException {
    awaitLinks();
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name));
    cmd.addAll(javaCommand(transport));
    cmd.add(Agent.class.getName());
    AgentProcess p = new AgentProcess(ns.label, cmd);
    processes.add(p);
    return p;
  }

  /** Starts agents in parallel and waits until each is ready. */
  List<AgentProcess> agents(Ns... hosts) throws IOException {
    return agents("linux", hosts);
  }

  /** Starts agents on the given transport ({@code linux}, {@code nio}) and waits until each is ready. */
  List<AgentProcess> agents(String transport, Ns... hosts) throws IOException {
    List<AgentProcess> list = new ArrayList<>();
    for (Ns h : hosts) {
      list.add(agent(h, transport));
    }
    for (AgentProcess a : list) {
      a.awaitReady();
    }
    return list;
  }

  /** Any program inside {@code ns}, stopped at {@link #close()}. */
  LineProcess spawn(Ns ns, String label, String... command) throws IOException {
    awaitLinks();
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name));
    cmd.addAll(List.of(command));
    LineProcess p = new LineProcess(label, cmd);
    processes.add(p);
    return p;
  }

  /**
   * tcpdump on an interface of {@code ns} ({@code -n -e -vv}, line-buffered, not promiscuous),
   * returned once it is capturing.
   */
  LineProcess capture(Ns ns, String ifname, String filter) throws IOException {
    return capture(ns, ifname, true, filter);
  }

  /** tcpdump, one line per packet when not {@code verbose} ({@code -n -e}). */
  LineProcess capture(Ns ns, String ifname, boolean verbose, String filter) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("tcpdump", "-l", "-n", "-e", "-p"));
    if (verbose) {
      cmd.add("-vv");
    }
    cmd.addAll(List.of("-i", ifname, filter));
    LineProcess p = spawn(ns, "tcpdump " + ns.label + ":" + ifname, cmd.toArray(String[]::new));
    p.await(l -> l.startsWith("listening on") || l.startsWith("tcpdump: listening"), 10_000, "tcpdump start");
    return p;
  }

  /** A file in this lab's temporary folder (deleted at close). */
  Path file(String name, String content) throws IOException {
    return Files.writeString(tmp.resolve(name), content);
  }

  Path tmp() {
    return tmp;
  }

  private List<String> javaCommand(String transport) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(location(Agent.class) + java.io.File.pathSeparator + location(DgramSocket.class));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    String hosts = System.getProperty("jdk.net.hosts.file", System.getProperty("jdgram.hosts"));
    if (hosts != null && !hosts.isBlank()) {
      cmd.add("-Djdk.net.hosts.file=" + hosts);
    }
    cmd.add("-Djdgram.transport=" + transport);
    cmd.addAll(List.of("-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    return cmd;
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- checks

  /**
   * Asserts that the machine's own namespace holds no address, route or interface of ours: no
   * 10.200.*, no fd0a:200:*, no veth of this fixture.
   */
  static void assertRootClean() throws IOException {
    String addrs = run("ip", "-o", "addr", "show");
    String routes4 = run("ip", "-4", "route", "show", "table", "all");
    String routes6 = run("ip", "-6", "route", "show", "table", "all");
    String links = run("ip", "-o", "link", "show");
    for (String[] what : new String[][] {{"address", addrs}, {"route", routes4}, {"route", routes6}}) {
      for (String l : what[1].split("\n")) {
        if (l.contains("10.200.") || l.contains("fd0a:200:")) {
          throw new AssertionError("the machine's own namespace has a test " + what[0] + ": " + l);
        }
      }
    }
    for (String l : links.split("\n")) {
      if (l.contains("link-netns jdg-") || l.matches("^\\d+: p\\d+@.*")) {
        throw new AssertionError("the machine's own namespace has a test interface: " + l);
      }
    }
  }

  // ---------------------------------------------------------------- teardown

  /** Stops every process, deletes every namespace of this lab. Never throws. */
  @Override
  public void close() {
    List<LineProcess> ps;
    synchronized (processes) {
      ps = List.copyOf(processes);
      processes.clear();
    }
    for (LineProcess p : ps) {
      try {
        p.close();
      } catch (RuntimeException e) {
        // keep going
      }
    }
    List<Ns> ns;
    synchronized (namespaces) {
      ns = List.copyOf(namespaces);
      namespaces.clear();
    }
    for (Ns n : ns.reversed()) {
      try {
        deleteNamespace(n.name);
      } catch (IOException | RuntimeException e) {
        System.err.println("jdgram-netns: cannot delete " + n + ": " + e);
      }
    }
    try (var files = Files.list(tmp)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      // temporary files only
    }
    LIVE.remove(this);
  }

  /** @return the namespaces of this JVM that still exist */
  static List<String> leftovers() throws IOException {
    List<String> left = new ArrayList<>();
    for (String l : run("ip", "netns", "list").split("\n")) {
      if (l.startsWith(PREFIX)) {
        left.add(l.split(" ")[0]);
      }
    }
    return left;
  }

  @Override
  public String toString() {
    return test + " " + namespaces;
  }

  // ---------------------------------------------------------------- commands

  record Result(int rc, String out) {}

  static String run(String... cmd) throws IOException {
    Result r = exec(10, List.of(cmd));
    if (r.rc != 0) {
      throw new IOException(String.join(" ", cmd) + " -> exit " + r.rc + ": " + r.out.strip());
    }
    return r.out;
  }

  static Result exec(int seconds, List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      p.getOutputStream().close();
      StringBuilder sb = new StringBuilder();
      Thread t = Thread.ofPlatform().daemon().start(() -> {
        try {
          sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          // ended
        }
      });
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(2, TimeUnit.SECONDS);
        throw new IOException(String.join(" ", cmd) + ": no exit within " + seconds + " s");
      }
      t.join(2000);
      synchronized (sb) {
        return new Result(p.exitValue(), sb.toString());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
