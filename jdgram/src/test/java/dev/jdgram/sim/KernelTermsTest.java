package dev.jdgram.sim;

import static dev.jdgram.sim.SimFixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdgram.sim.SimFixtures.TwoHosts;
import dev.jdgram.transport.sim.KLayer;
import dev.jdgram.transport.sim.KNicMode;
import dev.jdgram.transport.sim.KTraceEvent;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel model's vocabulary and the public one stay in step: {@link KernelTerms} maps the
 * enums by constant name, so a constant added, renamed or moved on one side only fails here
 * rather than at run time.
 */
@Timeout(20)
class KernelTermsTest {
  private static List<String> names(Class<? extends Enum<?>> e) {
    return Arrays.stream(e.getEnumConstants()).map(Enum::name).toList();
  }

  @Test
  void theLayersAreTheSameConstantsInTheSameOrder() {
    assertEquals(names(Layer.class), names(KLayer.class));
    for (KLayer k : KLayer.values()) {
      assertEquals(k.ordinal(), KernelTerms.layer(k).ordinal());
    }
  }

  @Test
  void theNicModesAreTheSameConstantsInTheSameOrder() {
    assertEquals(names(NicMode.class), names(KNicMode.class));
    for (NicMode m : NicMode.values()) {
      assertEquals(m, KernelTerms.mode(KernelTerms.kernelMode(m)));
    }
  }

  @Test
  void theTraceRecordsHaveTheSameComponents() {
    RecordComponent[] pub = TraceEvent.class.getRecordComponents();
    RecordComponent[] kernel = KTraceEvent.class.getRecordComponents();
    assertEquals(pub.length, kernel.length);
    for (int i = 0; i < pub.length; i++) {
      assertEquals(pub[i].getName(), kernel[i].getName());
      Class<?> expected = pub[i].getType() == Layer.class ? KLayer.class : pub[i].getType();
      assertEquals(expected, kernel[i].getType(), pub[i].getName());
    }
  }

  @Test
  void aKernelEventBecomesThePublicEventWithTheSameText() {
    TraceEvent e = KernelTerms.event(new KTraceEvent(1_234_567, "d7", "b/eth0", KLayer.NIC, "drop", "not for us"));
    assertEquals(new TraceEvent(1_234_567, "d7", "b/eth0", Layer.NIC, "drop", "not for us"), e);
    assertEquals("  1234.567ms d7      b/eth0       NIC    drop    not for us", e.toString());
  }

  @Test
  void aNicReadsBackEachModeAndTheListenerSeesWhatTheTraceKeeps() {
    try (TwoHosts t = new TwoHosts(3)) {
      Nic n = t.b.nic("eth0");
      for (NicMode m : NicMode.values()) {
        assertEquals(m, n.mode(m).mode());
      }
      n.mode(NicMode.EXACT);
      List<TraceEvent> heard = Collections.synchronizedList(new ArrayList<>());
      t.net.trace().clear();
      t.net.trace().listen(heard::add);
      t.b.socket("udp4").bind(5000);
      t.a.socket("udp4").send(b("x"), 5000, "10.0.0.2");
      t.net.runUntilIdle();
      List<TraceEvent> kept = t.net.trace().events();
      assertFalse(kept.isEmpty());
      assertEquals(kept, heard);
      assertEquals(Layer.SOCKET, t.net.trace().of("d1").getLast().layer());
    }
  }
}
