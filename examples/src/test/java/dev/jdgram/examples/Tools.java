package dev.jdgram.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real programs the examples are tested with; skips a test when one is missing. */
public final class Tools {
  /** Generous: the machine that runs the tests may be busy. */
  public static final long WAIT_SECONDS = 30;

  private Tools() {}

  /** @return the program's path on the PATH, or null */
  public static Path which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    return null;
  }

  /**
   * Skips the test (with the package to install) when {@code tool} is not on the PATH; .ci/run
   * installs every one of them, so CI does not skip.
   */
  public static void need(String tool, String debianPackage) {
    assumeTrue(which(tool) != null, tool + " is not installed (apt-get install " + debianPackage
        + "); skipping");
  }

  /** The output and exit code of a finished program. */
  public record Result(int exit, String output) {}

  /** Runs a program to its end (bounded), standard error merged into the output. */
  public static Result run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("jdgram-tool", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      p.getOutputStream().close();
      boolean ended = p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
      if (!ended) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      assertTrue(ended, "still running after " + WAIT_SECONDS + " s: " + command + "\n" + text);
      return new Result(p.exitValue(), text);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Runs a program that must succeed, and returns its output. */
  public static String check(String... command) throws IOException, InterruptedException {
    Result r = run(List.of(command));
    assertTrue(r.exit() == 0, String.join(" ", command) + " exited " + r.exit() + ":\n"
        + r.output());
    return r.output();
  }
}
