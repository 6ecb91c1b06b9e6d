package dev.jdgram.handle;

/**
 * A failed handle operation off the hot path (bind, setsockopt, getsockname, ...): carries the
 * negative errno; the socket layer turns it into a {@code DgramException} that names the syscall,
 * as {@code udp_wrap.cc} hands libuv's status up to {@code lib/dgram.js}.
 */
public final class SysError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int errno;

  public SysError(int errno) {
    super(Errno.name(errno), null, false, false);
    this.errno = errno;
  }

  public SysError(int errno, Throwable cause) {
    super(Errno.name(errno), cause, false, false);
    this.errno = errno;
  }

  /** @return the negative errno */
  public int errno() {
    return errno;
  }
}
