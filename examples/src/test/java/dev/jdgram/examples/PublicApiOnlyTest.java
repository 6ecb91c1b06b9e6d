package dev.jdgram.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples are programs a user copies: they use jdgram's exported packages only. A module
 * descriptor could make the compiler check it, but the jar tool of a Maven that runs on an older
 * JDK than 25 cannot read a JDK 25 descriptor when it packages the jar; so this test reads the
 * sources instead, and names every reference to an internal package.
 */
class PublicApiOnlyTest {
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.jdgram((?:\\.[a-z]\\w*)*)\\.[A-Z]");
  private static final List<String> EXPORTED = List.of("", ".loop", ".sim", ".compat");

  @Test
  void examplesNameOnlyExportedPackages() throws IOException {
    Path sources = Path.of("src/main/java/dev/jdgram/examples");
    assertTrue(Files.isDirectory(sources), "run from the examples module: " + sources.toAbsolutePath());
    List<String> internal = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = REFERENCE.matcher(Files.readString(f));
        while (m.find()) {
          String pkg = m.group(1);
          if (!pkg.startsWith(".examples") && !EXPORTED.contains(pkg)) {
            internal.add(f.getFileName() + ": " + m.group());
          }
        }
      }
    }
    assertEquals(List.of(), internal);
  }
}
