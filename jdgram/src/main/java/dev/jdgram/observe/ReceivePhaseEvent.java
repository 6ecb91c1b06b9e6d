package dev.jdgram.observe;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;

/**
 * What one socket received in one phase of its loop, seen from the socket layer: the datagrams
 * delivered to its listeners between the first of the phase and the phase's end. An
 * approximation of the handle's receive batch (one wake-up usually is one phase), without the
 * time it took; datagrams dropped by the receive block list are not in it.
 */
@Name("dev.jdgram.ReceivePhase")
@Label("Receive Phase")
@Category("dev.jdgram")
@Description("Datagrams delivered to one socket's listeners in one phase of its event loop")
@StackTrace(false)
@Enabled(false)
public final class ReceivePhaseEvent extends Event {
  @Label("Local Address")
  public String localAddress;

  @Label("Datagrams")
  public long datagrams;

  @Label("Bytes")
  @DataAmount
  public long bytes;

  /** The setting {@code minDatagrams}: phases with fewer are not recorded (default 1). */
  @Name("minDatagrams")
  @Label("Minimum Datagrams")
  @SettingDefinition
  protected boolean minDatagrams(MinCountSetting setting) {
    return setting.accepts(datagrams);
  }
}
