package dev.jdgram.cli;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jdgram send HOST PORT [MESSAGE...]}: each MESSAGE, or each line of standard input, as
 * one datagram.
 */
@Command(
    name = "send",
    description = {
      "Send each MESSAGE as one datagram (UTF-8) to HOST:PORT; without MESSAGE, send each line "
          + "of standard input (without its line end) until it ends.",
      "",
      "Examples:",
      "  jdgram send 127.0.0.1 5000 hello world            # two datagrams",
      "  printf 'a\\nb\\n' | jdgram send 127.0.0.1 5000       # two datagrams",
      "  jdgram send 127.0.0.1 5000 tick --repeat 10 --interval 100",
      "  jdgram send 239.1.2.3 5000 hi --interface 127.0.0.1",
    })
final class SendCommand extends CliCommand {
  /** At most this many sends wait for their callback at a time. */
  private static final int MAX_IN_FLIGHT = 256;

  @Parameters(index = "0", paramLabel = "HOST", description = "The destination: an IP address "
      + "or a name (localhost).")
  String host;

  @Parameters(index = "1", paramLabel = "PORT", description = "The destination port (1 to 65535).")
  int port;

  @Parameters(index = "2..*", paramLabel = "MESSAGE", description = "The messages; none: read "
      + "standard input.")
  List<String> messages;

  @Option(names = {"-I", "--interface"}, paramLabel = "ADDR",
      description = "The interface (its address) multicast datagrams leave by "
          + "(setMulticastInterface).")
  String iface;

  @Option(names = "--ttl", paramLabel = "N",
      description = "The time to live: setMulticastTTL for a multicast HOST, else setTTL (the "
          + "nio transport cannot set the unicast TTL: ENOTSUP).")
  Integer ttl;

  @Option(names = "--tos", paramLabel = "N",
      description = "Each datagram's TOS byte (IPv4) or traffic class (IPv6), 0 to 255; 0x.. "
          + "accepted (SendOptions.tos; nio: ENOTSUP).")
  String tos;

  @Option(names = "--ecn", paramLabel = "N",
      description = "Each datagram's ECN codepoint only, 0 to 3 (1 ECT(1), 2 ECT(0), 3 CE), the "
          + "socket's DSCP bits kept (SendOptions.ecn).")
  Integer ecn;

  @Option(names = "--from", paramLabel = "ADDR",
      description = "The source address to send each datagram from, one of this host's "
          + "(IP_PKTINFO on send: SendOptions.from).")
  String from;

  @Option(names = "--broadcast", description = "Allow sending to a broadcast address "
      + "(setBroadcast(true)).")
  boolean broadcast;

  @Option(names = {"-r", "--repeat"}, paramLabel = "N", defaultValue = "1",
      description = "Send every message N times. Default: ${DEFAULT-VALUE}.")
  long repeat;

  @Option(names = {"-i", "--interval"}, paramLabel = "MILLIS", defaultValue = "0",
      description = "Wait MILLIS ms between two datagrams. Default: ${DEFAULT-VALUE}.")
  long intervalMillis;

