package dev.jdgram.handle;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Linux errno numbers, as libuv reports them (negated), with their names and strerror texts.
 * One table for every transport, so a code means the same thing whichever reached the kernel.
 */
public final class Errno {
  private Errno() {}

  public static final int EPERM = -1;
  public static final int ENOENT = -2;
  public static final int EINTR = -4;
  public static final int EIO = -5;
  public static final int ENXIO = -6;
  public static final int EBADF = -9;
  public static final int EAGAIN = -11;
  public static final int ENOMEM = -12;
  public static final int EACCES = -13;
  public static final int EFAULT = -14;
  public static final int ENODEV = -19;
  public static final int EINVAL = -22;
  public static final int EMFILE = -24;
  public static final int ENOTSOCK = -88;
  public static final int EDESTADDRREQ = -89;
  public static final int EMSGSIZE = -90;
  public static final int ENOPROTOOPT = -92;
  public static final int EPROTONOSUPPORT = -93;
  public static final int ENOTSUP = -95;
  public static final int EAFNOSUPPORT = -97;
  public static final int EADDRINUSE = -98;
  public static final int EADDRNOTAVAIL = -99;
  public static final int ENETDOWN = -100;
  public static final int ENETUNREACH = -101;
  public static final int ECONNRESET = -104;
  public static final int ENOBUFS = -105;
  public static final int EISCONN = -106;
  public static final int ENOTCONN = -107;
  public static final int ETIMEDOUT = -110;
  public static final int ECONNREFUSED = -111;
  public static final int EHOSTDOWN = -112;
  public static final int EHOSTUNREACH = -113;
  public static final int ECANCELED = -125;
  /** libuv's code for a failed name look-up (getaddrinfo EAI_NONAME). */
  public static final int ENOTFOUND = -3008;

  private record Entry(String name, String text) {}

  private static final Map<Integer, Entry> BY_NUMBER = new HashMap<>();
  private static final Map<String, Integer> BY_TEXT = new HashMap<>();

  private static void def(int errno, String name, String text) {
    BY_NUMBER.put(errno, new Entry(name, text));
    BY_TEXT.put(text.toLowerCase(Locale.ROOT), errno);
  }

  static {
    def(EPERM, "EPERM", "Operation not permitted");
    def(ENOENT, "ENOENT", "No such file or directory");
    def(EINTR, "EINTR", "Interrupted system call");
    def(EIO, "EIO", "Input/output error");
    def(ENXIO, "ENXIO", "No such device or address");
    def(EBADF, "EBADF", "Bad file descriptor");
    def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
    def(ENOMEM, "ENOMEM", "Cannot allocate memory");
    def(EACCES, "EACCES", "Permission denied");
    def(EFAULT, "EFAULT", "Bad address");
    def(ENODEV, "ENODEV", "No such device");
    def(EINVAL, "EINVAL", "Invalid argument");
    def(EMFILE, "EMFILE", "Too many open files");
    def(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
    def(EDESTADDRREQ, "EDESTADDRREQ", "Destination address required");
    def(EMSGSIZE, "EMSGSIZE", "Message too long");
    def(ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available");
    def(EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported");
    def(ENOTSUP, "ENOTSUP", "Operation not supported");
    def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
    def(EADDRINUSE, "EADDRINUSE", "Address already in use");
    def(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
    def(ENETDOWN, "ENETDOWN", "Network is down");
    def(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
    def(ECONNRESET, "ECONNRESET", "Connection reset by peer");
    def(ENOBUFS, "ENOBUFS", "No buffer space available");
    def(EISCONN, "EISCONN", "Transport endpoint is already connected");
    def(ENOTCONN, "ENOTCONN", "Transport endpoint is not connected");
    def(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
    def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
    def(EHOSTDOWN, "EHOSTDOWN", "Host is down");
    def(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
    def(ECANCELED, "ECANCELED", "Operation canceled");
    def(ENOTFOUND, "ENOTFOUND", "Name or service not known");
  }

  /** @return the errno's name ({@code "EADDRINUSE"}), or {@code "UNKNOWN"} */
  public static String name(int errno) {
    Entry e = BY_NUMBER.get(errno);
    return e != null ? e.name : "UNKNOWN";
  }

  /** @return the strerror text, lower-cased as libuv's {@code uv_strerror} prints it */
  public static String text(int errno) {
    Entry e = BY_NUMBER.get(errno);
    return e != null ? e.text.toLowerCase(Locale.ROOT) : "unknown error";
  }

  /**
   * The errno a strerror text stands for: java.nio reports system errors only as text
   * ({@code "Address already in use"}), sometimes with a prefix ({@code "bind failed: ..."}).
   *
   * @return the negative errno, or 0 when the text names none
   */
  public static int fromText(String message) {
    if (message == null) {
      return 0;
    }
    String m = message.toLowerCase(Locale.ROOT);
    Integer exact = BY_TEXT.get(m);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Integer> e : BY_TEXT.entrySet()) {
      if (m.contains(e.getKey())) {
        return e.getValue();
      }
    }
    return 0;
  }
}
