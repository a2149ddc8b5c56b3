package perfmastery.report;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;

/**
 * One metric of one JMH result row: the primary score or a secondary metric.
 *
 * @param name        "primary" or the secondary metric's JSON name
 * @param score       JMH's score (the mean over all iterations of all forks)
 * @param scoreError  JMH's 99.9 % confidence half-width (NaN when JMH had fewer than 3 samples)
 * @param unit        the unit as JMH writes it
 * @param forks       per fork, per measurement iteration, the iteration's value (from rawData, or the
 *                    mean of rawDataHistogram in sample mode); null when the JSON has no raw data
 * @param percentiles JMH's scorePercentiles, keyed by percent (50.0, 99.0, ...); may be empty
 * @param histogram   sample mode only: every fork's histogram merged, value to count; null otherwise
 * @param iterationHistograms sample mode only: per fork, per measurement iteration, that iteration's
 *                    histogram (so that a percentile has one value per iteration, like a mean); null otherwise
 */
record Metric(String name, double score, double scoreError, String unit, double[][] forks,
              NavigableMap<Double, Double> percentiles, NavigableMap<Double, Long> histogram,
              Histogram[][] iterationHistograms) {

    static final String PRIMARY = "primary";

    /** A metric without per-iteration histograms (every mode but sample). */
    Metric(String name, double score, double scoreError, String unit, double[][] forks,
           NavigableMap<Double, Double> percentiles, NavigableMap<Double, Long> histogram) {
        this(name, score, scoreError, unit, forks, percentiles, histogram, null);
    }

    /** One iteration's histogram of sample times: distinct values ascending, each with its count. */
    record Histogram(double[] values, long[] counts, long total) {

        /** From JMH's [value, count] pairs in any order; pairs with a count below 1 are left out. */
        static Histogram of(List<double[]> pairs) {
            double[][] sorted = pairs.stream().filter(p -> p[1] >= 1).sorted(Comparator.comparingDouble(p -> p[0]))
                    .toArray(double[][]::new);
            double[] values = new double[sorted.length];
            long[] counts = new long[sorted.length];
            long total = 0;
            for (int i = 0; i < sorted.length; i++) {
                values[i] = sorted[i][0];
                counts[i] = (long) sorted[i][1];
                total += counts[i];
            }
            return new Histogram(values, counts, total);
        }

        /** The nearest-rank percentile (0-100] of this iteration's samples; NaN when it has none. */
        double percentile(double percent) {
            if (total == 0) {
                return Double.NaN;
            }
            long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * total));
            long seen = 0;
            for (int i = 0; i < values.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return values[i];
                }
            }
            return values[values.length - 1];
        }
    }

    /**
     * Per fork, per iteration, the given percentile of that iteration's samples (nearest rank), or null when the
     * JSON has no rawDataHistogram. Iterations without samples and forks without iterations are left out.
     */
    double[][] iterationPercentiles(double percent) {
        if (iterationHistograms == null) {
            return null;
        }
        return Arrays.stream(iterationHistograms)
                .map(fork -> Arrays.stream(fork).mapToDouble(h -> h.percentile(percent)).filter(Double::isFinite)
                        .toArray())
                .filter(fork -> fork.length > 0)
                .toArray(double[][]::new);
    }

    boolean hasRawData() {
        if (forks == null || forks.length == 0) {
            return false;
        }
        for (double[] fork : forks) {
            if (fork.length == 0) {
                return false;
            }
        }
        return true;
    }

    /** The given percentile (0-100]: JMH's own figure when the JSON has it, else nearest rank on the histogram. */
    double percentile(double percent) {
        Double jmh = percentiles.get(percent);
        if (jmh != null) {
            return jmh;
        }
        if (histogram == null || histogram.isEmpty()) {
            return Double.NaN;
        }
        long total = 0;
        for (long count : histogram.values()) {
            total += count;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * total));
        long seen = 0;
        for (var entry : histogram.entrySet()) {
            seen += entry.getValue();
            if (seen >= rank) {
                return entry.getKey();
            }
        }
        return histogram.lastKey();
    }
}
