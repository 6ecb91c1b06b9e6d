package dev.jdgram.netns;

import dev.jdgram.Datagram;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendOptions;
import dev.jdgram.SocketOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The program the tests run inside a network namespace ({@code ip netns exec NS java ... Agent}):
 * a jdgram host driven line by line on standard input, reporting on standard output.
 *
 * <p>Commands (one per line, tokens separated by spaces; {@code S} names a socket):
 * <pre>
 * open S udp4|udp6 [reuse|meta] create a socket (reuse: reuseAddr; meta: each datagram's TTL and
 *                               TOS, and ICMP errors as {@code icmp} lines)
 * bind S PORT ADDR              bind and wait for listening        -> ok bound ADDR PORT
 * join S GROUP [IFACE]          addMembership
 * leave S GROUP [IFACE]         dropMembership
 * ssm S SOURCE GROUP [IFACE]    addSourceSpecificMembership
 * unssm S SOURCE GROUP [IFACE]  dropSourceSpecificMembership
 * mif S IFACE                   setMulticastInterface
 * mttl S N                      setMulticastTTL
 * ttl S N                       setTTL
 * bcast S 0|1                   setBroadcast
 * mloop S 0|1                   setMulticastLoopback
 * send S HOST PORT TEXT         send, wait for its callback        -> ok sent BYTES
 * sendo S HOST PORT TEXT K=V..  send with SendOptions (tos, ecn, ttl, from)
 * sendn S HOST PORT N           send N bytes
 * df S 0|1                      setDontFragment
 * mode S none|echo|replyfrom|replyvia  echo: reply from S; replyfrom: reply from a new socket
 *                               bound to the address the datagram was sent to (IP_PKTINFO);
 *                               replyvia: reply from S, sending from that address (SendOptions.from)
 * close S
 * quit
 * </pre>
 * Every command is answered by one line, {@code ok ...} or {@code err CODE message}. Each
 * datagram received is reported as
 * {@code msg S from=ADDR port=P to=LOCAL if=INDEX ttl=T tos=T size=N text=TEXT} ({@code to} is
 * null on the nio transport; ttl and tos -1 unless the socket was opened with {@code meta}), each
 * reply as {@code replied S from=ADDR to=ADDR:PORT}, each ICMP error as
 * {@code icmp S addr=A port=P code=C type=T icode=C reporter=R mtu=M}.
 */
public final class Agent {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private final Map<String, DgramSocket> sockets = new HashMap<>();
  private final Map<String, String> modes = new HashMap<>();

  public static void main(String[] args) throws Exception {
    new Agent().run();
  }

  private static void say(String line) {
    synchronized (OUT) {
      OUT.println(line);
      OUT.flush();
    }
  }

