package dev.jdgram.cli;

/**
 * A failure of the command itself (a time-out, a peer that never answered), reported like a
 * {@code DgramException}: one line {@code jdgram: <message>} on standard error, exit code 1.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
