package dev.jdgram;

/**
 * A datagram as {@link DatagramPublisher} publishes it: its bytes (a copy that the subscriber
 * owns) and its sender, as a {@code message} listener gets them.
 *
 * @param data the datagram's bytes
 * @param rinfo its sender and size
 */
public record ReceivedDatagram(byte[] data, RemoteInfo rinfo) {}
