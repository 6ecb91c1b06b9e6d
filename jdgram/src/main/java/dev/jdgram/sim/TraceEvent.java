package dev.jdgram.sim;

import java.util.Locale;

/**
 * One step in the life of a packet: where it was, at which layer, what happened.
 *
 * @param timeMicros virtual time, microseconds since the network was created
 * @param packet what the packet carries: {@code d7} (the 7th UDP datagram sent), {@code igmp3}
 *     (an IGMP or MLD message)
 * @param node the host, router, switch or link where it happened
 * @param layer the layer
 * @param action {@code send}, {@code tx}, {@code rx}, {@code forward}, {@code deliver},
 *     {@code drop}, {@code join}, {@code leave}, {@code learn}
 * @param detail the rule that applied, in words
 */
public record TraceEvent(long timeMicros, String packet, String node, Layer layer, String action, String detail) {
  /** @return true for a drop */
  public boolean isDrop() {
    return "drop".equals(action);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%10.3fms %-7s %-12s %-6s %-7s %s", timeMicros / 1000.0, packet, node, layer, action, detail);
  }
}
