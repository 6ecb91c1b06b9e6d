package dev.jdgram.compat;

import dev.jdgram.DgramException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * jdgram's errors (Node's codes) as the exceptions java.net throws for the same failure, with the
 * JDK's messages (the C library's strerror text, as the JDK's native code reports it). The
 * original error is kept as the cause.
 */
final class JdkErrors {
  private JdkErrors() {}

  /** A failed bind: the JDK throws BindException for what the kernel refuses at bind. */
  static SocketException bind(DgramException e) {
    return switch (e.code()) {
      case "EADDRINUSE", "EADDRNOTAVAIL", "EACCES", "EPERM" -> withCause(new BindException(text(e)), e);
      default -> other(e);
    };
  }

  /** A failed connect, send or receive. */
  static SocketException io(DgramException e, boolean connected) {
    return switch (e.code()) {
      case "ECONNREFUSED" -> connected
          ? withCause(new PortUnreachableException("ICMP Port Unreachable"), e)
          : other(e);
      case "EHOSTUNREACH" -> withCause(new NoRouteToHostException(text(e)), e);
      case "ERR_SOCKET_DGRAM_NOT_RUNNING", "ECANCELED" -> withCause(new SocketException("Socket closed"), e);
      default -> other(e);
    };
  }

  static SocketException other(DgramException e) {
    return withCause(new SocketException(text(e)), e);
  }

  /** @return strerror's text for the system codes java.net code meets; else jdgram's message */
  static String text(DgramException e) {
    return switch (e.code()) {
      case "EADDRINUSE" -> "Address already in use";
      case "EADDRNOTAVAIL" -> "Cannot assign requested address";
      case "EACCES" -> "Permission denied";
      case "EPERM" -> "Operation not permitted";
      case "EMSGSIZE" -> "Message too long";
      case "ECONNREFUSED" -> "Connection refused";
      case "EHOSTUNREACH" -> "No route to host";
      case "ENETUNREACH" -> "Network is unreachable";
      case "ENOBUFS" -> "No buffer space available";
      case "EINVAL" -> "Invalid argument";
      case "ENOTSUP" -> "Operation not supported";
      case "ENOPROTOOPT" -> "Protocol not available";
      case "EAFNOSUPPORT" -> "Address family not supported by protocol";
      default -> e.getMessage();
    };
  }

  private static <T extends SocketException> T withCause(T se, DgramException cause) {
    se.initCause(cause);
    return se;
  }
}
