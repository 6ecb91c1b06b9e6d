package dev.jdgram.transport.sim;

/**
 * One step of a packet as the model records it: the fields of the public {@code TraceEvent},
 * with the model's {@link KLayer}. A plain record, without the public one's text form: the facade
 * converts each event when it is read or handed to a listener, so the model never names a type
 * of the API built on it.
 *
 * @param timeMicros the world's clock, microseconds since it was created
 * @param packet the packet's trace name ({@code d7}, {@code igmp3})
 * @param node the host, router, switch or link where it happened
 * @param layer the layer
 * @param action what happened ({@code send}, {@code drop}, ...)
 * @param detail the rule that applied, in words
 */
public record KTraceEvent(long timeMicros, String packet, String node, KLayer layer, String action, String detail) {}
