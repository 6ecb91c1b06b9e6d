package dev.jdgram.cli;

import dev.jdgram.AddressInfo;
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
