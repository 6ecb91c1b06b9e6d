package dev.jdgram;

/**
 * Called exactly once per send, on the loop thread: with the byte count on success, or with the
 * error (and 0 bytes) when the datagram was not handed to the kernel.
 */
@FunctionalInterface
public interface SendCallback {
  /**
   * @param error null on success
   * @param bytes the bytes sent
   */
  void onSent(DgramException error, int bytes);
}
