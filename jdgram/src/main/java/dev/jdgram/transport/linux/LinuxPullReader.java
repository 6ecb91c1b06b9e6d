package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jdgram.handle.PullReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A socket's datagrams read on the caller's thread: {@code recvmmsg} into a batch of this
 * reader's own (the loop's batch is the loop thread's), handed out one per {@link #read}. One
 * system call brings up to {@link #BATCH} datagrams, where the JDK's socket makes one
 * {@code recvfrom} per datagram.
 *
 * <p>The batch's memory (64 KiB per slot, any datagram fits whole, so a later read into a larger
 * packet gets all of it) is made at the first read, so that a socket that only sends has none,
 * and freed by the garbage collector with the reader, never explicitly: a reader still inside a
 * read when its socket closes touches live memory.
 */
final class LinuxPullReader implements PullReader {
  /** Datagrams per {@code recvmmsg}: 512 KiB of buffers per reader. */
  static final int BATCH = 8;

  private final LinuxUdpKernel kernel;
  // Made at the first read, on the reader's thread.
  private RecvBatch batch;
  /** errno of this reader's calls (the loop's capture segment is the loop thread's). */
  private MemorySegment cs;
  private MemorySegment lastName;
  private int lastNameLen;
  /** The batch's datagrams not handed out yet: from {@code next} to {@code count}. */
  private int next;
  private int count;
  private InetSocketAddress sender;

  LinuxPullReader(LinuxUdpKernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public int read(byte[] dst, int off, int length) {
    if (next == count) {
      if (batch == null) {
        Arena arena = Arena.ofAuto();
        batch = new RecvBatch(arena, BATCH);
        cs = Syscalls.newCaptureState(arena);
        lastName = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
      }
      int n = kernel.pull(batch, cs);
      if (n < 0) {
        return n; // AGAIN, EBADF, or the error the kernel reports first (sk_err)
      }
      next = 0;
      count = n;
    }
    int i = next++;
    int len = batch.length(i); // a 64 KiB slot holds any datagram whole: never MSG_TRUNC
    sender = sender(i);
    MemorySegment.copy(batch.buffers, JAVA_BYTE, (long) RecvBatch.BUF_SIZE * i, dst, off, Math.min(len, length));
    return len;
  }

  @Override
  public InetSocketAddress sender() {
    return sender;
  }

  /** The sender, parsed once per flow: a datagram from the last sender reuses its address. */
  private InetSocketAddress sender(int i) {
    int nameLen = Math.min(batch.nameLength(i), Structs.SOCKADDR_IN6_SIZE);
    long at = batch.nameOffset(i);
    if (sender != null && nameLen == lastNameLen && SockAddr.same(batch.names, at, lastName, nameLen)) {
      return sender;
    }
    MemorySegment.copy(batch.names, at, lastName, 0, nameLen);
    lastNameLen = nameLen;
    return SockAddr.read(batch.name(i));
  }
}
