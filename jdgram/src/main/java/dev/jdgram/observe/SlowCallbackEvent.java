package dev.jdgram.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A callback ran on an event-loop thread for longer than the threshold (default 20 ms): the loop
 * did nothing else meanwhile, so every socket on it waited. Which phase of the iteration it ran
 * in, and the class of the callback (for a listener, the listener's class).
 */
@Name("dev.jdgram.SlowCallback")
@Label("Slow Loop Callback")
@Category("dev.jdgram")
@Description("A callback that held an event-loop thread longer than the threshold")
@StackTrace(false)
@Threshold("20 ms")
public final class SlowCallbackEvent extends Event {
  @Label("Phase")
  @Description("timers, pending (tasks from other threads and next-ticks), poll (I/O callbacks), "
      + "check (immediates) or phase-end (deferred flushes and their completions)")
  public String phase;

  @Label("Callback Class")
  public String callback;

  @Label("Loop")
  public String loop;
}
