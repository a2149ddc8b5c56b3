package perfmastery.memory;

import perfmastery.support.AuxCounterMean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs real, tiny JMH forks of the built jar and reads the JSON: an EVENTS counter filled through
 * {@link AuxCounterMean} must come out as the per-iteration figure itself, the same for 1 and 4
 * measurement iterations, not multiplied by the count.
 */
class AuxCountersMeanIT {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static JsonNode run(Path dir, String benchmark, int iterations) throws IOException, InterruptedException {
        Path json = dir.resolve("i" + iterations + ".json");
        Path log = dir.resolve("i" + iterations + ".log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Other JMH runs on this machine hold /tmp/jmh.lock; these tiny forks need no exclusivity.
                "-Djmh.ignoreLock=true",
                "-jar", System.getProperty("benchmarksJar"), benchmark,
                "-f", "1", "-wi", "1", "-w", "100ms", "-i", String.valueOf(iterations), "-r", "100ms",
                "-rf", "json", "-rff", json.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int status = process.waitFor();
        assertEquals(0, status, Files.readString(log));
        JsonNode results = JSON.readTree(json.toFile());
        assertEquals(1, results.size(), Files.readString(log));
        return results.get(0);
    }

    private static double secondary(JsonNode result, String metric) {
        JsonNode node = result.get("secondaryMetrics").get(metric);
        assertNotNull(node, metric + " missing in " + result);
        return node.get("score").asDouble();
    }

    @Test
    void retainedBytesPerRequestIsPerRequestWhateverTheIterationCount(@TempDir Path dir) throws Exception {
        String benchmark = "perfmastery.memory.ClosureRetentionBenchmark.leakyClosure";
        double one = secondary(run(dir, benchmark, 1), "retainedBytesPerRequest");
        double four = secondary(run(dir, benchmark, 4), "retainedBytesPerRequest");
        // Each closure keeps its 1,000,000-byte payload, a 16-byte array header and a little list and lambda.
        assertTrue(one >= 1_000_000 && one < 1_000_200, "1 iteration: " + one);
        assertTrue(four >= 1_000_000 && four < 1_000_200, "4 iterations: " + four);
    }

    @Test
    void hitRatioIsARatioWhateverTheIterationCount(@TempDir Path dir) throws Exception {
        String benchmark = "perfmastery.memory.CacheBoundsBenchmark.lruLinkedHashMap";
        double one = secondary(run(dir, benchmark, 1), "hitRatio");
        double three = secondary(run(dir, benchmark, 3), "hitRatio");
        assertTrue(one > 0.2 && one < 0.8, "1 iteration: " + one);
        assertTrue(three > 0.2 && three < 0.8, "3 iterations: " + three);
        assertEquals(one, three, 0.1);
    }
}
