package dev.jdgram.sim;

import dev.jdgram.transport.sim.KSwitch;
import dev.jdgram.transport.sim.Prefix;
import java.util.List;

/** A LAN segment: one learning switch that every card plugged into it hangs off. */
public final class Lan {
  final KSwitch sw;

  Lan(KSwitch sw) {
    this.sw = sw;
  }

  public String name() {
    return sw.name;
  }

  /**
   * IGMP/MLD snooping: on, the switch sends a group's traffic only to ports that reported
   * members and to ports of routers (link-local groups still go everywhere); off (the
   * default), multicast is flooded like broadcast.
   */
  public Lan igmpSnooping(boolean on) {
    sw.snooping = on;
    return this;
  }

  /** @return the ports (host/nic) the snooping switch learned members of {@code group} on */
  public List<String> snoopedPorts(String group) {
    return sw.snoopedPorts(Prefix.parse(group).address());
  }

  /** Starts capturing every frame that enters the switch (a mirror port). */
  public Capture capture() {
    return new Capture(sw.capture());
  }

  @Override
  public String toString() {
    return "lan " + name();
  }
}
