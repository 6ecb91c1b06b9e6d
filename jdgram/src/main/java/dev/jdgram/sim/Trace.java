package dev.jdgram.sim;

import dev.jdgram.transport.sim.World;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Where every datagram and membership message went, and why each drop happened: one
 * {@link TraceEvent} per step, in virtual-time order. Two runs from the same seed produce the
 * same trace.
 */
public final class Trace {
  private final World world;

  Trace(World world) {
    this.world = world;
  }

  /**
   * @return the events so far: every one, up to the last {@link #limit} (100,000 unless set;
   *     {@link #forgotten()} says how many older ones were let go)
   */
  public List<TraceEvent> events() {
    // The model keeps its own records (it names nothing of this API): converted as they are read.
    return world.traceSnapshot().stream().map(KernelTerms::event).toList();
  }

  /** @return the events of one packet ({@code "d3"}) */
  public List<TraceEvent> of(String packet) {
    return events().stream().filter(e -> e.packet().equals(packet)).toList();
  }

  /** @return the drops */
  public List<TraceEvent> drops() {
    return events().stream().filter(TraceEvent::isDrop).toList();
  }

  /** @return the drops at {@code layer} */
  public List<TraceEvent> drops(Layer layer) {
    return events().stream().filter(e -> e.isDrop() && e.layer() == layer).toList();
  }

  /** Forgets the events so far. */
  public void clear() {
    world.clearTrace();
  }

  /**
   * Keeps at most {@code maxEvents} events, the newest: the trace is a window on a long run,
   * not a log of it (hand each event to {@link #listen} to keep them all elsewhere).
   *
   * @param maxEvents at least 1; 100,000 by default
   */
  public void limit(int maxEvents) {
    world.setTraceLimit(maxEvents);
  }

  /** @return how many events were recorded and then let go for the {@link #limit}, since the last {@link #clear} */
  public long forgotten() {
    return world.traceForgotten();
  }

  /** Turns recording on or off (on by default). */
  public void enabled(boolean on) {
    world.setTracing(on);
  }

  /** Also hands each new event to {@code listener} as it happens (null: stop). */
  public void listen(Consumer<TraceEvent> listener) {
    world.setTraceListener(listener == null ? null : k -> listener.accept(KernelTerms.event(k)));
  }

  /** @return the whole trace, one event a line */
  @Override
  public String toString() {
    return events().stream().map(TraceEvent::toString).collect(Collectors.joining("\n"));
  }
}
