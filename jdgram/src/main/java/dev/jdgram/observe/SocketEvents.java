package dev.jdgram.observe;

/** What the socket layer records: lifecycle, errors, and what each poll phase delivered. */
public final class SocketEvents {
  private SocketEvents() {}

  /** @return true while a recording asks for socket lifecycle events */
  public static boolean lifecycleEnabled() {
    return Jfr.on(Jfr.LIFECYCLE);
  }

  /**
   * Records a lifecycle step.
   *
   * @param action {@code bind}, {@code connect}, {@code disconnect} or {@code close}
   * @param type {@code udp4} or {@code udp6}
   * @param local the local address ({@code "127.0.0.1:41234"}), or null
   * @param remote the connected peer, or null
   * @param transport the transport's name
   */
  public static void lifecycle(String action, String type, String local, String remote, String transport) {
    if (!Jfr.on(Jfr.LIFECYCLE)) {
      return;
    }
    SocketLifecycleEvent e = new SocketLifecycleEvent();
    e.action = action;
    e.type = type;
    e.localAddress = local;
    e.remoteAddress = remote;
    e.transport = transport;
    e.commit();
  }

  /** @return true while a recording asks for socket errors */
  public static boolean errorEnabled() {
    return Jfr.on(Jfr.ERROR);
  }

  /**
   * Records an error the socket reported.
   *
   * @param code the error's code
   * @param syscall its system call, or null
   * @param errno its errno (negative), or 0
   * @param address the address it concerns, or null
   * @param port the port it concerns, or -1
   * @param local the socket's local address, or null
   * @param message the message
   */
  public static void error(String code, String syscall, int errno, String address, int port, String local,
      String message) {
    if (!Jfr.on(Jfr.ERROR)) {
      return;
    }
    SocketErrorEvent e = new SocketErrorEvent();
    e.code = code;
    e.syscall = syscall;
    e.errno = errno;
    e.address = address;
    e.port = port;
    e.localAddress = local;
    e.message = message;
    e.commit();
  }

  /** @return true while a recording asks for receive phases */
  public static boolean receivePhaseEnabled() {
    return Jfr.on(Jfr.RECEIVE_PHASE);
  }

  /**
   * Records what one socket received in one loop phase.
   *
   * @param local the socket's local address
   * @param datagrams datagrams delivered
   * @param bytes their bytes
   */
  public static void receivePhase(String local, long datagrams, long bytes) {
    if (!Jfr.on(Jfr.RECEIVE_PHASE)) {
      return;
    }
    ReceivePhaseEvent e = new ReceivePhaseEvent();
    e.datagrams = datagrams;
    e.bytes = bytes;
    if (e.shouldCommit()) {
      e.localAddress = local;
      e.commit();
    }
  }
}
