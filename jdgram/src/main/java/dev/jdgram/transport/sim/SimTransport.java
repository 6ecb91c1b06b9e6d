package dev.jdgram.transport.sim;

import dev.jdgram.NetworkHost;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpHandle;

/**
 * The simulated network as a transport: one per network, making the one poller of the
 * network's loop and placing handles on the network's hosts.
 */
public final class SimTransport implements Transport {
  private final World world;
  private boolean pollerMade;

  public SimTransport(World world) {
    this.world = world;
  }

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public synchronized Poller newPoller() {
    if (pollerMade) {
      throw new IllegalStateException("a simulated network has one loop");
    }
    pollerMade = true;
    return new SimPoller(world);
  }

  @Override
  public UdpHandle newUdpHandle(LoopContext ctx, boolean ipv6) {
    throw new IllegalArgumentException("a socket on the simulated network's loop needs a host: SocketOptions.host(...)");
  }

  @Override
  public UdpHandle newUdpHandle(LoopContext ctx, boolean ipv6, NetworkHost host) {
    if (host == null) {
      return newUdpHandle(ctx, ipv6);
    }
    KHost k = world.hostOf(host);
    if (k == null) {
      throw new IllegalArgumentException("host " + host.name() + " is not on this loop's simulated network");
    }
    return new SimUdpHandle(ctx, world, k, world.ready, ipv6);
  }
}
