package dev.jdgram.handle;

import java.util.ServiceLoader;

/**
 * Picks a loop's transport by name. The one implementation lives outside this package
 * ({@code dev.jdgram.transport.Transports}) and is found as a service, so that the loop and the
 * handle never name a transport: quinn-udp's choice of platform made once, at the boundary.
 */
public interface TransportProvider {
  /**
   * @param name a transport's name ({@code linux}, {@code nio}, {@code sim}), or null or empty
   *     for this platform's default
   * @return the transport
   * @throws IllegalArgumentException for an unknown name, or one this platform cannot run
   */
  Transport select(String name);

  /**
   * The transport named by the system property {@code jdgram.transport}: {@code linux} (the
   * default on Linux x86_64 and aarch64), {@code nio} (the default elsewhere) or {@code sim}
   * (the simulated kernel on real time).
   *
   * @throws IllegalArgumentException for an unknown name, or {@code linux} where it cannot run
   */
  static Transport fromSystemProperty() {
    TransportProvider provider = ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no dev.jdgram.handle.TransportProvider: the jdgram jar is incomplete"));
    return provider.select(System.getProperty("jdgram.transport"));
  }
}
