package dev.jdgram.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process (usually {@code ip netns exec NS ...}) whose output lines (standard output and
 * error merged) are collected as they come, with bounded waits on them. Destroyed by
 * {@link #close()}, which {@link NetLab} always calls.
 */
class LineProcess implements AutoCloseable {
  final String label;
  final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Writer stdin;
  private final Thread reader;

  LineProcess(String label, List<String> command) throws IOException {
    this.label = label;
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    this.process = pb.start();
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = Thread.ofPlatform().daemon().name("out-" + label).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(l);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      synchronized (lines) {
        lines.add("<eof>");
        lines.notifyAll();
      }
    });
  }

  void write(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Waits for a line at or after index {@code from} that matches.
   *
   * @return the index of the first matching line
   * @throws AssertionError with the output so far, when none comes within the time
   */
  int awaitIndex(int from, Predicate<String> p, long millis, String what) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (lines) {
      int i = from;
      while (true) {
        for (; i < lines.size(); i++) {
          if (p.test(lines.get(i))) {
            return i;
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0 || (!lines.isEmpty() && lines.getLast().equals("<eof>"))) {
          throw new AssertionError(label + ": no " + what + " within " + millis + " ms; output:\n  "
              + String.join("\n  ", lines));
        }
        try {
          lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  String await(Predicate<String> p, long millis, String what) {
    int i = awaitIndex(0, p, millis, what);
    synchronized (lines) {
      return lines.get(i);
    }
  }

  List<String> matching(Predicate<String> p) {
    return lines().stream().filter(p).toList();
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return label + ":\n  " + String.join("\n  ", lines());
  }
}
