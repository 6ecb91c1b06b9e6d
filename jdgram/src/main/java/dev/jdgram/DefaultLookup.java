package dev.jdgram;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * The default {@link Lookup}: the JDK's resolver (hosts file, then DNS), on a virtual thread so
 * that a slow resolver never blocks a loop (Node runs {@code getaddrinfo} on libuv's thread
 * pool for the same reason). Picks the first address of the socket's family.
 */
final class DefaultLookup implements Lookup {
  static final DefaultLookup INSTANCE = new DefaultLookup();
  private static final ExecutorService RESOLVERS =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jdgram-lookup-", 0).factory());

  private DefaultLookup() {}

  @Override
  public void lookup(String host, String family, BiConsumer<DgramException, InetAddress> callback) {
    RESOLVERS.execute(() -> {
      InetAddress found = null;
      Exception failure = null;
      try {
        boolean v6 = "IPv6".equals(family);
        for (InetAddress a : InetAddress.getAllByName(host)) {
          if (v6 ? a instanceof Inet6Address : a instanceof Inet4Address) {
            found = a;
            break;
          }
        }
      } catch (Exception e) {
        failure = e;
      }
      if (found != null) {
        callback.accept(null, found);
      } else {
        callback.accept(Errors.notFound(host, failure), null);
      }
    });
  }
}
