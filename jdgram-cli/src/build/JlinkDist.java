import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the self-contained jdgram tarball, {@code jdgram-<version>-linux-<arch>.tar.gz}: a jlink
 * image of the JDK that runs this program, with only the modules the command's jar needs (as
 * jdeps finds them), the jar, and the launcher {@code bin/jdgram}.
 *
 * <p>Run by the build as a single-file program ({@code java JlinkDist.java ...}) with the JDK 25
 * that Maven's toolchain selected, so that jlink and jdeps are taken from that JDK's home
 * ({@code java.home}), whatever {@code java} is on the PATH. That JDK may have no
 * {@code jmods} folder: jlink then links from its run-time image.
 *
 * <p>The tarball is written here rather than with tar(1) so that it comes out the same from the
 * same inputs: entries sorted by name, one modification time for all of them (from {@code
 * --mtime}, else {@code SOURCE_DATE_EPOCH}, else the jar's), owner 0:0, modes 0755 or 0644, and
 * a gzip header without a time stamp.
 *
 * <pre>
 * java JlinkDist.java --jar target/jdgram-cli.jar --launcher src/dist/bin/jdgram
 *     --version 1.0 --out target [--work target/dist] [--add-modules m1,m2] [--mtime T]
 *     [--release 25]
 * </pre>
 */
public final class JlinkDist {
  /** The ustar header and block size (POSIX.1-1988). */
  private static final int BLOCK = 512;

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    Path jar = Path.of(required(opt, "--jar"));
    Path launcher = Path.of(required(opt, "--launcher"));
    String version = required(opt, "--version");
    Path out = Path.of(required(opt, "--out"));
    Path work = Path.of(opt.getOrDefault("--work", out.resolve("dist").toString()));

    // The runtime is this JDK: it must run what the jar was compiled for.
    int release = Integer.parseInt(opt.getOrDefault("--release", "25"));
    if (Runtime.version().feature() < release) {
      throw new IllegalStateException("JlinkDist runs on Java " + Runtime.version()
          + " (" + System.getProperty("java.home") + "); the image needs a JDK " + release);
    }
    String name = "jdgram-" + version + "-linux-" + arch();
    Set<String> modules = new LinkedHashSet<>(jdeps(jar));
    for (String m : opt.getOrDefault("--add-modules", "").split(",")) {
      if (!m.isBlank()) {
        modules.add(m.strip());
      }
    }

    Path root = work.resolve(name);
    deleteTree(work);
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("lib"));
    jlink(modules, root.resolve("runtime"));
    Files.copy(jar, root.resolve("lib/jdgram-cli.jar"));
    Files.copy(launcher, root.resolve("bin/jdgram"));
    root.resolve("bin/jdgram").toFile().setExecutable(true, false);

    long mtime = mtime(opt.get("--mtime"), jar);
    Path tarball = out.resolve(name + ".tar.gz");
    Files.createDirectories(out);
    writeTarGz(work, root, tarball, mtime);
    System.out.printf("JlinkDist: %s (%d KiB; runtime modules: %s)%n", tarball,
        Files.size(tarball) / 1024, String.join(",", modules));
  }

  // ------------------------------------------------------------------ jdeps and jlink

  /** @return the modules the jar's classes reference, as jdeps --print-module-deps lists them */
  private static List<String> jdeps(Path jar) {
    String printed = run("jdeps", "--multi-release", String.valueOf(Runtime.version().feature()),
        "--ignore-missing-deps", "--print-module-deps", jar.toString());
    List<String> modules = new ArrayList<>();
    for (String m : printed.strip().split(",")) {
      if (!m.isBlank()) {
        modules.add(m.strip());
      }
    }
    if (modules.isEmpty()) {
      throw new IllegalStateException("jdeps found no module for " + jar + ":\n" + printed);
    }
    return modules;
  }

  private static void jlink(Set<String> modules, Path image) {
    // --generate-cds-archive: a class-data-sharing archive for the image halves the command's
    // start-up time (about 0.75 s to 0.4 s for --version), for about 8 MB more in the tarball.
    run("jlink", "--add-modules", String.join(",", modules), "--strip-debug",
        "--no-header-files", "--no-man-pages", "--generate-cds-archive",
        "--output", image.toString());
  }

  /**
   * Runs a tool of this JDK ({@code java.home/bin/tool}) and returns its output, which is shown
   * only when it fails. A process rather than {@link java.util.spi.ToolProvider}: jlink's CDS
   * step starts a JVM of its own that writes warnings straight to the inherited output (the
   * default class list names java.logging classes that a java.base image lacks), and those
   * warnings would otherwise fill the build log on every build.
   */
  private static String run(String tool, String... args) {
    Path exe = Path.of(System.getProperty("java.home"), "bin", tool);
    if (!Files.isExecutable(exe)) {
      throw new IllegalStateException(tool + " is not in this JDK: " + exe);
    }
    List<String> command = new ArrayList<>(List.of(exe.toString()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (" + rc + "):\n"
            + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ the tarball

  /** @return the machine name as {@code uname -m} prints it (the JDK says amd64 for x86_64) */
  private static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> a;
    };
  }

  private static long mtime(String given, Path jar) throws IOException {
    if (given != null && !given.isBlank() && !given.startsWith("${")) {
      return given.chars().allMatch(Character::isDigit)
          ? Long.parseLong(given)
          : Instant.parse(given).getEpochSecond();
    }
    String sde = System.getenv("SOURCE_DATE_EPOCH");
    if (sde != null && !sde.isBlank()) {
      return Long.parseLong(sde.strip());
    }
    return Files.getLastModifiedTime(jar).toInstant().getEpochSecond();
  }

  private static void writeTarGz(Path base, Path root, Path tarball, long mtime)
      throws IOException {
    List<Path> entries;
    try (Stream<Path> walk = Files.walk(root)) {
      entries = walk.sorted(Comparator.comparing(p -> base.relativize(p).toString())).toList();
    }
    Path partial = tarball.resolveSibling(tarball.getFileName() + ".part");
    try (OutputStream file = Files.newOutputStream(partial);
        OutputStream tar = new GZIPOutputStream(new BufferedOutputStream(file, 1 << 16), 1 << 16)) {
      for (Path p : entries) {
        String rel = base.relativize(p).toString().replace('\\', '/');
        if (Files.isSymbolicLink(p)) {
          tar.write(header(rel, 0777, 0, mtime, '2', Files.readSymbolicLink(p).toString()));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          tar.write(header(rel + "/", 0755, 0, mtime, '5', ""));
        } else {
          long size = Files.size(p);
          tar.write(header(rel, Files.isExecutable(p) ? 0755 : 0644, size, mtime, '0', ""));
          Files.copy(p, tar);
          int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
          tar.write(new byte[pad]);
        }
      }
      // The end of an archive: two zero blocks.
      tar.write(new byte[2 * BLOCK]);
    }
    Files.move(partial, tarball, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(tarball, FileTime.from(Instant.now()));
  }

  /**
   * One ustar header block. A name longer than the 100-byte field is split at a slash into the
   * 155-byte prefix field and the name field, as POSIX ustar allows.
   */
  private static byte[] header(String path, int mode, long size, long mtime, char type,
      String link) {
    byte[] h = new byte[BLOCK];
    String prefix = "";
    String name = path;
    if (utf8(name).length > 100) {
      int cut = path.lastIndexOf('/', path.endsWith("/") ? path.length() - 2 : path.length() - 1);
      while (cut > 0 && utf8(path.substring(cut + 1)).length > 100) {
        cut = path.lastIndexOf('/', cut - 1);
      }
      if (cut <= 0 || utf8(path.substring(0, cut)).length > 155) {
        throw new IllegalArgumentException("path too long for ustar: " + path);
      }
      prefix = path.substring(0, cut);
      name = path.substring(cut + 1);
    }
    put(h, 0, 100, utf8(name));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0); // uid
    octal(h, 116, 8, 0); // gid
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    h[156] = (byte) type;
    put(h, 157, 100, utf8(link));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    put(h, 345, 155, utf8(prefix));
    // The checksum is the sum of the header's bytes with its own field read as spaces.
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /** A numeric field: octal digits, zero-padded, ending with NUL. */
  private static void octal(byte[] h, int at, int width, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > width - 1) {
      throw new IllegalArgumentException("value too large for a ustar field: " + value);
    }
    put(h, at, width - 1, ("0".repeat(width - 1 - digits.length()) + digits)
        .getBytes(StandardCharsets.US_ASCII));
  }

  private static void put(byte[] h, int at, int width, byte[] value) {
    if (value.length > width) {
      throw new IllegalArgumentException("field too long: " + new String(value,
          StandardCharsets.UTF_8));
    }
    System.arraycopy(value, 0, h, at, value.length);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ files and options

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --option value, got: " + args[i]);
      }
      opt.put(args[i], args[++i]);
    }
    return opt;
  }

  private static String required(Map<String, String> opt, String name) {
    String v = opt.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + name);
    }
    return v;
  }
}
