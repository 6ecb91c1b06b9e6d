package dev.jdgram.transport.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The socket memory limits of the machine the JVM runs on ({@code net.core.rmem_max} and
 * friends), given to the real-time world's {@code localhost}: a program run on
 * {@code jdgram.transport=sim} meets the buffer sizes it would meet on this machine's kernel
 * (a raised {@code rmem_max} is common on machines that move much UDP). Where they cannot be
 * read (not Linux), the host keeps Linux's stock values.
 */
final class MachineLimits {
  private MachineLimits() {}

  static void applyTo(KHost h) {
    h.rmemMax = read("rmem_max", h.rmemMax);
    h.wmemMax = read("wmem_max", h.wmemMax);
    h.rmemDefault = read("rmem_default", h.rmemDefault);
    h.wmemDefault = read("wmem_default", h.wmemDefault);
  }

  private static int read(String name, int fallback) {
    try {
      // not Files.readString: it trusts the size /proc reports and returned only "4" of 4194304
      List<String> lines = Files.readAllLines(Path.of("/proc/sys/net/core", name));
      long v = lines.isEmpty() ? 0 : Long.parseLong(lines.get(0).trim());
      return v > 0 && v <= Integer.MAX_VALUE / 2 ? (int) v : fallback;
    } catch (IOException | NumberFormatException | SecurityException e) {
      return fallback;
    }
  }
}
