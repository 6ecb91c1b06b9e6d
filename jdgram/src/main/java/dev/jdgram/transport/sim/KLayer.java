package dev.jdgram.transport.sim;

/**
 * The model's name for where on its way a frame was when a {@link KTraceEvent} was recorded.
 *
 * <p>Its own type, not the simulated network's public {@code Layer}, so that the kernel model
 * depends on nothing above it: the facade (package {@code dev.jdgram.sim}) drives the model and
 * converts this to its public enum by name at its boundary. The constants are therefore the
 * public enum's, in the same order (a test holds the two together); each layer is described
 * there.
 */
public enum KLayer {
  SOCKET,
  UDP,
  IP,
  ICMP,
  IGMP,
  NEIGH,
  NIC,
  LINK,
  SWITCH,
  ROUTER
}
