/**
 * jdgram: Node.js {@code dgram} for Java. UDP sockets ({@link dev.jdgram.DgramSocket}) on a
 * libuv-style event loop ({@link dev.jdgram.loop.EventLoop}).
 *
 * <p>Only the API ({@code dev.jdgram}) and the loop ({@code dev.jdgram.loop}) are exported; the
 * handle interface and the transports behind it are internal.
 */
module dev.jdgram {
  exports dev.jdgram;
  exports dev.jdgram.loop;
  exports dev.jdgram.sim;
}
