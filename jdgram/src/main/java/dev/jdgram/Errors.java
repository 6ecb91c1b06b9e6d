package dev.jdgram;

import dev.jdgram.handle.Errno;

/** Node's errors, made in one place so codes and messages read exactly like Node's. */
final class Errors {
  private Errors() {}

  static DgramException notRunning() {
    return DgramException.of("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
  }

  static DgramException alreadyBound() {
    return DgramException.of("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound");
  }

  static DgramException isConnected() {
    return DgramException.of("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
  }

  static DgramException notConnected() {
    return DgramException.of("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
  }

  static DgramException badType() {
    return DgramException.of("ERR_SOCKET_BAD_TYPE", "Bad socket type specified. Valid types are: udp4, udp6");
  }

  static DgramException badPort(String name, int port, boolean allowZero) {
    return DgramException.of("ERR_SOCKET_BAD_PORT", name + " should be " + (allowZero ? ">=" : ">")
        + " 0 and < 65536. Received type number (" + port + ").");
  }

  static DgramException missingArgs(String name) {
    return DgramException.of("ERR_MISSING_ARGS", "The \"" + name + "\" argument must be specified");
  }

  static DgramException invalidArgType(String name, String expected, Object actual) {
    return DgramException.of("ERR_INVALID_ARG_TYPE",
        "The \"" + name + "\" argument must be " + expected + ". Received " + describe(actual));
  }

  static DgramException invalidArgValue(String name, Object value, String reason) {
    return DgramException.of("ERR_INVALID_ARG_VALUE",
        "The argument '" + name + "' " + reason + ". Received " + describe(value));
  }

  static DgramException outOfRange(String name, String range, Object value) {
    return DgramException.of("ERR_OUT_OF_RANGE",
        "The value of \"" + name + "\" is out of range. It must be " + range + ". Received " + value);
  }

  static DgramException bufferOutOfBounds(String name) {
    return DgramException.of("ERR_BUFFER_OUT_OF_BOUNDS", "\"" + name + "\" is outside of buffer bounds");
  }

  static DgramException badBufferSize() {
    return DgramException.of("ERR_SOCKET_BAD_BUFFER_SIZE", "Buffer size must be a positive integer");
  }

  /** Node's ERR_SOCKET_BUFFER_SIZE, which carries the libuv call and its errno. */
  static DgramException bufferSize(int errno, boolean recv) {
    String call = recv ? "uv_recv_buffer_size" : "uv_send_buffer_size";
    return new DgramException("ERR_SOCKET_BUFFER_SIZE", "Could not get or set buffer size: " + call
        + " returned " + Errno.name(errno) + " (" + Errno.text(errno) + ")", call, errno, null, -1, null);
  }

  static DgramException ipBlocked(String ip) {
    return DgramException.of("ERR_IP_BLOCKED", "IP(" + ip + ") is blocked by net.BlockList");
  }

  /** Node's {@code ErrnoException}: {@code setTTL EINVAL}. */
  static DgramException errno(int errno, String syscall) {
    String code = Errno.name(errno);
    return new DgramException(code, syscall + " " + code, syscall, errno, null, -1, null);
  }

  /** Node's {@code ExceptionWithHostPort}: {@code bind EADDRINUSE 127.0.0.1:41234}. */
  static DgramException withHostPort(int errno, String syscall, String address, int port) {
    String code = Errno.name(errno);
    String details = "";
    if (port > 0) {
      details = " " + address + ":" + port;
    } else if (address != null) {
      details = " " + address;
    }
    return new DgramException(code, syscall + " " + code + details, syscall, errno, address, port > 0 ? port : -1, null);
  }

  /** A failed look-up, as Node's {@code dns.lookup} reports it. */
  static DgramException notFound(String host, Throwable cause) {
    return new DgramException("ENOTFOUND", "getaddrinfo ENOTFOUND " + host, "getaddrinfo", Errno.ENOTFOUND, host, -1, cause);
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number n) {
      return "type number (" + n + ")";
    }
    if (v instanceof String s) {
      String shown = s.length() > 28 ? s.substring(0, 25) + "..." : s;
      return "type string ('" + shown + "')";
    }
    if (v instanceof Boolean b) {
      return "type boolean (" + b + ")";
    }
    return "an instance of " + v.getClass().getSimpleName();
  }
}
