package dev.jdgram;

/**
 * Where a received datagram came from: Node's {@code rinfo}.
 *
 * @param address the sender's address ({@code "127.0.0.1"}, {@code "::1"})
 * @param family {@code "IPv4"} or {@code "IPv6"}
 * @param port the sender's port
 * @param size the datagram's size in bytes
 */
public record RemoteInfo(String address, String family, int port, int size) {}
