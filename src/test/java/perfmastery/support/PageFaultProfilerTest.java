package perfmastery.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void touchingFreshPagesCountsFaults(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here: the profiler reports nothing");
        int pages = 2048;
        // A fresh mapping of a new file: no page of it is in this process yet, whatever malloc kept.
        try (FileChannel channel = FileChannel.open(dir.resolve("pages"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, pages * 4096L);
            long before = PageFaultProfiler.minorFaults();
            for (int page = 0; page < pages; page++) {
                mapped.put(page * 4096, (byte) 1);
            }
            long after = PageFaultProfiler.minorFaults();
            assertTrue(after - before >= pages / 2, pages + " fresh pages faulted " + (after - before) + " times");
        }
    }
}
