package perfmastery.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs real, tiny JMH forks of the built jar (whose entry point adds the gauge profiler, as a user's
 * {@code java -jar target/benchmarks.jar} does) and reads the JSON: each memory lesson's gauge must have
 * its true per-iteration values in {@code rawData}, one per measured iteration, and their mean as
 * {@code score}, for 1 and for 3 iterations.
 */
class MemoryGaugesIT {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final List<String> GC_GAUGES = List.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp");
    /** Measurement iteration time, in milliseconds. */
    private static final int ITERATION_MILLIS = 200;
    /** Ops per iteration of the single-shot run. */
    private static final int BATCH = 500_000;

    private static JsonNode run(Path dir, String benchmark, int iterations, String... jmhOptions)
            throws IOException, InterruptedException {
        String name = benchmark.substring(benchmark.lastIndexOf('.') + 1) + "-i" + iterations;
        Path json = dir.resolve(name + ".json");
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Other JMH runs on this machine hold /tmp/jmh.lock; these tiny forks need no exclusivity.
                "-Djmh.ignoreLock=true",
                "-jar", System.getProperty("benchmarksJar"), benchmark,
                "-f", "1", "-wi", "1", "-w", "100ms", "-i", String.valueOf(iterations), "-r", ITERATION_MILLIS + "ms",
                "-rf", "json", "-rff", json.toString()));
        command.addAll(List.of(jmhOptions));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "JMH finished: " + Files.readString(log));
            assertEquals(0, process.exitValue(), Files.readString(log));
        } finally {
            process.destroyForcibly();
        }
        JsonNode results = JSON.readTree(json.toFile());
        assertEquals(1, results.size(), Files.readString(log));
        return results.get(0);
    }

    /**
     * The per-iteration values of a gauge, after checking that JMH kept one per measured iteration (one
     * fork) and that its score is their mean.
     */
    private static double[] perIteration(JsonNode result, String metric, int iterations) {
        JsonNode node = result.get("secondaryMetrics").get(metric);
        assertNotNull(node, metric + " missing in " + result.get("secondaryMetrics"));
        JsonNode forks = node.get("rawData");
        assertEquals(1, forks.size(), metric + " rawData: one fork");
        JsonNode values = forks.get(0);
        assertEquals(iterations, values.size(), metric + " rawData: one value per measured iteration: " + values);
        double[] raw = new double[iterations];
        double sum = 0;
        for (int i = 0; i < iterations; i++) {
            raw[i] = values.get(i).asDouble();
            assertTrue(Double.isFinite(raw[i]), metric + " iteration " + i + ": " + raw[i]);
            sum += raw[i];
        }
        double mean = sum / iterations;
        double score = node.get("score").asDouble();
        assertEquals(mean, score, Math.abs(mean) * 1e-9, metric + ": score is the mean of rawData " + values);
        return raw;
    }

    /** Each iteration's GC gauges: non-negative, and the total is pauses plus concurrent time. */
    private static void gcGaugesAddUp(JsonNode result, int iterations) {
        double[] pause = perIteration(result, "gcPauseNanosPerOp", iterations);
        double[] concurrent = perIteration(result, "gcConcurrentNanosPerOp", iterations);
        double[] total = perIteration(result, "gcNanosPerOp", iterations);
        for (int i = 0; i < iterations; i++) {
            assertTrue(pause[i] >= 0 && concurrent[i] >= 0, "iteration " + i + ": " + pause[i] + ", " + concurrent[i]);
            assertEquals(pause[i] + concurrent[i], total[i], Math.max(1e-9, total[i] * 1e-9), "iteration " + i);
        }
    }

    @Test
    void retainedBytesPerRequestIsEachIterationsOwnFigure(@TempDir Path dir) throws Exception {
        String benchmark = "perfmastery.memory.ClosureRetentionBenchmark.leakyClosure";
        for (int iterations : new int[] {1, 3}) {
            JsonNode result = run(dir, benchmark, iterations);
            // Each closure keeps its 1,000,000-byte payload, a 16-byte array header, its request and itself.
            for (double perRequest : perIteration(result, "retainedBytesPerRequest", iterations)) {
                assertTrue(perRequest >= 1_000_000 && perRequest < 1_000_200, iterations + " iterations: " + perRequest);
            }
            gcGaugesAddUp(result, iterations);
        }
    }

    @Test
    void cacheFiguresAreEachIterationsOwn(@TempDir Path dir) throws Exception {
        String benchmark = "perfmastery.memory.CacheBoundsBenchmark.lruLinkedHashMap";
        for (int iterations : new int[] {1, 3}) {
            JsonNode result = run(dir, benchmark, iterations);
            for (double hitRatio : perIteration(result, "hitRatio", iterations)) {
                assertTrue(hitRatio > 0.2 && hitRatio < 0.8, iterations + " iterations: hit ratio " + hitRatio);
            }
            // A full LRU of 1,024 entries: more than 1,024 values of 1 KiB, within the lesson's bound.
            for (double retained : perIteration(result, "retainedBytes", iterations)) {
                assertTrue(retained > 1024 * 1024 && retained <= 1024 * 1280, iterations + " iterations: retained " + retained);
            }
            gcGaugesAddUp(result, iterations);
        }
    }

    @Test
    void allocationChurnRecordsItsGcGauges(@TempDir Path dir) throws Exception {
        JsonNode result = run(dir, "perfmastery.memory.AllocationChurnBenchmark.churn", 3, "-p", "size=65536");
        gcGaugesAddUp(result, 3);
    }

    /**
     * Under Serial every collection is a pause, and JMH's own {@code gc.time} (-prof gc, ms per iteration)
     * times the same collections. In single-shot mode with a batch of {@value #BATCH} ops each iteration
     * has exactly that many ops, so the lesson's pause time per op times the batch must give JMH's
     * milliseconds, iteration by iteration. A figure divided by the iteration count would come out at a
     * third.
     */
    @Test
    void gcTimePerOpAddsUpToJmhsOwnGcTime(@TempDir Path dir) throws Exception {
        int iterations = 3;
        // A small young generation (-Xmn64m, beside the lesson's own pinned 1 GB heap) collects every 200,000
        // ops or so, and each collection copies and promotes the window's newest requests.
        JsonNode result = run(dir, "perfmastery.memory.GenerationalGcBenchmark.promoted", iterations,
                "-bm", "ss", "-bs", String.valueOf(BATCH), "-prof", "gc", "-jvmArgsPrepend", "-XX:+UseSerialGC -Xmn64m");
        gcGaugesAddUp(result, iterations);
        double[] pause = perIteration(result, "gcPauseNanosPerOp", iterations);
        double[] concurrent = perIteration(result, "gcConcurrentNanosPerOp", iterations);
        JsonNode jmhGcTime = result.get("secondaryMetrics").get("gc.time");
        assertNotNull(jmhGcTime, "-prof gc timed collections: " + result.get("secondaryMetrics"));
        double jmhTotal = 0;
        for (int i = 0; i < iterations; i++) {
            assertEquals(0.0, concurrent[i], 0, "Serial has no concurrent cycles");
            double lessonMillis = pause[i] * BATCH / 1_000_000;
            double jmhMillis = jmhGcTime.get("rawData").get(0).get(i).asDouble();
            jmhTotal += jmhMillis;
            // Each side is a difference of two whole-millisecond readings; JMH's window holds the lesson's.
            assertEquals(jmhMillis, lessonMillis, 2, "iteration " + i + ": the lesson's GC pause time against JMH's gc.time");
        }
        assertTrue(jmhTotal >= 3 * 2 * iterations, "collections took " + jmhTotal + " ms: enough to tell a third from the whole");
    }
}
