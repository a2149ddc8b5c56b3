package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.util.ListStatistics;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The merge of fork rounds checked against JMH itself: a real 3-fork JSON (every mode, SampleTime
 * histograms, the gc profiler's sums and means, lesson gauges) split into three 1-fork rounds and merged
 * back must give JMH's own figures.
 */
class ForkMergeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * JMH's own output for 3 forks in one invocation (forks back to back, before fork rounds): the reference files
     * are made by ForkMerge itself now, so they could not check it.
     */
    private static final Path REFERENCE = Paths.get("results/reference/a-a-consecutive/jdk17/first/jdk-17.0.15.json");

    @Test
    void threeOneForkRoundsMergeIntoJmhsOwnThreeForkFigures(@TempDir Path dir) throws IOException {
        ArrayNode original = (ArrayNode) MAPPER.readTree(REFERENCE);
        List<Path> rounds = new ArrayList<>();
        for (int fork = 0; fork < 3; fork++) {
            ArrayNode round = JsonNodeFactory.instance.arrayNode();
            for (JsonNode row : original) {
                assertEquals(3, row.get("forks").asInt(), "the reference has 3 forks per row");
                round.add(oneFork(row, fork));
            }
            rounds.add(Files.writeString(dir.resolve("round" + fork + ".json"), MAPPER.writeValueAsString(round)));
        }
        Path merged = dir.resolve("merged.json");
        ForkMerge.merge(rounds, merged);
        ArrayNode result = (ArrayNode) MAPPER.readTree(merged);

        assertEquals(original.size(), result.size());
        int secondaryChecked = 0;
        for (int i = 0; i < original.size(); i++) {
            JsonNode expected = original.get(i);
            JsonNode actual = result.get(i);
            String row = expected.get("benchmark").asString() + " " + expected.get("params");
            assertEquals(expected.get("benchmark"), actual.get("benchmark"));
            assertEquals(expected.get("params"), actual.get("params"), row);
            assertEquals(3, actual.get("forks").asInt(), row);
            assertEquals(expected.get("jvmArgs"), actual.get("jvmArgs"), row);
            assertMetric(expected.get("primaryMetric"), actual.get("primaryMetric"), row + " primary");
            for (Map.Entry<String, JsonNode> secondary : expected.get("secondaryMetrics").properties()) {
                JsonNode got = actual.get("secondaryMetrics").get(secondary.getKey());
                assertMetric(secondary.getValue(), got, row + " " + secondary.getKey());
                secondaryChecked++;
            }
            assertEquals(expected.get("primaryMetric").get("rawData"), actual.get("primaryMetric").get("rawData"));
            assertEquals(expected.get("primaryMetric").get("rawDataHistogram"),
                    actual.get("primaryMetric").get("rawDataHistogram"));
        }
        assertTrue(secondaryChecked > 500, "secondary metrics checked: " + secondaryChecked);
    }

    @Test
    void aRowMissingFromOneRoundIsMergedFromTheRoundsThatHaveIt(@TempDir Path dir) throws IOException {
        ArrayNode original = (ArrayNode) MAPPER.readTree(REFERENCE);
        JsonNode first = original.get(0);
        JsonNode second = original.get(1);
        Path round1 = write(dir, "r1.json", oneFork(first, 0), oneFork(second, 0));
        Path round2 = write(dir, "r2.json", oneFork(second, 1));
        Path round3 = write(dir, "r3.json", oneFork(first, 2), oneFork(second, 2));
        Path merged = dir.resolve("merged.json");
        ForkMerge.merge(List.of(round1, round2, round3), merged);
        ArrayNode result = (ArrayNode) MAPPER.readTree(merged);
        assertEquals(2, result.size(), "first appearance keeps the order");
        assertEquals(first.get("benchmark"), result.get(0).get("benchmark"));
        assertEquals(2, result.get(0).get("forks").asInt());
        assertEquals(3, result.get(1).get("forks").asInt());
        List<Double> values = new ArrayList<>();
        for (int fork : new int[] {0, 2}) {
            first.get("primaryMetric").get("rawData").get(fork).forEach(v -> values.add(v.asDouble()));
        }
        ListStatistics statistics = new ListStatistics();
        values.forEach(statistics::addValue);
        assertEquals(statistics.getMean(), result.get(0).get("primaryMetric").get("score").asDouble(), 0);
        assertEquals(statistics.getMeanErrorAt(0.999), result.get(0).get("primaryMetric").get("scoreError").asDouble(), 0);
        assertEquals(JmhJson.resultKeys(round1), JmhJson.resultKeys(merged));
    }

    @Test
    void aBrokenRoundFileIsOneLineAndWritesNothing(@TempDir Path dir) throws IOException {
        ArrayNode original = (ArrayNode) MAPPER.readTree(REFERENCE);
        Path good = write(dir, "good.json", oneFork(original.get(0), 0));
        Path broken = Files.writeString(dir.resolve("broken.json"), "[ { \"benchmark\" : ");
        Path merged = dir.resolve("merged.json");
        IOException error = assertThrows(IOException.class, () -> ForkMerge.merge(List.of(good, broken), merged));
        assertTrue(error.getMessage().startsWith(broken + " is not JMH JSON"), error.getMessage());
        assertEquals(1, error.getMessage().lines().count(), error.getMessage());
        assertFalse(Files.exists(merged));
        assertTrue(Files.exists(good), "the earlier round stays");
        Path notRows = Files.writeString(dir.resolve("object.json"), "{}");
        assertThrows(IOException.class, () -> ForkMerge.merge(List.of(notRows), merged));
    }

    @Test
    void aMetricNoRoundTellsApartIsAMeanExceptTheGcProfilersSums() {
        ObjectNode single = JsonNodeFactory.instance.objectNode();
        single.put("score", 4.0);
        single.set("rawData", MAPPER.readTree("[[4.0]]"));
        assertEquals(ForkMerge.Policy.AVG, ForkMerge.policyOf("retainedBytes", List.of(single, single), List.of(1, 1)));
        assertEquals(ForkMerge.Policy.SUM, ForkMerge.policyOf("gc.count", List.of(single, single), List.of(1, 1)));
        ObjectNode summed = JsonNodeFactory.instance.objectNode();
        summed.put("score", 5.0);
        summed.set("rawData", MAPPER.readTree("[[2.0, 3.0]]"));
        assertEquals(ForkMerge.Policy.SUM, ForkMerge.policyOf("events", List.of(single, summed), List.of(1, 2)));
        ObjectNode max = JsonNodeFactory.instance.objectNode();
        max.put("score", 3.0);
        max.set("rawData", MAPPER.readTree("[[2.0, 3.0, 1.0]]"));
        assertEquals(ForkMerge.Policy.MAX, ForkMerge.policyOf("peak", List.of(max), List.of(3)));
    }

    private static Path write(Path dir, String name, JsonNode... rows) throws IOException {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (JsonNode row : rows) {
            array.add(row);
        }
        return Files.writeString(dir.resolve(name), MAPPER.writeValueAsString(array));
    }

    /**
     * Fork {@code fork} of a row as a 1-fork row: its raw data only, and a score of that fork's own values
     * by the metric's policy (as JMH would write a 1-fork run), so that the merge must infer the policies.
     */
    private static ObjectNode oneFork(JsonNode row, int fork) {
        ObjectNode copy = ((ObjectNode) row).deepCopy();
        copy.put("forks", 1);
        JsonNode primary = copy.get("primaryMetric");
        int all = ForkMerge.iterations(primary);
        keepFork((ObjectNode) primary, fork, 0, 0);
        int own = ForkMerge.iterations(primary);
        if (copy.get("secondaryMetrics") instanceof ObjectNode secondary) {
            secondary.properties().forEach(e -> keepFork((ObjectNode) e.getValue(), fork, all, own));
        }
        return copy;
    }

    /** Keeps one fork; {@code allIterations}/{@code ownIterations}: the row's, to pad missing values with 0. */
    private static void keepFork(ObjectNode metric, int fork, int allIterations, int ownIterations) {
        if (metric.has("rawDataHistogram")) {
            metric.set("rawDataHistogram", JsonNodeFactory.instance.arrayNode().add(metric.get("rawDataHistogram").get(fork)));
            metric.put("score", -1.0); // the merge computes it from the histogram
            return;
        }
        ListStatistics all = new ListStatistics();
        metric.get("rawData").forEach(f -> f.forEach(v -> all.addValue(v.asDouble())));
        while (all.getN() < allIterations) {
            all.addValue(0);
        }
        ListStatistics own = new ListStatistics();
        metric.get("rawData").get(fork).forEach(v -> own.addValue(v.asDouble()));
        while (own.getN() < ownIterations) {
            own.addValue(0);
        }
        double score = metric.get("score").asDouble(Double.NaN);
        double ownScore;
        if (close(score, all.getSum()) && !close(score, all.getMean())) {
            ownScore = own.getSum();
        } else if (close(score, all.getMax()) && !close(score, all.getMean())) {
            ownScore = own.getMax();
        } else if (close(score, all.getMin()) && !close(score, all.getMean())) {
            ownScore = own.getMin();
        } else {
            ownScore = own.getMean();
        }
        metric.put("score", ownScore);
        metric.set("rawData", JsonNodeFactory.instance.arrayNode().add(metric.get("rawData").get(fork)));
    }

    private static boolean close(double a, double b) {
        return a == b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    private static void assertMetric(JsonNode expected, JsonNode actual, String what) {
        assertClose(expected.get("score"), actual.get("score"), what + " score");
        assertClose(expected.get("scoreError"), actual.get("scoreError"), what + " scoreError");
        for (int i = 0; i < 2; i++) {
            assertClose(expected.get("scoreConfidence").get(i), actual.get("scoreConfidence").get(i),
                    what + " scoreConfidence");
        }
        assertEquals(List.copyOf(expected.get("scorePercentiles").propertyNames()),
                List.copyOf(actual.get("scorePercentiles").propertyNames()), what);
        for (String p : expected.get("scorePercentiles").propertyNames()) {
            assertClose(expected.get("scorePercentiles").get(p), actual.get("scorePercentiles").get(p),
                    what + " p" + p);
        }
        assertEquals(expected.get("scoreUnit"), actual.get("scoreUnit"), what);
    }

    private static void assertClose(JsonNode expected, JsonNode actual, String what) {
        double e = ForkMerge.number(expected);
        double a = ForkMerge.number(actual);
        if (Double.isNaN(e)) {
            assertTrue(Double.isNaN(a), what + ": expected NaN, got " + actual);
            assertTrue(actual.isString(), what + ": NaN as JMH writes it, a string");
            return;
        }
        assertTrue(close(e, a), what + ": expected " + e + ", got " + a);
    }
}
