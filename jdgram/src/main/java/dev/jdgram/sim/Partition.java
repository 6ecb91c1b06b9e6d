package dev.jdgram.sim;

import dev.jdgram.transport.sim.KHost;
import dev.jdgram.transport.sim.World;
import java.util.Map;

/** A split of the network made by {@link SimNetwork#partition}; {@link #heal()} undoes it. */
public final class Partition {
  private final World world;
  private final Map<KHost, Integer> sides;

  Partition(World world, Map<KHost, Integer> sides) {
    this.world = world;
    this.sides = sides;
  }

  /** Lets the groups reach each other again. */
  public void heal() {
    world.heal(sides);
  }
}
