package dev.jdgram.transport.sim;

/**
 * The receive filter of a {@link KNic}: which frames it passes up to IP.
 *
 * <p>The model's own type, for the same reason as {@link KLayer}: the facade converts the public
 * {@code NicMode} to it (and back) by name, so the constants are the public enum's, in the same
 * order.
 */
public enum KNicMode {
  /** Own MAC, broadcast, and the multicast MACs on the card's list (refcounted). */
  EXACT,
  /** Every multicast frame (IFF_ALLMULTI). */
  ALL_MULTICAST,
  /** Every frame (IFF_PROMISC). */
  PROMISCUOUS
}
