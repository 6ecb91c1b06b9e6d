/**
 * jdgram's JDK Flight Recorder events (category {@code dev.jdgram}) and the small static API the
 * loop, the handle and the socket layer record them through. Internal: not exported (only to
 * jdk.jfr, which instantiates the event settings).
 *
 * <p>Every recording method costs one static-final load and a check of
 * {@link jdk.jfr.EventType#isEnabled()} when its event is disabled: no clock read, no allocation.
 * The durational ones come in pairs, {@code xBegin()} returning the event (null when disabled)
 * and {@code xEnd(event, ...)} doing nothing for null.
 */
package dev.jdgram.observe;
