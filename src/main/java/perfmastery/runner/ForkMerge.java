package perfmastery.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.openjdk.jmh.util.ListStatistics;
import org.openjdk.jmh.util.MultisetStatistics;
import org.openjdk.jmh.util.SingletonStatistics;
import org.openjdk.jmh.util.Statistics;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Joins the JMH JSON files of the fork rounds of one (JDK, flag set) into one file, as if JMH had run
 * every fork of a row in one invocation: rows with the same benchmark, mode and params become one row
 * whose {@code forks} is the sum and whose raw data ({@code rawData}, {@code rawDataHistogram}) is the
 * rounds' fork lists in round order. Score, error, confidence interval and percentiles are computed
 * again with JMH's own statistics classes, the way JMH computes them (99.9 % error and interval).
 *
 * <p>The JSON does not say how a secondary metric aggregates: it is inferred from a round row whose
 * score tells the policies apart (the mean of its values, their sum as for {@code gc.count} and
 * {@code gc.time}, their maximum or minimum); JMH's {@code gc.count}/{@code gc.time} are sums even when
 * no round can tell, and any other metric no round tells apart is a mean. A sample-time row's
 * {@code p0.50}-style metrics are percentiles of the merged histogram, as JMH derives them.
 *
 * <p>Every other field comes from the row's first round. Rows keep the order of their first appearance.
 */
public final class ForkMerge {

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final double CONFIDENCE = 0.999;
    private static final double TOLERANCE = 1e-9;
    /** The percentiles JMH writes for every metric, in its order. */
    private static final double[] PERCENTILES = {0, 50, 90, 95, 99, 99.9, 99.99, 99.999, 99.9999, 100};
    /** A sample-time result's derived percentile metric, e.g. p0.50 or p1.00. */
    private static final Pattern DERIVED_PERCENTILE = Pattern.compile("p\\d\\.\\d+");

    /** How JMH aggregates a metric over iterations and forks. */
    enum Policy { AVG, SUM, MAX, MIN }

    private ForkMerge() {
    }