  private void run() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    say("ready transport=" + System.getProperty("jdgram.transport", "default"));
    String line;
    while ((line = in.readLine()) != null) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals("quit")) {
        break;
      }
      try {
        say(execute(line.split(" +")));
      } catch (DgramException e) {
        say("err " + e.code() + " " + e.getMessage());
      } catch (RuntimeException e) {
        say("err " + e.getClass().getSimpleName() + " " + e.getMessage());
      }
    }
    for (DgramSocket s : sockets.values()) {
      s.close();
    }
    say("bye");
    System.exit(0);
  }

  private DgramSocket sock(String name) {
    DgramSocket s = sockets.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no socket " + name);
    }
    return s;
  }

  private static String opt(String[] t, int i) {
    return t.length > i ? t[i] : null;
  }

  private String execute(String[] t) throws Exception {
    String cmd = t[0];
    switch (cmd) {
      case "open" -> {
        String name = t[1];
        SocketOptions o = SocketOptions.of(t[2]);
        if ("reuse".equals(opt(t, 3))) {
          o = o.reuseAddr(true);
        }
        boolean meta = "meta".equals(opt(t, 3));
        if (meta) {
          o = o.recvTtl(true).recvTos(true);
        }
        DgramSocket s = Dgram.createSocket(o);
        if (meta) {
          s.onIcmpError(e -> say("icmp " + name + " addr=" + e.address() + " port=" + e.port() + " code=" + e.code()
              + " type=" + e.icmpType() + " icode=" + e.icmpCode() + " reporter=" + e.reporter() + " mtu=" + e.mtu()));
        }
        s.onDatagram(d -> onDatagram(name, d));
        s.onError(e -> say("error " + name + " " + e.code() + " " + e.getMessage()));
        sockets.put(name, s);
        modes.put(name, "none");
        return "ok";
      }
      case "bind" -> {
        DgramSocket s = sock(t[1]);
        CompletableFuture<String> done = new CompletableFuture<>();
        java.util.function.Consumer<DgramException> onError = done::completeExceptionally;
        s.onError(onError);
        s.bind(Integer.parseInt(t[2]), t[3], () -> done.complete("ok bound " + s.address().address() + " " + s.address().port()));
        try {
          return done.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          throw (RuntimeException) e.getCause();
        } finally {
          s.off(onError);
        }
      }
      case "join" -> {
        if (opt(t, 3) != null) {
          sock(t[1]).addMembership(t[2], t[3]);
        } else {
          sock(t[1]).addMembership(t[2]);
        }
        return "ok";
      }
      case "leave" -> {
        if (opt(t, 3) != null) {
          sock(t[1]).dropMembership(t[2], t[3]);
        } else {
          sock(t[1]).dropMembership(t[2]);
        }
        return "ok";
      }
      case "ssm" -> {
        if (opt(t, 4) != null) {
          sock(t[1]).addSourceSpecificMembership(t[2], t[3], t[4]);
        } else {
          sock(t[1]).addSourceSpecificMembership(t[2], t[3]);
        }
        return "ok";
      }
      case "unssm" -> {
        if (opt(t, 4) != null) {
          sock(t[1]).dropSourceSpecificMembership(t[2], t[3], t[4]);
        } else {
          sock(t[1]).dropSourceSpecificMembership(t[2], t[3]);
        }
        return "ok";
      }
      case "mif" -> {
        sock(t[1]).setMulticastInterface(t[2]);
        return "ok";
      }
      case "mttl" -> {
        return "ok " + sock(t[1]).setMulticastTTL(Integer.parseInt(t[2]));
      }
      case "ttl" -> {
        return "ok " + sock(t[1]).setTTL(Integer.parseInt(t[2]));
      }
      case "bcast" -> {
        sock(t[1]).setBroadcast(t[2].equals("1"));
        return "ok";
      }
      case "mloop" -> {
        return "ok " + sock(t[1]).setMulticastLoopback(t[2].equals("1"));
      }
      case "send" -> {
        CompletableFuture<String> done = new CompletableFuture<>();
        sock(t[1]).send(t[4], Integer.parseInt(t[3]), t[2], (err, n) -> {
          if (err != null) {
            done.complete("err " + err.code() + " " + err.getMessage());
          } else {
            done.complete("ok sent " + n);
          }
        });
        return done.get(5, TimeUnit.SECONDS);
      }
      case "sendo" -> {
        SendOptions so = SendOptions.of();
        for (int i = 5; i < t.length; i++) {
          String[] kv = t[i].split("=", 2);
          so = switch (kv[0]) {
            case "tos" -> so.tos(Integer.decode(kv[1]));
            case "ecn" -> so.ecn(Integer.parseInt(kv[1]));
            case "ttl" -> so.ttl(Integer.parseInt(kv[1]));
            case "from" -> so.from(kv[1]);
            default -> throw new IllegalArgumentException("unknown send option " + kv[0]);
          };
        }
        return awaitSent(sock(t[1]), t[4].getBytes(StandardCharsets.UTF_8), t[2], Integer.parseInt(t[3]), so);
      }
      case "sendn" -> {
        byte[] b = new byte[Integer.parseInt(t[4])];
        java.util.Arrays.fill(b, (byte) 'x');
        return awaitSent(sock(t[1]), b, t[2], Integer.parseInt(t[3]), SendOptions.of());
      }
      case "df" -> {
        sock(t[1]).setDontFragment(t[2].equals("1"));
        return "ok";
      }
      case "mode" -> {
        sock(t[1]);
        modes.put(t[1], t[2]);
        return "ok";
      }
      case "close" -> {
        DgramSocket s = sockets.remove(t[1]);
        if (s != null) {
          s.close();
        }
        return "ok";
      }
      default -> throw new IllegalArgumentException("unknown command " + cmd);
    }
  }

  private static String awaitSent(DgramSocket s, byte[] msg, String host, int port, SendOptions so) throws Exception {
    CompletableFuture<String> done = new CompletableFuture<>();
    s.send(msg, port, host, so, (err, n) -> done.complete(err != null ? "err " + err.code() + " " + err.getMessage() : "ok sent " + n));
    return done.get(5, TimeUnit.SECONDS);
  }

  private void onDatagram(String name, Datagram d) {
    String text = new String(d.toByteArray(), StandardCharsets.UTF_8);
    String from = d.address();
    int port = d.port();
    String local = d.localAddress();
    say("msg " + name + " from=" + from + " port=" + port + " to=" + local + " if=" + d.interfaceIndex()
        + " ttl=" + d.ttl() + " tos=" + d.tos() + " size=" + d.size() + " text=" + text);
    String mode = modes.getOrDefault(name, "none");
    String reply = "re:" + text;
    switch (mode) {
      case "echo" -> sockets.get(name).send(reply, port, from, (err, n) ->
          say("replied " + name + " from=" + sockets.get(name).address().address() + " to=" + from + ":" + port
              + (err != null ? " err=" + err.code() : "")));
      case "replyfrom" -> {
        // Answer from the address that was asked: a socket bound to the datagram's destination.
        DgramSocket r = Dgram.createSocket(d.family().equals("IPv6") ? "udp6" : "udp4");
        r.onError(e -> say("error reply " + e.code() + " " + e.getMessage()));
        r.bind(0, local, () -> r.send(reply, port, from, (err, n) -> {
          say("replied " + name + " from=" + r.address().address() + " to=" + from + ":" + port
              + (err != null ? " err=" + err.code() : ""));
          r.close();
        }));
      }
      case "replyvia" -> sockets.get(name).send(reply.getBytes(StandardCharsets.UTF_8), port, from,
          SendOptions.of().from(local), (err, n) -> say("replied " + name + " from=" + local + " to=" + from + ":" + port
              + (err != null ? " err=" + err.code() : "")));
      default -> { }
    }
  }
}
