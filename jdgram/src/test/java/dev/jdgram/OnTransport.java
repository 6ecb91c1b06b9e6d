package dev.jdgram;

import org.junit.jupiter.api.Assumptions;

/**
 * Which transport this run of the suite uses ({@code jdgram.transport}, set per surefire
 * execution), and the one way a case says that it does not apply to the simulated kernel.
 */
public final class OnTransport {
  private OnTransport() {}

  public static String name() {
    return System.getProperty("jdgram.transport", "");
  }

  public static boolean linux() {
    return "linux".equals(name());
  }

  public static boolean nio() {
    return "nio".equals(name());
  }

  /** The simulated kernel: one process-wide simulated localhost, on real time. */
  public static boolean sim() {
    return "sim".equals(name());
  }

  /**
   * Skips the case on the simulated transport, with the reason (listed in docs/simulation.md,
   * "The core and Node suites on the simulated transport"). Use it only where the case cannot
   * apply there: a real peer socket, a real kernel feature the simulation does not model, or a
   * process boundary.
   */
  public static void skipOnSim(String reason) {
    Assumptions.assumeFalse(sim(), "not on the simulated transport: " + reason);
  }

  /** The reason for a case whose peer is a real socket (java.nio, node, a C program). */
  public static final String REAL_PEER =
      "its peer is a real socket of this machine's kernel, which cannot reach the simulated host";
}
