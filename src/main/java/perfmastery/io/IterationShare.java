package perfmastery.io;

import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * How much of its own figure each measurement iteration writes into an {@code @AuxCounters(EVENTS)}
 * field, so that the number in the JSON is a mean per iteration rather than a sum.
 *
 * <p>JMH treats an {@code EVENTS} counter as a {@code ScalarResult} with {@code AggregationPolicy.SUM}:
 * the score in the JSON is the sum of the field's end-of-iteration values over every measurement
 * iteration of every fork and every thread (warmup iterations are left out). A per-iteration figure
 * such as "the peak backlog of this iteration" or "descriptors left per transfer in this iteration"
 * would then grow with {@code -i} and {@code -f}. Writing {@code figure * share}, with
 * {@code share = 1 / (iterations x forks x threads)}, makes that sum the mean of the per-iteration
 * figures, whatever the preset; {@code IoAuxCountersIT} checks it on a real run with two forks.
 */
final class IterationShare {

    private IterationShare() {
    }

    static double of(BenchmarkParams params) {
        return of(params.getMeasurement().getCount(), params.getForks(), params.getThreads());
    }

    static double of(int measurementIterations, int forks, int threads) {
        // -f 0 runs in the host VM: one "fork".
        return 1.0 / ((double) Math.max(1, measurementIterations) * Math.max(1, forks) * Math.max(1, threads));
    }
}
