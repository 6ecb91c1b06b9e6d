package dev.jdgram;

/**
 * Options of {@link DgramSocket#bind(BindOptions, Runnable)}, immutable: each setter returns a
 * new instance. Node's {@code bind({port, address, exclusive})}.
 */
public final class BindOptions {
  private final int port;
  private final String address;
  private final boolean exclusive;

  private BindOptions(int port, String address, boolean exclusive) {
    this.port = port;
    this.address = address;
    this.exclusive = exclusive;
  }

  /**
   * @param port the port, 0 for one the kernel chooses
   * @return options with that port, every address, not exclusive
   */
  public static BindOptions of(int port) {
    return new BindOptions(port, null, false);
  }

  /**
   * @param address the local address or host name; null for {@code 0.0.0.0} or {@code ::}
   * @return a copy with that address
   */
  public BindOptions address(String address) {
    return new BindOptions(port, address, exclusive);
  }

  /**
   * @param exclusive Node's cluster flag; a single process has nothing to share, so it only
   *     documents intent here
   * @return a copy with that flag
   */
  public BindOptions exclusive(boolean exclusive) {
    return new BindOptions(port, address, exclusive);
  }

  /** @return the port */
  public int port() {
    return port;
  }

  /** @return the address, or null */
  public String address() {
    return address;
  }

  /** @return the exclusive flag */
  public boolean exclusive() {
    return exclusive;
  }

  @Override
  public String toString() {
    return "BindOptions[port=" + port + ", address=" + address + ", exclusive=" + exclusive + "]";
  }
}
