package dev.jdgram.cli;

/**
 * The four layers a datagram goes through in Node's UDP stack and in jdgram, as the demo labels
 * its lines.
 *
 * <p>See docs/design.md: the socket layer is {@code dev.jdgram.DgramSocket} (Node's
 * {@code lib/dgram.js}), the handle is the transport-neutral UDP handle ({@code udp_wrap.cc}), the
 * loop is {@code dev.jdgram.loop} (libuv), and the kernel is the operating system.
 */
enum Layer {
  /** {@code DgramSocket}: calls, the bind/connect state machine, events. */
  SOCKET("socket"),
  /** The UDP handle: turns calls into handle operations and handle callbacks into events. */
  HANDLE("handle"),
  /** The event loop: poll phase, watchers, send completions. */
  LOOP("loop"),
  /** The operating system: socket buffers, bind, connect. */
  KERNEL("kernel");

  private final String tag;

  Layer(String name) {
    this.tag = String.format("%-8s", "[" + name + "]");
  }

  /** @return the line prefix, padded so that the columns after it line up: {@code "[loop]  "} */
  String tag() {
    return tag;
  }
}
