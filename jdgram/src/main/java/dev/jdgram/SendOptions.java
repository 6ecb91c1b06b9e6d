package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import dev.jdgram.handle.SendInfo;
import java.net.InetAddress;

/**
 * What one outgoing datagram asks of the kernel beyond its bytes and destination, for
 * {@link DgramSocket#send(byte[], int, String, SendOptions, SendCallback)} and
 * {@link DatagramBatch#add(byte[], SendOptions)}: its TOS byte, or only its ECN codepoint (the
 * socket's DSCP bits kept); its TTL or hop limit; the source address and interface to send from
 * (IP_PKTINFO on send: a multi-homed server answers from the address each request was sent to).
 * Immutable, builder style; make one per distinct choice and reuse it: sending with it allocates
 * nothing more. The linux transport and the simulated network carry every field; the nio
 * transport has no per-datagram control messages and fails such a send with {@code ENOTSUP}.
 */
public final class SendOptions {
  private static final SendOptions NONE = new SendOptions(-1, -1, -1, null, null, 0);

  private final int tos;
  private final int ecn;
  private final int ttl;
  private final String from;
  private final InetAddress source;
  private final int fromInterface;
  /** The handle's form of the same choice, made once. */
  final SendInfo info;

  private SendOptions(int tos, int ecn, int ttl, String from, InetAddress source, int fromInterface) {
    this.tos = tos;
    this.ecn = ecn;
    this.ttl = ttl;
    this.from = from;
    this.source = source;
    this.fromInterface = fromInterface;
    this.info = new SendInfo(tos, ecn, ttl, source, fromInterface);
  }

  /** @return options that ask nothing */
  public static SendOptions of() {
    return NONE;
  }

  /**
   * @param tos the whole TOS byte (IPv4) or traffic class (IPv6): DSCP in the high six bits,
   *     ECN in the low two
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} outside 0..255
   */
  public SendOptions tos(int tos) {
    check("tos", tos, 0, 255);
    return new SendOptions(tos, ecn, ttl, from, source, fromInterface);
  }

  /**
   * @param ecn the ECN codepoint only (0 not ECN-capable, 1 ECT(1), 2 ECT(0), 3 CE), sent with
   *     the socket's own DSCP bits ({@link DgramSocket#setTOS}); a {@link #tos(int)} wins
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} outside 0..3
   */
  public SendOptions ecn(int ecn) {
    check("ecn", ecn, 0, 3);
    return new SendOptions(tos, ecn, ttl, from, source, fromInterface);
  }

  /**
   * @param ttl the TTL (IPv4) or hop limit (IPv6) of this datagram
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} outside 1..255
   */
  public SendOptions ttl(int ttl) {
    check("ttl", ttl, 1, 255);
    return new SendOptions(tos, ecn, ttl, from, source, fromInterface);
  }

  /**
   * @param address the source address to send from, an IP literal of one of this host's
   *     addresses (no name is looked up); null to let the route choose
   * @return a copy with that setting
   * @throws DgramException {@code ERR_INVALID_ARG_VALUE} for text that is not an IP literal
   */
  public SendOptions from(String address) {
    InetAddress a = null;
    if (address != null) {
      a = IpLiteral.parse(address);
      if (a == null) {
        throw DgramException.of("ERR_INVALID_ARG_VALUE",
            "The argument 'from' must be an IP address. Received '" + address + "'");
      }
    }
    return new SendOptions(tos, ecn, ttl, address, a, fromInterface);
  }

  /**
   * @param index the index of the interface to send from (as {@link Datagram#interfaceIndex()}
   *     tells one); 0 to let the route choose
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a negative index
   */
  public SendOptions fromInterface(int index) {
    check("fromInterface", index, 0, Integer.MAX_VALUE);
    return new SendOptions(tos, ecn, ttl, from, source, index);
  }

  /** @return the TOS byte asked for, or -1 */
  public int tos() {
    return tos;
  }

  /** @return the ECN codepoint asked for, or -1 */
  public int ecn() {
    return ecn;
  }

  /** @return the TTL asked for, or -1 */
  public int ttl() {
    return ttl;
  }

  /** @return the source address asked for, or null */
  public String from() {
    return from;
  }

  /** @return the interface index asked for, or 0 */
  public int fromInterface() {
    return fromInterface;
  }

  /** @return the handle's form, or null when nothing is asked */
  SendInfo handleInfo() {
    return this == NONE ? null : info;
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw Errors.outOfRange("options." + name, ">= " + min + " && <= " + max, value);
    }
  }
}
