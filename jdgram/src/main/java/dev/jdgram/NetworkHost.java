package dev.jdgram;

/**
 * Where a socket lives when it is not on this machine: a host of a simulated network
 * ({@link SocketOptions#host}). Implemented by the simulation; sockets without a host live on
 * this machine, as usual.
 */
public interface NetworkHost {
  /** @return the host's name, for messages and traces */
  String name();
}
