package perfmastery.memory;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Turns a per-iteration figure (bytes retained per request, a hit ratio, GC time per op) into what an
 * {@code @AuxCounters(Type.EVENTS)} field must hold so that the number in JMH's JSON is the <em>mean</em>
 * of that figure over the run.
 *
 * <p>Why: JMH reports an EVENTS counter as a {@code ScalarResult} with the SUM policy, and it sums it over
 * every measurement iteration of every fork (and over threads). A ratio reported as-is would come out
 * multiplied by iterations x forks: a 0.6 hit ratio measured 3 times would read 1.8. The other counter
 * type, OPERATIONS, is divided by the iteration's time (a rate, or time per event in AverageTime mode),
 * which is not a ratio either. So each measurement iteration reports its figure divided by
 * (measurement iterations x forks x threads), and the sum JMH writes is the mean. Warmup iterations
 * are not part of the score and report their figure undivided, which keeps their console lines readable;
 * the measurement lines show each iteration's share, the final score the mean. The test
 * {@code AuxCountersMeanIT} checks this on a real JMH run with two different iteration counts.
 */
final class IterationMean {

    private IterationMean() {
    }

    /** The share of the run's mean that one iteration's {@code value} contributes. */
    static double share(double value, BenchmarkParams benchmark, IterationParams iteration) {
        if (iteration.getType() != IterationType.MEASUREMENT) {
            return value;
        }
        return share(value, iteration.getCount(), benchmark.getForks(), benchmark.getThreads());
    }

    static double share(double value, int measurementIterations, int forks, int threads) {
        // forks is 0 under -f 0 (never used here, but then the one in-process run is the only "fork").
        return value / ((double) measurementIterations * Math.max(1, forks) * Math.max(1, threads));
    }
}
