package perfmastery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import perfmastery.support.Claim;

/**
 * The committed reference run (results/reference, made by scripts/reference-run.sh) must hold a verdict
 * for every claim in the code, on JDK 17 and on the newer JDK: adding a lesson or a claim without running
 * the reference again fails here, loudly, instead of leaving the README's findings table silently behind.
 */
class ReferenceResultsTest {

    private static final Path REFERENCE = Paths.get("results", "reference");

    private static List<Class<?>> lessons() throws IOException, ClassNotFoundException {
        Path sources = Paths.get("src", "main", "java");
        List<Class<?>> lessons = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith("Benchmark.java")).sorted().toList()) {
                String name = sources.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                lessons.add(Class.forName(name, false, ReferenceResultsTest.class.getClassLoader()));
            }
        }
        return lessons;
    }

    @Test
    void everyClaimInTheCodeHasAVerdictInTheReferenceOnBothJdks() throws Exception {
        Path claimsCsv = REFERENCE.resolve("claims.csv");
        assertTrue(Files.isRegularFile(claimsCsv), "no " + claimsCsv + ": run scripts/reference-run.sh");
        List<String> lines = Files.readAllLines(claimsCsv);
        Set<String> runs = lines.stream().skip(1).map(l -> l.split(",", -1)[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(runs.stream().anyMatch(r -> r.contains("JDK 17")), "no JDK 17 run in the reference: " + runs);
        assertTrue(runs.stream().anyMatch(r -> !r.contains("JDK 17")), "no newer JDK in the reference: " + runs);
        List<String> missing = new ArrayList<>();
        for (Class<?> lesson : lessons()) {
            for (Claim claim : lesson.getAnnotationsByType(Claim.class)) {
                for (String jdk : List.of("JDK 17", "JDK 2")) {
                    boolean found = lines.stream().skip(1).map(l -> l.split(",", -1))
                            .anyMatch(c -> c.length > 2 && c[0].contains(jdk) && c[2].equals(claim.id())
                                    && c[1].endsWith(lesson.getSimpleName()));
                    if (!found) {
                        missing.add(lesson.getSimpleName() + " " + claim.id() + " on " + jdk);
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "claims without a verdict in results/reference (run scripts/reference-run.sh): "
                + missing);
    }

    @Test
    void theReferenceRestsOnThreeForksPerRow() throws IOException {
        try (Stream<Path> files = Files.list(REFERENCE)) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json") && !f.toString().endsWith(".run.json"))
                    .toList();
            assertFalse(json.isEmpty(), "no JMH JSON in " + REFERENCE);
            for (Path file : json) {
                String text = Files.readString(file);
                assertFalse(text.matches("(?s).*\"forks\" : [12],.*"), file + " has rows with fewer than 3 forks");
            }
        }
    }
}
