package dev.jdgram.handle;

import dev.jdgram.transport.nio.NioTransport;
import java.util.Locale;

/**
 * One way of reaching the network: it makes the loop's poller and the UDP handles that live on
 * it. Chosen once per loop, from the system property {@code jdgram.transport}.
 */
public sealed interface Transport permits NioTransport {
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
   * The transport named by the system property {@code jdgram.transport} ({@code nio} is the
   * only one so far, and the default).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static Transport fromSystemProperty() {
    String name = System.getProperty("jdgram.transport", "nio").trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "nio", "" -> NioTransport.INSTANCE;
      default -> throw new IllegalArgumentException(
          "jdgram.transport=" + name + " is not a transport of this build (known: nio)");
    };
  }
}
