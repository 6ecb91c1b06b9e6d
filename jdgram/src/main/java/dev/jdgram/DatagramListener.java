package dev.jdgram;

/**
 * Listener of received datagrams in place ({@link DgramSocket#onDatagram}): the zero-copy
 * alternative to {@link MessageListener}. Runs on the loop thread.
 */
@FunctionalInterface
public interface DatagramListener {
  /**
   * @param datagram the datagram; valid only during this call
   */
  void onDatagram(Datagram datagram);
}
