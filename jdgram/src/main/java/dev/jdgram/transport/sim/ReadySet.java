package dev.jdgram.transport.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The handles of one loop that have something for their loop's poll phase (datagrams queued,
 * an ICMP error, room in the send buffer): the simulated kernel's readiness list, like an epoll
 * ready list. One per loop, so that the network wakes the loop that owns a handle and no other.
 * Guarded by the world's monitor, which every waiting poller waits on: adding notifies them.
 */
final class ReadySet {
  private final World w;
  private final LinkedHashSet<KSocket> handles = new LinkedHashSet<>();

  ReadySet(World w) {
    this.w = w;
  }

  /** Under the world's monitor: {@code h} has work for its loop; wakes a waiting poller. */
  void add(KSocket h) {
    if (handles.add(h)) {
      w.notifyAll(); // a poller of another thread may be waiting for exactly this
    }
  }

  /** Under the world's monitor. */
  void remove(KSocket h) {
    handles.remove(h);
  }

  /** Under the world's monitor. */
  boolean isEmpty() {
    return handles.isEmpty();
  }

  /** Under the world's monitor: takes every ready handle, in the order they became ready. */
  List<KSocket> drain() {
    List<KSocket> list = new ArrayList<>(handles);
    handles.clear();
    return list;
  }
}
