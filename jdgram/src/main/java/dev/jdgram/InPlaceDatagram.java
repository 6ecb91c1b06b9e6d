package dev.jdgram;

import dev.jdgram.handle.RecvInfo;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The reused {@link Datagram}: fields refilled per datagram, the handle's read-only view passed on. One per
 * {@link Receiver}, so that {@code onDatagram} listeners see each datagram without a copy or an
 * allocation; valid only during the listener call. Loop thread only.
 */
final class InPlaceDatagram implements Datagram {
  private final AddressText addresses;
  private ByteBuffer view;
  private int start;
  private int size;
  private String address;
  private String family;
  private int port;
  private RecvInfo info;
  private InetAddress lastLocal;
  private String lastLocalText;

  InPlaceDatagram(AddressText addresses) {
    this.addresses = addresses;
  }

  void rewind() {
    view.limit(start + size).position(start);
  }

  /** Refills the view; {@code raw} is read-only by the handle's contract (checked, for safety). */
  void set(ByteBuffer raw, String address, String family, int port, RecvInfo info) {
    this.start = raw.position();
    this.view = raw.isReadOnly() ? raw : raw.asReadOnlyBuffer();
    this.size = raw.remaining();
    this.address = address;
    this.family = family;
    this.port = port;
    this.info = info;
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
    InetAddress a = info.localAddress(); // decoded only now, when asked for
    if (a != lastLocal) {
      lastLocal = a;
      lastLocalText = a == null ? null : addresses.format(a);
    }
    return lastLocalText;
  }

  @Override
  public int interfaceIndex() {
    return info.interfaceIndex;
  }

  @Override
  public int tos() {
    return info.tos;
  }

  @Override
  public int ttl() {
    return info.ttl;
  }

  @Override
  public long timestampNanos() {
    return info.timestampNanos;
  }
}
