package dev.jdgram.sim;

/** Where on its way a datagram or frame was when a {@link TraceEvent} was recorded. */
public enum Layer {
  /** The socket: send, receive buffer, delivery to the application. */
  SOCKET,
  /** UDP demultiplexing: which socket a datagram is for. */
  UDP,
  /** IP input and output: routing, TTL, membership checks, broadcast permission. */
  IP,
  /** ICMP errors: port unreachable, and the socket error they raise. */
  ICMP,
  /** IGMP and MLD: membership reports and leaves. */
  IGMP,
  /** Neighbour resolution (ARP / NDP), modelled as instantaneous. */
  NEIGH,
  /** The network card's receive filter. */
  NIC,
  /** The cable between a card and a switch: faults, rate, up/down. */
  LINK,
  /** A LAN segment's switch: learning, flooding, IGMP snooping, partitions. */
  SWITCH,
  /** A router's forwarding: unicast routes, TTL, multicast forwarding to members. */
  ROUTER
}
