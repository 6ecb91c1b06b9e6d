package dev.jdgram.handle;

/**
 * One way of reaching the network: it makes the loop's poller and, for each UDP handle, the
 * {@link UdpKernel} that talks to its kernel. Chosen once per loop, outside this package
 * ({@code dev.jdgram.transport.Transports}); nothing here names an implementation.
 */
public interface Transport {
  /** @return the transport's name, as {@code jdgram.transport} spells it */
  String name();

  /** @return a new poller for one loop */
  Poller newPoller();

  /**
   * The kernel side of a new, unbound UDP handle on the loop of {@code ctx}.
   *
   * @param ipv6 true for {@code udp6}, false for {@code udp4}
   * @param host where the socket lives: a host of a simulated network (the {@code NetworkHost}
   *     the user named), for a transport that has hosts; null for this machine
   * @param watcher the handle's poll callback, for {@link UdpKernel#watch}
   * @throws IllegalArgumentException if this transport cannot place a socket on {@code host}
   */
  UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher);

  /**
   * The real transports' answer to a {@code host}: they have none but this machine.
   *
   * @throws IllegalArgumentException unless {@code host} is null
   */
  static void requireNoHost(Transport t, Object host) {
    if (host != null) {
      throw new IllegalArgumentException("this loop's transport (" + t.name()
          + ") has no simulated hosts: use the loop of the host's network");
    }
  }
}
