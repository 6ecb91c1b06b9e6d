package dev.jdgram;

/**
 * The module: Node's {@code require('dgram')}. Sockets live on {@link
 * dev.jdgram.loop.EventLoop#getDefault()} unless {@link SocketOptions#loop} names another loop.
 *
 * <pre>{@code
 * DgramSocket server = Dgram.createSocket("udp4", (msg, rinfo) ->
 *     System.out.println(new String(msg) + " from " + rinfo.address() + ":" + rinfo.port()));
 * server.bind(41234);
 * }</pre>
 */
public final class Dgram {
  private Dgram() {}

  /**
   * @param type {@code "udp4"} or {@code "udp6"}
   * @return a new, unbound socket
   * @throws DgramException {@code ERR_SOCKET_BAD_TYPE} for another type
   */
  public static DgramSocket createSocket(String type) {
    return createSocket(SocketOptions.of(type), null);
  }

  /**
   * @param type {@code "udp4"} or {@code "udp6"}
   * @param onMessage a first {@code message} listener, or null
   * @return a new, unbound socket
   * @throws DgramException {@code ERR_SOCKET_BAD_TYPE} for another type
   */
  public static DgramSocket createSocket(String type, MessageListener onMessage) {
    return createSocket(SocketOptions.of(type), onMessage);
  }

  /**
   * @param options the type and options
   * @return a new, unbound socket
   * @throws DgramException {@code ERR_SOCKET_BAD_TYPE} for a bad type,
   *     {@code ERR_INVALID_ARG_TYPE} for null options
   */
  public static DgramSocket createSocket(SocketOptions options) {
    return createSocket(options, null);
  }

  /**
   * @param options the type and options
   * @param onMessage a first {@code message} listener, or null
   * @return a new, unbound socket
   * @throws DgramException {@code ERR_SOCKET_BAD_TYPE} for a bad type,
   *     {@code ERR_INVALID_ARG_TYPE} for null options
   */
  public static DgramSocket createSocket(SocketOptions options, MessageListener onMessage) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type SocketOptions", null);
    }
    return new DgramSocket(options, onMessage);
  }
}
