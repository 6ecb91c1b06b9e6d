package dev.jdgram.observe;

import java.util.Set;
import jdk.jfr.SettingControl;

/**
 * A JFR setting {@code minDatagrams}: an event of a batch is recorded only if the batch held at
 * least this many datagrams. Several recordings combine to the smallest minimum asked for.
 */
public final class MinCountSetting extends SettingControl {
  private volatile long min = 1;

  /** Made by JFR. */
  public MinCountSetting() {}

  @Override
  public String combine(Set<String> values) {
    long least = Long.MAX_VALUE;
    for (String v : values) {
      least = Math.min(least, parse(v));
    }
    return Long.toString(least == Long.MAX_VALUE ? 1 : least);
  }

  @Override
  public void setValue(String value) {
    min = parse(value);
  }

  @Override
  public String getValue() {
    return Long.toString(min);
  }

  boolean accepts(long count) {
    return count >= min;
  }

  private static long parse(String v) {
    try {
      return Math.max(0, Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
