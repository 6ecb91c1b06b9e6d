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
 * One system call of a UDP handle that handed datagrams to the kernel ({@code sendmsg},
 * {@code sendmmsg}, a GSO send, ...): how many it offered, how many the kernel took, and how
 * long the call took. Recorded by the handle through {@link HandleEvents#sendFlushBegin()} and
 * {@link HandleEvents#sendFlushEnd}.
 */
@Name("dev.jdgram.SendFlush")
@Label("Send Flush")
@Category("dev.jdgram")
@Description("One system call that handed queued datagrams to the kernel")
@StackTrace(false)
@Enabled(false)
@Threshold("0 ms")
public final class SendFlushEvent extends Event {
  @Label("System Call")
  public String syscall;

  @Label("Datagrams Offered")
  public int offered;

  @Label("Datagrams Sent")
  public int datagrams;

  @Label("Bytes Sent")
  @DataAmount
  public long bytes;

  @Label("Result")
  @Description("The call's result: datagrams or bytes taken, or a negative errno")
  public long result;

  @Label("Transport")
  public String transport;

  /** The setting {@code minDatagrams}: calls that sent fewer are not recorded (default 1). */
  @Name("minDatagrams")
  @Label("Minimum Datagrams")
  @SettingDefinition
  protected boolean minDatagrams(MinCountSetting setting) {
    return setting.accepts(offered);
  }
}
