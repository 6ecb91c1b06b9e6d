package dev.jdgram.cli;

import dev.jdgram.AddressInfo;
import dev.jdgram.Datagram;
import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import dev.jdgram.SocketStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram listen PORT}: prints every datagram that arrives, with its source, size and
 * time, as text, a hex dump or one JSON object a line.
 */
@Command(
    name = "listen",
    description = {
      "Receive datagrams on PORT and print each one with its time, source and size: as text "
          + "(control characters escaped), a hex dump (--hex) or one JSON object a line (--json).",
      "Status lines (listening, the summary) go to standard error; datagrams to standard output.",
      "",
      "Examples:",
      "  jdgram listen 5000",
      "  jdgram listen 5000 --count 1 --timeout 10000 --json",
      "  jdgram listen 5000 --join 239.1.2.3 --interface 127.0.0.1",
      "  jdgram listen 5000 --join 232.1.2.3 --source 127.0.0.1 --interface 127.0.0.1",
      "  jdgram listen 5000 --jfr listen.jfr; jfr print --categories dev.jdgram listen.jfr",
    })
final class ListenCommand extends CliCommand {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Parameters(index = "0", paramLabel = "PORT", description = "The UDP port (0: any free port).")
  int port;

  @Option(names = {"-b", "--bind"}, paramLabel = "ADDR",
      description = "The local address to bind. Default: 127.0.0.1, or the group with --join.")
  String bind;

  @Option(names = {"-j", "--join"}, paramLabel = "GROUP",
      description = "Join this multicast group (the socket is bound with reuseAddr).")
  String group;

  @Option(names = {"-I", "--interface"}, paramLabel = "ADDR",
      description = "The interface (its address) to join the group on, e.g. 127.0.0.1.")
  String iface;

  @Option(names = {"-S", "--source"}, paramLabel = "ADDR",
      description = "Source-specific multicast: receive the group's datagrams from this source "
          + "only (needs --join).")
  String source;

