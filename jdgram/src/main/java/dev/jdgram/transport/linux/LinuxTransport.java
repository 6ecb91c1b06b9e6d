package dev.jdgram.transport.linux;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;
import java.util.Locale;

/**
 * The Linux transport: the kernel reached directly through the FFM API ({@code epoll},
 * {@code recvmmsg}, {@code sendmmsg}, every socket option), no JNI and no C compiler. The default
 * on Linux x86_64 and aarch64.
 */
public final class LinuxTransport implements Transport {
  /** The one instance. */
  public static final LinuxTransport INSTANCE = new LinuxTransport();

  private LinuxTransport() {}

  /** @return true on Linux x86_64 or aarch64, where the struct layouts of this package hold */
  public static boolean supported() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    return os.contains("linux")
        && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
  }

  @Override
  public String name() {
    return "linux";
  }

  @Override
  public Poller newPoller() {
    return new EpollPoller();
  }

  @Override
  public UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher) {
    Transport.requireNoHost(this, host);
    return new LinuxUdpKernel(ctx, ipv6, watcher);
  }
}
