package dev.jdgram.handle;

import dev.jdgram.transport.linux.LinuxTransport;
import dev.jdgram.transport.nio.NioTransport;
import dev.jdgram.transport.sim.RealTimeSimTransport;
import dev.jdgram.transport.sim.SimTransport;
import java.util.Locale;

/**
 * One way of reaching the network: it makes the loop's poller and the UDP handles that live on
 * it. Chosen once per loop, from the system property {@code jdgram.transport}.
 */
public sealed interface Transport permits NioTransport, LinuxTransport, SimTransport, RealTimeSimTransport {
  /** @return the transport's name, as {@code jdgram.transport} spells it */
  String name();

  /** @return a new poller for one loop */
  Poller newPoller();

  /**
   * A new, unbound UDP handle on the loop of {@code ctx}.
   *
   * @param ipv6 true for {@code udp6}, false for {@code udp4}
   */
  UdpHandle newUdpHandle(LoopContext ctx, boolean ipv6);

  /**
   * A new, unbound UDP handle on {@code host}: a host of a simulated network, for a transport
   * that has hosts; the real transports take only null (this machine).
   *
   * @throws IllegalArgumentException if this transport cannot place a socket on {@code host}
   */
  default UdpHandle newUdpHandle(LoopContext ctx, boolean ipv6, dev.jdgram.NetworkHost host) {
    if (host != null) {
      throw new IllegalArgumentException("this loop's transport (" + name()
          + ") has no simulated hosts: use the loop of the host's network");
    }
    return newUdpHandle(ctx, ipv6);
  }

  /**
   * The transport named by the system property {@code jdgram.transport}: {@code linux} (the
   * default on Linux x86_64 and aarch64), {@code nio} (the default elsewhere) or {@code sim}
   * (the simulated kernel: one process-wide host with a loopback interface, on real time).
   *
   * @throws IllegalArgumentException for an unknown name, or {@code linux} where it cannot run
   */
  static Transport fromSystemProperty() {
    String dflt = LinuxTransport.supported() ? "linux" : "nio";
    String name = System.getProperty("jdgram.transport", dflt).trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "nio" -> NioTransport.INSTANCE;
      case "linux" -> {
        if (!LinuxTransport.supported()) {
          throw new IllegalArgumentException("jdgram.transport=linux needs Linux on x86_64 or aarch64");
        }
        yield LinuxTransport.INSTANCE;
      }
      case "sim" -> RealTimeSimTransport.INSTANCE;
      case "" -> LinuxTransport.supported() ? LinuxTransport.INSTANCE : NioTransport.INSTANCE;
      default -> throw new IllegalArgumentException(
          "jdgram.transport=" + name + " is not a transport of this build (known: linux, nio, sim)");
    };
  }
}
