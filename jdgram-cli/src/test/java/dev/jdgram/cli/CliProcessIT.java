package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged {@code jdgram} (java -jar jdgram-cli.jar) as real processes, with node,
 * socat and tmux as peers. Loopback only; multicast only on 127.0.0.1; no broadcast sends
 * (CONTRIBUTING.md, "Network rules"). Every wait is bounded and every process destroyed at the end.
 */
@Timeout(120)
class CliProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static String java;
  private static String jar;
  private static String hosts;

  @TempDir Path tmp;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> tmuxSessions = new ArrayList<>();

  @BeforeAll
  static void findJar() {
    jar = System.getProperty("jdgram.cli.jar");
    assertTrue(jar != null && Files.isRegularFile(Path.of(jar)),
        "the packaged jar (system property jdgram.cli.jar) is missing: " + jar);
    java = ProcessHandle.current().info().command().orElse("java");
    hosts = System.getProperty("jdgram.hosts");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (String s : tmuxSessions) {
      new ProcessBuilder("tmux", "kill-session", "-t", s).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A started process with its output in files. */
  private record Proc(Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    int exit() throws Exception {
      assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), () -> "still running:\n"
          + dump());
      return process.exitValue();
    }

    String dump() {
      try {
        return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
      } catch (IOException e) {
        return e.toString();
      }
    }

    void write(String text) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write(text.getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
  }

  private List<String> jdgramCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
    if (hosts != null) {
      cmd.add("-Djdk.net.hosts.file=" + hosts);
    }
    cmd.addAll(List.of("-jar", jar));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Proc start(List<String> command) throws IOException {
    String name = "p" + processes.size();
    Path out = tmp.resolve(name + ".out");
    Path err = tmp.resolve(name + ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    processes.add(p);
    return new Proc(p, out, err);
  }

  private Proc jdgram(String... args) throws IOException {
    return start(jdgramCommand(args));
  }

  /** Runs to the end with standard input closed. */
  private Proc run(String... args) throws Exception {
    Proc p = jdgram(args);
    p.process().getOutputStream().close();
    p.exit();
    return p;
  }

  private static String waitFor(String what, Proc p, boolean stderr, Predicate<String> done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = stderr ? p.stderr() : p.stdout();
      if (done.test(text)) {
        return text;
      }
      if (!p.process().isAlive()) {
        text = stderr ? p.stderr() : p.stdout();
        if (done.test(text)) {
          return text;
        }
        throw new AssertionError(what + ": the process ended (exit " + p.process().exitValue()
            + ")\n" + p.dump());
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + ": not seen in " + WAIT.toSeconds() + " s\n" + p.dump());
  }

  /** @return the port from the process's "listening on 127.0.0.1:PORT" line */
  private static int listeningPort(Proc p) throws Exception {
    String err = waitFor("listening", p, true, t -> LISTENING.matcher(t).find());
    Matcher m = LISTENING.matcher(err);
    assertTrue(m.find());
    return Integer.parseInt(m.group(1));
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void need(String tool) {
    assumeTrue(onPath(tool), tool + " is not installed (apt-get install -y " 
        + (tool.equals("node") ? "nodejs" : tool) + "); skipping");
  }

  private static int freePort() {
    return ThreadLocalRandom.current().nextInt(40000, 60000);
  }

  private int runTool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("tool-" + System.nanoTime() + ".log").toFile()).start();
    processes.add(p);
    assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "still running: " + command[0]);
    return p.exitValue();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void listenRecordsAFlightRecordingOfItsSocket() throws Exception {
    Path file = tmp.resolve("listen.jfr");
    Proc listen = jdgram("listen", "0", "--count", "3", "--timeout", "20000", "--jfr", file.toString());
    int port = listeningPort(listen);
    try (DatagramChannel ch = DatagramChannel.open()) {
      for (int i = 0; i < 3; i++) {
        ch.send(ByteBuffer.wrap(("jfr " + i).getBytes(StandardCharsets.UTF_8)), new InetSocketAddress("127.0.0.1", port));
      }
    }
    assertEquals(0, listen.exit(), listen::dump);
    assertTrue(listen.stderr().contains("recorded to " + file), listen::dump);
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    List<String> lifecycle = events.stream()
        .filter(e -> e.getEventType().getName().equals("dev.jdgram.SocketLifecycle"))
        .sorted(Comparator.comparing(RecordedEvent::getStartTime)) // threads write apart
        .map(e -> e.getString("action") + " " + e.getString("localAddress")).toList();
    assertEquals(List.of("bind 127.0.0.1:" + port, "close 127.0.0.1:" + port), lifecycle);
    long datagrams = events.stream()
        .filter(e -> e.getEventType().getName().equals("dev.jdgram.ReceivePhase"))
        .mapToLong(e -> e.getLong("datagrams")).sum();
    assertEquals(3, datagrams);
  }

  @Test
  void listenReceivesFromSocat() throws Exception {
    need("socat");
    Proc listen = jdgram("listen", "0", "--count", "1", "--timeout", "20000");
    int port = listeningPort(listen);
    Path payload = tmp.resolve("payload");
    Files.writeString(payload, "from socat");
    assertEquals(0, runTool("socat", "-u", "OPEN:" + payload, "UDP4-SENDTO:127.0.0.1:" + port));
    assertEquals(0, listen.exit(), listen::dump);
    assertTrue(listen.stdout().matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} 127\\.0\\.0\\.1:\\d+ "
        + "10 bytes: from socat\n"), listen::dump);
  }

  @Test
  void listenReceivesFromNodeAsJsonAndHex() throws Exception {
    need("node");
    Proc listen = jdgram("listen", "0", "--count", "2", "--timeout", "20000", "--json");
    int port = listeningPort(listen);
    String js = "const s=require('dgram').createSocket('udp4');"
        + "s.send('from node'," + port + ",'127.0.0.1',()=>"
        + "s.send(Buffer.from([0,1,255])," + port + ",'127.0.0.1',()=>s.close()));";
    assertEquals(0, runTool("node", "-e", js));
    assertEquals(0, listen.exit(), listen::dump);
    List<String> lines = listen.stdout().lines().toList();
    assertEquals(2, lines.size(), listen::dump);
    assertTrue(lines.get(0).matches("\\{\"time\":\"[^\"]+\",\"address\":\"127\\.0\\.0\\.1\","
        + "\"family\":\"IPv4\",\"port\":\\d+,\"size\":9,\"text\":\"from node\","
        + "\"hex\":\"66726f6d206e6f6465\"}"), listen::dump);
    assertTrue(lines.get(1).endsWith("\"size\":3,\"text\":null,\"hex\":\"0001ff\"}"),
        listen::dump);

    Proc hex = jdgram("listen", "0", "--count", "1", "--timeout", "20000", "--hex");
    int hexPort = listeningPort(hex);
    assertEquals(0, runTool("node", "-e", "const s=require('dgram').createSocket('udp4');"
        + "s.send('ABC'," + hexPort + ",'127.0.0.1',()=>s.close())"));
    assertEquals(0, hex.exit(), hex::dump);
    assertTrue(hex.stdout().contains("  0000  41 42 43"), hex::dump);
    assertTrue(hex.stdout().contains("|ABC|"), hex::dump);
  }

  @Test
  void listenMetaShowsWhatSendAskedForEachDatagram() throws Exception {
    Proc listen = jdgram("listen", "0", "--count", "2", "--timeout", "20000", "--meta", "--json");
    int port = listeningPort(listen);
    Proc marked = run("send", "127.0.0.1", Integer.toString(port), "marked", "--tos", "0xb9", "--ttl", "7",
        "--from", "127.0.0.1");
    assertEquals(0, marked.process().exitValue(), marked::dump);
    Proc ect = run("send", "127.0.0.1", Integer.toString(port), "ect0", "--ecn", "2");
    assertEquals(0, ect.process().exitValue(), ect::dump);
    assertEquals(0, listen.exit(), listen::dump);
    List<String> lines = listen.stdout().lines().toList();
    assertEquals(2, lines.size(), listen::dump);
    assertTrue(lines.get(0).matches(".*\"text\":\"marked\".*\"ttl\":7,\"tos\":185,\"ecn\":1,"
        + "\"to\":\"127\\.0\\.0\\.1\",\"if\":\\d+,\"received\":\"20\\d\\d-[^\"]+Z\"}"), listen::dump);
    assertTrue(lines.get(1).matches(".*\"text\":\"ect0\".*\"ttl\":64,\"tos\":2,\"ecn\":2,.*"), listen::dump);
  }

  @Test
  void sendReachesNodeReceiverFromArgumentsAndStdin() throws Exception {
    need("node");
    Path script = tmp.resolve("recv.js");
    Files.writeString(script, """
        const s = require('dgram').createSocket('udp4');
        let n = 0;
        s.on('message', (m, r) => {
          console.log(r.address + ' ' + m.toString());
          if (++n === 5) s.close();
        });
        s.bind(0, '127.0.0.1', () => console.error('listening on 127.0.0.1:' + s.address().port));
        setTimeout(() => { console.error('timeout'); process.exit(3); }, 20000).unref();
        """);
    Proc node = start(List.of("node", script.toString()));
    int port = listeningPort(node);
    Proc args = run("send", "127.0.0.1", Integer.toString(port), "one", "two");
    assertEquals(0, args.process().exitValue(), args::dump);
    Proc repeat = run("send", "127.0.0.1", Integer.toString(port), "three", "--repeat", "2",
        "--interval", "10");
    assertEquals(0, repeat.process().exitValue(), repeat::dump);
    Proc stdin = jdgram("send", "127.0.0.1", Integer.toString(port), "-v");
    stdin.write("four\n");
    stdin.process().getOutputStream().close();
    assertEquals(0, stdin.exit(), stdin::dump);
    assertTrue(stdin.stderr().contains("1 datagrams, 4 bytes sent"), stdin::dump);
    assertEquals(0, node.exit(), node::dump);
    assertEquals(List.of("127.0.0.1 one", "127.0.0.1 two", "127.0.0.1 three", "127.0.0.1 three",
        "127.0.0.1 four"), node.stdout().lines().toList(), node::dump);
  }

  @Test
  void echoAnswersPing() throws Exception {
    Proc echo = jdgram("echo", "0", "--timeout", "30000");
    int port = listeningPort(echo);
    Proc ping = run("ping", "127.0.0.1", Integer.toString(port), "-c", "3", "-i", "50",
        "-s", "100");
    assertEquals(0, ping.process().exitValue(), ping::dump);
    String out = ping.stdout();
    for (int seq = 0; seq < 3; seq++) {
      assertTrue(out.contains("100 bytes from 127.0.0.1:" + port + ": seq=" + seq + " time="),
          ping::dump);
    }
    assertTrue(out.contains("3 sent, 3 received, 0.0% loss"), ping::dump);
    assertTrue(out.matches(
        "(?s).*rtt min/p50/p99/p99\\.9/max = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms\n"),
        ping::dump);
    // bench pingpong against the same echo server
    Proc bench = run("bench", "pingpong", "127.0.0.1", Integer.toString(port), "-n", "500",
        "-w", "4", "--no-progress");
    assertEquals(0, bench.process().exitValue(), bench::dump);
    assertTrue(bench.stdout().contains("500 round trips of 64 bytes"), bench::dump);
    assertTrue(bench.stdout().contains("lost 0 of 500"), bench::dump);
    assertTrue(bench.stdout().contains("p99.9"), bench::dump);
  }

  @Test
  void pingWithoutEchoServerExits3() throws Exception {
    Proc echo = jdgram("echo", "0", "--timeout", "30000");
    int port = listeningPort(echo);
    echo.process().destroyForcibly();
    echo.process().waitFor(10, TimeUnit.SECONDS);
    Proc ping = run("ping", "127.0.0.1", Integer.toString(port), "-c", "2", "-i", "50",
        "-W", "300");
    assertEquals(3, ping.process().exitValue(), ping::dump);
    assertTrue(ping.stdout().contains("2 sent, 0 received, 100.0% loss"), ping::dump);
  }

  @Test
  void benchTxToRx() throws Exception {
    Proc rx = jdgram("bench", "rx", "0", "--duration", "30000", "--no-progress");
    int port = listeningPort(rx);
    Proc tx = run("bench", "tx", "127.0.0.1", Integer.toString(port), "-n", "2000", "--rate",
        "20000", "--no-progress");
    assertEquals(0, tx.process().exitValue(), tx::dump);
    assertTrue(tx.stdout().contains("bench tx: 2000 datagrams of 64 bytes sent"), tx::dump);
    assertEquals(0, rx.exit(), rx::dump);
    assertTrue(rx.stdout().matches("(?s)bench rx: \\d+ datagrams, \\d+ bytes in .*dgram/s, "
        + ".*MB/s\nbench rx: drops \\d+ of 2000.*"), rx::dump);
  }

  @Test
  void chatBetweenTwoProcesses() throws Exception {
    String port = Integer.toString(freePort());
    Proc alice = jdgram("chat", "239.255.77.1", port, "--interface", "127.0.0.1", "--name",
        "alice");
    waitFor("alice joined", alice, true, t -> t.contains("chat: joined"));
    Proc bob = jdgram("chat", "239.255.77.1", port, "--interface", "127.0.0.1", "--name", "bob");
    waitFor("bob joined", bob, true, t -> t.contains("chat: joined"));
    // alice sees bob's join announcement: both are members now
    waitFor("alice sees bob", alice, false, t -> t.contains("* bob joined"));
    alice.write("hello bob\n");
    waitFor("bob reads alice", bob, false,
        t -> t.matches("(?s).*\\[\\d\\d:\\d\\d:\\d\\d] alice@127\\.0\\.0\\.1: hello bob\n.*"));
    bob.write("hi alice\n");
    waitFor("alice reads bob", alice, false, t -> t.contains("bob@127.0.0.1: hi alice"));
    bob.process().getOutputStream().close();
    assertEquals(0, bob.exit(), bob::dump);
    waitFor("alice sees bob leave", alice, false, t -> t.contains("* bob left"));
    alice.process().getOutputStream().close();
    assertEquals(0, alice.exit(), alice::dump);
    assertTrue(!alice.stdout().contains("alice:") && !alice.stdout().contains("alice@"),
        "a chat does not print its own lines\n" + alice.dump());
  }

  @Test
  void demoCompletesWithBothParts() throws Exception {
    Proc demo = run("demo");
    assertEquals(0, demo.process().exitValue(), demo::dump);
    String out = demo.stdout();
    assertTrue(out.contains("[socket] client: message \"hello from the server\""), demo::dump);
    assertTrue(out.contains("[socket] member: addMembership(\"239.255.42.99\", \"127.0.0.1\")"),
        demo::dump);
    assertTrue(out.contains("[socket] sender: setMulticastInterface(\"127.0.0.1\")"), demo::dump);
    assertTrue(out.contains("[socket] member: message \"hello, group\""), demo::dump);
    assertTrue(out.contains("[socket] member: dropMembership"), demo::dump);
    assertTrue(out.strip().endsWith("== done =="), demo::dump);
    assertEquals("", demo.stderr(), demo::dump);
  }

  @Test
  void exitCodes() throws Exception {
    // 2: bad usage
    for (String[] args : List.of(
        new String[] {"listen"},
        new String[] {"listen", "70000"},
        new String[] {"listen", "0", "--no-such-option"},
        new String[] {"send", "127.0.0.1"},
        new String[] {"send", "127.0.0.1", "0", "x"},
        new String[] {"ping", "127.0.0.1", "7", "-s", "3"},
        new String[] {"chat", "239.1.2.3", "5000", "--name", "x"},
        new String[] {"chat", "10.1.2.3", "5000", "--interface", "127.0.0.1"},
        new String[] {"listen", "0", "--join", "127.0.0.1"},
        new String[] {"bench"},
        new String[] {"bench", "nope"},
        new String[] {"no-such-command"})) {
      Proc p = run(args);
      assertEquals(2, p.process().exitValue(), () -> String.join(" ", args) + "\n" + p.dump());
      assertTrue(p.stderr().startsWith("jdgram: "), p::dump);
    }
    // 0: --help everywhere
    for (String cmd : List.of("listen", "send", "echo", "ping", "chat", "bench", "demo")) {
      Proc p = run(cmd, "--help");
      assertEquals(0, p.process().exitValue(), p::dump);
      assertTrue(p.stdout().contains("Usage: jdgram " + cmd), p::dump);
    }
    // 1: a socket error, one line with Node's code
    Proc holder = jdgram("echo", "0", "--timeout", "30000");
    int port = listeningPort(holder);
    Proc busy = run("listen", Integer.toString(port));
    assertEquals(1, busy.process().exitValue(), busy::dump);
    assertEquals("jdgram: bind EADDRINUSE 127.0.0.1:" + port, busy.stderr().strip(), busy::dump);
    // send --ttl: works, or (nio transport) one clear ENOTSUP line and exit code 1
    Proc ttl = run("send", "127.0.0.1", Integer.toString(port), "x", "--ttl", "5");
    if (ttl.process().exitValue() != 0) {
      assertEquals(1, ttl.process().exitValue(), ttl::dump);
      assertTrue(ttl.stderr().startsWith("jdgram: setTTL ENOTSUP"), ttl::dump);
    }
    // --broadcast is accepted (a unicast loopback destination: no broadcast is sent)
    Proc broadcast = run("send", "127.0.0.1", Integer.toString(port), "x", "--broadcast");
    assertEquals(0, broadcast.process().exitValue(), broadcast::dump);
    // 3: --count not reached before --timeout
    Proc quiet = run("listen", "0", "--count", "1", "--timeout", "300");
    assertEquals(3, quiet.process().exitValue(), quiet::dump);
    assertTrue(quiet.stderr().contains("jdgram: listen timed out: 0 of 1"), quiet::dump);
  }

  // ------------------------------------------------------------------ tmux

  private String tmux(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tmux"));
    cmd.addAll(List.of(args));
    Path log = tmp.resolve("tmux-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "tmux did not answer");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ": " + out);
    return out;
  }

  private String screen(String session) throws Exception {
    return tmux("capture-pane", "-p", "-t", session);
  }

  private String waitForScreen(String session, String what, Predicate<String> done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String s = "";
    while (System.nanoTime() < deadline) {
      s = screen(session);
      if (done.test(s)) {
        return s;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + ": not on the screen in " + WAIT.toSeconds() + " s:\n" + s);
  }

  private String shellLine(String... args) {
    StringBuilder b = new StringBuilder();
    for (String a : jdgramCommand(args)) {
      b.append('\'').append(a.replace("'", "'\\''")).append("' ");
    }
    return b.toString().strip();
  }

  /** A tmux session running a shell, 160 columns wide; killed after the test. */
  private String newTmux() throws Exception {
    String name = "jdgram-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "40", "sh");
    tmuxSessions.add(name);
    return name;
  }

  private static final Pattern COUNTERS = Pattern.compile("datagrams (\\d+)  bytes (\\d+)  "
      + "drops (\\d+)");

  @Test
  void echoCountersAndBenchProgressBarInATerminal() throws Exception {
    need("tmux");
    String port = Integer.toString(freePort());
    String server = newTmux();
    tmux("send-keys", "-t", server, shellLine("echo", port) + "; echo \"ex\"\"it=$?\"", "Enter");
    waitForScreen(server, "echo's counters line", s -> s.contains("echo: listening on")
        && COUNTERS.matcher(s).find());
    Matcher before = COUNTERS.matcher(screen(server));
    assertTrue(before.find());
    assertEquals("0", before.group(1), "no datagram yet");

    // the bench client in its own terminal: its progress bar updates, then its summary
    String client = newTmux();
    tmux("send-keys", "-t", client, shellLine("bench", "pingpong", "127.0.0.1", port, "-n",
        "3000", "--duration", "60000", "-w", "1", "--timeout", "2000") + "; echo \"ex\"\"it=$?\"",
        "Enter");
    Pattern bar = Pattern.compile("pingpong \\[[#.]{30}] +(\\d+)% (\\d+)/3000");
    String withBar = waitForScreen(client, "the progress bar", s -> bar.matcher(s).find()
        || s.contains("exit="));
    // the bar paints in place: one line, and its count grows (or the run was over at once)
    String done = waitForScreen(client, "bench summary", s -> s.contains("exit="));
    assertTrue(done.contains("bench pingpong: 3000 round trips"), done);
    assertTrue(done.contains("exit=0"), done);
    Matcher last = bar.matcher(done);
    assertTrue(last.find(), "the final progress bar is on the screen:\n" + done);
    assertEquals("3000", last.group(2), done);
    assertTrue(bar.matcher(withBar).find(), withBar);
    assertEquals(1, done.lines().filter(l -> bar.matcher(l).find()).count(),
        "the bar is repainted in place, one line:\n" + done);

    // the echo counters moved to the 3000 datagrams, on the same single line
    String after = waitForScreen(server, "counters at 3000", s -> s.contains("datagrams 3000  "
        + "bytes 192000  drops 0"));
    assertEquals(1, after.lines().filter(l -> COUNTERS.matcher(l).find()).count(),
        "the counters line is repainted in place:\n" + after);

    // Ctrl-C: a clean stop with a summary and exit code 130
    tmux("send-keys", "-t", server, "C-c");
    String stopped = waitForScreen(server, "echo's summary", s -> s.contains("exit="));
    assertTrue(stopped.contains("echo: datagrams 3000  bytes 192000  drops 0 in "), stopped);
    assertTrue(stopped.contains("exit=130"), stopped);
  }

  @Test
  void benchTxProgressBarUpdatesInATerminal() throws Exception {
    need("tmux");
    Proc rx = jdgram("bench", "rx", "0", "--duration", "60000", "--no-progress");
    int port = listeningPort(rx);
    String term = newTmux();
    tmux("send-keys", "-t", term, shellLine("bench", "tx", "127.0.0.1", Integer.toString(port),
        "-n", "6000", "--rate", "3000", "--duration", "30000") + "; echo \"ex\"\"it=$?\"", "Enter");
    Pattern bar = Pattern.compile("tx \\[[#.]{30}] +(\\d+)% (\\d+)/6000");
    List<Integer> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    String s = "";
    while (System.nanoTime() < deadline && !s.contains("exit=")) {
      s = screen(term);
      Matcher m = bar.matcher(s);
      if (m.find()) {
        int n = Integer.parseInt(m.group(2));
        if (seen.isEmpty() || seen.getLast() != n) {
          seen.add(n);
        }
      }
      Thread.sleep(100);
    }
    assertTrue(s.contains("exit=0"), s);
    assertTrue(s.contains("bench tx: 6000 datagrams of 64 bytes sent"), s);
    assertTrue(seen.size() >= 3, "the bar showed at least 3 different counts: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i) > seen.get(i - 1), "the count only grows: " + seen);
    }
    assertEquals(0, rx.exit(), rx::dump);
  }
}
