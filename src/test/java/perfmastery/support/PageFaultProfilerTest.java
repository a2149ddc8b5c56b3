package perfmastery.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.ScalarResult;

class PageFaultProfilerTest {

    @Test
    void minfltIsTheTenthFieldEvenWithSpacesInTheName() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1234 0 5 0 17 3 0 0 20 0 22 0 1 2 3";
        assertEquals(1234, PageFaultProfiler.minorFaults(stat));
    }

    @Test
    void faultsArePerIterationAndPerOperation() {
        List<ScalarResult> results = PageFaultProfiler.results(300, 1000);
        assertEquals(PageFaultProfiler.PER_ITERATION, results.get(0).getLabel());
        assertEquals(300, results.get(0).getScore());
        assertEquals(PageFaultProfiler.PER_OP, results.get(1).getLabel());
        assertEquals(0.3, results.get(1).getScore(), 1e-12);
        assertEquals("#/op", results.get(1).getScoreUnit());
        assertEquals(1, PageFaultProfiler.results(300, 0).size(), "no operations: no per-op figure");
    }

    @Test
    void touchingFreshPagesCountsFaults() {
        if (!Files.isReadable(Path.of("/proc/self/stat"))) {
            return; // no /proc here: the profiler reports nothing, checked by minorFaults() == -1
        }
        long before = PageFaultProfiler.minorFaults();
        ByteBuffer fresh = ByteBuffer.allocateDirect(8 << 20); // zeroed page by page: 2048 first touches
        long after = PageFaultProfiler.minorFaults();
        assertTrue(fresh.capacity() > 0);
        assertTrue(after - before >= 1000, "8 MiB of fresh memory faulted " + (after - before) + " times");
    }
}
