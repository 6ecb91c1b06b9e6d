package dev.jdgram.loop;

import java.util.Arrays;

/**
 * The loop's timers, a binary min-heap on (due time, sequence) as libuv keeps them, so the
 * nearest timer is found in O(1) and added or removed in O(log n). Loop thread only.
 */
final class TimerHeap {
  private Timer[] heap = new Timer[16];
  private int size;
  private long nextSeq;

  int size() {
    return size;
  }

  Timer peek() {
    return size == 0 ? null : heap[0];
  }

  void add(Timer t) {
    t.seq = nextSeq++;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = t;
    t.heapIndex = size;
    size++;
    siftUp(t.heapIndex);
  }

  /** Removes {@code t} if it is in the heap. */
  boolean remove(Timer t) {
    int i = t.heapIndex;
    if (i < 0 || i >= size || heap[i] != t) {
      return false;
    }
    size--;
    Timer last = heap[size];
    heap[size] = null;
    t.heapIndex = -1;
    if (i != size) {
      heap[i] = last;
      last.heapIndex = i;
      siftDown(i);
      siftUp(last.heapIndex);
    }
    return true;
  }

  Timer[] snapshot() {
    return Arrays.copyOf(heap, size);
  }

  private static boolean less(Timer a, Timer b) {
    return a.due < b.due || (a.due == b.due && a.seq < b.seq);
  }

  private void siftUp(int i) {
    Timer t = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Timer p = heap[parent];
      if (!less(t, p)) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = t;
    t.heapIndex = i;
  }

  private void siftDown(int i) {
    Timer t = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && less(heap[right], heap[child])) {
        child = right;
      }
      if (!less(heap[child], t)) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = t;
    t.heapIndex = i;
  }
}