  @Option(names = {"-v", "--verbose"}, description = "Print each datagram sent, and a summary, "
      + "on standard error.")
  boolean verbose;

  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicReference<DgramException> failure = new AtomicReference<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sentBytes = new AtomicLong();
  private long queued;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw usageError("Invalid value for PORT: " + port + " is not a port (1 to 65535)");
    }
    checkPositive(repeat, "--repeat");
    checkNotNegative(intervalMillis, "--interval");
    checkIp(iface, "--interface");
    if (ttl != null && (ttl < 0 || ttl > 255)) {
      throw usageError("Invalid value for option '--ttl': " + ttl + " (0 to 255)");
    }
    checkIp(from, "--from");
    sendOptions = sendOptions();
    boolean multicast = isIpLiteral(host) && ipOf(host).isMulticastAddress();
    DgramSocket socket = createSocket(isIpLiteral(host) ? host : iface, false);
    try (Session session = new Session()) {
      socket.onError(e -> failure.compareAndSet(null, e));
      bindAndWait(socket, 0, null);
      if (broadcast) {
        socket.setBroadcast(true);
      }
      if (iface != null) {
        socket.setMulticastInterface(iface);
      }
      if (ttl != null) {
        setTtl(socket, multicast);
      }
      // the sends run on their own thread, so that Ctrl-C ends the wait for standard input
      Thread worker = Thread.ofPlatform().daemon().name("jdgram-send").start(() -> {
        try {
          if (messages != null && !messages.isEmpty()) {
            for (long r = 0; r < repeat && !session.isOver() && failure.get() == null; r++) {
              for (String m : messages) {
                if (session.isOver() || failure.get() != null) {
                  break;
                }
                send(socket, m);
              }
            }
          } else {
            sendStdin(socket, session);
          }
          session.done();
        } catch (InterruptedException e) {
          session.done();
        } catch (RuntimeException e) {
          session.fail(e);
        }
      });
      session.await(null);
      worker.interrupt();
      // every send's callback, bounded
      if (!inFlight.tryAcquire(MAX_IN_FLIGHT, SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CliException("sends did not complete in " + SETUP_TIMEOUT.toMillis() + " ms");
      }
      inFlight.release(MAX_IN_FLIGHT);
      closeAndWait(socket);
      if (verbose || session.end() == Session.End.INTERRUPTED) {
        PrintWriter err = err();
        err.println(sent.get() + " datagrams, " + sentBytes.get() + " bytes sent to "
            + endpoint(host, port));
        err.flush();
      }
      if (failure.get() != null) {
        throw failure.get();
      }
      session.rethrowFailure();
      return session.exitCode(0);
    } finally {
      closeQuietly(socket);
    }
  }

  private void setTtl(DgramSocket socket, boolean multicast) {
    try {
      if (multicast) {
        socket.setMulticastTTL(ttl);
      } else {
        socket.setTTL(ttl);
      }
    } catch (DgramException e) {
      if ("ENOTSUP".equals(e.code())) {
        throw new CliException(e.getMessage() + ": this transport cannot set the unicast TTL "
            + "(the nio transport has no IP_TTL; use the linux transport, "
            + "JDGRAM_TRANSPORT=linux)");
      }
      throw e;
    }
  }

  private void sendStdin(DgramSocket socket, Session session) throws InterruptedException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      String line;
      while (!session.isOver() && failure.get() == null && (line = in.readLine()) != null) {
        for (long r = 0; r < repeat && !session.isOver(); r++) {
          send(socket, line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What each datagram asks of the kernel (--tos, --ecn, --from), made once. */
  private SendOptions sendOptions = SendOptions.of();

  private SendOptions sendOptions() {
    SendOptions o = SendOptions.of();
    try {
      if (tos != null) {
        o = o.tos(Integer.decode(tos));
      }
      if (ecn != null) {
        o = o.ecn(ecn);
      }
      if (from != null) {
        o = o.from(from);
      }
    } catch (NumberFormatException e) {
      throw usageError("Invalid value for option '--tos': " + tos + " (0 to 255)");
    } catch (DgramException e) {
      throw usageError("Invalid value: " + e.getMessage());
    }
    return o;
  }

  private void send(DgramSocket socket, String message) throws InterruptedException {
    if (queued > 0 && intervalMillis > 0) {
      Thread.sleep(intervalMillis);
    }
    queued++;
    inFlight.acquire();
    byte[] data = message.getBytes(StandardCharsets.UTF_8);
    socket.send(data, port, host, sendOptions, (err, bytes) -> {
      try {
        if (err != null) {
          failure.compareAndSet(null, err);
        } else {
          sent.incrementAndGet();
          sentBytes.addAndGet(bytes);
          if (verbose) {
            PrintWriter e = err();
            synchronized (e) {
              e.println("sent " + bytes + " bytes to " + endpoint(host, port) + ": "
                  + Payloads.text(data));
              e.flush();
            }
          }
        }
      } finally {
        inFlight.release();
      }
    });
  }
}
