package dev.jdgram;

/**
 * A socket's own or its peer's address, as {@code socket.address()} returns it in Node.
 *
 * @param address the address ({@code "0.0.0.0"}, {@code "::1"})
 * @param family {@code "IPv4"} or {@code "IPv6"}
 * @param port the port
 */
public record AddressInfo(String address, String family, int port) {}
