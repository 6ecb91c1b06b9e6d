package dev.jdgram;

import java.net.InetAddress;
import java.util.function.BiConsumer;

/**
 * Host name resolution for bind, connect and send, like the {@code lookup} option of Node's
 * {@code createSocket}. It may answer on any thread, at once or later; the socket hands the
 * answer to its loop. Report a failure with a {@link DgramException} (code {@code ENOTFOUND} for
 * an unknown name).
 */
@FunctionalInterface
public interface Lookup {
  /**
   * @param host the name (never null; IP literals usually do not reach a lookup)
   * @param family {@code "IPv4"} or {@code "IPv6"}: the socket's family
   * @param callback to be called once: (null, address) or (error, null)
   */
  void lookup(String host, String family, BiConsumer<DgramException, InetAddress> callback);
}
