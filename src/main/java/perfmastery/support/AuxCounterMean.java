package perfmastery.support;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Turns a per-iteration figure (bytes retained per request, a hit ratio, peak messages in flight,
 * descriptors left per transfer) into what an {@code @AuxCounters(Type.EVENTS)} field must hold so that
 * the number in JMH's JSON is the <em>mean</em> of that figure over the run.
 *
 * <p>Why: JMH reports an EVENTS counter as a {@code ScalarResult} with the SUM policy, and it sums it over
 * every measurement iteration of every fork (and over threads). A ratio reported as-is would come out
 * multiplied by iterations x forks: a 0.6 hit ratio measured 3 times would read 1.8. The other counter
 * type, OPERATIONS, is divided by the iteration's time (a rate), which is not a ratio either. So each
 * measurement iteration reports its figure divided by (measurement iterations x forks x threads), and
 * the sum JMH writes is the mean. Warmup iterations are not part of the score and report their figure
 * undivided, which keeps their console lines readable. {@code AuxCountersMeanIT} and
 * {@code IoAuxCountersIT} check this on real JMH runs.
 *
 * <p>Shared by the memory and I/O lessons, which each had a copy of it.
 */
public final class AuxCounterMean {

    private AuxCounterMean() {
    }

    /** The weight of one measurement iteration: 1 / (iterations x forks x threads). */
    public static double weight(BenchmarkParams params) {
        return weight(params.getMeasurement().getCount(), params.getForks(), params.getThreads());
    }

    /** The weight of one measurement iteration; {@code -f 0} (forks 0) runs in the host VM as one "fork". */
    public static double weight(int measurementIterations, int forks, int threads) {
        return 1.0 / denominator(measurementIterations, forks, threads);
    }

    /** {@code value}'s share of the mean in a measurement iteration; {@code value} itself in a warmup one. */
    public static double share(double value, BenchmarkParams benchmark, IterationParams iteration) {
        if (iteration.getType() != IterationType.MEASUREMENT) {
            return value;
        }
        return share(value, iteration.getCount(), benchmark.getForks(), benchmark.getThreads());
    }

    /** {@code value / (iterations x forks x threads)}. */
    public static double share(double value, int measurementIterations, int forks, int threads) {
        return value / denominator(measurementIterations, forks, threads);
    }

    private static double denominator(int measurementIterations, int forks, int threads) {
        return (double) Math.max(1, measurementIterations) * Math.max(1, forks) * Math.max(1, threads);
    }
}
