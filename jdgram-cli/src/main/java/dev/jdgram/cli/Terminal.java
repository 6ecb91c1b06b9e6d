package dev.jdgram.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Whether standard error is a terminal, and a live status line repainted on it. */
final class Terminal {
  private Terminal() {}

  /**
   * @return true when standard error is a terminal: on Linux, when file descriptor 2 is a
   *     {@code /dev/pts/*} or {@code /dev/tty*}; elsewhere, when {@link Console#isTerminal()}
   */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException notLinux) {
      Console console = System.console();
      return console != null && console.isTerminal();
    }
  }

  /**
   * A line on standard error repainted in place ({@code \r}, the text, erase to the end of the
   * line) every {@code periodMillis} by a daemon thread, until {@link #stop()} paints it one last
   * time and ends the line.
   */
  static final class StatusLine implements AutoCloseable {
    private final PrintWriter err;
    private final Supplier<String> text;
    private final ScheduledExecutorService timer;
    private boolean stopped;

    StatusLine(PrintWriter err, Supplier<String> text, long periodMillis) {
      this.err = err;
      this.text = text;
      this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jdgram-status");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleAtFixedRate(this::paint, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void paint() {
      if (stopped) {
        return;
      }
      try {
        err.print("\r" + text.get() + "\u001b[K");
        err.flush();
      } catch (RuntimeException e) {
        // a status line is decoration: never let it stop the command
      }
    }

    /** The last paint, then a new line; idempotent. */
    synchronized void stop() {
      if (stopped) {
        return;
      }
      paint();
      stopped = true;
      timer.shutdownNow();
      err.println();
      err.flush();
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** @return a bar of {@code width} cells, {@code fraction} (0 to 1) of them filled */
  static String bar(double fraction, int width) {
    double f = Math.max(0, Math.min(1, fraction));
    int full = (int) Math.round(f * width);
    return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
  }
}
