package perfmastery.runner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code --shard K/N}: the K-th of N parts of a run's selection, so a suite that takes hours on one
 * machine can be split over N (a CI matrix), each part a separate run whose JSON the report merges.
 *
 * <p>The unit of a shard is one benchmark class, a lesson, with all its rows (benchmark x params): the
 * variants a claim compares, and the rows whose fork-to-fork variance the report pools, must come from
 * one machine and one run. Units are dealt by expected time, longest first, each to the part whose total is lowest so far
 * (the longest-processing-time rule: every part ends within about one unit of the others); ties go
 * to the lower part and units are ordered by name among equals, so every machine deals the same
 * parts from the same selection. Together the N parts hold every unit exactly once.
 *
 * <p>The expected time of a lesson is the sum over its rows of the time each row took in an earlier run
 * with the same preset (from the sidecars in {@code results/latest}) where known, else the preset's
 * estimate per row: forks x (warmup + measurement time + {@link #FORK_OVERHEAD_SECONDS}).
 */
public record Shard(int index, int count) {

    /** What a fork costs besides its iterations, in the estimate: JVM start, JMH setup, the lesson's own setup. */
    static final double FORK_OVERHEAD_SECONDS = 1.5;

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count);
        }
    }

    /** Parses {@code K/N}; a bad value is a usage error. */
    public static Shard parse(String text) throws UsageError {
        String[] parts = text.strip().split("/", -1);
        try {
            if (parts.length == 2) {
                int index = Integer.parseInt(parts[0]);
                int count = Integer.parseInt(parts[1]);
                if (count >= 1 && index >= 1 && index <= count) {
                    return new Shard(index, count);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageError("--shard wants K/N with 1 <= K <= N, e.g. --shard 2/4, not '" + text + "'");
    }

    /**
     * The units of this part, in the order given.
     *
     * @param units    every unit of the selection (benchmark and params), each once
     * @param seconds  the expected time of each unit
     */
    public <U> List<U> select(List<U> units, Map<U, Double> seconds, Comparator<U> order) {
        List<U> sorted = new ArrayList<>(units);
        sorted.sort(Comparator.<U>comparingDouble(u -> -seconds.getOrDefault(u, 0.0)).thenComparing(order));
        double[] totals = new double[count];
        List<U> mine = new ArrayList<>();
        for (U unit : sorted) {
            int lightest = 0;
            for (int part = 1; part < count; part++) {
                if (totals[part] < totals[lightest]) {
                    lightest = part;
                }
            }
            totals[lightest] += seconds.getOrDefault(unit, 0.0);
            if (lightest == index - 1) {
                mine.add(unit);
            }
        }
        List<U> inGivenOrder = new ArrayList<>(units);
        inGivenOrder.retainAll(mine);
        return inGivenOrder;
    }

    /** The preset's estimate of one unit's time, in seconds. */
    static double estimateSeconds(int forks, int warmupIterations, double warmupSeconds, int iterations,
                                  double iterationSeconds) {
        return Math.max(1, forks) * (warmupIterations * warmupSeconds + iterations * iterationSeconds
                + FORK_OVERHEAD_SECONDS);
    }

    public String label() {
        return index + "/" + count;
    }
}
