package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the built jar for real ({@code java -jar}, whose entry point adds the gauge profiler), with tiny
 * forks, and reads the JSON the report reads. For every gauge of the I/O lessons, {@code rawData} must
 * hold each measured iteration's true value and {@code score} their mean: the same at 1 and at 3
 * iterations, never a sum over iterations and forks nor a share of the mean.
 */
class IoGaugesIT {

    private static final int MESSAGES = 1024;

    /** A process-wide descriptor count moves by a stray descriptor now and then; a share or a sum is far off. */
    private static final double STRAY_TOLERANCE = 0.02;

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0} fork(s) x {1} iteration(s)")
    @CsvSource({"1, 1", "2, 3"})
    void everyIterationHoldsItsTrueValueAndTheScoreIsTheirMean(int forks, int iterations) throws Exception {
        Map<String, JsonNode> byMethod = run(forks, iterations);

        for (String method : List.of("unboundedQueue", "boundedQueue", "flowPublisher")) {
            List<Double> peaks = perIteration(byMethod, method, "peakInFlight", forks, iterations);
            for (double peak : peaks) {
                if (method.equals("unboundedQueue")) {
                    assertTrue(peak >= MESSAGES / 2.0 && peak <= MESSAGES, method + " peaks " + peaks);
                } else {
                    assertTrue(peak >= 1 && peak <= BackpressureBenchmark.CAPACITY + 1, method + " peaks " + peaks);
                }
            }
            // messagesConsumed is an OPERATIONS counter: each iteration's messages / its time, the burst
            // size times the iteration's bursts per second.
            List<Double> rates = perIteration(byMethod, method, "messagesConsumed", forks, iterations);
            List<Double> bursts = values(byMethod.get(method).get("primaryMetric").get("rawData"));
            assertEquals(rates.size(), bursts.size());
            for (int i = 0; i < rates.size(); i++) {
                assertEquals(bursts.get(i) * MESSAGES, rates.get(i), bursts.get(i) * MESSAGES * 0.01,
                        method + " iteration " + i + ": messages/s = bursts/s x " + MESSAGES);
            }
        }

        if (AbortedTransferBenchmark.openDescriptors().isEmpty()) {
            for (String method : List.of("naive", "tryWithResources")) {
                assertTrue(byMethod.get(method).get("secondaryMetrics").get("fdsLeftPerTransfer") == null,
                        "without procfs the gauge is not recorded: NOT MEASURED");
            }
            return;
        }
        for (double left : perIteration(byMethod, "naive", "fdsLeftPerTransfer", forks, iterations)) {
            assertEquals(1.0, left, STRAY_TOLERANCE, "naive leaves one descriptor per transfer in every iteration");
        }
        for (double left : perIteration(byMethod, "tryWithResources", "fdsLeftPerTransfer", forks, iterations)) {
            assertEquals(0.0, left, STRAY_TOLERANCE, "tryWithResources leaves none in any iteration");
        }
    }

    private Map<String, JsonNode> run(int forks, int iterations) throws IOException, InterruptedException {
        Path json = work.resolve("io-" + forks + "x" + iterations + ".json");
        Path log = work.resolve("io-" + forks + "x" + iterations + ".log");
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Other JMH runs on a shared machine hold JMH's lock; this run's times are not read.
                "-Djmh.ignoreLock=true",
                "-jar", jar().toString(),
                "perfmastery.io.(BackpressureBenchmark|AbortedTransferBenchmark)",
                "-f", String.valueOf(forks), "-wi", "1", "-i", String.valueOf(iterations),
                "-w", "100ms", "-r", "100ms", "-p", "messages=" + MESSAGES,
                "-rf", "json", "-rff", json.toString());
        Process jmh = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(jmh.waitFor(10, TimeUnit.MINUTES), "JMH finished");
        } finally {
            jmh.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, jmh.exitValue(), output);

        Map<String, JsonNode> byMethod = new HashMap<>();
        for (JsonNode row : JsonMapper.builder().build().readTree(json.toFile())) {
            String benchmark = row.get("benchmark").stringValue();
            byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), row);
        }
        assertEquals(5, byMethod.size(), output);
        return byMethod;
    }

    /**
     * A secondary metric's per-iteration values, after checking their shape (one row per fork, one value
     * per measured iteration) and that the score is their mean.
     */
    private static List<Double> perIteration(Map<String, JsonNode> byMethod, String method, String metric,
                                             int forks, int iterations) {
        JsonNode row = byMethod.get(method);
        assertNotNull(row, "no JSON row for " + method);
        JsonNode value = row.get("secondaryMetrics").get(metric);
        assertNotNull(value, method + " has no " + metric);
        JsonNode rawData = value.get("rawData");
        assertEquals(forks, rawData.size(), method + "." + metric + ": one rawData row per fork");
        for (JsonNode fork : rawData) {
            assertEquals(iterations, fork.size(), method + "." + metric + ": one value per measured iteration");
        }
        List<Double> values = values(rawData);
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double score = value.get("score").doubleValue();
        assertEquals(mean, score, Math.abs(mean) * 1e-9 + 1e-12,
                method + "." + metric + ": score is the mean of rawData " + values);
        return values;
    }

    private static List<Double> values(JsonNode rawData) {
        List<Double> values = new ArrayList<>();
        for (JsonNode fork : rawData) {
            for (JsonNode iteration : fork) {
                values.add(iteration.doubleValue());
            }
        }
        return values;
    }

    private static Path jar() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        Path path = Paths.get(jar);
        assertTrue(Files.isRegularFile(path), "no jar at " + path);
        return path;
    }
}
