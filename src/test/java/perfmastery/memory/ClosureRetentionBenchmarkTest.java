package perfmastery.memory;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

class ClosureRetentionBenchmarkTest {

    private static ClosureRetentionBenchmark benchmark(int payloadLength) {
        ClosureRetentionBenchmark benchmark = new ClosureRetentionBenchmark();
        benchmark.payloadLength = payloadLength;
        benchmark.setUp();
        return benchmark;
    }

    private static ClosureRetentionBenchmark.GlobalListeners listeners() {
        ClosureRetentionBenchmark.GlobalListeners listeners = new ClosureRetentionBenchmark.GlobalListeners();
        listeners.reset();
        return listeners;
    }

    @Test
    void leakyAndScopedHandlersAnswerTheSame() {
        ClosureRetentionBenchmark leaky = benchmark(1_000_000);
        ClosureRetentionBenchmark scoped = benchmark(1_000_000);
        ClosureRetentionBenchmark.GlobalListeners leakyList = listeners();
        ClosureRetentionBenchmark.GlobalListeners scopedList = listeners();
        for (int id = 1; id <= 20; id++) {
            int expected = 1_000_000 ^ id;
            assertEquals(expected, leaky.leakyClosure(leakyList));
            assertEquals(expected, scoped.scopedClosure(scopedList));
        }
        assertEquals(20, leakyList.size());
        assertEquals(20, scopedList.size());
    }

    @Test
    void leakyRetainsThePayloadAndScopedOnlyTheClosure() {
        ClosureRetentionBenchmark benchmark = benchmark(1_000_000);
        ClosureRetentionBenchmark.GlobalListeners leaky = listeners();
        ClosureRetentionBenchmark.GlobalListeners scoped = listeners();
        for (int i = 0; i < 10; i++) {
            benchmark.leakyClosure(leaky);
            benchmark.scopedClosure(scoped);
        }
        double leakyBytes = leaky.measureRetainedBytesPerRequest();
        double scopedBytes = scoped.measureRetainedBytesPerRequest();
        // A 1,000,016-byte payload, a 24-byte request and a 16-byte closure (compressed oops).
        assertEquals(1_000_016 + 24 + 16, leakyBytes, 0, "leaky retains its request and payload");
        assertEquals(24, scopedBytes, 0, "scoped retains a closure of two ints and nothing else");
        assertTrue(leakyBytes >= 1_000_000, "the lesson's leaky-retains-its-payload claim, in miniature");
        assertTrue(scopedBytes < 32, "the lesson's scoped-retains-only-the-closure claim, in miniature");
    }

    @Test
    void theLeakIsBoundedByTheCap() {
        ClosureRetentionBenchmark benchmark = benchmark(16);
        ClosureRetentionBenchmark.GlobalListeners listeners = listeners();
        for (int i = 0; i < ClosureRetentionBenchmark.LEAK_CAP; i++) {
            benchmark.leakyClosure(listeners);
        }
        assertEquals(ClosureRetentionBenchmark.LEAK_CAP, listeners.size());
        benchmark.leakyClosure(listeners);
        assertEquals(1, listeners.size(), "a full list is dropped before the next closure is kept");
    }

    @Test
    void iterationTeardownRecordsTheTrueFiguresAndReleases() throws Exception {
        ClosureRetentionBenchmark benchmark = benchmark(1_000);
        ClosureRetentionBenchmark.GlobalListeners listeners = listeners();
        for (int i = 0; i < 10; i++) {
            benchmark.leakyClosure(listeners);
        }
        assertTrue(Garbage.collectWithALiveSet() > 0);
        Map<String, Result<?>> gauges = RecordedGauges.during(listeners::measureAndRelease);

        // Each of the 10 closures keeps a 1,016-byte payload, a 24-byte request and itself (16 bytes): the
        // figure is per request and undivided by iterations, forks or anything else.
        assertEquals(1_016 + 24 + 16, RecordedGauges.score(gauges, "retainedBytesPerRequest"), 0);
        assertEquals("B", gauges.get("retainedBytesPerRequest").getScoreUnit());
        double pause = RecordedGauges.score(gauges, "gcPauseNanosPerOp");
        double pauseMillis = pause * 10 / 1_000_000;
        assertTrue(pauseMillis >= 1, "System.gc() paused at least 1 ms: " + pause + " ns per request");
        assertEquals(Math.rint(pauseMillis), pauseMillis, 1e-6, "whole milliseconds over exactly the 10 requests");
        assertEquals(pause + RecordedGauges.score(gauges, "gcConcurrentNanosPerOp"),
                RecordedGauges.score(gauges, "gcNanosPerOp"), 1e-9);

        assertEquals(0, listeners.size(), "the teardown releases the closures");
        assertEquals(0.0, listeners.measureRetainedBytesPerRequest(), 0);
    }

    @Test
    void theFigureIsPerRequestWhateverTheCountLeftInTheList() throws Exception {
        ClosureRetentionBenchmark benchmark = benchmark(1_000);
        for (int requests : new int[] {1, 2, ClosureRetentionBenchmark.LEAK_CAP, ClosureRetentionBenchmark.LEAK_CAP + 1}) {
            ClosureRetentionBenchmark.GlobalListeners scoped = listeners();
            for (int i = 0; i < requests; i++) {
                benchmark.scopedClosure(scoped);
            }
            Map<String, Result<?>> gauges = RecordedGauges.during(scoped::measureAndRelease);
            assertEquals(24, RecordedGauges.score(gauges, "retainedBytesPerRequest"), 0, requests + " requests");
        }
    }
}
