package dev.jdgram;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The listeners of one event, in the order they were added; a {@code once} listener is removed
 * before it runs, as with Node's {@code emitter.once}. Adding and removing may happen on any
 * thread (copy on write); emitting happens on the loop thread over the current array, which
 * {@link #array()} exposes so the per-datagram path can iterate without allocating.
 */
final class Listeners<T> {
  /** One registration. */
  static final class Entry<T> {
    final T listener;
    final boolean once;

    Entry(T listener, boolean once) {
      this.listener = listener;
      this.once = once;
    }
  }

  @SuppressWarnings("rawtypes")
  private static final Entry[] NONE = new Entry[0];

  @SuppressWarnings("unchecked")
  private volatile Entry<T>[] entries = NONE;

  synchronized void add(T listener, boolean once) {
    Entry<T>[] e = Arrays.copyOf(entries, entries.length + 1);
    e[e.length - 1] = new Entry<>(listener, once);
    entries = e;
  }

  /** Removes the first registration of {@code listener}; @return true if there was one. */
  boolean remove(Object listener) {
    return removeWhere(e -> e.listener == listener);
  }

  private synchronized boolean removeWhere(java.util.function.Predicate<Entry<T>> match) {
    Entry<T>[] e = entries;
    for (int i = 0; i < e.length; i++) {
      if (match.test(e[i])) {
        Entry<T>[] n = Arrays.copyOf(e, e.length - 1);
        System.arraycopy(e, i + 1, n, i, e.length - i - 1);
        entries = n;
        return true;
      }
    }
    return false;
  }

  private synchronized boolean removeEntry(Entry<T> entry) {
    return removeWhere(e -> e == entry);
  }

  boolean isEmpty() {
    return entries.length == 0;
  }

  /** @return the current registrations; never modified in place */
  Entry<T>[] array() {
    return entries;
  }

  /**
   * Calls each listener; one that throws goes to {@code onThrow} and the rest still run.
   *
   * @return how many listeners were called
   */
  int emit(Consumer<T> call, Consumer<Throwable> onThrow) {
    int n = 0;
    for (Entry<T> e : entries) {
      if (e.once && !removeEntry(e)) {
        continue; // another emit already consumed it
      }
      n++;
      try {
        call.accept(e.listener);
      } catch (Throwable t) {
        onThrow.accept(t);
      }
    }
    return n;
  }
}
