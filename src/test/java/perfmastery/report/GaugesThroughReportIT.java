package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.support.Claim;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A lesson's own per-iteration figures (perfmastery.support.Gauges), end to end: every lesson that records
 * one runs through real JMH (the built jar, 1 fork, 2 short measured iterations), then through the report.
 * The report's table and claims.csv's {@code measured} must equal the JSON's per-iteration mean (the mean of
 * rawData, which for a gauge is JMH's score) within 1 %. A figure divided twice (once by the lesson, once by
 * the report), or summed over iterations, is off by 2x here and fails.
 */
class GaugesThroughReportIT {

    private static final Pattern RECORD = Pattern.compile("Gauges\\.record\\(");

    /** The benchmark classes whose source records a gauge. */
    private static List<String> gaugeLessons() throws IOException {
        Path sources = Paths.get("src", "main", "java");
        List<String> lessons = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith("Benchmark.java")).sorted().toList()) {
                if (RECORD.matcher(Files.readString(file)).find()) {
                    lessons.add(sources.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", ""));
                }
            }
        }
        return lessons;
    }

    @Test
    void everyGaugeReadsTheSameInTheJsonTheReportAndTheClaims(@TempDir Path dir) throws Exception {
        List<String> lessons = gaugeLessons();
        assertTrue(lessons.size() >= 5, "the gauge lessons: " + lessons);
        Path json = dir.resolve("run.json");
        Path log = dir.resolve("run.log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djmh.ignoreLock=true", "-jar", System.getProperty("benchmarksJar")));
        for (String lesson : lessons) {
            command.add("^" + Pattern.quote(lesson) + "\\.");
        }
        // Small sizes where a lesson's default would take seconds per operation (requests: a pool of 2 takes N/2
        // waits of 10 ms); the figures' meaning does not depend on them.
        command.addAll(List.of("-p", "requests=20", "-f", "1", "-wi", "1", "-w", "100ms", "-i", "2", "-r", "150ms",
                "-rf", "json", "-rff", json.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertEquals(0, process.waitFor(), () -> tail(log));

        JsonNode results = JsonMapper.builder().build().readTree(json.toFile());
        // Per class: per row (method and params), per gauge, the JSON's per-iteration mean.
        Map<String, Map<String, Double>> expected = new TreeMap<>();
        Map<String, String> units = new TreeMap<>();
        for (JsonNode result : results) {
            String benchmark = result.get("benchmark").asString();
            for (var metric : result.get("secondaryMetrics").properties()) {
                String name = metric.getKey();
                if (name.contains(".") || name.startsWith("·")) {
                    continue; // profiler metrics (gc.*), not the lessons' own
                }
                JsonNode node = metric.getValue();
                double sum = 0;
                int n = 0;
                for (JsonNode fork : node.get("rawData")) {
                    assertEquals(2, fork.size(), benchmark + " " + name + ": one value per measured iteration");
                    for (JsonNode value : fork) {
                        sum += value.asDouble();
                        n++;
                    }
                }
                double mean = sum / n;
                double score = node.get("score").asDouble();
                assertEquals(mean, score, Math.abs(mean) * 1e-9 + 1e-12,
                        benchmark + " " + name + ": a gauge's JSON score is the mean of its rawData");
                String row = benchmark + params(result);
                expected.computeIfAbsent(className(benchmark) + "|" + name, k -> new TreeMap<>()).put(row, mean);
                units.put(className(benchmark) + "|" + name, node.get("scoreUnit").asString());
            }
        }
        for (String lesson : lessons) {
            assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith(lesson + "|")),
                    lesson + " records a gauge, but none reached the JSON (is GaugeProfiler on?): " + tail(log));
        }

        Path out = dir.resolve("report");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReportMain.run(new String[] {"--out", out.toString(), json.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        String md = Files.readString(out.resolve("report.md"));
        for (var entry : expected.entrySet()) {
            String unit = units.get(entry.getKey());
            for (var row : entry.getValue().entrySet()) {
                String shown = Fmt.value(row.getValue()) + " " + unit;
                assertTrue(md.contains(shown), entry.getKey() + " of " + row.getKey() + ": the report should show "
                        + shown + " (the JSON's per-iteration mean)");
            }
        }

        List<String[]> claims = Files.readAllLines(out.resolve("claims.csv")).stream().skip(1)
                .map(line -> line.split(",", -1)).toList();
        int checked = 0;
        for (String lesson : lessons) {
            Class<?> type = Class.forName(lesson);
            for (Claim claim : type.getAnnotationsByType(Claim.class)) {
                Map<String, Double> means = expected.get(lesson + "|" + claim.metric());
                if (means == null) {
                    continue; // a claim on the score or on B/op
                }
                String[] line = claims.stream().filter(c -> c[2].equals(claim.id())).findFirst().orElse(null);
                assertNotNull(line, claim.id() + " missing from claims.csv");
                if (line[5].isEmpty()) {
                    continue; // NOT MEASURED: e.g. a variant this JDK lacks, or a run outside the claim's scope
                }
                double measured = Double.parseDouble(line[5]);
                TreeSet<Double> candidates = new TreeSet<>();
                if (claim.baseline().isEmpty()) {
                    candidates.addAll(means.values());
                } else {
                    for (double a : means.values()) {
                        for (double b : means.values()) {
                            if (b != 0) {
                                candidates.add(a / b);
                            }
                        }
                    }
                }
                assertTrue(candidates.stream().anyMatch(c -> close(c, measured)), claim.id() + ": claims.csv's "
                        + measured + " is no row's per-iteration mean (or ratio of means) of " + claim.metric()
                        + ": " + means);
                checked++;
            }
        }
        assertTrue(checked >= 5, "claims on gauges checked: " + checked);
        assertFalse(md.contains("pre-divided"), "nothing in the report assumes pre-divided counters");
    }

    private static boolean close(double expected, double actual) {
        return Math.abs(expected - actual) <= 0.01 * Math.abs(expected) + 1e-9;
    }

    private static String className(String benchmark) {
        return benchmark.substring(0, benchmark.lastIndexOf('.'));
    }

    private static String params(JsonNode result) {
        JsonNode params = result.get("params");
        if (params == null || params.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("[");
        for (var p : params.properties()) {
            text.append(text.length() > 1 ? ";" : "").append(p.getKey()).append('=').append(p.getValue().asString());
        }
        return text.append(']').toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
