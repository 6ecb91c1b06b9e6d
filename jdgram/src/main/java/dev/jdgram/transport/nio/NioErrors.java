package dev.jdgram.transport.nio;

import dev.jdgram.handle.Errno;
import java.net.PortUnreachableException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;

/** java.nio reports kernel errors as exceptions with strerror texts; this maps them back. */
final class NioErrors {
  private NioErrors() {}

  /** @return the negative errno that {@code e} stands for */
  static int errno(Throwable e) {
    if (e instanceof ClosedChannelException) {
      return Errno.EBADF;
    }
    if (e instanceof PortUnreachableException) {
      return Errno.ECONNREFUSED;
    }
    if (e instanceof UnsupportedAddressTypeException || e instanceof AlreadyBoundException) {
      return Errno.EINVAL;
    }
    if (e instanceof AlreadyConnectedException) {
      return Errno.EISCONN;
    }
    if (e instanceof NotYetConnectedException) {
      return Errno.ENOTCONN;
    }
    if (e instanceof UnsupportedOperationException) {
      return Errno.ENOTSUP;
    }
    if (e instanceof SecurityException) {
      return Errno.EACCES;
    }
    int fromText = Errno.fromText(e.getMessage());
    if (fromText != 0) {
      return fromText;
    }
    if (e instanceof IllegalArgumentException) {
      return Errno.EINVAL;
    }
    return Errno.EIO;
  }
}
