package dev.jdgram.handle;

/** Where a kernel puts each entry of its error queue: the handle's error callback. */
@FunctionalInterface
public interface ErrorSink {
  /** One entry, valid until this call returns. */
  void onError(ErrorReport report);
}
