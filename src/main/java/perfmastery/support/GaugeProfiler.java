package perfmastery.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Hands the {@link Gauges} a lesson recorded in an iteration to JMH, as secondary results with the
 * AVG policy: JMH's JSON then has each iteration's value in {@code rawData} and their mean as
 * {@code score}.
 *
 * <p>JMH runs it inside each fork: {@link #afterIteration} is called once every benchmark thread has
 * finished the iteration, its {@code @TearDown(Level.Iteration)} included, so what the teardown
 * recorded is there to read. Use it with {@code -prof perfmastery.support.GaugeProfiler}; the jar's
 * entry point ({@link BenchmarksMain}) and run-benchmarks.sh add it for you.
 */
public final class GaugeProfiler implements InternalProfiler {

    /** The name to give {@code -prof}. */
    public static final String NAME = GaugeProfiler.class.getName();

    @Override
    public String getDescription() {
        return "the lessons' per-iteration figures (perfmastery.support.Gauges), averaged over iterations and forks";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        Gauges.reset();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        return results(Gauges.drain());
    }

    static List<ScalarResult> results(Map<String, Gauges.Reading> readings) {
        List<ScalarResult> results = new ArrayList<>(readings.size());
        readings.forEach((name, reading) ->
                results.add(new ScalarResult(name, reading.mean(), reading.unit(), AggregationPolicy.AVG)));
        return results;
    }
}
