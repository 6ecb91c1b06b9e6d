// SPDX-License-Identifier: Apache-2.0
package dev.jdgram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * jdgram-bom has no parent (so that importing it imports nothing else), which means nothing in
 * Maven keeps it in step with the reactor: this test does. Its version must be the parent's, and
 * it must list exactly the modules that are published (every module of the root pom that is not
 * a pom and does not set {@code maven.deploy.skip}).
 */
class BomTest {
  /** The repository root: the tests run in jdgram-cli/, one level below it. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  /** @return the text of the direct child {@code name} of {@code parent}, or null */
  private static String child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().strip();
      }
    }
    return null;
  }

  private static Element childElement(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  @Test
  void theBomHasTheReactorsVersionAndListsEveryPublishedModule() throws Exception {
    Element root = parse(ROOT.resolve("pom.xml")).getDocumentElement();
    assertEquals("jdgram-parent", child(root, "artifactId"), "not the repository root: " + ROOT);
    String version = child(root, "version");

    Set<String> published = new TreeSet<>();
    NodeList modules = childElement(root, "modules").getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      Path pom = ROOT.resolve(modules.item(i).getTextContent().strip()).resolve("pom.xml");
      Element m = parse(pom).getDocumentElement();
      Element props = childElement(m, "properties");
      boolean skipped = props != null && "true".equals(child(props, "maven.deploy.skip"));
      if (!"pom".equals(child(m, "packaging")) && !skipped) {
        published.add(child(m, "artifactId"));
      }
    }
    assertTrue(published.contains("jdgram") && published.contains("jdgram-cli"), published::toString);

    Element bom = parse(ROOT.resolve("jdgram-bom/pom.xml")).getDocumentElement();
    assertEquals(null, childElement(bom, "parent"), "jdgram-bom must not have a parent");
    assertEquals(version, child(bom, "version"), "jdgram-bom's version must be the parent's");
    Set<String> listed = new TreeSet<>();
    NodeList deps = childElement(bom, "dependencyManagement").getElementsByTagName("dependency");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      listed.add(child(d, "artifactId"));
      if (!"dev.jdgram".equals(child(d, "groupId")) || !"${project.version}".equals(child(d, "version"))) {
        wrong.add(child(d, "artifactId"));
      }
    }
    assertEquals(published, listed, "jdgram-bom must list exactly the published modules");
    assertTrue(wrong.isEmpty(), () -> "not dev.jdgram at ${project.version}: " + wrong);
    assertTrue(Files.exists(ROOT.resolve("LICENSE")), "LICENSE is missing");
  }
}
