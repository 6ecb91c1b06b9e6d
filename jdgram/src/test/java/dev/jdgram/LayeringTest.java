package dev.jdgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's layers, kept: the socket layer on top, the loop and the one handle beneath it,
 * the transports at the bottom, each depending only downwards. Read from the sources (imports and
 * qualified names in code, not in comments or strings), so that a forbidden reference fails here, by name.
 */
class LayeringTest {
  private static final String ROOT = "dev.jdgram";
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  /** A qualified reference to a type of this library: its package, then the type's name. */
  private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.jdgram(?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");

  /** package -> referenced package -> the types referenced. */
  private static Map<String, Map<String, Set<String>>> graph() {
    Path sources = Path.of("src/main/java/dev/jdgram");
    assertTrue(Files.isDirectory(sources), "run from the jdgram module: " + sources.toAbsolutePath());
    Map<String, Map<String, Set<String>>> g = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String code = stripComments(Files.readString(f));
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
          continue; // module-info
        }
        String pkg = pm.group(1);
        g.computeIfAbsent(pkg, k -> new TreeMap<>());
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            g.get(pkg).computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return g;
  }

  /** Comments and string literals name no type (a JFR event is named "dev.jdgram.ReceiveBatch"). */
  private static String stripComments(String s) {
    return s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "").replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
  }

  private static boolean under(String pkg, String layer) {
    return pkg.equals(layer) || pkg.startsWith(layer + ".");
  }

  @Test
  void eachLayerDependsOnlyDownwards() {
    Map<String, Map<String, Set<String>>> g = graph();
    List<String> broken = new ArrayList<>();
    g.forEach((from, tos) -> tos.forEach((to, types) -> {
      String why = forbidden(from, to, types);
      if (why != null) {
        broken.add(from + " -> " + to + " " + types + ": " + why);
      }
    }));
    assertEquals(List.of(), broken);
  }

  /** @return why {@code from} may not name {@code types} of {@code to}, or null if it may */
  private static String forbidden(String from, String to, Set<String> types) {
    String handle = ROOT + ".handle";
    String loop = ROOT + ".loop";
    String transport = ROOT + ".transport";
    if (from.equals(handle) && !to.equals(handle) && !to.equals(ROOT + ".observe")) {
      // dev.jdgram.observe is a leaf (the Flight Recorder events), depending on jdk.jfr alone
      return "the handle names no transport, no loop class and nothing above it";
    }
    if (from.equals(ROOT + ".observe") && !to.equals(from)) {
      return "the Flight Recorder events are a leaf: every layer may record, they name none";
    }
    if (from.equals(loop)) {
      if (to.equals(ROOT) && !types.equals(Set.of("DgramException"))) {
        // The public contract has the loop's methods throw the API's one exception type; nothing
        // else of the socket layer is the loop's business.
        return "the loop names nothing of the socket layer but DgramException";
      }
      if (under(to, transport) || under(to, ROOT + ".sim")) {
        return "the loop reaches its transport only through the handle package's interfaces";
      }
    }
    if (under(from, transport)) {
      if (to.equals(ROOT) || to.equals(loop)) {
        return "a transport knows only the handle's kernel interface, not the socket layer or the loop";
      }
      if (under(to, ROOT + ".sim")) {
        // The simulated network's API drives the sim kernel model, never the other way round:
        // the model has its own vocabulary, which the API converts at its boundary.
        return "a transport (the sim kernel model too) names nothing of the simulated network's API";
      }
      if (from.startsWith(transport + ".") && under(to, transport) && !to.equals(from)) {
        return "transports do not know each other; only dev.jdgram.transport chooses among them";
      }
    }
    return null;
  }

  @Test
  void onlyTheFactoryNamesTheTransports() {
    Map<String, Map<String, Set<String>>> g = graph();
    Set<String> naming = new TreeSet<>();
    g.forEach((from, tos) -> tos.keySet().forEach(to -> {
      if ((to.equals(ROOT + ".transport.linux") || to.equals(ROOT + ".transport.nio")) && !from.equals(ROOT + ".transport")) {
        naming.add(from);
      }
    }));
    assertEquals(Set.of(), naming);
  }

  @Test
  void noPackageCyclesBeyondTheTwoTheContractImposes() {
    Map<String, Map<String, Set<String>>> g = graph();
    List<Set<String>> cycles = new ArrayList<>();
    for (Set<String> scc : stronglyConnected(g)) {
      if (scc.size() > 1) {
        cycles.add(scc);
      }
    }
    // dev.jdgram <-> dev.jdgram.loop: DgramSocket.loop() returns the EventLoop, whose methods
    // throw DgramException (both fixed by the public API).
    Set<Set<String>> allowed = Set.of(Set.of(ROOT, ROOT + ".loop"));
    for (Set<String> c : cycles) {
      assertTrue(allowed.contains(c), "a package cycle: " + c);
    }
  }

  /** Tarjan's strongly connected components of the package graph. */
  private static List<Set<String>> stronglyConnected(Map<String, Map<String, Set<String>>> g) {
    List<Set<String>> out = new ArrayList<>();
    Map<String, Integer> index = new TreeMap<>();
    Map<String, Integer> low = new TreeMap<>();
    List<String> stack = new ArrayList<>();
    Set<String> onStack = new TreeSet<>();
    int[] next = {0};
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, g, index, low, stack, onStack, next, out);
      }
    }
    return out;
  }

  private static void connect(String v, Map<String, Map<String, Set<String>>> g, Map<String, Integer> index,
      Map<String, Integer> low, List<String> stack, Set<String> onStack, int[] next, List<Set<String>> out) {
    index.put(v, next[0]);
    low.put(v, next[0]);
    next[0]++;
    stack.add(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, Map.of()).keySet()) {
      if (!index.containsKey(w)) {
        connect(w, g, index, low, stack, onStack, next, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.remove(stack.size() - 1);
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      out.add(scc);
    }
  }
}
