package dev.jdgram.cli;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.SocketOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every sub-command of {@code jdgram} shares: its picocli spec, the command line's output
 * streams (so tests can capture them), usage errors and address formatting.
 *
 * <p>A sub-command is one class in {@code dev.jdgram.cli} that extends this class, carries
 * {@code @Command(name = ...)}, returns its exit code from {@link #call()} and is listed in
 * {@link Main}'s {@code subcommands}. It reports a failure by throwing: a {@link DgramException}
 * or a {@link CliException} becomes {@code jdgram: <message>} and exit code 1 (see {@link Main}),
 * and a {@link #usageError} exit code 2. Socket callbacks run on the event-loop thread; the
 * command's thread waits for them with a {@link Completion}.
 */
abstract class CliCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  /** @return the command line's standard output */
  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** @return the command line's standard error */
  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** @return an exception that picocli reports as bad usage (exit code 2) */
  ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** @return {@code port}, or throws a usage error when it is not a UDP port (0 allowed) */
  int checkPort(int port, String option) {
    if (port < 0 || port > 65535) {
      throw usageError("Invalid value for option '" + option + "': " + port
          + " is not a port (0 to 65535)");
    }
    return port;
  }

  /** @return {@code 127.0.0.1:41234} or {@code [::1]:41234} */
  static String endpoint(String address, int port) {
    return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
  }

  static String endpoint(AddressInfo info) {
    return endpoint(info.address(), info.port());
  }

  static String endpoint(RemoteInfo info) {
    return endpoint(info.address(), info.port());
  }

  /** How long a bind, a close or another setup step may take before the command gives up. */
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

  /** @return {@code "udp6"} for an IPv6 literal ({@code ::1}), else {@code "udp4"} */
  static String typeFor(String address) {
    return address != null && address.indexOf(':') >= 0 ? "udp6" : "udp4";
  }

  /** @return a new socket for {@code address}'s family, with {@code reuseAddr} as asked */
  static DgramSocket createSocket(String address, boolean reuseAddr) {
    return Dgram.createSocket(SocketOptions.of(typeFor(address)).reuseAddr(reuseAddr));
  }

  /**
   * Binds {@code socket} and waits until it is listening.
   *
   * @throws DgramException the bind's error ({@code bind EADDRINUSE 127.0.0.1:5000})
   * @throws CliException when the socket did not start listening in time
   */
  static void bindAndWait(DgramSocket socket, int port, String address) {
    CountDownLatch listening = new CountDownLatch(1);
    AtomicReference<DgramException> error = new AtomicReference<>();
    Consumer<DgramException> onError = e -> {
      error.compareAndSet(null, e);
      listening.countDown();
    };
    socket.onError(onError);
    try {
      socket.bind(port, address, listening::countDown);
      if (!listening.await(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CliException("bind " + endpoint(address == null ? "*" : address, port)
            + " did not complete in " + SETUP_TIMEOUT.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while binding");
    } finally {
      socket.off(onError);
    }
    if (error.get() != null) {
      closeQuietly(socket);
      throw error.get();
    }
  }

  /** Closes {@code socket} and waits (bounded) for its {@code close} event; quiet if closed. */
  static void closeAndWait(DgramSocket socket) {
    if (socket == null) {
      return;
    }
    CountDownLatch closed = new CountDownLatch(1);
    try {
      socket.close(closed::countDown);
      closed.await(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (DgramException alreadyClosed) {
      // nothing left to close
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return {@code value}, or throws a usage error when it is not positive */
  long checkPositive(long value, String option) {
    if (value <= 0) {
      throw usageError("Invalid value for option '" + option + "': " + value
          + " is not a positive number");
    }
    return value;
  }

  /** @return {@code value}, or throws a usage error when it is negative */
  long checkNotNegative(long value, String option) {
    if (value < 0) {
      throw usageError("Invalid value for option '" + option + "': " + value
          + " is negative");
    }
    return value;
  }

  /** @return an IP literal, or throws a usage error naming {@code option} */
  String checkIp(String address, String option) {
    if (address != null && !isIpLiteral(address)) {
      throw usageError("Invalid value for option '" + option + "': '" + address
          + "' is not an IP address");
    }
    return address;
  }

  /** @return {@code address}, or throws a usage error when it is not a multicast IP literal */
  String checkMulticast(String address, String what) {
    if (!isIpLiteral(address) || !ipOf(address).isMulticastAddress()) {
      throw usageError("Invalid value for " + what + ": '" + address
          + "' is not a multicast address (224.0.0.0/4 or ff00::/8)");
    }
    return address;
  }

  static boolean isIpLiteral(String address) {
    if (address == null || address.isEmpty()) {
      return false;
    }
    String a = address.replaceFirst("%.*$", "");
    return a.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (a.indexOf(':') >= 0
        && a.matches("[0-9A-Fa-f:.]+"));
  }

  /** @return the address of an IP literal (no name look-up: the text is a literal) */
  static InetAddress ipOf(String literal) {
    try {
      return InetAddress.ofLiteral(literal.replaceFirst("%.*$", ""));
    } catch (IllegalArgumentException e) {
      return InetAddress.getLoopbackAddress();
    }
  }

  /** Closes {@code socket} if it is there and still open; for clean-up after a failure. */
  static void closeQuietly(DgramSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (DgramException alreadyClosed) {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: nothing left to close
    }
  }
}
