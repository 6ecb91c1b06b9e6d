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
import jdk.jfr.Threshold;

/**
 * One wake-up's receive batch of a UDP handle: the datagrams it read from the kernel (up to its
 * cap per wake-up) and delivered, and how long that took. Recorded by the handle through
 * {@link HandleEvents#recvBatchBegin()} and {@link HandleEvents#recvBatchEnd}.
 */
@Name("dev.jdgram.ReceiveBatch")
@Label("Receive Batch")
@Category("dev.jdgram")
@Description("The datagrams one wake-up of a UDP handle read from the kernel and delivered")
@StackTrace(false)
@Enabled(false)
@Threshold("0 ms")
public final class ReceiveBatchEvent extends Event {
  @Label("Datagrams")
  public int datagrams;

  @Label("Bytes")
  @DataAmount
  public long bytes;

  @Label("Transport")
  public String transport;

  /** The setting {@code minDatagrams}: smaller batches are not recorded (default 1). */
  @Name("minDatagrams")
  @Label("Minimum Datagrams")
  @SettingDefinition
  protected boolean minDatagrams(MinCountSetting setting) {
    return setting.accepts(datagrams);
  }
}
