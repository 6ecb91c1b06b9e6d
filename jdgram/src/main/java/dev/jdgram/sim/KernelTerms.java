package dev.jdgram.sim;

import dev.jdgram.transport.sim.KLayer;
import dev.jdgram.transport.sim.KNicMode;
import dev.jdgram.transport.sim.KTraceEvent;

/**
 * The boundary between the kernel model's vocabulary and this API's: the model has its own
 * enums and trace record (it must not name the types of the API built on it), and this is the
 * one place that turns them into {@link Layer}, {@link NicMode} and {@link TraceEvent}, and back.
 * The enums map by constant name; a test keeps each pair's constants the same, in the same order.
 * A null maps to null, so that what a caller stores is what it reads back.
 */
final class KernelTerms {
  private KernelTerms() {}

  static Layer layer(KLayer k) {
    return k == null ? null : Layer.valueOf(k.name());
  }

  static NicMode mode(KNicMode k) {
    return k == null ? null : NicMode.valueOf(k.name());
  }

  static KNicMode kernelMode(NicMode m) {
    return m == null ? null : KNicMode.valueOf(m.name());
  }

  static TraceEvent event(KTraceEvent k) {
    return new TraceEvent(k.timeMicros(), k.packet(), k.node(), layer(k.layer()), k.action(), k.detail());
  }
}
