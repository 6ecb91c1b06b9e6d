/**
 * Examples to copy: each package is one small program on jdgram's public API
 * ({@code dev.jdgram}, {@code dev.jdgram.loop}) and nothing else, which this module's
 * {@code requires} makes the compiler check.
 */
module dev.jdgram.examples {
  requires dev.jdgram;

  exports dev.jdgram.examples.syslog;
  exports dev.jdgram.examples.statsd;
  exports dev.jdgram.examples.dns;
  exports dev.jdgram.examples.ssdp;
  exports dev.jdgram.examples.feed;
}
