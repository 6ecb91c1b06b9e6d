package dev.jdgram.observe;

import jdk.jfr.Event;
import jdk.jfr.EventType;

/** The event types, looked up once; a JVM whose Flight Recorder is unavailable records nothing. */
final class Jfr {
  private Jfr() {}

  static final EventType RECEIVE_BATCH = type(ReceiveBatchEvent.class);
  static final EventType RECEIVE_PHASE = type(ReceivePhaseEvent.class);
  static final EventType SEND_FLUSH = type(SendFlushEvent.class);
  static final EventType LIFECYCLE = type(SocketLifecycleEvent.class);
  static final EventType ERROR = type(SocketErrorEvent.class);
  static final EventType SLOW_CALLBACK = type(SlowCallbackEvent.class);

  private static EventType type(Class<? extends Event> c) {
    try {
      return EventType.getEventType(c);
    } catch (RuntimeException | LinkageError unavailable) {
      return null;
    }
  }

  static boolean on(EventType t) {
    return t != null && t.isEnabled();
  }
}
