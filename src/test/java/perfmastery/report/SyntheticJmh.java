package perfmastery.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writes JMH-shaped JSON (1.37 layout) for tests: rows with rawData, secondary metrics, histograms. */
final class SyntheticJmh {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private final ArrayNode root = MAPPER.createArrayNode();
    private final String jdk;
    private final String[] jvmArgs;

    SyntheticJmh(String jdk, String... jvmArgs) {
        this.jdk = jdk;
        this.jvmArgs = jvmArgs;
    }

    /** A row whose primary metric has the given per-fork, per-iteration values. */
    Row row(String benchmark, String mode, String params, double[][] primary) {
        return new Row(benchmark, mode, params, primary);
    }

    /** Values around {@code mean}: fork f iteration i gets mean * (1 + spread * pattern). Deterministic. */
    static double[][] around(double mean, int forks, int iterations, double spread) {
        double[][] v = new double[forks][iterations];
        for (int f = 0; f < forks; f++) {
            for (int i = 0; i < iterations; i++) {
                double pattern = ((f * 7 + i * 3) % 5 - 2) / 2.0; // -1 .. 1
                v[f][i] = mean * (1 + spread * pattern);
            }
        }
        return v;
    }

    final class Row {
        private final ObjectNode node;

        private Row(String benchmark, String mode, String params, double[][] primary) {
            node = root.addObject();
            node.put("jmhVersion", "1.37");
            node.put("benchmark", benchmark);
            node.put("mode", mode);
            node.put("threads", 1);
            node.put("forks", primary.length);
            node.put("jvm", "/usr/lib/jvm/java/bin/java");
            ArrayNode args = node.putArray("jvmArgs");
            for (String a : jvmArgs) {
                args.add(a);
            }
            node.put("jdkVersion", jdk);
            node.put("vmName", "OpenJDK 64-Bit Server VM");
            node.put("vmVersion", jdk + "+1");
            node.put("warmupIterations", 1);
            node.put("warmupTime", "100 ms");
            node.put("warmupBatchSize", 1);
            node.put("measurementIterations", primary[0].length);
            node.put("measurementTime", "100 ms");
            node.put("measurementBatchSize", 1);
            ObjectNode p = node.putObject("params");
            if (!params.isEmpty()) {
                for (String kv : params.split(";")) {
                    p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            } else {
                node.remove("params");
            }
            String unit = switch (mode) {
                case "thrpt" -> "ops/ms";
                case "sample" -> "ns/op";
                default -> "ns/op";
            };
            node.set("primaryMetric", metric(primary, unit));
            node.putObject("secondaryMetrics");
        }

        Row secondary(String name, String unit, double[][] values) {
            ((ObjectNode) node.get("secondaryMetrics")).set(name, metric(values, unit));
            return this;
        }

        /** The primary metric's unit (JMH writes the class's {@code @OutputTimeUnit}, e.g. us/op). */
        Row unit(String unit) {
            ((ObjectNode) node.get("primaryMetric")).put("scoreUnit", unit);
            return this;
        }

        /** Leaves the primary metric without rawData, as {@code -Djmh.json.rawData=false} writes it. */
        Row dropRawData() {
            ((ObjectNode) node.get("primaryMetric")).putArray("rawData");
            return this;
        }

        /** Sample mode: per fork, per iteration, a histogram of (value, count). */
        Row histogram(double[][][][] forks) {
            ObjectNode primary = (ObjectNode) node.get("primaryMetric");
            primary.remove("rawData");
            ArrayNode h = primary.putArray("rawDataHistogram");
            TreeMap<Double, Long> merged = new TreeMap<>();
            for (double[][][] fork : forks) {
                ArrayNode f = h.addArray();
                for (double[][] iteration : fork) {
                    ArrayNode it = f.addArray();
                    for (double[] pair : iteration) {
                        it.addArray().add(pair[0]).add((long) pair[1]);
                        merged.merge(pair[0], (long) pair[1], Long::sum);
                    }
                }
            }
            long total = merged.values().stream().mapToLong(Long::longValue).sum();
            ObjectNode percentiles = primary.putObject("scorePercentiles");
            for (double p : new double[] {0.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
                long rank = Math.max(1, (long) Math.ceil(p / 100 * total));
                long seen = 0;
                double value = merged.lastKey();
                for (var e : merged.entrySet()) {
                    seen += e.getValue();
                    if (seen >= rank) {
                        value = e.getKey();
                        break;
                    }
                }
                percentiles.put(Double.toString(p), value);
            }
            return this;
        }
    }

    private static ObjectNode metric(double[][] values, String unit) {
        ObjectNode m = MAPPER.createObjectNode();
        double sum = 0;
        int n = 0;
        for (double[] fork : values) {
            for (double v : fork) {
                sum += v;
                n++;
            }
        }
        double mean = sum / n;
        m.put("score", mean);
        m.put("scoreError", mean * 0.05);
        m.putArray("scoreConfidence").add(mean * 0.95).add(mean * 1.05);
        m.putObject("scorePercentiles").put("0.0", mean).put("50.0", mean).put("100.0", mean);
        m.put("scoreUnit", unit);
        ArrayNode raw = m.putArray("rawData");
        for (double[] fork : values) {
            ArrayNode f = raw.addArray();
            for (double v : fork) {
                f.add(v);
            }
        }
        return m;
    }

    Path write(Path file) {
        try {
            Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
