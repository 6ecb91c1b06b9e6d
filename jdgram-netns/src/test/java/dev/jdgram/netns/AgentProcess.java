package dev.jdgram.netns;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An {@link Agent} running in a namespace: commands in, answers and received datagrams out. */
final class AgentProcess extends LineProcess {
  private int cursor;

  /** A datagram the agent received: {@code msg S from=.. port=.. to=.. if=.. ttl=.. tos=.. size=.. text=..}. */
  record Msg(String socket, String from, int port, String to, int ifIndex, int size, String text, int ttl, int tos) {
    static Msg parse(String line) {
      String[] t = line.split(" ");
      Map<String, String> kv = new TreeMap<>();
      for (int i = 2; i < t.length; i++) {
        int eq = t[i].indexOf('=');
        kv.put(t[i].substring(0, eq), t[i].substring(eq + 1));
      }
      return new Msg(t[1], kv.get("from"), Integer.parseInt(kv.get("port")), kv.get("to"),
          Integer.parseInt(kv.get("if")), Integer.parseInt(kv.get("size")), kv.get("text"),
          Integer.parseInt(kv.getOrDefault("ttl", "-1")), Integer.parseInt(kv.getOrDefault("tos", "-1")));
    }
  }

  AgentProcess(String label, List<String> command) throws IOException {
    super(label, command);
  }

  void awaitReady() {
    cursor = awaitIndex(0, l -> l.startsWith("ready"), 20_000, "ready line") + 1;
  }

  /** Sends a command and returns its answer line ({@code ok ...} or {@code err ...}). */
  synchronized String cmd(String command) throws IOException {
    write(command);
    int i = awaitIndex(cursor, l -> l.startsWith("ok") || l.startsWith("err "), 10_000, "answer to '" + command + "'");
    cursor = i + 1;
    return lines().get(i);
  }

  /** Sends a command that must succeed. */
  String ok(String command) throws IOException {
    String a = cmd(command);
    if (!a.startsWith("ok")) {
      throw new AssertionError(label + ": '" + command + "' failed: " + a + "\n" + this);
    }
    return a;
  }

  List<Msg> msgs(String socket) {
    return matching(l -> l.startsWith("msg " + socket + " ")).stream().map(Msg::parse).toList();
  }

  List<String> texts(String socket) {
    return msgs(socket).stream().map(Msg::text).toList();
  }

  /** Waits for a datagram with this text on this socket. */
  Msg awaitMsg(String socket, String text, long millis) {
    return Msg.parse(await(l -> l.startsWith("msg " + socket + " ") && l.endsWith(" text=" + text), millis,
        "datagram '" + text + "' on " + socket));
  }
}
