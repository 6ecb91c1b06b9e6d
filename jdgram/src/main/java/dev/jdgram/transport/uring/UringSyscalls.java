package dev.jdgram.transport.uring;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The io_uring system calls, which glibc does not wrap: {@code syscall(2)} with their numbers
 * (425, 426, 427: the same in the generic table of x86_64 and aarch64), plus {@code mmap},
 * {@code munmap} and {@code close}. As in the linux transport, each wrapper returns the result or
 * the negative errno, captured with the call.
 */
final class UringSyscalls {
  private UringSyscalls() {}

  static final long SYS_IO_URING_SETUP = 425;
  static final long SYS_IO_URING_ENTER = 426;
  static final long SYS_IO_URING_REGISTER = 427;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... more) {
    MemorySegment symbol = LINKER.defaultLookup().find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in libc"));
    Linker.Option[] options = new Linker.Option[more.length + 1];
    options[0] = ERRNO_OPT;
    System.arraycopy(more, 0, options, 1, more.length);
    return LINKER.downcallHandle(symbol, fd, options);
  }

  // long syscall(long number, ...): six long arguments after the number, all passed in registers.
  private static final MethodHandle SYSCALL = bind("syscall",
      FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
      Linker.Option.firstVariadicArg(1));
  private static final MethodHandle MMAP = bind("mmap",
      FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
  private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  static final int PROT_READ_WRITE = 0x3;
  static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

  /** @return a capture segment for one thread's calls */
  static MemorySegment newCaptureState(Arena arena) {
    return arena.allocate(CAPTURE);
  }

  private static long ret(long r, MemorySegment cs) {
    return r < 0 ? -(int) ERRNO.get(cs, 0L) : r;
  }

  static long syscall(MemorySegment cs, long nr, long a, long b, long c, long d, long e, long f) {
    try {
      return ret((long) SYSCALL.invokeExact(cs, nr, a, b, c, d, e, f), cs);
    } catch (Throwable t) {
      throw new AssertionError("native call failed to run", t);
    }
  }

  /** @return the mapping, or null with the errno in {@code err[0]} */
  static MemorySegment mmap(MemorySegment cs, long len, int fd, long offset, int[] err) {
    try {
      MemorySegment m = (MemorySegment) MMAP.invokeExact(cs, MemorySegment.NULL, len, PROT_READ_WRITE,
          MAP_SHARED_POPULATE, fd, offset);
      if (m.address() == -1L) {
        err[0] = -(int) ERRNO.get(cs, 0L);
        return null;
      }
      return m.reinterpret(len);
    } catch (Throwable t) {
      throw new AssertionError("native call failed to run", t);
    }
  }

  static void munmap(MemorySegment cs, MemorySegment m) {
    try {
      int r = (int) MUNMAP.invokeExact(cs, m, m.byteSize());
      assert r == 0;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to run", t);
    }
  }

  static void close(MemorySegment cs, int fd) {
    try {
      int r = (int) CLOSE.invokeExact(cs, fd);
      assert r >= -1;
    } catch (Throwable t) {
      throw new AssertionError("native call failed to run", t);
    }
  }
}
