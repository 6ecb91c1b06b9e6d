package dev.jdgram.transport.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The poller's sole-busy-socket rule: after a poll that found one descriptor ready whose owner
 * stopped at its cap, the next polls call that owner again without asking epoll, at most
 * {@link EpollPoller#SOLE_REPEATS} times in a row; never when two were ready, never for an
 * owner that has gone. Descriptors here are eventfds: readable while their counter is not 0, so
 * a test can make one stop being readable and see whether the poller asked epoll about it.
 */
class EpollPollerTest {
  private final Arena arena = Arena.ofConfined();
  private final List<Integer> fds = new ArrayList<>();
  private EpollPoller poller;
  private MemorySegment cs;
  private MemorySegment word;

  @BeforeEach
  void open() {
    Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "epoll is Linux's");
    poller = new EpollPoller();
    cs = Syscalls.newCaptureState(arena);
    word = arena.allocate(8, 8);
  }

  @AfterEach
  void close() {
    for (int fd : fds) {
      Syscalls.close(cs, fd);
    }
    if (poller != null) {
      poller.close();
    }
    arena.close();
  }

  /** A readable eventfd (its counter at 1). */
  private int readable() {
    int fd = Syscalls.eventfd(cs, 1, LinuxConstants.EFD_NONBLOCK | LinuxConstants.EFD_CLOEXEC);
    assertTrue(fd >= 0, "eventfd: " + fd);
    fds.add(fd);
    return fd;
  }

  /** Reads the eventfd's counter away: it is no longer readable. */
  private void drain(int fd) {
    Syscalls.read(cs, fd, word, 8);
  }

  private void makeReadable(int fd) {
    word.set(ValueLayout.JAVA_LONG, 0, 1L);
    Syscalls.write(cs, fd, word, 8);
  }

  /** A watcher that counts its calls and says "capped" (more to read) while {@code capped} is true. */
  private static final class Owner implements EpollPoller.Watcher {
    int calls;
    boolean capped = true;

    @Override
    public boolean onReady(int events) {
      calls++;
      return capped;
    }
  }

  @Test
  void aSoleCappedSocketIsCalledAgainWithoutEpollUpToTheLimit() {
    int fd = readable();
    Owner owner = new Owner();
    assertEquals(0, poller.add(fd, owner, LinuxConstants.EPOLLIN));
    assertEquals(1, poller.poll(0));
    assertEquals(1, owner.calls);
    // no longer readable: epoll would report nothing, so each call below came without asking it
    drain(fd);
    for (int i = 1; i <= EpollPoller.SOLE_REPEATS; i++) {
      assertEquals(1, poller.poll(0), "poll " + i + " after the first");
      assertEquals(1 + i, owner.calls);
    }
    // the limit: epoll is asked, and finds nothing ready
    assertEquals(0, poller.poll(0));
    assertEquals(1 + EpollPoller.SOLE_REPEATS, owner.calls);
  }

  @Test
  void anOwnerThatDrainedItsSocketEndsTheRepeats() {
    int fd = readable();
    Owner owner = new Owner();
    poller.add(fd, owner, LinuxConstants.EPOLLIN);
    assertEquals(1, poller.poll(0));
    drain(fd);
    owner.capped = false; // the next read meets an empty queue
    assertEquals(1, poller.poll(0));
    assertEquals(2, owner.calls);
    assertEquals(0, poller.poll(0), "epoll asked again, nothing ready");
    assertEquals(2, owner.calls);
  }

  @Test
  void twoReadySocketsAreAlwaysAskedAboutThroughEpoll() {
    int a = readable();
    int b = readable();
    Owner oa = new Owner();
    Owner ob = new Owner();
    poller.add(a, oa, LinuxConstants.EPOLLIN);
    poller.add(b, ob, LinuxConstants.EPOLLIN);
    assertEquals(2, poller.poll(0));
    drain(a);
    // b stays readable, a does not: only epoll can tell, and it is asked
    assertEquals(1, poller.poll(0));
    assertEquals(1, oa.calls);
    assertEquals(2, ob.calls);
  }

  @Test
  void aRemovedOwnerIsNotCalledAgain() {
    int fd = readable();
    Owner owner = new Owner();
    poller.add(fd, owner, LinuxConstants.EPOLLIN);
    assertEquals(1, poller.poll(0));
    poller.remove(fd);
    assertEquals(0, poller.poll(0));
    assertEquals(1, owner.calls);
    // a new owner of the same descriptor number is told only what epoll reports for it
    Owner next = new Owner();
    poller.add(fd, next, LinuxConstants.EPOLLIN);
    drain(fd);
    assertEquals(0, poller.poll(0));
    makeReadable(fd);
    assertEquals(1, poller.poll(0));
    assertEquals(1, next.calls);
  }
}
