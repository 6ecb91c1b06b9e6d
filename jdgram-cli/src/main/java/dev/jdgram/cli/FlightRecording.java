package dev.jdgram.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;

/**
 * {@code --jfr FILE}: a Flight Recorder recording of jdgram's own events (category
 * {@code dev.jdgram}) while a command runs, written to FILE when it ends. Every jdgram event is
 * enabled, batches of any size and slow callbacks from 10 ms; the JVM's own events are not
 * (use -XX:StartFlightRecording for those).
 */
final class FlightRecording implements AutoCloseable {
  private static final String[] EVENTS = {
    "dev.jdgram.SocketLifecycle", "dev.jdgram.SocketError", "dev.jdgram.ReceivePhase",
    "dev.jdgram.ReceiveBatch", "dev.jdgram.SendFlush",
  };

  private final Recording recording;
  private final Path file;

  private FlightRecording(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  /** @return a started recording, or null when {@code file} is null */
  static FlightRecording start(Path file) {
    if (file == null) {
      return null;
    }
    Recording r = new Recording();
    r.setName("jdgram");
    for (String e : EVENTS) {
      r.enable(e);
    }
    r.enable("dev.jdgram.SlowCallback").withThreshold(Duration.ofMillis(10));
    try {
      r.setDestination(file);
    } catch (IOException e) {
      r.close();
      throw new CliException("cannot record to " + file + ": " + e.getMessage());
    }
    r.start();
    return new FlightRecording(r, file);
  }

  /** Stops the recording; the JVM writes it to the file. */
  @Override
  public void close() {
    recording.stop();
    recording.close();
  }

  Path file() {
    return file;
  }
}
