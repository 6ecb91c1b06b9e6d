package dev.jdgram;

import dev.jdgram.observe.SocketEvents;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * A socket's lifecycle and the errors it reports, told to the JDK Flight Recorder (category
 * {@code dev.jdgram}) and to the {@code dev.jdgram} {@link System.Logger} at {@code DEBUG}, which
 * is silent unless the application's logging turns it on. Never on the per-datagram path: only
 * bind, connect, disconnect, close, errors, and once per loop phase in which datagrams arrived
 * (the receive-phase event, when recorded).
 */
final class SocketObserver implements SocketCounters.PhaseObserver {
  static final System.Logger LOG = System.getLogger("dev.jdgram");

  private final String type;
  private final String transport;
  private final AddressText addresses;
  /** The local address as text once bound; read by other threads for their events. */
  private volatile String local;

  SocketObserver(String type, String transport, AddressText addresses) {
    this.type = type;
    this.transport = transport;
    this.addresses = addresses;
  }

  String text(InetSocketAddress a) {
    if (a == null) {
      return null;
    }
    String host = addresses.format(a.getAddress());
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  void bound(InetSocketAddress address) {
    local = text(address);
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} socket bound to {1} (transport {2})", type, local, transport);
    }
    SocketEvents.lifecycle("bind", type, local, null, transport);
  }

  void connected(InetSocketAddress localNow, InetSocketAddress remote) {
    if (localNow != null) {
      local = text(localNow);
    }
    String peer = text(remote);
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} socket {1} connected to {2}", type, local, peer);
    }
    SocketEvents.lifecycle("connect", type, local, peer, transport);
  }

  void disconnected() {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} socket {1} disconnected", type, local);
    }
    SocketEvents.lifecycle("disconnect", type, local, null, transport);
  }

  void closed() {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} socket {1} closed", type, local == null ? "(unbound)" : local);
    }
    SocketEvents.lifecycle("close", type, local, null, transport);
  }

  /** An error reported to the user: an {@code error} event, a callback or a future. Any thread. */
  void error(DgramException e) {
    if (SocketEvents.errorEnabled()) {
      SocketEvents.error(e.code(), e.syscall(), e.errno(), e.address(), e.port(), local, e.getMessage());
    }
  }

  /** A bind that failed: rare, so also logged. */
  void bindFailed(DgramException e) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} socket bind failed: {1}", type, e.getMessage());
    }
  }

  @Override
  public void receivedInPhase(long datagrams, long bytes) {
    if (SocketEvents.receivePhaseEnabled()) {
      SocketEvents.receivePhase(local, datagrams, bytes);
    }
  }
}
