package perfmastery.support;

import java.util.LinkedHashMap;
import java.util.Map;

import org.openjdk.jmh.results.Result;

/**
 * What a lesson's iteration teardown recorded, read the way JMH reads it in a fork: through
 * {@link GaugeProfiler}, which resets the gauges before an iteration and hands them over after it. Shared by
 * the lessons' tests of every pillar.
 */
public final class RecordedGauges {

    private RecordedGauges() {
    }

    /** Runs {@code iteration} (typically a teardown) between the profiler's two calls; label to result. */
    public static Map<String, Result<?>> during(Iteration iteration) throws Exception {
        GaugeProfiler profiler = new GaugeProfiler();
        profiler.beforeIteration(null, null);
        iteration.run();
        Map<String, Result<?>> byLabel = new LinkedHashMap<>();
        for (Result<?> result : profiler.afterIteration(null, null, null)) {
            byLabel.put(result.getLabel(), result);
        }
        return byLabel;
    }

    /** The score of a recorded gauge, failing with the gauges recorded if it is missing. */
    public static double score(Map<String, Result<?>> gauges, String name) {
        Result<?> result = gauges.get(name);
        if (result == null) {
            throw new AssertionError(name + " was not recorded; recorded: " + gauges.keySet());
        }
        return result.getScore();
    }

    /** An iteration's end, which may throw. */
    @FunctionalInterface
    public interface Iteration {
        void run() throws Exception;
    }
}
