package dev.jdgram.examples.feed;

/**
 * What a subscriber has seen so far, and over the last interval.
 *
 * @param received datagrams received in all
 * @param intervalReceived datagrams received in the last interval
 * @param intervalMillis the last interval's length
 * @param gaps how many times the sequence jumped forward
 * @param missing sequence numbers skipped by those jumps (not yet arrived)
 * @param late datagrams older than the one before them: reordered or duplicated
 * @param kernelDrops datagrams the kernel dropped because the socket's buffer was full (its
 *     sk_drops), or -1 where the transport cannot tell (nio)
 * @param highestSequence the highest sequence number seen, -1 before the first
 */
public record FeedReport(long received, long intervalReceived, long intervalMillis, long gaps,
    long missing, long late, long kernelDrops, long highestSequence) {

  /** @return datagrams per second over the last interval */
  public double rate() {
    return intervalMillis == 0 ? 0 : intervalReceived * 1000.0 / intervalMillis;
  }

  /**
   * @return one line: {@code feed: received 5000 (2500 msg/s), gaps 0 (0 missing), late 0,
   *     kernel drops 0, last seq 4999}
   */
  public String line() {
    return String.format("feed: received %d (%.0f msg/s), gaps %d (%d missing), late %d, "
        + "kernel drops %s, last seq %d", received, rate(), gaps, missing, late,
        kernelDrops < 0 ? "n/a" : String.valueOf(kernelDrops), highestSequence);
  }
}
