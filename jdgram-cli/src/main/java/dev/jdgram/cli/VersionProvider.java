package dev.jdgram.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code jdgram --version}: the project version (filtered in at build time) and the runtime. */
final class VersionProvider implements IVersionProvider {
  static final String TRANSPORT_PROPERTY = "jdgram.transport";

  @Override
  public String[] getVersion() {
    String transport = System.getProperty(TRANSPORT_PROPERTY);
    return new String[] {
      "jdgram " + version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
          + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
      "transport: " + (transport == null ? "default" : transport)
    };
  }

  /** @return the project version, or {@code unknown} when run from unfiltered sources */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String v = p.getProperty("version", "unknown");
    return v.startsWith("${") ? "unknown" : v;
  }
}
