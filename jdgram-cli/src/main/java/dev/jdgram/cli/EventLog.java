package dev.jdgram.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * One line per event, each tagged with the layer it happens in:
 * {@code [socket] server: listening on 127.0.0.1:41234}.
 *
 * <p>Lines come from the caller's thread and from the event-loop thread; each is written and
 * flushed whole.
 */
final class EventLog {
  private final PrintWriter out;
  private volatile String last = "none";

  EventLog(PrintWriter out) {
    this.out = out;
  }

  /** A line that belongs to no layer: a heading or a remark. */
  void note(String text) {
    write(text);
  }

  void event(Layer layer, String who, String what) {
    String line = layer.tag() + " " + who + ": " + what;
    write(line);
    last = line.strip();
  }

  void socket(String who, String what) {
    event(Layer.SOCKET, who, what);
  }

  void handle(String who, String what) {
    event(Layer.HANDLE, who, what);
  }

  void loop(String who, String what) {
    event(Layer.LOOP, who, what);
  }

  void kernel(String who, String what) {
    event(Layer.KERNEL, who, what);
  }

  /** @return the last event line written, for a time-out message */
  String last() {
    return last;
  }

  private void write(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /** A payload as a quoted string: UTF-8, with control characters escaped as in JSON. */
  static String quote(byte[] payload) {
    return quote(new String(payload, StandardCharsets.UTF_8));
  }

  static String quote(String text) {
    return Json.quote(text);
  }
}
