package dev.jdgram;

/**
 * Called once per {@link DatagramBatch} send, on the loop thread: with the number of datagrams
 * the kernel took, and null, or with the error that stopped the batch (the datagrams before it
 * were sent).
 */
@FunctionalInterface
public interface BatchCallback {
  /**
   * @param error null when every datagram was sent
   * @param datagrams how many datagrams were sent
   */
  void onSent(DgramException error, int datagrams);
}
