package dev.jdgram;

/**
 * The one exception type of jdgram: Node's {@code Error} with {@code err.code}, translated.
 *
 * <p>Argument and state errors carry a Node {@code ERR_*} code and {@link #errno()} 0; system
 * errors carry the errno name as their code ({@code EADDRINUSE}), the negative errno as libuv
 * reports it, the system call that failed, and where it applies the address and port, with
 * Node's message: {@code bind EADDRINUSE 127.0.0.1:41234}.
 */
public class DgramException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Node's {@code err.code}. */
  private final String code;
  /** Node's {@code err.syscall}, or null. */
  private final String syscall;
  /** Node's {@code err.errno}: negative, or 0. */
  private final int errno;
  /** Node's {@code err.address}, or null. */
  private final String address;
  /** Node's {@code err.port}, or -1. */
  private final int port;

  /**
   * An error with a Node {@code ERR_*} code (or any code) and a message; no syscall, errno 0.
   * Custom {@link Lookup} implementations use it to report failures.
   *
   * @param code the code, for example {@code "ENOTFOUND"}
   * @param message the message
   */
  public DgramException(String code, String message) {
    this(code, message, null, 0, null, -1, null);
  }

  /**
   * A system error with all its fields.
   *
   * @param code the code, for a system error the errno name ({@code "EADDRINUSE"})
   * @param message the message, as Node writes it
   * @param syscall the failed call ({@code "bind"}), or null
   * @param errno the negative errno, or 0
   * @param address the address involved, or null
   * @param port the port involved, or -1
   * @param cause the underlying cause, or null
   */
  public DgramException(String code, String message, String syscall, int errno, String address,
      int port, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.syscall = syscall;
    this.errno = errno;
    this.address = address;
    this.port = port;
  }

  /** @return the code: {@code ERR_SOCKET_ALREADY_BOUND}, {@code EADDRINUSE}, ... */
  public String code() {
    return code;
  }

  /** @return the system call that failed ({@code bind}, {@code send}, ...), or null */
  public String syscall() {
    return syscall;
  }

  /** @return the negative errno as libuv reports it, or 0 for {@code ERR_*} codes */
  public int errno() {
    return errno;
  }

  /** @return the address the failed operation concerned, or null */
  public String address() {
    return address;
  }

  /** @return the port the failed operation concerned, or -1 */
  public int port() {
    return port;
  }

  /** Node's {@code ERR_*} error: code and message only. */
  static DgramException of(String code, String message) {
    return new DgramException(code, message);
  }

  @Override
  public String toString() {
    return "DgramException [" + code + "]: " + getMessage();
  }
}
