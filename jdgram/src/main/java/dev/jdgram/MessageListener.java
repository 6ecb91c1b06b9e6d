package dev.jdgram;

/** Listener of the {@code message} event: one received datagram. Runs on the loop thread. */
@FunctionalInterface
public interface MessageListener {
  /**
   * @param msg the datagram, exactly its length, owned by the listener
   * @param rinfo where it came from
   */
  void onMessage(byte[] msg, RemoteInfo rinfo);
}
