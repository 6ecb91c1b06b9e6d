package dev.jdgram.compat;

import java.lang.ref.WeakReference;
import java.net.DatagramPacket;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A DatagramPacket's buffer length, which its public API hides. The JDK tells two lengths apart:
 * the length of the datagram last received into a packet ({@code getLength()}) and the room
 * the packet offers the next receive (its package-private {@code bufLength}, set only by
 * {@code setData} and {@code setLength}). Outside java.net a receive can only call
 * {@code setLength}, which would shrink that room; so the room is remembered here per packet,
 * and used again while the packet still shows what the last receive left in it (same array,
 * same offset, same length). A caller's own {@code setLength} to another value or
 * {@code setData} is seen as such, and its length is the room again.
 *
 * <p>The packet written down last is also kept apart, read without the lock: a server reuses one
 * packet for every receive, and then each receive finds its room there, with no lock and no map
 * look-up.
 */
final class PacketLengths {
  private record Room(byte[] buf, int offset, int capacity, int received) {}

  /** The packet written down last and its room: always what {@link #rooms} holds for it. */
  private record Last(WeakReference<DatagramPacket> packet, Room room) {}

  /** Weak keys: a packet the caller drops is forgotten with it. Guarded by itself. */
  private final Map<DatagramPacket, Room> rooms = new WeakHashMap<>();
  /** Written under the lock of {@link #rooms}, read without it. */
  private volatile Last last;

  /** @return what is written down for {@code p}, or null */
  private Room roomOf(DatagramPacket p) {
    Last l = last;
    if (l != null && l.packet.get() == p) {
      return l.room;
    }
    synchronized (rooms) {
      return rooms.get(p);
    }
  }

  /** Caller holds the packet's monitor. @return the room the next receive into {@code p} has */
  int capacity(DatagramPacket p) {
    Room r = roomOf(p);
    if (r != null && r.buf == p.getData() && r.offset == p.getOffset() && r.received == p.getLength()) {
      return r.capacity;
    }
    return p.getLength();
  }

  /** Caller holds the packet's monitor: {@code received} bytes went into a room of {@code capacity}. */
  void received(DatagramPacket p, int capacity, int received) {
    Room r = roomOf(p);
    if (same(r, p, capacity, received)) {
      return; // a packet reused for datagrams of one size: nothing to write down again
    }
    synchronized (rooms) {
      r = rooms.get(p);
      if (!same(r, p, capacity, received)) {
        r = new Room(p.getData(), p.getOffset(), capacity, received);
        rooms.put(p, r);
      }
      Last l = last;
      if (l == null || l.packet.get() != p || l.room != r) {
        last = new Last(new WeakReference<>(p), r);
      }
    }
  }

  private static boolean same(Room r, DatagramPacket p, int capacity, int received) {
    return r != null && r.buf == p.getData() && r.offset == p.getOffset() && r.capacity == capacity
        && r.received == received;
  }
}
