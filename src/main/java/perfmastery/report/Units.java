package perfmastery.report;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * JMH's score units and the conversions between them. JMH writes a time per operation as
 * {@code <t>/op} (avgt, sample, ss) and a throughput as {@code ops/<t>} (thrpt), where {@code <t>} is
 * one of ns, us, ms, s, min, hr, day (its TimeUnit abbreviations). Two time units convert into each other,
 * as do two throughput units; nothing else does: ns/op against ops/s is a different mode, and B/op, #,
 * MB/sec or a suite's own unit only ever equal themselves.
 */
final class Units {

    /** Seconds in each time abbreviation JMH writes (and the micro sign some tools write instead of "us"). */
    private static final Map<String, Double> SECONDS = Map.of(
            "ns", 1e-9, "us", 1e-6, "\u00b5s", 1e-6, "\u03bcs", 1e-6, "ms", 1e-3, "s", 1.0,
            "min", 60.0, "hr", 3600.0, "day", 86400.0);

    private Units() {
    }

    /**
     * The factor f such that a value in {@code from} times f is the same quantity in {@code to}; 1 when the
     * units are equal, NaN when they do not convert.
     */
    static double factor(String from, String to) {
        if (from.equals(to)) {
            return 1;
        }
        Double fromTime = perOp(from);
        Double toTime = perOp(to);
        if (fromTime != null && toTime != null) {
            // v ns/op is v * 1e-9 s/op, which is v * 1e-9 / 1e-6 us/op.
            return fromTime / toTime;
        }
        Double fromRate = opsPer(from);
        Double toRate = opsPer(to);
        if (fromRate != null && toRate != null) {
            // v ops/ms is v / 1e-3 ops/s, which is v / 1e-3 * 60 ops/min.
            return toRate / fromRate;
        }
        return Double.NaN;
    }

    static boolean convertible(String from, String to) {
        return !Double.isNaN(factor(from, to));
    }

    /** The metric expressed in {@code unit}: the same object when it already is, null when it cannot be. */
    static Metric convert(Metric metric, String unit) {
        double f = factor(metric.unit(), unit);
        if (Double.isNaN(f)) {
            return null;
        }
        if (f == 1) {
            return metric;
        }
        double[][] forks = null;
        if (metric.forks() != null) {
            forks = new double[metric.forks().length][];
            for (int i = 0; i < forks.length; i++) {
                double[] fork = metric.forks()[i].clone();
                for (int j = 0; j < fork.length; j++) {
                    fork[j] *= f;
                }
                forks[i] = fork;
            }
        }
        NavigableMap<Double, Double> percentiles = new TreeMap<>();
        metric.percentiles().forEach((p, v) -> percentiles.put(p, v * f));
        NavigableMap<Double, Long> histogram = null;
        if (metric.histogram() != null) {
            histogram = new TreeMap<>();
            for (var e : metric.histogram().entrySet()) {
                histogram.merge(e.getKey() * f, e.getValue(), Long::sum);
            }
        }
        return new Metric(metric.name(), metric.score() * f, metric.scoreError() * f, unit, forks,
                java.util.Collections.unmodifiableNavigableMap(percentiles),
                histogram == null ? null : java.util.Collections.unmodifiableNavigableMap(histogram));
    }

    /**
     * The unit text of a compared pair, for tables and comparison.csv: "ns/op" when both sides agree,
     * "ns/op (b: us/op, converted)" when b was converted to a's unit, "ns/op vs ops/s (do not convert)" else.
     */
    static String pairText(String unitA, String unitB) {
        if (unitA.equals(unitB)) {
            return unitA;
        }
        return convertible(unitB, unitA) ? unitA + " (b: " + unitB + ", converted)"
                : unitA + " vs " + unitB + " (do not convert)";
    }

    /** Seconds per time unit of {@code <t>/op}, or null. */
    private static Double perOp(String unit) {
        return unit.endsWith("/op") ? SECONDS.get(unit.substring(0, unit.length() - 3)) : null;
    }

    /** Seconds per time unit of {@code ops/<t>}, or null. */
    private static Double opsPer(String unit) {
        return unit.startsWith("ops/") ? SECONDS.get(unit.substring(4)) : null;
    }
}
