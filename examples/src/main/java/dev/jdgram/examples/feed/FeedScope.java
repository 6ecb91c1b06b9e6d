package dev.jdgram.examples.feed;

/**
 * Where the feed goes: a group and port, the interface both sides use (the publisher sends on
 * it, the subscriber joins on it) and the publisher's multicast TTL. Pin the interface: a send
 * to a group without one follows the default route, out of the machine.
 *
 * @param group the IPv4 group (239.0.0.0/8 is administratively scoped)
 * @param port the port, or 0 for the subscriber to take any (the publisher then needs its port)
 * @param interfaceAddress {@code 127.0.0.1}: this host only
 * @param ttl 0 keeps datagrams on this host, 1 on the link
 */
public record FeedScope(String group, int port, String interfaceAddress, int ttl) {
  /** @return this host only: 239.255.77.1 on the given port, loopback, TTL 0 */
  public static FeedScope loopback(int port) {
    return new FeedScope("239.255.77.1", port, "127.0.0.1", 0);
  }

  /** @return the same scope on another port */
  public FeedScope withPort(int p) {
    return new FeedScope(group, p, interfaceAddress, ttl);
  }
}
