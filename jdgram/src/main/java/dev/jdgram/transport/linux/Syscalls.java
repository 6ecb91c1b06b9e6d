package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The system calls the linux transport makes, bound once through the FFM API with {@code errno}
 * captured ({@link Linker.Option#captureCallState}). Every wrapper returns what the call
 * returns, or the negative errno when it failed, as libuv's {@code UV__ERR} does, so callers
 * never read a stale errno and no exception is made on the hot path.
 *
 * <p>Each call takes a capture segment ({@link #newCaptureState}) owned by the calling thread:
 * the loop thread keeps one; other threads get theirs from {@link #threadCaptureState()}.
 */
final class Syscalls {
  private Syscalls() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
  private static final ThreadLocal<MemorySegment> THREAD_CAPTURE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private static MethodHandle bind(String name, FunctionDescriptor fd) {
    MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in libc"));
    return LINKER.downcallHandle(symbol, fd, ERRNO_OPT);
  }

  private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle CONNECT = bind("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle GETPEERNAME = bind("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETSOCKOPT = bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle RECVMMSG = bind("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle SENDMMSG = bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle SENDMSG = bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle EPOLL_CTL = bind("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle EPOLL_WAIT = bind("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));

  /** @return a new capture segment for one thread's calls */
  static MemorySegment newCaptureState(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  /** @return the calling thread's capture segment (for calls made off the loop thread) */
  static MemorySegment threadCaptureState() {
    return THREAD_CAPTURE.get();
  }

  private static int err(MemorySegment cs) {
    return -(int) ERRNO.get(cs, 0L);
  }

  private static int ret(int r, MemorySegment cs) {
    return r < 0 ? err(cs) : r;
  }

  private static long ret(long r, MemorySegment cs) {
    return r < 0 ? err(cs) : r;
  }

  private static AssertionError linkFailure(Throwable t) {
    return new AssertionError("native call failed to run", t);
  }

  static int socket(MemorySegment cs, int domain, int type, int protocol) {
    try {
      return ret((int) SOCKET.invokeExact(cs, domain, type, protocol), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int bind(MemorySegment cs, int fd, MemorySegment addr, int len) {
    try {
      return ret((int) BIND.invokeExact(cs, fd, addr, len), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int connect(MemorySegment cs, int fd, MemorySegment addr, int len) {
    try {
      return ret((int) CONNECT.invokeExact(cs, fd, addr, len), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment lenPtr) {
    try {
      return ret((int) GETSOCKNAME.invokeExact(cs, fd, addr, lenPtr), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int getpeername(MemorySegment cs, int fd, MemorySegment addr, MemorySegment lenPtr) {
    try {
      return ret((int) GETPEERNAME.invokeExact(cs, fd, addr, lenPtr), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, int len) {
    try {
      return ret((int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, len), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, MemorySegment lenPtr) {
    try {
      return ret((int) GETSOCKOPT.invokeExact(cs, fd, level, name, value, lenPtr), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int close(MemorySegment cs, int fd) {
    try {
      return ret((int) CLOSE.invokeExact(cs, fd), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int recvmmsg(MemorySegment cs, int fd, MemorySegment msgvec, int vlen, int flags) {
    try {
      return ret((int) RECVMMSG.invokeExact(cs, fd, msgvec, vlen, flags, MemorySegment.NULL), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int sendmmsg(MemorySegment cs, int fd, MemorySegment msgvec, int vlen, int flags) {
    try {
      return ret((int) SENDMMSG.invokeExact(cs, fd, msgvec, vlen, flags), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static long sendmsg(MemorySegment cs, int fd, MemorySegment msghdr, int flags) {
    try {
      return ret((long) SENDMSG.invokeExact(cs, fd, msghdr, flags), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int epollCreate1(MemorySegment cs, int flags) {
    try {
      return ret((int) EPOLL_CREATE1.invokeExact(cs, flags), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int epollCtl(MemorySegment cs, int epfd, int op, int fd, MemorySegment event) {
    try {
      return ret((int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int epollWait(MemorySegment cs, int epfd, MemorySegment events, int max, int timeout) {
    try {
      return ret((int) EPOLL_WAIT.invokeExact(cs, epfd, events, max, timeout), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static int eventfd(MemorySegment cs, int initval, int flags) {
    try {
      return ret((int) EVENTFD.invokeExact(cs, initval, flags), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static long read(MemorySegment cs, int fd, MemorySegment buf, long len) {
    try {
      return ret((long) READ.invokeExact(cs, fd, buf, len), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  static long write(MemorySegment cs, int fd, MemorySegment buf, long len) {
    try {
      return ret((long) WRITE.invokeExact(cs, fd, buf, len), cs);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }

  /** @return the interface index, or 0 when no interface has that name */
  static int ifNameToIndex(MemorySegment cs, MemorySegment name) {
    try {
      return (int) IF_NAMETOINDEX.invokeExact(cs, name);
    } catch (Throwable t) {
      throw linkFailure(t);
    }
  }
}
