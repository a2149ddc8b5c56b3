package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RunMetadataTest {

    @Test
    void theSidecarSitsBesideItsJson() {
        assertEquals(Path.of("/r/jdk-17.0.15.run.json"), RunMetadata.sidecarOf(Path.of("/r/jdk-17.0.15.json")));
        assertEquals(Path.of("/r/jdk-25.0.3-UseSerialGC.run.json"),
                RunMetadata.sidecarOf(Path.of("/r/jdk-25.0.3-UseSerialGC.json")));
    }

    @Test
    void procValuesAreReadByKey(@TempDir Path dir) throws Exception {
        Path meminfo = dir.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24576000 kB\nMemFree:  1 kB\n");
        assertEquals("24576000 kB", RunMetadata.firstValue(meminfo, "MemTotal"));
        assertEquals(24576000L * 1024, RunMetadata.kibToBytes("24576000 kB"));
        assertNull(RunMetadata.firstValue(meminfo, "SwapTotal"));
        assertNull(RunMetadata.firstValue(dir.resolve("absent"), "MemTotal"));
    }

    @Test
    void thisMachineAndThisCheckoutAreDescribed() {
        Map<String, Object> machine = RunMetadata.machine();
        assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("cores"));
        if (Files.isReadable(Path.of("/proc/cpuinfo"))) {
            assertNotNull(machine.get("cpuModel"));
            assertTrue(((Long) machine.get("memoryBytes")) > 0);
            double[] load = RunMetadata.loadAverage();
            assertNotNull(load);
            assertTrue(load[0] >= 0 && load[1] >= 0 && load[2] >= 0);
        }
        Map<String, Object> source = RunMetadata.source(Path.of("").toAbsolutePath());
        if (source.get("commit") != null) {
            assertTrue(((String) source.get("commit")).matches("[0-9a-f]{40}"), source.toString());
            assertNotNull(source.get("dirty"));
        }
        Map<String, Object> none = RunMetadata.source(Path.of("/"));
        assertNull(none.get("commit"), "not a git checkout: no commit is guessed");
    }

    @Test
    void otherProcessesCpuIsTheMachinesBusyTimeLessThisRunsOwn() {
        // 300 busy ticks on the machine in 2 s, 100 of them this run's: the others kept one core busy.
        RunMetadata.CpuTicks before = new RunMetadata.CpuTicks(1_000, 50);
        RunMetadata.CpuTicks after = new RunMetadata.CpuTicks(1_300, 150);
        assertEquals(1.0, RunMetadata.otherCores(before, after, 2.0), 1e-12);
        assertNull(RunMetadata.otherCores(null, after, 2.0));
        if (Files.isReadable(Path.of("/proc/stat"))) {
            RunMetadata.CpuTicks now = RunMetadata.cpuTicks();
            assertNotNull(now);
            assertTrue(now.machineBusy() >= now.ownTree() && now.ownTree() > 0, now.toString());
        }
    }

    @Test
    void aSidecarIsCompleteJsonWithLoadBeforeAndAfter(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("jdk-17.0.15.json");
        Instant start = Instant.parse("2026-11-27T17:00:00Z");
        RunMetadata.write(json, RunMetadata.content(Map.of("cores", 2), Map.of("commit", "abc"),
                "quick = -f 2", "17.0.15", List.of("-XX:+UseSerialGC"), List.of("java -jar b.jar Fib"),
                start, start.plusSeconds(60), new double[] {0.1, 0.2, 0.3}, null, "1/2",
                Map.of("p.A.run[n=1]", 12.5), 0.25, null, 0));
        JsonNode node = JsonMapper.builder().build().readTree(RunMetadata.sidecarOf(json).toFile());
        assertEquals(0.1, node.get("loadAverageBefore").get(0).asDouble());
        assertEquals(0.25, node.get("otherProcessesCores").asDouble());
        assertTrue(node.get("loadAverageAfter").isNull(), "unknown load is null, not 0");
        assertEquals("2026-11-27T17:01:00Z", node.get("end").asString());
        assertEquals("-XX:+UseSerialGC", node.get("jvmFlags").get(0).asString());
        assertEquals(Map.of("p.A.run[n=1]", 12.5), RunMetadata.unitTimings(dir, "quick = -f 2"));
        assertEquals(Map.of(), RunMetadata.unitTimings(dir, "full = -f 3"), "another preset's timings are not used");
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".partial")));
        }
    }
}
