package dev.jdgram.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * An error a socket reported to its user: an {@code error} event, or a failed bind, connect or
 * send handed to its callback or future. Enabled by default: errors are rare by nature (a flood
 * of failing sends records one event each; disable the event or raise nothing else then).
 */
@Name("dev.jdgram.SocketError")
@Label("Socket Error")
@Category("dev.jdgram")
@Description("An error reported by a UDP socket: to its 'error' event, or to a callback or future")
@StackTrace(false)
public final class SocketErrorEvent extends Event {
  @Label("Code")
  public String code;

  @Label("System Call")
  public String syscall;

  @Label("Errno")
  public int errno;

  @Label("Address")
  public String address;

  @Label("Port")
  public int port;

  @Label("Local Address")
  public String localAddress;

  @Label("Message")
  public String message;
}
