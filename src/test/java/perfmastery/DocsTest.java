package perfmastery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The user documentation stays what issue 23 asked for: a README a new user reads in five minutes, pages that
 * link instead of repeating, no project history, and a CONTRIBUTING package table that matches the tree.
 * (That the generated findings match claims.csv is FindingsDocTest's.)
 */
class DocsTest {

    /** At most 10 KB. */
    static final int README_MAX_BYTES = 10 * 1024;
    /** A commit hash: 7 to 40 hex digits with at least one digit and one letter (so 1049000 or "deadbeef" pass). */
    static final Pattern HASH = Pattern.compile("(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?![0-9A-Za-z])");
    static final Pattern DATE = Pattern.compile("\\b20\\d\\d-[01]\\d-[0-3]\\d\\b");
    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    static List<Path> userDocs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("CONTRIBUTING.md")));
        try (Stream<Path> files = Files.walk(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.startsWith(Path.of("docs", "incoming")))
                    .sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void theReadmeIsAtMostTenKilobytes() throws IOException {
        long size = Files.size(Path.of("README.md"));
        assertTrue(size <= README_MAX_BYTES, "README.md is " + size + " bytes, more than " + README_MAX_BYTES
                + ": move the text into docs/ and link it");
    }

    @Test
    void theUserDocsHoldNoProjectHistory() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path doc : userDocs()) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            for (Pattern p : List.of(HASH, DATE, Pattern.compile("(?i)until this change|issue \\d+"))) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    found.add(doc + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), found, "commit hashes, dates and history belong in CHANGELOG.md, not the user docs");
    }

    @Test
    void theHashCheckKnowsAHashFromANumber() {
        assertTrue(HASH.matcher("commit 0de6f65 made").find());
        assertTrue(HASH.matcher("`b4052d8`").find());
        assertTrue(!HASH.matcher("1049000 B/op, 67110000, deadbeef, effaced").find());
    }

    @Test
    void everyRelativeLinkLandsOnAFileAndHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : userDocs()) {
            Matcher m = LINK.matcher(Files.readString(doc, StandardCharsets.UTF_8));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !slugs(Files.readString(resolved, StandardCharsets.UTF_8)).contains(target.substring(hash + 1))) {
                    broken.add(doc + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void everyDocsPageIsReachableFromTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (Path doc : userDocs()) {
            String name = doc.toString().replace('\\', '/');
            if (name.startsWith("docs/") && !readme.contains("](" + name)) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "docs pages the README does not link");
    }

    /** CONTRIBUTING's "The packages" table names every package under src/main/java, and only those. */
    @Test
    void contributingsPackageTableMatchesTheTree() throws IOException {
        String contributing = Files.readString(Path.of("CONTRIBUTING.md"), StandardCharsets.UTF_8);
        int start = contributing.indexOf("## The packages");
        assertTrue(start >= 0, "CONTRIBUTING.md has no '## The packages' section");
        int end = contributing.indexOf("\n## ", start + 1);
        String section = contributing.substring(start, end < 0 ? contributing.length() : end);
        Map<String, String> listed = new HashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(perfmastery(?:\\.[a-z0-9]+)*)` \\|(.*)\\|$").matcher(section);
        while (row.find()) {
            listed.put(row.group(1), row.group(2));
        }
        Set<String> tree;
        Path root = Path.of("src", "main", "java");
        try (Stream<Path> files = Files.walk(root)) {
            tree = files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> root.relativize(p.getParent()).toString().replace(java.io.File.separatorChar, '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> unlisted = new TreeSet<>(tree);
        unlisted.removeAll(listed.keySet());
        assertEquals(Set.of(), unlisted, "packages under src/main/java that CONTRIBUTING.md's table does not list");
        Set<String> absent = new TreeSet<>();
        listed.forEach((pkg, text) -> {
            // A package another branch is writing is listed ahead, marked so, until it lands.
            if (!tree.contains(pkg) && !text.toLowerCase(Locale.ROOT).contains("being written")) {
                absent.add(pkg);
            }
        });
        assertEquals(Set.of(), absent, "packages CONTRIBUTING.md lists that src/main/java does not have");
    }

    /** GitHub's heading anchors of a Markdown text (lower case, punctuation dropped, spaces to hyphens). */
    static Set<String> slugs(String markdown) {
        Set<String> out = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fence = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                fence = !fence;
            }
            if (fence || !line.matches("#{1,6} .*")) {
                continue;
            }
            String text = line.replaceFirst("#+ ", "").replaceAll("[`*]", "").replaceAll("\\[([^]]*)\\]\\([^)]*\\)", "$1");
            StringBuilder slug = new StringBuilder();
            for (char c : text.toLowerCase(Locale.ROOT).toCharArray()) {
                if (c == ' ') {
                    slug.append('-');
                } else if (c == '-' || c == '_' || Character.isLetterOrDigit(c)) {
                    slug.append(c);
                }
            }
            String base = slug.toString();
            int n = seen.merge(base, 1, Integer::sum);
            out.add(n == 1 ? base : base + "-" + (n - 1));
        }
        return out;
    }
}
