package dev.jdgram.cli;

import dev.jdgram.DgramException;
import java.io.PrintWriter;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code jdgram} command: Node.js {@code dgram} from the shell.
 *
 * <p>Sub-commands are one class each in this package (see {@link CliCommand}); add a new one to
 * {@code subcommands} below. Exit codes: 0 success, 1 a socket error or another failure (one
 * line {@code jdgram: <message>} on standard error, e.g. {@code jdgram: bind EADDRINUSE
 * 127.0.0.1:5000}), 2 bad usage, 3 nothing (or not enough) arrived in time, 130 Ctrl-C.
 */
@Command(
    name = "jdgram",
    scope = ScopeType.INHERIT, // --help and --version on every sub-command too
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    usageHelpAutoWidth = true,
    synopsisSubcommandLabel = "COMMAND",
    description = "Node.js dgram for Java: UDP sockets on a libuv-style event loop.",
    subcommands = {
      ListenCommand.class,
      SendCommand.class,
      EchoCommand.class,
      PingCommand.class,
      ChatCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:a socket error or another failure (`jdgram: <message>` on standard error)",
      "2:bad usage (an unknown option, a bad value, a missing argument)",
      "3:nothing (or not enough) arrived in time: listen --count with --timeout, ping with "
          + "no reply, bench with nothing received",
      "130:stopped by Ctrl-C (SIGINT) or SIGTERM, after the summary"
    },
    footerHeading = "%n",
    footer = "bin/jdgram passes JDGRAM_TRANSPORT (nio, ...) on as -Djdgram.transport, the "
        + "transport to use.")
public final class Main implements Runnable {
  /** Exit code of a failed command: a {@code DgramException}, a time-out, an internal error. */
  static final int EXIT_FAILURE = 1;
  /** Exit code of bad usage. */
  static final int EXIT_USAGE = 2;
  /** Exit code when nothing, or not enough, arrived in time. */
  static final int EXIT_TIMEOUT = 3;
  /** Exit code after Ctrl-C (SIGINT) or SIGTERM: 128 + SIGINT, as shells report it. */
  static final int EXIT_INTERRUPTED = 130;

  @Spec
  CommandSpec spec;

  /** {@code jdgram} without a sub-command: the usage on standard error, exit code 2. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command");
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * The configured command line: sub-commands, error reporting and exit codes. Tests run
   * commands in-process through it, with {@code setOut}/{@code setErr} to capture the output.
   *
   * @return a new command line for {@code jdgram}
   */
  public static CommandLine newCommandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(Main::reportFailure)
        .setParameterExceptionHandler(Main::reportBadUsage);
  }

  /** A failure while a command ran: one line on standard error, exit code 1. */
  private static int reportFailure(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (ex instanceof DgramException || ex instanceof CliException) {
      err.println("jdgram: " + Objects.requireNonNullElse(ex.getMessage(), ex.toString()));
    } else {
      err.println("jdgram: internal error: " + ex);
      if (System.getenv("JDGRAM_DEBUG") != null || Boolean.getBoolean("jdgram.debug")) {
        ex.printStackTrace(err);
      }
    }
    err.flush();
    return EXIT_FAILURE;
  }

  /** Bad usage: what is wrong and where to read more, on standard error; exit code 2. */
  private static int reportBadUsage(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("jdgram: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