    /**
     * Merges the rounds' files into {@code target}, which must not exist yet. A file that is not a JMH
     * JSON array is an {@link IOException} with a one-line message naming it; nothing is written then.
     */
    public static void merge(List<Path> rounds, Path target) throws IOException {
        Map<String, List<JsonNode>> rowsByIdentity = new LinkedHashMap<>();
        for (Path round : rounds) {
            for (JsonNode row : read(round)) {
                rowsByIdentity.computeIfAbsent(identity(row), k -> new ArrayList<>()).add(row);
            }
        }
        ArrayNode merged = NODES.arrayNode();
        for (List<JsonNode> rows : rowsByIdentity.values()) {
            merged.add(mergeRows(rows));
        }
        Files.write(target, (MAPPER.writeValueAsString(merged) + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * Which round each fork of each row ran in, for the sidecar: per row (benchmark, mode, params), the round number
     * of each fork in the merged rawData order. {@code rounds} are the round files in the order they are merged,
     * {@code roundNumbers} each one's round.
     */
    public static List<Map<String, Object>> forkRounds(List<Path> rounds, List<Integer> roundNumbers) throws IOException {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (int r = 0; r < rounds.size(); r++) {
            for (JsonNode row : read(rounds.get(r))) {
                Map<String, Object> entry = rows.computeIfAbsent(identity(row), k -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("benchmark", row.path("benchmark").asString());
                    e.put("mode", row.path("mode").asString(""));
                    Map<String, String> params = new TreeMap<>();
                    if (row.path("params").isObject()) {
                        for (Map.Entry<String, JsonNode> p : row.path("params").properties()) {
                            params.put(p.getKey(), p.getValue().asString());
                        }
                    }
                    e.put("params", params);
                    e.put("rounds", new ArrayList<Integer>());
                    return e;
                });
                JsonNode primary = row.path("primaryMetric");
                int forks = primary.has("rawDataHistogram") ? primary.path("rawDataHistogram").size()
                        : primary.has("rawData") ? primary.path("rawData").size() : row.path("forks").asInt(1);
                @SuppressWarnings("unchecked")
                List<Integer> list = (List<Integer>) entry.get("rounds");
                for (int f = 0; f < forks; f++) {
                    list.add(roundNumbers.get(r));
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    static ArrayNode read(Path file) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(file);
        } catch (JacksonException e) {
            throw new IOException(file + " is not JMH JSON: " + JmhArgs.firstLine(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isArray()) {
            throw new IOException(file + " is not JMH JSON: no top-level array");
        }
        for (JsonNode row : root) {
            if (!row.isObject() || !row.path("benchmark").isString() || !row.path("primaryMetric").isObject()) {
                throw new IOException(file + " is not JMH JSON: a row without benchmark or primaryMetric");
            }
        }
        return (ArrayNode) root;
    }

    /** What makes two rows the same row of different forks: benchmark, mode, params. */
    static String identity(JsonNode row) {
        Map<String, String> params = new TreeMap<>();
        JsonNode rowParams = row.path("params");
        if (rowParams.isObject()) {
            for (Map.Entry<String, JsonNode> param : rowParams.properties()) {
                params.put(param.getKey(), param.getValue().asString());
            }
        }
        return row.path("benchmark").asString() + "\u0000" + row.path("mode").asString("") + "\u0000" + params;
    }

    /** The rows of one identity, one per round, as one row. */
    static JsonNode mergeRows(List<JsonNode> rows) {
        ObjectNode merged = ((ObjectNode) rows.get(0)).deepCopy();
        if (rows.size() == 1) {
            return merged;
        }
        int forks = 0;
        for (JsonNode row : rows) {
            forks += row.path("forks").asInt(0);
        }
        merged.put("forks", forks);
        List<JsonNode> primaries = rows.stream().map(r -> r.get("primaryMetric")).toList();
        Statistics primaryStatistics = statistics(primaries, 0);
        merged.set("primaryMetric", metric(primaries, primaryStatistics, Policy.AVG));

        Map<String, List<JsonNode>> secondaries = new LinkedHashMap<>();
        for (JsonNode row : rows) {
            JsonNode metrics = row.path("secondaryMetrics");
            if (metrics.isObject()) {
                for (Map.Entry<String, JsonNode> metric : metrics.properties()) {
                    secondaries.computeIfAbsent(metric.getKey(), k -> new ArrayList<>()).add(metric.getValue());
                }
            }
        }
        if (merged.has("secondaryMetrics")) {
            List<Integer> iterations = primaries.stream().map(ForkMerge::iterations).toList();
            ObjectNode secondary = NODES.objectNode();
            boolean histogram = primaries.get(0).has("rawDataHistogram");
            secondaries.forEach((name, nodes) -> {
                if (histogram && DERIVED_PERCENTILE.matcher(name).matches() && !nodes.get(0).has("rawDataHistogram")) {
                    // JMH derives these from the merged histogram: one value each, no interval.
                    double p = Double.parseDouble(name.substring(1)) * 100;
                    double value = primaryStatistics.getPercentile(p);
                    secondary.set(name, metric(nodes, new SingletonStatistics(value), Policy.AVG));
                } else {
                    List<Integer> own = new ArrayList<>();
                    for (JsonNode row : rows) {
                        JsonNode metric = row.path("secondaryMetrics").get(name);
                        if (metric != null) {
                            own.add(iterations(row.get("primaryMetric")));
                        }
                    }
                    // JMH pads over every iteration of the row, also those of a fork that never reported it.
                    Statistics statistics = statistics(nodes, iterations.stream().mapToInt(Integer::intValue).sum());
                    Policy policy = nodes.get(0).has("rawDataHistogram") ? Policy.AVG : policyOf(name, nodes, own);
                    secondary.set(name, metric(nodes, statistics, policy));
                }
            });
            merged.set("secondaryMetrics", secondary);
        }
        return merged;
    }

    /** How many measured iterations a metric's raw data covers, over all its forks. */
    static int iterations(JsonNode metric) {
        int count = 0;
        for (JsonNode fork : metric.has("rawDataHistogram") ? metric.path("rawDataHistogram") : metric.path("rawData")) {
            count += fork.size();
        }
        return count;
    }

    /**
     * The statistics of every value of every fork of these metric nodes, as JMH keeps them. A secondary
     * result that some iterations did not report (JMH's gc.time appears only for iterations with a GC) counts
     * as 0 in those, as JMH pads it: {@code iterations} is how many the row's forks measured (0: no padding).
     */
    static Statistics statistics(List<JsonNode> metrics, int iterations) {
        if (metrics.get(0).has("rawDataHistogram")) {
            MultisetStatistics statistics = new MultisetStatistics();
            for (JsonNode metric : metrics) {
                for (JsonNode fork : metric.path("rawDataHistogram")) {
                    for (JsonNode iteration : fork) {
                        for (JsonNode pair : iteration) {
                            statistics.addValue(number(pair.get(0)), pair.get(1).asLong());
                        }
                    }
                }
            }
            return statistics;
        }
        ListStatistics statistics = new ListStatistics();
        for (JsonNode metric : metrics) {
            for (double value : values(metric)) {
                statistics.addValue(value);
            }
        }
        for (long n = statistics.getN(); n < iterations; n++) {
            statistics.addValue(0);
        }
        return statistics;
    }

    private static List<Double> values(JsonNode metric) {
        List<Double> values = new ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            for (JsonNode value : fork) {
                values.add(number(value));
            }
        }
        return values;
    }

    /**
     * The aggregation policy of a metric, from the first round whose score is exactly one of the mean,
     * sum, maximum and minimum of its own values (padded with zeros to {@code iterations}, that round's
     * measured iterations, as JMH pads them).
     */
    static Policy policyOf(String name, List<JsonNode> rounds, List<Integer> iterations) {
        for (int r = 0; r < rounds.size(); r++) {
            JsonNode round = rounds.get(r);
            double score = number(round.get("score"));
            if (values(round).isEmpty() || Double.isNaN(score)) {
                continue;
            }
            Statistics statistics = statistics(List.of(round), iterations.get(r));
            List<Policy> matching = new ArrayList<>();
            for (Policy policy : Policy.values()) {
                if (close(score, score(policy, statistics))) {
                    matching.add(policy);
                }
            }
            if (matching.size() == 1) {
                return matching.get(0);
            }
        }
        // JMH's gc profiler sums these over iterations and forks.
        return name.equals("gc.count") || name.equals("gc.time") ? Policy.SUM : Policy.AVG;
    }

    private static boolean close(double a, double b) {
        return a == b || Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
    }

    private static double score(Policy policy, Statistics statistics) {
        return switch (policy) {
            case AVG -> statistics.getMean();
            case SUM -> statistics.getSum();
            case MAX -> statistics.getMax();
            case MIN -> statistics.getMin();
        };
    }

    /** A metric node: the first round's fields, the concatenated raw data and JMH's figures for it. */
    private static ObjectNode metric(List<JsonNode> rounds, Statistics statistics, Policy policy) {
        ObjectNode merged = ((ObjectNode) rounds.get(0)).deepCopy();
        double score = score(policy, statistics);
        merged.set("score", numberNode(score));
        if (policy == Policy.AVG) {
            merged.set("scoreError", numberNode(statistics.getMeanErrorAt(CONFIDENCE)));
            merged.set("scoreConfidence", pair(statistics.getConfidenceIntervalAt(CONFIDENCE)));
        } else {
            merged.set("scoreError", numberNode(Double.NaN));
            merged.set("scoreConfidence", pair(new double[] {score, score}));
        }
        ObjectNode percentiles = NODES.objectNode();
        JsonNode written = rounds.get(0).path("scorePercentiles");
        List<String> keys = new ArrayList<>();
        if (written.isObject() && !written.isEmpty()) {
            written.propertyNames().forEach(keys::add);
        } else {
            for (double p : PERCENTILES) {
                keys.add(Double.toString(p));
            }
        }
        for (String key : keys) {
            percentiles.set(key, numberNode(statistics.getPercentile(Double.parseDouble(key))));
        }
        merged.set("scorePercentiles", percentiles);
        for (String field : List.of("rawData", "rawDataHistogram")) {
            if (merged.has(field)) {
                ArrayNode forks = NODES.arrayNode();
                for (JsonNode round : rounds) {
                    round.path(field).forEach(fork -> forks.add(fork.deepCopy()));
                }
                merged.set(field, forks);
            }
        }
        return merged;
    }

    private static ArrayNode pair(double[] values) {
        ArrayNode array = NODES.arrayNode();
        for (double value : values) {
            array.add(numberNode(value));
        }
        return array;
    }

    /** JMH's JSON writes non-finite numbers as the strings "NaN", "+INF" and "-INF". */
    static JsonNode numberNode(double value) {
        if (Double.isNaN(value)) {
            return NODES.stringNode("NaN");
        }
        if (Double.isInfinite(value)) {
            return NODES.stringNode(value > 0 ? "+INF" : "-INF");
        }
        return NODES.numberNode(value);
    }

    static double number(JsonNode node) {
        if (node == null || node.isNull()) {
            return Double.NaN;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        return switch (node.asString("")) {
            case "+INF", "Infinity", "INF" -> Double.POSITIVE_INFINITY;
            case "-INF", "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(node.asString());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
        };
    }
}
