package dev.jdgram.examples.ssdp;

/**
 * Where SSDP messages go: the group and port (239.255.255.250:1900 in UPnP), the interface the
 * sockets send on and join on, and the multicast TTL. Pin the interface: a send to a group
 * without one follows the default route, out of the machine.
 *
 * @param group the IPv4 group
 * @param port the group's port
 * @param interfaceAddress the local address of the interface to use ({@code 127.0.0.1}: this
 *     host only)
 * @param ttl the multicast TTL: 0 keeps datagrams on this host, 1 on the link (UPnP says 2)
 */
public record MulticastScope(String group, int port, String interfaceAddress, int ttl) {
  /** UPnP's group. */
  public static final String SSDP_GROUP = "239.255.255.250";
  /** UPnP's port. */
  public static final int SSDP_PORT = 1900;

  /** @return this host only: the SSDP group on {@code port}, loopback, TTL 0 */
  public static MulticastScope loopback(int port) {
    return new MulticastScope(SSDP_GROUP, port, "127.0.0.1", 0);
  }
}
