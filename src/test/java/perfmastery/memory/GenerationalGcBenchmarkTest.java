package perfmastery.memory;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

class GenerationalGcBenchmarkTest {

    private static GenerationalGcBenchmark withWindow(int window) {
        GenerationalGcBenchmark benchmark = new GenerationalGcBenchmark();
        benchmark.window = window;
        benchmark.setUp();
        return benchmark;
    }

    private static GenerationalGcBenchmark.GcTime gcTime() {
        GenerationalGcBenchmark.GcTime gc = new GenerationalGcBenchmark.GcTime();
        gc.start();
        return gc;
    }

    @Test
    void bothVariantsBuildTheSameRequests() {
        GenerationalGcBenchmark promoted = withWindow(16);
        GenerationalGcBenchmark dieYoung = withWindow(16);
        GenerationalGcBenchmark.GcTime gc = gcTime();
        for (int i = 0; i < 100; i++) {
            GenerationalGcBenchmark.Request kept = promoted.promoted(gc);
            GenerationalGcBenchmark.Request dropped = dieYoung.dieYoung(gc);
            assertEquals(kept.id(), dropped.id());
            assertEquals(17 + i, kept.id(), "ids continue after the 16 requests that fill the window");
            assertEquals(GenerationalGcBenchmark.BODY_BYTES, kept.body().length);
            assertEquals((byte) kept.id(), kept.body()[0]);
            assertEquals((byte) (kept.id() >>> 8), kept.body()[GenerationalGcBenchmark.BODY_BYTES - 1]);
            assertEquals(kept.body()[0], dropped.body()[0]);
        }
    }

    @Test
    void promotedKeepsExactlyTheLastWindowOfRequests() {
        GenerationalGcBenchmark benchmark = withWindow(8);
        GenerationalGcBenchmark.GcTime gc = gcTime();
        GenerationalGcBenchmark.Request[] last = new GenerationalGcBenchmark.Request[20];
        for (int i = 0; i < last.length; i++) {
            last[i] = benchmark.promoted(gc);
        }
        // After 20 requests into a ring of 8 (already full), slot k holds the newest request written there.
        List<Long> kept = benchmark.recentIds();
        assertEquals(8, kept.size());
        assertEquals(List.of(25L, 26L, 27L, 28L, 21L, 22L, 23L, 24L), kept);
        assertSame(last[19], benchmark.recentRequest(3));
    }

    @Test
    void theJvmsOwnCollectorsCanBeRead() throws Exception {
        GenerationalGcBenchmark benchmark = withWindow(1_000);
        GenerationalGcBenchmark.GcTime gc = gcTime();
        for (int i = 0; i < 10_000; i++) {
            benchmark.promoted(gc);
        }
        assertEquals(10_000, gc.ops());
        assertTrue(Garbage.collectWithALiveSet() > 0);
        Map<String, Result<?>> gauges = RecordedGauges.during(gc::stop);
        double pause = RecordedGauges.score(gauges, "gcPauseNanosPerOp");
        double concurrent = RecordedGauges.score(gauges, "gcConcurrentNanosPerOp");
        double total = RecordedGauges.score(gauges, "gcNanosPerOp");
        // System.gc() paused the JVM for at least a millisecond, spread over the iteration's 10,000 ops.
        assertTrue(pause >= 1_000_000.0 / 10_000, "pause per op " + pause);
        double pauseMillis = pause * 10_000 / 1_000_000;
        assertEquals(Math.rint(pauseMillis), pauseMillis, 1e-6, "whole milliseconds over exactly the 10,000 ops");
        assertEquals(0.0, concurrent, 0, "the test JVM's collector (G1, Serial or Parallel) has no concurrent cycle bean");
        assertEquals(pause + concurrent, total, 1e-9);
    }
}
