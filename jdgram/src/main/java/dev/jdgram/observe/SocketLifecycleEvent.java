package dev.jdgram.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A socket was bound, connected, disconnected or closed. Rare: enabled by default. */
@Name("dev.jdgram.SocketLifecycle")
@Label("Socket Lifecycle")
@Category("dev.jdgram")
@Description("A UDP socket was bound, connected, disconnected or closed")
@StackTrace(false)
public final class SocketLifecycleEvent extends Event {
  @Label("Action")
  @Description("bind, connect, disconnect or close")
  public String action;

  @Label("Type")
  @Description("udp4 or udp6")
  public String type;

  @Label("Local Address")
  public String localAddress;

  @Label("Remote Address")
  public String remoteAddress;

  @Label("Transport")
  public String transport;
}
