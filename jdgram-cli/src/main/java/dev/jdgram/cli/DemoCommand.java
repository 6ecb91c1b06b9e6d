package dev.jdgram.cli;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import dev.jdgram.examples.feed.FeedMain;
import dev.jdgram.loop.EventLoop;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdgram demo}: Node's classic first dgram example (a server and a client), run on
 * 127.0.0.1, one line per event with the layer it happens in.
 *
 * <p>Part 1 (unicast): a server binds and listens; a client connects to it (an implicit
 * bind first, the connect queued until {@code listening}), sends {@code "hello from the client"};
 * the server gets the {@code message} with its {@code rinfo} and replies; the client gets the
 * reply; both close. Lines in the socket layer are the calls made and the events that arrive;
 * lines in the handle, loop and kernel layers say what happened below to produce them.
 *
 * <p>Everything runs on the default event loop; this command's thread only starts part 1 and
 * waits for it (see {@link Completion}).
 */
@Command(
    name = "demo",
    description = {
      "Walk through a first UDP example on 127.0.0.1: a server and a client exchange one "
          + "datagram each way, then a member of a multicast group on the loopback interface "
          + "gets a datagram sent to the group; every event is printed with the layer it "
          + "happens in (socket, handle, loop, kernel)."
    })
final class DemoCommand extends CliCommand {
  static final String HOST = "127.0.0.1";
  static final String REQUEST = "hello from the client";
  static final String REPLY = "hello from the server";
  /** An administratively scoped group (239/8): it stays on the interface it is sent by. */
  static final String GROUP = "239.255.42.99";
  static final String GROUP_MESSAGE = "hello, group";

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "0",
      description = "The server's port on 127.0.0.1; 0 lets the kernel choose (Node's "
          + "documentation uses 41234). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--timeout",
      paramLabel = "MILLIS",
      defaultValue = "5000",
      description = "Give up (exit code 1) when a part takes longer. Default: ${DEFAULT-VALUE}.")
  long timeoutMillis;

  @Option(
      names = "--sim",
      description = "Play multicast across a router on a simulated LAN and WAN instead (join, the "
          + "IGMP report on the wire, the router learning the member, forwarding only where "
          + "members are), each step with its layer.")
  boolean sim;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "The simulated network's seed (with --sim). Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--feed",
      description = "Run the market-data example instead: a publisher sends sequenced datagrams "
          + "to a multicast group on 127.0.0.1 in GSO batches, a subscriber reports rate, gaps "
          + "and the kernel's drop count every second (dev.jdgram.examples.feed).")
  boolean feed;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "10000",
      description = "With --feed: datagrams per second. Default: ${DEFAULT-VALUE}.")
  long feedRate;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "30000",
      description = "With --feed: datagrams in all. Default: ${DEFAULT-VALUE}.")
  long feedCount;

  @Override
  public Integer call() throws InterruptedException {
    if (feed) {
      if (feedRate <= 0 || feedCount <= 0) {
        throw usageError("--rate and --count must be positive");
      }
      PrintWriter w = out();
      return FeedMain.run(line -> {
        // Report lines come from the loop thread and the command's thread.
        synchronized (w) {
          w.println(line);
          w.flush();
        }
      }, new FeedMain.Options(feedRate, feedCount, 64, 1000));
    }
    if (sim) {
      java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
      boolean ok;
      try (java.io.PrintStream ps = new java.io.PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8)) {
        ok = dev.jdgram.sim.SimDemo.run(ps, seed);
      }
      out().print(lines.toString(java.nio.charset.StandardCharsets.UTF_8));
      out().flush();
      return ok ? 0 : 1;
    }
    checkPort(port, "--port");
    if (timeoutMillis <= 0) {
      throw usageError("Invalid value for option '--timeout': " + timeoutMillis
          + " is not a positive number of milliseconds");
    }
    Duration timeout = Duration.ofMillis(timeoutMillis);
    EventLog log = new EventLog(out());

    log.note("== Part 1: a server and a client on " + HOST + " ==");
    new Unicast(log).run(port, timeout);

    log.note("== Part 2: multicast on " + HOST + " (the loopback interface) ==");
    new Multicast(log).run(timeout);

    log.note("== done ==");
    return 0;
  }

  /**
   * Part 1. Every method but {@link #run} runs on the event-loop thread, as a listener or a
   * callback; the steps follow each other through the events, as in an event-driven Node program.
   */
  private static final class Unicast {
    private final EventLog log;
    /** Done when both sockets have emitted {@code close}. */
    private final Completion done;
    /** The client's reply and the server's send callback: both before the sockets close. */
    private final AtomicInteger beforeClose = new AtomicInteger(2);
    private volatile DgramSocket server;
    private volatile DgramSocket client;

    Unicast(EventLog log) {
      this.log = log;
      this.done = new Completion(2, EventLoop.getDefault(), () -> {
        closeQuietly(client);
        closeQuietly(server);
      });
    }

    /** On the command's thread: create and bind the server, then wait for the rest. */
    void run(int port, Duration timeout) {
      log.socket("server", "createSocket(\"udp4\"): a DgramSocket around a new UDP handle");
      DgramSocket s = Dgram.createSocket("udp4");
      server = s;
      s.onError(err -> done.callback(() -> failed("server", err)));
      s.onMessage((msg, rinfo) -> done.callback(() -> serverMessage(msg, rinfo)));
      s.onClose(() -> done.callback(() -> closed("server")));
      log.socket("server", "bind(" + port + ", \"" + HOST + "\")");
      s.bind(port, HOST, () -> done.callback(() -> serverListening(port)));
      done.await(timeout, "demo part 1", () -> "last event: " + log.last());
    }

    private void serverListening(int requestedPort) {
      AddressInfo local = server.address();
      log.kernel("server", "socket bound to " + endpoint(local)
          + (requestedPort == 0 ? " (port 0: the kernel chose " + local.port() + ")" : ""));
      log.handle("server", "recvStart(): the loop now polls the socket for datagrams");
      log.socket("server", "listening on " + endpoint(local));
      startClient(local.port());
    }

    private void startClient(int serverPort) {
      log.socket("client", "createSocket(\"udp4\")");
      DgramSocket c = Dgram.createSocket("udp4");
      client = c;
      c.onError(err -> done.callback(() -> failed("client", err)));
      c.onListening(() -> done.callback(this::clientListening));
      c.onConnect(() -> done.callback(this::clientConnected));
      c.onMessage((msg, rinfo) -> done.callback(() -> clientMessage(msg, rinfo)));
      c.onClose(() -> done.callback(() -> closed("client")));
      log.socket("client", "connect(" + serverPort + ", \"" + HOST + "\"): unbound, so bind(0) "
          + "first and queue the connect until listening");
      c.connect(serverPort, HOST, err -> done.callback(() -> {
        if (err != null) {
          failed("client", err);
        } else {
          clientSend();
        }
      }));
    }

    private void clientListening() {
      AddressInfo local = client.address();
      log.kernel("client", "socket bound to " + endpoint(local)
          + " (implicit bind: the kernel chose the port)");
      log.handle("client", "recvStart(): the loop now polls the socket for datagrams");
      log.socket("client", "listening on " + endpoint(local) + "; the queued connect runs");
    }

    private void clientConnected() {
      AddressInfo remote = client.remoteAddress();
      log.kernel("client", "socket connected: " + endpoint(client.address()) + " -> "
          + endpoint(remote) + " (the kernel keeps the peer; no datagram is sent)");
      log.socket("client", "connect to " + endpoint(remote));
    }

    /** The connect callback: the socket is connected, so send needs no address. */
    private void clientSend() {
      log.socket("client", "send(" + EventLog.quote(REQUEST) + ")");
      client.send(REQUEST, (err, bytes) -> done.callback(() -> sent("client", err, bytes)));
    }

    private void serverMessage(byte[] msg, RemoteInfo rinfo) {
      received("server", msg, rinfo);
      log.socket("server", "send(" + EventLog.quote(REPLY) + ", " + rinfo.port() + ", \""
          + rinfo.address() + "\"): reply to the sender");
      server.send(REPLY, rinfo.port(), rinfo.address(), (err, bytes) -> done.callback(() -> {
        sent("server", err, bytes);
        if (err == null) {
          maybeClose();
        }
      }));
    }

    private void clientMessage(byte[] msg, RemoteInfo rinfo) {
      received("client", msg, rinfo);
      maybeClose();
    }

    /** Closes both sockets once the reply is in and the server's send has completed. */
    private void maybeClose() {
      if (beforeClose.decrementAndGet() != 0) {
        return;
      }
      log.socket("client", "close()");
      client.close();
      log.socket("server", "close()");
      server.close();
    }

    private void received(String who, byte[] msg, RemoteInfo rinfo) {
      log.kernel(who, "a " + rinfo.size() + "-byte datagram from " + endpoint(rinfo)
          + " waits in the socket's receive buffer");
      log.loop(who, "poll phase: the socket is readable; the handle reads the datagram");
      log.socket(who, "message " + EventLog.quote(msg) + " rinfo {address: " + rinfo.address()
          + ", family: " + rinfo.family() + ", port: " + rinfo.port() + ", size: "
          + rinfo.size() + "}");
    }

    private void sent(String who, DgramException err, int bytes) {
      if (err != null) {
        failed(who, err);
        return;
      }
      log.loop(who, "send completed: " + bytes + " bytes handed to the kernel (send callback)");
    }

    private void closed(String who) {
      log.handle(who, "handle closed: the loop no longer polls its socket");
      log.socket(who, "close");
      done.countDown();
    }

    private void failed(String who, DgramException err) {
      log.socket(who, "error " + err.code() + (err.syscall() == null ? "" : " (" + err.syscall()
          + ")"));
      done.fail(err);
    }
  }

  /**
   * Part 2: a member joins {@link #GROUP} on 127.0.0.1, a sender pins its multicast interface to
   * 127.0.0.1 and sends to the group, the member receives, leaves and both close. Nothing leaves
   * the loopback interface (CONTRIBUTING.md). As in part 1, every method but {@link #run} runs
   * on the event-loop thread.
   */
  private static final class Multicast {
    private final EventLog log;
    private final Completion done;
    private volatile DgramSocket member;
    private volatile DgramSocket sender;
    private volatile int groupPort;

    Multicast(EventLog log) {
      this.log = log;
      this.done = new Completion(2, EventLoop.getDefault(), () -> {
        closeQuietly(sender);
        closeQuietly(member);
      });
    }

    void run(Duration timeout) {
      log.socket("member", "createSocket({type: \"udp4\", reuseAddr: true}): SO_REUSEADDR, so "
          + "other members on this host may bind the same port");
      DgramSocket m = Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true));
      member = m;
      m.onError(err -> done.callback(() -> failed("member", err)));
      m.onMessage((msg, rinfo) -> done.callback(() -> memberMessage(msg, rinfo)));
      m.onClose(() -> done.callback(() -> closed("member")));
      log.socket("member", "bind(0, \"" + GROUP + "\"): bound to the group's address, the "
          + "socket gets only the group's datagrams");
      m.bind(0, GROUP, () -> done.callback(this::memberListening));
      done.await(timeout, "demo part 2", () -> "last event: " + log.last());
    }

    private void memberListening() {
      AddressInfo local = member.address();
      groupPort = local.port();
      log.kernel("member", "socket bound to " + endpoint(local));
      log.socket("member", "listening on " + endpoint(local));
      log.socket("member", "addMembership(\"" + GROUP + "\", \"" + HOST + "\")");
      member.addMembership(GROUP, HOST);
      log.kernel("member", "IP_ADD_MEMBERSHIP: the interface of " + HOST + " (lo) joins " + GROUP
          + "; its IGMP report stays on lo");
      startSender();
    }

    private void startSender() {
      log.socket("sender", "createSocket(\"udp4\")");
      DgramSocket s = Dgram.createSocket("udp4");
      sender = s;
      s.onError(err -> done.callback(() -> failed("sender", err)));
      s.onClose(() -> done.callback(() -> closed("sender")));
      log.socket("sender", "bind(0, \"" + HOST + "\")");
      s.bind(0, HOST, () -> done.callback(this::senderListening));
    }

    private void senderListening() {
      log.kernel("sender", "socket bound to " + endpoint(sender.address()));
      log.socket("sender", "listening on " + endpoint(sender.address()));
      log.socket("sender", "setMulticastInterface(\"" + HOST + "\")");
      sender.setMulticastInterface(HOST);
      log.kernel("sender", "IP_MULTICAST_IF: datagrams to a group leave by lo, never by the "
          + "default route");
      log.socket("sender", "setMulticastLoopback(true)");
      sender.setMulticastLoopback(true);
      log.kernel("sender", "IP_MULTICAST_LOOP: members on this host get a copy");
      log.socket("sender", "send(" + EventLog.quote(GROUP_MESSAGE) + ", " + groupPort + ", \""
          + GROUP + "\")");
      sender.send(GROUP_MESSAGE, groupPort, GROUP, (err, bytes) -> done.callback(() -> {
        if (err != null) {
          failed("sender", err);
        } else {
          log.loop("sender", "send completed: " + bytes + " bytes handed to the kernel (send "
              + "callback)");
        }
      }));
    }

    private void memberMessage(byte[] msg, RemoteInfo rinfo) {
      log.kernel("member", "the group's " + rinfo.size() + "-byte datagram from "
          + endpoint(rinfo) + " is looped back on lo to every member socket");
      log.loop("member", "poll phase: the socket is readable; the handle reads the datagram");
      log.socket("member", "message " + EventLog.quote(msg) + " rinfo {address: "
          + rinfo.address() + ", family: " + rinfo.family() + ", port: " + rinfo.port()
          + ", size: " + rinfo.size() + "}");
      log.socket("member", "dropMembership(\"" + GROUP + "\", \"" + HOST + "\")");
      member.dropMembership(GROUP, HOST);
      log.kernel("member", "IP_DROP_MEMBERSHIP: lo leaves " + GROUP);
      log.socket("member", "close()");
      member.close();
      log.socket("sender", "close()");
      sender.close();
    }

    private void closed(String who) {
      log.handle(who, "handle closed: the loop no longer polls its socket");
      log.socket(who, "close");
      done.countDown();
    }

    private void failed(String who, DgramException err) {
      log.socket(who, "error " + err.code() + (err.syscall() == null ? "" : " (" + err.syscall()
          + ")"));
      done.fail(err);
    }
  }
}
