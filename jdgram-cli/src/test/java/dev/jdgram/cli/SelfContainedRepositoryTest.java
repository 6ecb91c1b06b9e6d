// SPDX-License-Identifier: Apache-2.0
package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: no tracked file points outside it, to documents a reader of
 * the project does not have, and every relative link of the Markdown files leads to a tracked
 * file. It reads the files {@code git ls-files} lists, so it needs a git checkout; outside one
 * (a source tarball) it is skipped with that reason.
 *
 * <p>The patterns are assembled from pieces so that this file does not match them itself. The
 * word "seed" alone is legitimate (of a random generator, of a simulated network); only
 * the phrases that name an outside document are refused.
 */
class SelfContainedRepositoryTest {
  private static final Pattern OUTSIDE_TEXT = Pattern.compile(String.join("|",
      Pattern.quote("../" + "shared"),
      Pattern.quote("/work" + "/shared"),
      "(?i:\\bthe " + "seed\\b)",
      "(?i:\\b" + "seed" + "'s\\b)",
      "(?i:\\b" + "seed" + " (chapter|document|text))",
      "(?i:\\b" + "seed" + " (section )?[0-9]+\\.[0-9])",
      // Internal planning documents by name (upper case; the repository's own are docs/*.md).
      "\\b(API|DESIGN|BENCHMARKS|STYLE)" + "\\.md\\b",
      "\\bNETWORK" + "-RULES\\b"));

  /** A Markdown link or image target: {@code [text](target)}. */
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  private static Path root;
  private static List<String> tracked;

  @BeforeAll
  static void listTrackedFiles() throws IOException, InterruptedException {
    Path dir = Path.of("").toAbsolutePath();
    Process git;
    try {
      git = new ProcessBuilder("git", "ls-files", "-z", "--full-name", ":/")
          .directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      assumeTrue(false, "git is not installed: " + e.getMessage());
      return;
    }
    byte[] out = git.getInputStream().readAllBytes();
    assertTrue(git.waitFor(60, TimeUnit.SECONDS), "git ls-files did not finish");
    assumeTrue(git.exitValue() == 0, "not a git checkout: " + dir);
    tracked = new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\0")));
    tracked.removeIf(String::isEmpty);
    Process top = new ProcessBuilder("git", "rev-parse", "--show-toplevel")
        .directory(dir.toFile()).start();
    String topLevel = new String(top.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(top.waitFor(60, TimeUnit.SECONDS) && top.exitValue() == 0, "git rev-parse failed");
    root = Path.of(topLevel);
    assertTrue(tracked.contains("README.md"), () -> "README.md is not tracked under " + root);
  }

  @Test
  void noTrackedFilePointsToOutsideDocuments() throws IOException {
    List<String> hits = new ArrayList<>();
    for (String name : tracked) {
      Path file = root.resolve(name);
      if (!Files.isRegularFile(file)) {
        continue; // deleted in the work tree, not yet in the index
      }
      // Latin-1 reads every byte; the patterns are ASCII, so binary files cannot fail decoding.
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      int line = 1;
      int lineStart = 0;
      Matcher m = OUTSIDE_TEXT.matcher(text);
      while (m.find()) {
        for (int i = lineStart; i < m.start(); i++) {
          if (text.charAt(i) == '\n') {
            line++;
            lineStart = i + 1;
          }
        }
        hits.add(name + ":" + line + ": " + m.group());
      }
    }
    assertTrue(hits.isEmpty(), () -> "tracked files refer to documents outside the repository "
        + "(describe the mechanism or link docs/ instead):\n  " + String.join("\n  ", hits));
  }

  @Test
  void everyRelativeMarkdownLinkLeadsToATrackedFile() throws IOException {
    List<String> broken = new ArrayList<>();
    for (String name : tracked) {
      if (!name.endsWith(".md") || !Files.isRegularFile(root.resolve(name))) {
        continue;
      }
      Matcher m = MARKDOWN_LINK.matcher(Files.readString(root.resolve(name)));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
          continue; // a URL, or an anchor in the same file
        }
        String file = target.replaceFirst("#.*", "");
        Path parent = Path.of(name).getParent();
        String resolved = (parent == null ? Path.of(file) : parent.resolve(file))
            .normalize().toString().replace('\\', '/');
        if (!tracked.contains(resolved)) {
          broken.add(name + ": (" + target + ")");
        }
      }
    }
    assertTrue(broken.isEmpty(), () -> "links to files that are not in the repository:\n  "
        + String.join("\n  ", broken));
  }
}
