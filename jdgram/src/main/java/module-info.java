/**
 * jdgram: Node.js {@code dgram} for Java. UDP sockets ({@link dev.jdgram.DgramSocket}) on a
 * libuv-style event loop ({@link dev.jdgram.loop.EventLoop}).
 *
 * <p>Exported: the API ({@code dev.jdgram}), the loop ({@code dev.jdgram.loop}) and the
 * simulated network ({@code dev.jdgram.sim}), java.net's {@code DatagramSocket} on jdgram
 * ({@code dev.jdgram.compat}); the handle interface, the transports behind it and the Flight
 * Recorder events ({@code dev.jdgram.observe}) are internal.
 */
module dev.jdgram {
  // The Flight Recorder events (dev.jdgram.observe): jdk.jfr is in every standard JDK image.
  requires jdk.jfr;

  exports dev.jdgram;
  exports dev.jdgram.loop;
  exports dev.jdgram.sim;
  exports dev.jdgram.compat;

  // The loop finds the transports through this service, so that neither it nor the handle
  // names one (dev.jdgram.transport.Transports chooses).
  uses dev.jdgram.handle.TransportProvider;
  provides dev.jdgram.handle.TransportProvider with dev.jdgram.transport.Transports;

  // JFR instantiates the events' setting controls (minDatagrams) reflectively.
  exports dev.jdgram.observe to jdk.jfr;
}
