package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.support.VirtualThreads;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the lesson through the built jar (its entry point adds the gauge profiler) with a tiny size, and reads
 * the JSON the report reads: every variant has a row, and its gauges hold one true value per iteration.
 */
class IoBoundOffloadBenchmarkIT {

    private static final int REQUESTS = 8;
    private static final int ITERATIONS = 2;

    @TempDir
    Path work;

    @Test
    void everyVariantRunsAndItsGaugesArePerIterationValues() throws Exception {
        boolean virtual = VirtualThreads.isAvailable();
        Path json = work.resolve("offload.json");
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Other JMH runs on a shared machine hold JMH's lock; this run measures no time.
                "-Djmh.ignoreLock=true",
                "-jar", jar().toString(),
                "perfmastery.cpu.IoBoundOffloadBenchmark.(coresPool|largePool|asyncChain"
                        + (virtual ? "|virtualThreadPerRequest" : "") + ")$",
                "-f", "1", "-wi", "1", "-i", String.valueOf(ITERATIONS), "-p", "requests=" + REQUESTS,
                "-prof", "gc", "-rf", "json", "-rff", json.toString());
        Path log = work.resolve("jmh.log");
        Process jmh = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(jmh.waitFor(10, TimeUnit.MINUTES), "JMH finished");
        } finally {
            jmh.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, jmh.exitValue(), output);

        Map<String, JsonNode> byMethod = new HashMap<>();
        for (JsonNode row : JsonMapper.builder().build().readTree(json.toFile())) {
            String benchmark = row.get("benchmark").stringValue();
            byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), row);
        }
        assertEquals(virtual ? 4 : 3, byMethod.size(), "one row per variant: " + byMethod.keySet() + "\n" + output);

        assertPeaks(byMethod, "coresPool", "peakInFlight", 1, Math.min(REQUESTS, IoBoundOffloadBenchmark.cores()));
        assertPeaks(byMethod, "largePool", "peakInFlight", 1, REQUESTS);
        assertPeaks(byMethod, "asyncChain", "peakInFlight", 1, REQUESTS);
        if (virtual) {
            assertPeaks(byMethod, "virtualThreadPerRequest", "peakInFlight", 1, REQUESTS);
        }
        // The JMH thread at least, plus the pool's threads for the pools.
        assertPeaks(byMethod, "coresPool", "peakPlatformThreads", 1 + IoBoundOffloadBenchmark.cores(), 10_000);
        assertPeaks(byMethod, "largePool", "peakPlatformThreads", 1 + REQUESTS, 10_000);
        for (JsonNode row : byMethod.values()) {
            JsonNode allocation = row.get("secondaryMetrics").get("gc.alloc.rate.norm");
            assertNotNull(allocation, "-prof gc gives B/op");
            // N sockets, their buffers and futures: far from zero.
            assertTrue(allocation.get("score").doubleValue() > REQUESTS * 100, row.get("benchmark").stringValue());
        }
    }

    /** Each measured iteration's value lies in [low, high]: a sum over iterations would not. */
    private static void assertPeaks(Map<String, JsonNode> byMethod, String method, String gauge, double low, double high) {
        JsonNode row = byMethod.get(method);
        assertNotNull(row, "no JSON row for " + method);
        JsonNode metric = row.get("secondaryMetrics").get(gauge);
        assertNotNull(metric, method + " has no " + gauge);
        JsonNode forks = metric.get("rawData");
        assertEquals(1, forks.size(), "one fork");
        assertEquals(ITERATIONS, forks.get(0).size(), "one value per measured iteration");
        for (JsonNode value : forks.get(0)) {
            double peak = value.doubleValue();
            assertTrue(peak >= low && peak <= high, method + " " + gauge + " " + peak + " outside [" + low + ", " + high + "]");
        }
    }

    private static Path jar() throws IOException {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        Path path = Paths.get(jar);
        assertTrue(Files.isRegularFile(path), "no jar at " + path);
        return path;
    }
}
