package dev.jdgram.sim;

/** The receive filter of a network card: which frames it passes up to IP. */
public enum NicMode {
  /**
   * Frames to the card's own MAC, broadcast, and multicast MACs on its list (the MACs of the
   * groups joined on it, refcounted; 01:00:5e:00:00:01 and 33:33:00:00:00:01 always). A group
   * whose MAC collides with a joined one (32 groups share each MAC) passes the card and is
   * dropped by IP. The default for hosts.
   */
  EXACT,
  /** Every multicast frame (IFF_ALLMULTI); the default for routers. */
  ALL_MULTICAST,
  /** Every frame (IFF_PROMISC); unicast to other MACs is then dropped by IP as "other host". */
  PROMISCUOUS
}
