package perfmastery.memory;

import perfmastery.support.AuxCounterMean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;

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
        assertTrue(leakyBytes >= 1_000_000 && leakyBytes < 1_000_200, "leaky retains its payload: " + leakyBytes);
        assertTrue(scopedBytes > 0 && scopedBytes < 100, "scoped retains a small closure: " + scopedBytes);
        assertTrue(leakyBytes / scopedBytes >= 1000, "the lesson's claim, in miniature");
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
    void iterationTeardownReportsItsShareAndReleases() {
        ClosureRetentionBenchmark benchmark = benchmark(1_000);
        ClosureRetentionBenchmark.GlobalListeners listeners = listeners();
        for (int i = 0; i < 10; i++) {
            benchmark.leakyClosure(listeners);
        }
        double perRequest = listeners.measureRetainedBytesPerRequest();
        IterationParams fourIterations = new IterationParams(IterationType.MEASUREMENT, 4, TimeValue.seconds(1), 1);
        listeners.retainedBytesPerRequest = AuxCounterMean.share(perRequest, 4, 1, 1);
        assertEquals(perRequest / 4, listeners.retainedBytesPerRequest, 1e-9);
        assertEquals(IterationType.MEASUREMENT, fourIterations.getType());
        listeners.reset();
        assertEquals(0, listeners.size());
        assertEquals(0.0, listeners.measureRetainedBytesPerRequest(), 0);
    }
}
