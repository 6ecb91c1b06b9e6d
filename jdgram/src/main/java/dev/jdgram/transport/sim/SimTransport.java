package dev.jdgram.transport.sim;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;

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
  public UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher) {
    if (host == null) {
      throw new IllegalArgumentException("a socket on the simulated network's loop needs a host: SocketOptions.host(...)");
    }
    KHost k = world.hostOf(host);
    if (k == null) {
      throw new IllegalArgumentException(host + " is not on this loop's simulated network");
    }
    return new KSocket(ctx, world, k, world.ready, ipv6, watcher);
  }
}
