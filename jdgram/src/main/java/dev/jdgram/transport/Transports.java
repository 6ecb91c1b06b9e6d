package dev.jdgram.transport;

import dev.jdgram.handle.Transport;
import dev.jdgram.handle.TransportProvider;
import dev.jdgram.transport.linux.LinuxTransport;
import dev.jdgram.transport.nio.NioTransport;
import dev.jdgram.transport.sim.RealTimeSimTransport;
import java.util.Locale;

/**
 * The one place that names the transports and chooses among them (registered as the
 * {@link TransportProvider} service): {@code linux} where its struct layouts hold, else
 * {@code nio}; {@code sim} on request.
 */
public final class Transports implements TransportProvider {
  /** For {@link java.util.ServiceLoader}. */
  public Transports() {}

  @Override
  public Transport select(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "" -> LinuxTransport.supported() ? LinuxTransport.INSTANCE : NioTransport.INSTANCE;
      case "nio" -> NioTransport.INSTANCE;
      case "linux" -> {
        if (!LinuxTransport.supported()) {
          throw new IllegalArgumentException("jdgram.transport=linux needs Linux on x86_64 or aarch64");
        }
        yield LinuxTransport.INSTANCE;
      }
      case "sim" -> RealTimeSimTransport.INSTANCE;
      default -> throw new IllegalArgumentException(
          "jdgram.transport=" + n + " is not a transport of this build (known: linux, nio, sim)");
    };
  }
}
