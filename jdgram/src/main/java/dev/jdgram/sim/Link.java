package dev.jdgram.sim;

import dev.jdgram.transport.sim.KLink;
import java.time.Duration;

/**
 * The cable between a card and its LAN's switch, and the faults on it. Each fault applies to
 * every frame crossing the cable, in either direction, decided by the link's own random stream
 * (derived from the network's seed and the link's name). Setters return this link.
 */
public final class Link {
  private final KLink k;

  Link(KLink k) {
    this.k = k;
  }

  /** @return {@code host/nic} */
  public String name() {
    return k.name;
  }

  /** Each frame is lost with probability {@code p}. */
  public Link loss(double p) {
    k.loss = check(p);
    return this;
  }

  /** Each frame takes {@code d} to cross (propagation delay). */
  public Link delay(Duration d) {
    k.delayMicros = d.toNanos() / 1000;
    return this;
  }

  /** Each frame takes up to {@code d} more, uniformly (frames may then overtake each other). */
  public Link jitter(Duration d) {
    k.jitterMicros = d.toNanos() / 1000;
    return this;
  }

  /** Each frame is delivered twice with probability {@code p}. */
  public Link duplicate(double p) {
    k.duplicate = check(p);
    return this;
  }

  /** Each frame is held back by {@code by} with probability {@code p}, so later ones overtake it. */
  public Link reorder(double p, Duration by) {
    k.reorder = check(p);
    k.reorderMicros = by.toNanos() / 1000;
    return this;
  }

  /**
   * Limits each direction to {@code bitsPerSecond} (0: no limit): frames wait in a transmit
   * queue of {@link #queueLimit} frames, and are dropped when it is full; the sender's socket
   * buffer is freed only when its frame has been transmitted.
   */
  public Link rateLimit(long bitsPerSecond) {
    k.rateBitsPerSecond = bitsPerSecond;
    return this;
  }

  /**
   * Whether the queue marks instead of drops: an ECN-capable datagram (ECT(0) or ECT(1)) that
   * meets a full transmit queue is queued with its ECN bits set to CE (congestion experienced),
   * as a router with an ECN-marking queue does; others are still dropped.
   */
  public Link ecnMarking(boolean on) {
    k.ecnMarking = on;
    return this;
  }

  /** The transmit queue's length under a rate limit, in frames (default 1000). */
  public Link queueLimit(int frames) {
    k.queueFrames = frames;
    return this;
  }

  /** Unplugs the cable: every frame is dropped until {@link #up()}. */
  public Link down() {
    k.up = false;
    return this;
  }

  /** Plugs the cable back in. */
  public Link up() {
    k.up = true;
    return this;
  }

  public boolean isUp() {
    return k.up;
  }

  /** Removes every fault and limit (the link stays up or down as it is). */
  public Link clearFaults() {
    k.loss = 0;
    k.delayMicros = 0;
    k.jitterMicros = 0;
    k.duplicate = 0;
    k.reorder = 0;
    k.rateBitsPerSecond = 0;
    return this;
  }

  /** Starts capturing every frame put on this cable, both ways (before loss decides its fate). */
  public Capture capture() {
    return new Capture(k.capture());
  }

  private static double check(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("a probability is in [0, 1]: " + p);
    }
    return p;
  }

  @Override
  public String toString() {
    return "link " + name();
  }
}
