package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The probe's fields are there and sane; no assertion on how long anything took. */
class HostProbeTest {

    private static final List<String> FIELDS = List.of("firstTouchMicrosPerPage", "secondTouchMicrosPerPage",
            "cpuLoopMillis", "cpuLoop", "callLoopMillis", "callLoop", "timerGranularityNanos", "timerCallNanos", "stealShareSinceBoot",
            "stealShareDuringRun");

    @Test
    void everyFieldIsWrittenAndSane() {
        Map<String, Object> json = HostProbe.measure().json();
        assertEquals(FIELDS, List.copyOf(json.keySet()));
        double first = (Double) json.get("firstTouchMicrosPerPage");
        double second = (Double) json.get("secondTouchMicrosPerPage");
        assertTrue(first > 0 && Double.isFinite(first), "first touch " + first);
        assertTrue(second > 0 && Double.isFinite(second), "second touch " + second);
        assertTrue((Double) json.get("cpuLoopMillis") > 0);
        assertTrue((Double) json.get("callLoopMillis") > 0);
        assertEquals(635_621, HostProbe.calls(HostProbe.CALL_DEPTH), "fib(27) makes 2 fib(28) - 1 calls");
        assertEquals(196_418, HostProbe.fib(HostProbe.CALL_DEPTH), "fib(27)");
        assertTrue((Long) json.get("timerGranularityNanos") > 0, "nanoTime moves in 100,000 calls");
        assertTrue((Double) json.get("timerCallNanos") > 0);
        if (Files.isReadable(Path.of("/proc/stat"))) {
            for (String steal : List.of("stealShareSinceBoot", "stealShareDuringRun")) {
                double share = (Double) json.get(steal);
                assertTrue(share >= 0 && share <= 1, steal + " " + share);
            }
        }
    }

    @Test
    void theSidecarHoldsTheProbeAsJson() throws Exception {
        JsonNode node = JsonMapper.builder().build().readTree(
                JsonMapper.builder().build().writeValueAsString(Map.of(HostProbe.KEY, HostProbe.measure().json())));
        for (String field : FIELDS) {
            assertTrue(node.path(HostProbe.KEY).has(field), field);
        }
    }

    @Test
    void theCpuLoopComputesSomething() {
        long x = HostProbe.xorshift(1, 3);
        assertNotEquals(1, x);
        assertEquals(x, HostProbe.xorshift(1, 3), "the same steps give the same value");
    }

    @Test
    void stealIsReadFromTheCpuLine() {
        long[] ticks = HostProbe.stealTicks("cpu  100 5 50 800 10 2 3 30 7 0");
        assertArrayEquals(new long[] {30, 1000}, ticks, "guest columns are inside user and nice already");
        assertEquals(0.1, HostProbe.share(new long[] {0, 0}, new long[] {10, 100}), 1e-12);
        assertEquals(0.0, HostProbe.share(ticks, ticks), "no time passed: no steal");
        assertThrows(IllegalArgumentException.class, () -> HostProbe.stealTicks("cpu0 1 2 3 4 5 6 7 8"));
    }

    @Test
    void theSummaryNamesEachFigure() {
        String summary = HostProbe.measure().summary();
        assertNotNull(summary);
        for (String word : List.of("first touch", "CPU loop", "timer step", "steal")) {
            assertTrue(summary.contains(word), summary);
        }
    }
}