  @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "0",
      description = "Stop after N datagrams (0: no limit). Default: ${DEFAULT-VALUE}.")
  long count;

  @Option(names = {"-t", "--timeout"}, paramLabel = "MILLIS", defaultValue = "0",
      description = "Stop after MILLIS ms (0: no limit); with --count, exit code 3 when fewer "
          + "than N arrived by then. Default: ${DEFAULT-VALUE}.")
  long timeoutMillis;

  @Option(names = {"-x", "--hex"}, description = "Print each payload as a hex dump.")
  boolean hex;

  @Option(names = "--json", description = "Print one JSON object per datagram: time, address, "
      + "family, port, size, text (null when not UTF-8) and hex.")
  boolean json;

  @Option(names = "--meta", description = "Also print what the kernel tells of each datagram: "
      + "the TTL and TOS/ECN it arrived with, when the kernel took it in, and the address it was "
      + "sent to (linux and sim; nio cannot tell them).")
  boolean meta;

  @Option(names = {"-q", "--quiet"}, description = "No status lines on standard error.")
  boolean quiet;

  @Option(names = "--jfr", paramLabel = "FILE",
      description = "Record jdgram's Flight Recorder events (category dev.jdgram: socket "
          + "lifecycle, errors, datagrams per loop phase, slow callbacks) to FILE, written when "
          + "listening ends; read it with: jfr print --categories dev.jdgram FILE.")
  Path jfr;

  @Override
  public Integer call() {
    checkPort(port, "PORT");
    checkNotNegative(count, "--count");
    checkNotNegative(timeoutMillis, "--timeout");
    checkIp(bind, "--bind");
    checkIp(iface, "--interface");
    checkIp(source, "--source");
    if (group != null) {
      checkMulticast(group, "option '--join'");
    } else if (iface != null || source != null) {
      throw usageError("--interface and --source need --join GROUP");
    }
    if (hex && json) {
      throw usageError("--hex and --json cannot be used together");
    }
    String address = bind != null ? bind : group != null ? group : "127.0.0.1";
    PrintWriter out = out();
    PrintWriter err = err();
    AtomicLong received = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    FlightRecording recording = FlightRecording.start(jfr); // before the socket: its bind is in it
    DgramSocket socket = meta
        ? Dgram.createSocket(SocketOptions.of(typeFor(address)).reuseAddr(group != null)
            .recvTtl(true).recvTos(true).recvTimestamp(true))
        : createSocket(address, group != null);
    try (Session session = new Session()) {
      socket.onError(session::fail);
      socket.onMessage((msg, rinfo) -> {
        if (session.isOver()) {
          return;
        }
        long n = received.incrementAndGet();
        bytes.addAndGet(msg.length);
        print(out, msg, rinfo, meta ? Meta.of(socket.currentDatagram()) : null);
        if (count > 0 && n >= count) {
          session.done();
        }
      });
      bindAndWait(socket, port, address);
      if (group != null) {
        if (source != null) {
          socket.addSourceSpecificMembership(source, group, iface);
        } else {
          socket.addMembership(group, iface);
        }
      }
      AddressInfo local = socket.address();
      if (!quiet) {
        err.println("listening on " + endpoint(local)
            + (group == null ? "" : ", joined " + group
                + (source == null ? "" : " from source " + source)
                + (iface == null ? "" : " on " + iface)));
        err.flush();
      }
      Session.End end = session.await(timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
      closeAndWait(socket);
      SocketStats stats = socket.stats();
      if (!quiet || end == Session.End.INTERRUPTED) {
        err.println(received.get() + " datagrams, " + bytes.get() + " bytes received"
            + (stats.receiveDrops() > 0 ? ", " + stats.receiveDrops() + " dropped by the kernel" : "")
            + (end == Session.End.TIMEOUT ? " (time-out after " + timeoutMillis + " ms)" : ""));
        err.flush();
      }
      if (recording != null) {
        recording.close();
        recording = null;
        if (!quiet) {
          err.println("recorded to " + jfr + " (jfr print --categories dev.jdgram " + jfr + ")");
          err.flush();
        }
      }
      session.rethrowFailure();
      boolean short_ = end == Session.End.TIMEOUT && count > 0 && received.get() < count;
      if (short_) {
        err.println("jdgram: listen timed out: " + received.get() + " of " + count
            + " datagrams arrived in " + timeoutMillis + " ms");
        err.flush();
      }
      return session.exitCode(short_ ? Main.EXIT_TIMEOUT : 0);
    } finally {
      closeQuietly(socket);
      if (recording != null) {
        recording.close();
      }
    }
  }

  /** What the kernel told of one datagram ({@code --meta}), copied out of the in-place view. */
  record Meta(int ttl, int tos, int ecn, long timestampNanos, String to, int ifindex) {
    static Meta of(Datagram d) {
      return new Meta(d.ttl(), d.tos(), d.ecn(), d.timestampNanos(), d.localAddress(), d.interfaceIndex());
    }

    /** @return the receive time as an instant, or null when the kernel did not tell it */
    Instant received() {
      return timestampNanos < 0 ? null : Instant.ofEpochSecond(0, timestampNanos);
    }

    String text() {
      return " ttl " + ttl + " tos " + (tos < 0 ? "-1" : String.format("0x%02x", tos)) + " ecn " + ecn
          + " to " + to + " if " + ifindex + (timestampNanos < 0 ? "" : " at " + received());
    }
  }

  private void print(PrintWriter out, byte[] msg, RemoteInfo rinfo, Meta m) {
    Instant now = Instant.now();
    StringBuilder line = new StringBuilder(64 + msg.length * 2);
    if (json) {
      line.append(Json.datagram(now, rinfo.address(), rinfo.family(), rinfo.port(), msg, m));
    } else {
      line.append(LocalTime.ofInstant(now, ZoneId.systemDefault()).format(TIME)).append(' ')
          .append(endpoint(rinfo)).append(' ').append(rinfo.size()).append(" bytes");
      if (m != null) {
        line.append(m.text());
      }
      if (hex) {
        if (msg.length > 0) {
          line.append('\n').append(Payloads.hexDump(msg, "  "));
        }
      } else {
        line.append(": ").append(Payloads.text(msg));
      }
    }
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
