package dev.jdgram;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A socket's general-path sends ({@link SendOp}, {@link BatchOp}) that have not reached the
 * handle yet: waiting for bind, connect, a look-up or a tick. While any is, {@link DirectSend}
 * stands aside, so that no send overtakes an earlier one. Each op holds its own "counted" flag
 * and hands it back here exactly once. Any thread sets off, the loop thread sees them arrive.
 */
final class SendsUnderway {
  private final AtomicInteger count = new AtomicInteger();

  /** An op was accepted. @return true, the op's flag: it is counted until it arrives */
  boolean setOff() {
    count.incrementAndGet();
    return true;
  }

  /**
   * An op reached the handle, or ended without reaching it.
   *
   * @param counted the op's flag
   * @return false, the op's flag from now on (a second arrival counts nothing)
   */
  boolean arrived(boolean counted) {
    if (counted) {
      count.decrementAndGet();
    }
    return false;
  }

  /** @return true while no general-path send is on its way */
  boolean none() {
    return count.get() == 0;
  }
}
