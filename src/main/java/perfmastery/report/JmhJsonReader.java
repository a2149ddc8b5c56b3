package perfmastery.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reads the JSON that JMH (1.19 or later) writes with {@code -rf json}, from this suite or any other.
 * Hard problems (missing, empty, truncated, not JMH results, fields of the wrong type) throw
 * {@link BadInputException} with one line naming the file; soft ones become warnings of the run.
 */
final class JmhJsonReader {

    private JmhJsonReader() {
    }

    static Run read(Path file) {
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": no such file; pass the JSON that JMH wrote with -rf json -rff FILE");
        } catch (IOException e) {
            throw new BadInputException(name + ": cannot be read (" + e.getMessage() + ")");
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new BadInputException(name + ": the file is empty (JMH leaves an empty file when a run fails"
                    + " under -foe true); rerun the benchmarks without -foe and check their output");
        }
        JsonNode root;
        try {
            root = JsonTree.read(bytes);
        } catch (JacksonException e) {
            var where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw new BadInputException(name + ": not valid JSON" + at
                    + " (truncated? a run still writing?); pass a complete JMH result file");
        }
        if (root == null || !root.isArray()) {
            throw notJmh(name, "the top level is not an array");
        }
        List<String> warnings = new ArrayList<>();
        NonFinite nonFinite = new NonFinite();
        List<Row> rows = new ArrayList<>();
        int index = 0;
        for (JsonNode element : root) {
            index++;
            if (!element.isObject() || !element.has("benchmark") || !element.has("mode")
                    || !element.has("primaryMetric")) {
                throw notJmh(name, "result " + index + " has no benchmark, mode or primaryMetric");
            }
            try {
                rows.add(readRow(name, index, element, nonFinite, warnings));
            } catch (JacksonException e) {
                // A value Jackson cannot hand over as asked (beyond the range of its type): one line, no trace.
                throw new BadInputException(name + ": result " + index + " holds a value that cannot be read ("
                        + firstLine(e.getOriginalMessage()) + "); the file is not JMH JSON or was edited");
            }
        }
        if (rows.isEmpty()) {
            warnings.add(name + " holds no results (an empty array): nothing to report from it");
        }
        if (nonFinite.count > 0) {
            warnings.add(name + ": " + nonFinite.count + " value(s) were not finite, \"NaN\"/\"+INF\"/\"-INF\" or a"
                    + " number beyond a double's range (first: " + withoutPrefix(nonFinite.first, name + ": ")
                    + "); JMH writes them where it has no finite figure (scoreError with fewer than 3 samples, summed"
                    + " counters such as gc.count): shown as n/a, left out of intervals");
        }
        List<Row> checked = RowChecks.check(name, rows, warnings);
        JsonNode first = rows.isEmpty() ? JsonNodeFactory.instance.objectNode() : root.get(0);
        return new Run(file, "", text(first, "jmhVersion"), text(first, "jdkVersion"), text(first, "vmName"),
                text(first, "vmVersion"), commonJvmArgs(root), List.copyOf(checked), warnings);
    }

    /**
     * The JVM arguments of the run: those every row shares (a lesson's own {@code @Fork(jvmArgsAppend)} is its
     * rows' alone, so it does not become the run's), each once. A fork inherits the JMH process's arguments and
     * a lesson may append one the runner already gave (the attach flags): JMH's list then holds it twice. The
     * last occurrence is kept, so a flag that wins over an earlier opposite one (-XX:-A ... -XX:+A) still wins.
     */
    private static List<String> commonJvmArgs(JsonNode root) {
        LinkedHashSet<String> common = null;
        for (JsonNode element : root) {
            LinkedHashSet<String> own = new LinkedHashSet<>();
            JsonNode args = element.path("jvmArgs");
            if (args.isArray()) {
                List<String> reversed = new ArrayList<>();
                for (JsonNode arg : args) {
                    if (arg.isValueNode() && !isIdeAgent(arg.asString())) {
                        reversed.add(0, arg.asString());
                    }
                }
                for (String arg : reversed) {
                    own.add(arg);
                }
            }
            if (common == null) {
                common = own;
            } else {
                common.retainAll(own);
            }
        }
        if (common == null) {
            return List.of();
        }
        List<String> inOrder = new ArrayList<>(common);
        Collections.reverse(inOrder);
        return List.copyOf(inOrder);
    }

    /**
     * IntelliJ's launcher agent ({@code -javaagent:.../idea_rt.jar=41235:.../bin}) carries a port that changes
     * with every run: it says nothing about the JVM measured, and would make every run's flags differ.
     */
    static boolean isIdeAgent(String arg) {
        return arg.startsWith("-javaagent:") && arg.contains("idea_rt.jar");
    }

    private static String withoutPrefix(String text, String prefix) {
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.lines().findFirst().orElse("");
        // Jackson quotes the offending value in full: a literal of hundreds of digits is shortened.
        return line.replaceAll("([0-9]{12})[0-9]{8,}", "$1...");
    }

    private static BadInputException notJmh(String name, String why) {
        return new BadInputException(name + ": not JMH results (" + why
                + "); pass the JSON that JMH wrote with -rf json");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() ? value.asString() : "";
    }

    private static final class NonFinite {
        int count;
        String first;
    }

    private static Row readRow(String file, int index, JsonNode node, NonFinite nonFinite, List<String> warnings) {
        String where = file + ": result " + index;
        String benchmark = string(node, "benchmark", where);
        String mode = string(node, "mode", where);
        int threads = integer(node, "threads", where, 1);
        int forks = integer(node, "forks", where, 0);
        int warmup = integer(node, "warmupIterations", where, 0);
        int measurement = integer(node, "measurementIterations", where, 0);
        TreeMap<String, String> params = new TreeMap<>();
        JsonNode paramsNode = node.path("params");
        if (!paramsNode.isMissingNode() && !paramsNode.isNull()) {
            if (!paramsNode.isObject()) {
                throw wrongType(where, "params", "an object");
            }
            for (var entry : paramsNode.properties()) {
                if (!entry.getValue().isValueNode()) {
                    throw wrongType(where, "params." + entry.getKey(), "a string");
                }
                params.put(entry.getKey(), entry.getValue().asString());
            }
        }
        Metric primary = metric(Metric.PRIMARY, node.get("primaryMetric"), where + " primaryMetric", nonFinite);
        Map<String, Metric> secondary = new LinkedHashMap<>();
        JsonNode secondaryNode = node.path("secondaryMetrics");
        if (!secondaryNode.isMissingNode() && !secondaryNode.isNull()) {
            if (!secondaryNode.isObject()) {
                throw wrongType(where, "secondaryMetrics", "an object");
            }
            for (var entry : secondaryNode.properties()) {
                // JMH before 1.3x prefixed profiler metrics with a middle dot ("·gc.alloc.rate.norm").
                String metricName = entry.getKey().startsWith("\u00b7") ? entry.getKey().substring(1) : entry.getKey();
                NonFinite own = new NonFinite();
                Metric metric = metric(metricName, entry.getValue(),
                        where + " secondaryMetrics." + metricName, own);
                if ("---".equals(metric.unit())) {
                    String note = file + ": text-only profiler rows (unit \"---\", e.g. " + entry.getKey()
                            + ") carry no number and are left out";
                    if (!warnings.contains(note)) {
                        warnings.add(note);
                    }
                    continue;
                }
                if (own.count > 0 && nonFinite.count++ == 0) {
                    nonFinite.first = own.first;
                }
                nonFinite.count += Math.max(0, own.count - 1);
                secondary.put(metricName, metric);
            }
        }
        return new Row(benchmark, mode, threads, forks, warmup, measurement,
                Collections.unmodifiableSortedMap(params), primary, Collections.unmodifiableMap(secondary));
    }

    private static Metric metric(String name, JsonNode node, String where, NonFinite nonFinite) {
        if (node == null || !node.isObject()) {
            throw new BadInputException(where + " is not an object; is this JMH JSON?");
        }
        String unit = node.has("scoreUnit") ? string(node, "scoreUnit", where) : "";
        double score = number(node.get("score"), where + ".score", nonFinite, false);
        JsonNode errorNode = node.get("scoreError");
        double error = errorNode == null ? Double.NaN : number(errorNode, where + ".scoreError", nonFinite, false);
        TreeMap<Double, Double> percentiles = new TreeMap<>();
        JsonNode pNode = node.path("scorePercentiles");
        if (pNode.isObject()) {
            for (var entry : pNode.properties()) {
                try {
                    percentiles.put(Double.parseDouble(entry.getKey()),
                            number(entry.getValue(), where + ".scorePercentiles", nonFinite, false));
                } catch (NumberFormatException e) {
                    throw wrongType(where, "scorePercentiles key " + entry.getKey(), "a percent");
                }
            }
        }
        double[][] forks = null;
        NavigableMap<Double, Long> histogram = null;
        Metric.Histogram[][] iterationHistograms = null;
        JsonNode raw = node.get("rawData");
        JsonNode rawHistogram = node.get("rawDataHistogram");
        if (raw != null && !raw.isNull()) {
            if (!raw.isArray()) {
                throw wrongType(where, "rawData", "an array of arrays of numbers");
            }
            forks = new double[raw.size()][];
            for (int f = 0; f < raw.size(); f++) {
                JsonNode fork = raw.get(f);
                if (!fork.isArray()) {
                    throw wrongType(where, "rawData", "an array of arrays of numbers");
                }
                forks[f] = finite(fork, where + ".rawData", nonFinite);
            }
        } else if (rawHistogram != null && !rawHistogram.isNull()) {
            if (!rawHistogram.isArray()) {
                throw wrongType(where, "rawDataHistogram", "an array");
            }
            histogram = new TreeMap<>();
            iterationHistograms = new Metric.Histogram[rawHistogram.size()][];
            forks = new double[rawHistogram.size()][];
            for (int f = 0; f < rawHistogram.size(); f++) {
                JsonNode fork = rawHistogram.get(f);
                if (!fork.isArray()) {
                    throw wrongType(where, "rawDataHistogram", "an array per fork");
                }
                List<Double> means = new ArrayList<>();
                List<Metric.Histogram> iterations = new ArrayList<>();
                for (JsonNode iteration : fork) {
                    List<double[]> pairs = new ArrayList<>();
                    if (!iteration.isArray()) {
                        throw wrongType(where, "rawDataHistogram", "an array per iteration");
                    }
                    double sum = 0;
                    long count = 0;
                    for (JsonNode pair : iteration) {
                        if (!pair.isArray() || pair.size() != 2) {
                            throw wrongType(where, "rawDataHistogram", "[value, count] pairs");
                        }
                        double value = number(pair.get(0), where + ".rawDataHistogram", nonFinite, false);
                        double c = number(pair.get(1), where + ".rawDataHistogram", nonFinite, false);
                        if (!Double.isFinite(value) || !(c > 0)) {
                            continue;
                        }
                        sum += value * c;
                        count += (long) c;
                        histogram.merge(value, (long) c, Long::sum);
                        pairs.add(new double[] {value, c});
                    }
                    if (count > 0) {
                        means.add(sum / count);
                        iterations.add(Metric.Histogram.of(pairs));
                    }
                }
                forks[f] = means.stream().mapToDouble(Double::doubleValue).toArray();
                iterationHistograms[f] = iterations.toArray(Metric.Histogram[]::new);
            }
        }
        return new Metric(name, score, error, unit, forks, Collections.unmodifiableNavigableMap(percentiles),
                histogram == null ? null : Collections.unmodifiableNavigableMap(histogram), iterationHistograms);
    }

    private static double[] finite(JsonNode values, String where, NonFinite nonFinite) {
        double[] out = new double[values.size()];
        int n = 0;
        for (JsonNode v : values) {
            double d = number(v, where, nonFinite, false);
            if (Double.isFinite(d)) {
                out[n++] = d;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** A number, or one of the strings JMH writes for non-finite values ("NaN", "+INF", "-INF"). */
    private static double number(JsonNode node, String where, NonFinite nonFinite, boolean quietNaN) {
        if (node == null || node.isNull()) {
            throw new BadInputException(where + " is missing; is this JMH JSON?");
        }
        if (node.isNumber() && (!node.isBigInteger() || fitsDouble(node))) {
            double value = node.doubleValue();
            if (!Double.isFinite(value) && nonFinite.count++ == 0) {
                // A literal such as 1e400: beyond a double, so infinite.
                nonFinite.first = where;
            }
            return value;
        }
        if (node.isString()) {
            double value = switch (node.asString()) {
                case "NaN" -> Double.NaN;
                case "+INF", "INF", "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
                case "-INF", "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new BadInputException(where + " should be a number but is \"" + node.asString()
                        + "\"; the file is not JMH JSON or was edited");
            };
            if (!(quietNaN && Double.isNaN(value))) {
                if (nonFinite.count++ == 0) {
                    nonFinite.first = where;
                }
            }
            return value;
        }
        if (node.isNumber()) {
            // An integer literal beyond a double's range (hundreds of digits) is not a measurement.
            throw new BadInputException(where + " holds an integer of " + node.asString().length()
                    + " digits, beyond the range of a double; the file is not JMH JSON or was edited");
        }
        throw new BadInputException(where + " should be a number but is " + node.getNodeType().toString()
                .toLowerCase(java.util.Locale.ROOT) + "; the file is not JMH JSON or was edited");
    }

    private static boolean fitsDouble(JsonNode integer) {
        return Double.isFinite(integer.bigIntegerValue().doubleValue());
    }

    private static String string(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw wrongType(where, field, "a string");
        }
        return value.asString();
    }

    private static int integer(JsonNode node, String field, String where, int absent) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(where, field, "an integer");
        }
        return value.intValue();
    }

    private static BadInputException wrongType(String where, String field, String expected) {
        return new BadInputException(where + ": field " + field + " should be " + expected
                + "; the file is not JMH JSON or was edited");
    }
}
