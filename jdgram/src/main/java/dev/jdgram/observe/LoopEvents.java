package dev.jdgram.observe;

/** What an event loop records: callbacks that hold its thread longer than the threshold. */
public final class LoopEvents {
  private LoopEvents() {}

  /** @return true while a recording asks for slow callbacks */
  public static boolean slowCallbackEnabled() {
    return Jfr.on(Jfr.SLOW_CALLBACK);
  }

  /** @return the event, begun, or null when it is not being recorded */
  public static SlowCallbackEvent callbackBegin() {
    if (!Jfr.on(Jfr.SLOW_CALLBACK)) {
      return null;
    }
    SlowCallbackEvent e = new SlowCallbackEvent();
    e.begin();
    return e;
  }

  /**
   * Ends the event and commits it if the callback took longer than the threshold.
   *
   * @param e the event, or null
   * @param phase the loop phase the callback ran in
   * @param callbackClass the callback's class
   * @param loop the loop's name
   */
  public static void callbackEnd(SlowCallbackEvent e, String phase, Class<?> callbackClass, String loop) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.phase = phase;
      e.callback = callbackClass.getName();
      e.loop = loop;
      e.commit();
    }
  }
}
