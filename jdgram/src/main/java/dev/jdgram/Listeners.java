package dev.jdgram;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of one event, in the order they were added; a {@code once} listener is removed
 * before it runs, as with Node's {@code emitter.once}. Adding and removing may happen on any
 * thread; emitting happens on the loop thread and iterates a snapshot.
 */
final class Listeners<T> {
  private record Entry<T>(T listener, boolean once) {}

  private final CopyOnWriteArrayList<Entry<T>> entries = new CopyOnWriteArrayList<>();

  void add(T listener, boolean once) {
    entries.add(new Entry<>(listener, once));
  }

  /** Removes the first registration of {@code listener}; @return true if there was one. */
  boolean remove(Object listener) {
    for (Entry<T> e : entries) {
      if (e.listener == listener) {
        return entries.remove(e);
      }
    }
    return false;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Calls each listener; one that throws goes to {@code onThrow} and the rest still run.
   *
   * @return how many listeners were called
   */
  int emit(Consumer<T> call, Consumer<Throwable> onThrow) {
    int n = 0;
    for (Entry<T> e : entries) {
      if (e.once && !entries.remove(e)) {
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
