package dev.jdgram.handle;

import java.net.InetAddress;

/**
 * What the kernel says about a received datagram beyond its sender: the address it was sent to
 * and the interface it arrived on (IP_PKTINFO / IPV6_PKTINFO). One instance per handle, refilled
 * for each datagram; valid during the receive callback only.
 */
public final class RecvInfo {
  /** The datagram's destination address, or null where the transport cannot tell. */
  public InetAddress localAddress;
  /** The index of the arrival interface, or -1 where the transport cannot tell. */
  public int interfaceIndex = -1;

  /** Forgets the previous datagram's facts. */
  public void clear() {
    localAddress = null;
    interfaceIndex = -1;
  }
}
