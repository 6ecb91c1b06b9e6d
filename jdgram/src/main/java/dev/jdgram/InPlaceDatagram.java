package dev.jdgram;

import java.nio.ByteBuffer;

/**
 * The reused {@link Datagram}: fields refilled per datagram, read-only views cached. One per
 * {@link Receiver}, so that {@code onDatagram} listeners see each datagram without a copy or an
 * allocation; valid only during the listener call. Loop thread only.
 */
final class InPlaceDatagram implements Datagram {
  private final ByteBuffer[] rawKeys = new ByteBuffer[64];
  private final ByteBuffer[] views = new ByteBuffer[64];
  private ByteBuffer view;
  private int size;
  private String address;
  private String family;
  private int port;
  private String local;
  private int ifindex;

  private int start;

  void rewind() {
    view.limit(start + size).position(start);
  }

  void set(ByteBuffer raw, String address, String family, int port, String local, int ifindex) {
    this.start = raw.position();
    this.view = readOnly(raw);
    this.size = raw.remaining();
    this.address = address;
    this.family = family;
    this.port = port;
    this.local = local;
    this.ifindex = ifindex;
  }

  /** The transports reuse a few buffers; keep one read-only view of each. */
  private ByteBuffer readOnly(ByteBuffer raw) {
    int slot = System.identityHashCode(raw) & (rawKeys.length - 1);
    for (int probe = 0; probe < rawKeys.length; probe++) {
      int i = (slot + probe) & (rawKeys.length - 1);
      if (rawKeys[i] == raw) {
        return views[i].limit(raw.limit()).position(raw.position());
      }
      if (rawKeys[i] == null) {
        rawKeys[i] = raw;
        views[i] = raw.asReadOnlyBuffer();
        return views[i].limit(raw.limit()).position(raw.position());
      }
    }
    return raw.asReadOnlyBuffer(); // more buffers than slots: correct, if not free
  }

  @Override
  public ByteBuffer data() {
    return view;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String family() {
    return family;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String localAddress() {
    return local;
  }

  @Override
  public int interfaceIndex() {
    return ifindex;
  }
}
