package perfmastery.report;

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
 */
record Metric(String name, double score, double scoreError, String unit, double[][] forks,
              NavigableMap<Double, Double> percentiles, NavigableMap<Double, Long> histogram) {

    static final String PRIMARY = "primary";

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
