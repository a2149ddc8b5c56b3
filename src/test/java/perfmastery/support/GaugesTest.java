package perfmastery.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.ScalarResult;

class GaugesTest {

    @AfterEach
    void forget() {
        Gauges.reset();
    }

    @Test
    void anIterationsValueIsTheMeanOfWhatItsThreadsRecorded() {
        Gauges.record("retainedBytes", 100, "B");
        Gauges.record("retainedBytes", 300, "B");
        Gauges.record("hitRatio", 0.25, "ratio");
        List<ScalarResult> results = GaugeProfiler.results(Gauges.drain());
        assertEquals(2, results.size());
        assertEquals("retainedBytes", results.get(0).getLabel());
        assertEquals(200.0, results.get(0).getScore());
        assertEquals("B", results.get(0).getScoreUnit());
        assertEquals(0.25, results.get(1).getScore());
        assertTrue(GaugeProfiler.results(Gauges.drain()).isEmpty(), "drained: the next iteration starts empty");
    }

    @Test
    void jmhAveragesGaugesOverIterationsInsteadOfSummingThem() {
        // Three measured iterations of one fork, as JMH aggregates them for the JSON's score.
        List<org.openjdk.jmh.results.IterationResult> iterations = new java.util.ArrayList<>();
        for (double value : new double[] {1, 2, 6}) {
            var iteration = new org.openjdk.jmh.results.IterationResult(null, null, null);
            iteration.addResult(new org.openjdk.jmh.results.ThroughputResult(
                    org.openjdk.jmh.results.ResultRole.PRIMARY, "op", 1, 1_000_000, java.util.concurrent.TimeUnit.SECONDS));
            iteration.addResult(new ScalarResult("g", value, "#", AggregationPolicy.AVG));
            iterations.add(iteration);
        }
        var fork = new org.openjdk.jmh.results.BenchmarkResult(null, iterations);
        assertEquals(3.0, fork.getSecondaryResults().get("g").getScore(), 1e-12);
    }

    @Test
    void aGaugeKeepsOneUnit() {
        Gauges.record("x", 1, "B");
        assertThrows(IllegalArgumentException.class, () -> Gauges.record("x", 1, "ratio"));
        assertThrows(IllegalArgumentException.class, () -> Gauges.record(" ", 1, "B"));
    }

    @Test
    void theJarsEntryPointAddsTheGaugeProfilerOnce() {
        assertArrayEquals(new String[] {"-prof", GaugeProfiler.NAME, "-f", "1", "Fib"},
                BenchmarksMain.withGaugeProfiler(new String[] {"-f", "1", "Fib"}));
        String[] named = {"-prof", GaugeProfiler.NAME, "Fib"};
        assertArrayEquals(named, BenchmarksMain.withGaugeProfiler(named));
        assertArrayEquals(new String[] {"-prof", GaugeProfiler.NAME, "-prof", "gc"},
                BenchmarksMain.withGaugeProfiler(new String[] {"-prof", "gc"}));
    }
}
