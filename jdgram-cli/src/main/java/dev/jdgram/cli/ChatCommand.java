package dev.jdgram.cli;

import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram chat GROUP PORT --interface ADDR --name NAME}: multicast chat. Each line typed
 * is a datagram to the group; each datagram from the group is printed with its sender.
 *
 * <p>A chat datagram is UTF-8 text: {@code jdgram-chat/1}, the kind ({@code join}, {@code say},
 * {@code leave}), this process's random id, the name and the text, one a line. Datagrams in
 * another format are printed as they are.
 */
@Command(
    name = "chat",
    description = {
      "Multicast chat: every line typed goes to GROUP:PORT; every line from the group is printed "
          + "with its sender. Datagrams leave by --interface only (setMulticastInterface), with "
          + "multicast loopback on, so several chats on one host see each other.",
      "End of input (Ctrl-D) or Ctrl-C leaves the group.",
      "",
      "Example (two terminals):",
      "  jdgram chat 239.1.2.3 5000 --interface 127.0.0.1 --name alice",
      "  jdgram chat 239.1.2.3 5000 --interface 127.0.0.1 --name bob",
    })
final class ChatCommand extends CliCommand {
  static final String MAGIC = "jdgram-chat/1";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Parameters(index = "0", paramLabel = "GROUP", description = "The multicast group, e.g. "
      + "239.1.2.3.")
  String group;

  @Parameters(index = "1", paramLabel = "PORT", description = "The port (1 to 65535).")
  int port;

  @Option(names = {"-I", "--interface"}, paramLabel = "ADDR", required = true,
      description = "The interface (its address) to join on and to send by, e.g. 127.0.0.1.")
  String iface;

  @Option(names = {"-n", "--name"}, paramLabel = "NAME", defaultValue = "${sys:user.name}",
      description = "The name the others see. Default: the user name.")
  String name;

  @Option(names = "--ttl", paramLabel = "N", defaultValue = "1",
      description = "The multicast TTL (0 to 255). Default: ${DEFAULT-VALUE}.")
  int ttl;

  private final String id = Long.toHexString(ThreadLocalRandom.current().nextLong());

  @Override
  public Integer call() throws InterruptedException {
    checkMulticast(group, "GROUP");
    if (port < 1 || port > 65535) {
      throw usageError("Invalid value for PORT: " + port + " is not a port (1 to 65535)");
    }
    checkIp(iface, "--interface");
    if (ttl < 0 || ttl > 255) {
      throw usageError("Invalid value for option '--ttl': " + ttl + " (0 to 255)");
    }
    if (name == null || name.isBlank() || name.contains("\n")) {
      throw usageError("Invalid value for option '--name': a name is one non-empty line");
    }
    PrintWriter out = out();
    PrintWriter err = err();
    DgramSocket socket = createSocket(group, true);
    try (Session session = new Session()) {
      socket.onError(session::fail);
      socket.onMessage((msg, rinfo) -> print(out, msg, rinfo));
      bindAndWait(socket, port, group);
      socket.addMembership(group, iface);
      socket.setMulticastInterface(iface);
      socket.setMulticastLoopback(true);
      socket.setMulticastTTL(ttl);
      err.println("chat: joined " + endpoint(group, port) + " on " + iface + " as " + name
          + " (type lines; Ctrl-D or Ctrl-C to leave)");
      err.flush();
      say(socket, "join", "");
      Thread reader = Thread.ofPlatform().daemon().name("jdgram-chat-stdin").start(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
          String line;
          while (!session.isOver() && (line = in.readLine()) != null) {
            if (!line.isEmpty()) {
              say(socket, "say", line);
            }
          }
          session.done();
        } catch (IOException | RuntimeException e) {
          session.fail(e);
        }
      });
      session.await(null);
      reader.interrupt();
      if (!socket.isClosed()) {
        CountDownLatch left = new CountDownLatch(1);
        try {
          socket.send(frame("leave", ""), port, group, (e, n) -> left.countDown());
          left.await(1, TimeUnit.SECONDS);
          socket.dropMembership(group, iface);
        } catch (RuntimeException alreadyGone) {
          // leaving is best effort
        }
      }
      closeAndWait(socket);
      err.println("chat: left " + endpoint(group, port));
      err.flush();
      session.rethrowFailure();
      return session.exitCode(0);
    } finally {
      closeQuietly(socket);
    }
  }

  private byte[] frame(String kind, String text) {
    return (MAGIC + "\n" + kind + "\n" + id + "\n" + name + "\n" + text)
        .getBytes(StandardCharsets.UTF_8);
  }

  private void say(DgramSocket socket, String kind, String text) {
    socket.send(frame(kind, text), port, group, (e, n) -> {
      if (e != null) {
        PrintWriter err = err();
        synchronized (err) {
          err.println("jdgram: " + e.getMessage());
          err.flush();
        }
      }
    });
  }

  /** On the loop thread. */
  private void print(PrintWriter out, byte[] msg, RemoteInfo rinfo) {
    String time = LocalTime.now().format(TIME);
    String text = new String(msg, StandardCharsets.UTF_8);
    String[] parts = text.split("\n", 5);
    String line;
    if (parts.length == 5 && parts[0].equals(MAGIC)) {
      if (parts[2].equals(id)) {
        return; // our own, looped back
      }
      String who = Payloads.text(parts[3].getBytes(StandardCharsets.UTF_8));
      String said = Payloads.text(parts[4].getBytes(StandardCharsets.UTF_8));
      line = switch (parts[1]) {
        case "join" -> "[" + time + "] * " + who + " joined (" + endpoint(rinfo) + ")";
        case "leave" -> "[" + time + "] * " + who + " left";
        default -> "[" + time + "] " + who + "@" + rinfo.address() + ": " + said;
      };
    } else {
      line = "[" + time + "] " + endpoint(rinfo) + ": " + Payloads.text(msg);
    }
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
