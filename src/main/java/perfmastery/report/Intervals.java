package perfmastery.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.statistics.distribution.FDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The 95 % intervals of the run comparisons and the claims: Student t intervals over fork means, with the
 * fork-to-fork variance pooled across the rows of one run and lesson that share it.
 *
 * <p><b>Rounds are the unit.</b> Each fork is a fresh JVM with its own JIT decisions and memory layout; the
 * iterations inside one fork share them, so they are not independent samples. Forks run back to back in one round
 * share that round's machine state too, so {@link RoundUnits} first joins them into one observation per round; below,
 * "fork" means that observation (a round), or a fork where the JSON has no round record. A row's metric is reduced to
 * its fork means (the mean of each fork's measured iterations), and the row's figure is the mean of its fork
 * means (JMH's score when every fork has the same number of iterations).
 *
 * <p><b>Scale.</b> A row whose values are all above 0 is handled on the log scale: its spread is the
 * variance of the logarithms of its fork means, a relative spread that means the same for a 10 ns row and a
 * 10 ms row. A row with a zero or negative value (0 B/op, a count that is sometimes 0) stays on the linear
 * scale; for pooling, its spread is made relative by dividing its variance by its squared mean (the delta
 * method), and a row whose values are all equal has a spread of exactly 0.
 *
 * <p><b>Pooling.</b> The rows of one lesson (same class, mode and metric) in one run ran on the same JVM
 * build, flags and machine, so the relative fork-to-fork scatter of their time (the score, its percentiles)
 * is usually alike. Two or three forks per row give a very poor variance on their own (1 or 2 degrees of freedom); the
 * pooled variance {@code s² = Σ (F_i − 1) s_i² / Σ (F_i − 1)} over the lesson's rows has
 * {@code df = Σ (F_i − 1)}. A row whose own variance exceeds the pooled one keeps its own, with its own
 * {@code F_i − 1} df (the df of the estimate actually used; two such rows in a ratio combine by Welch–Satterthwaite):
 * one noisy row is never made to look as steady as its neighbours, nor as well estimated as the pool.
 * Other metrics (B/op, a lesson's gauges) are not pooled: their rows differ in kind (a deterministic count
 * beside a noisy one), so each keeps its own spread with its own {@code F − 1} df.
 *
 * <p><b>Rows set apart.</b> Pooling assumes equal relative variance, and a lesson can break it: a microsecond thread
 * start beside a 50 ms child JVM (fork log SD 0.5 against 0.03 in the reference run). Such a row dominates the pool
 * and widens every neighbour's interval by its own scatter. So the assumption is tested per row, one-sided at 1 %:
 * the row's {@code s_i²} against the pool of the other rows still pooled, {@code s_i² / s_rest² ~ F(F_i − 1, df_rest)}
 * under equal variance. While some row is significant, the most significant one (all of them on an exact tie, so the
 * outcome does not depend on the rows' order) leaves the pool and the test runs again over the rest: one at a time,
 * because two noisy rows inflate each other's "rest" and could both pass a test made at once. A row set apart uses
 * its own variance with its own {@code F_i − 1} df, the honest df of the figure it now rests on (a t with 2 df is
 * wide: 4.30 against 2.1 or so for a pool); the rest pool as before. Only the larger side is tested: a row much
 * steadier than the pool stays in it, which only makes its interval conservative. The 1 % level keeps a row of an
 * equal-variance lesson in the pool with probability 99 % per test, so the method stays the pooled one where pooling
 * is right (in the simulation coverage drops by about a point, from a pool left a little low when a row noisy by
 * chance leaves, and the A/A rate stays under 4 %), and at 3 forks a row leaves only when its variance
 * is some 10x (F(2, 10) at 1 %: 7.6) above its neighbours'. The test needs a rest with df and a variance above 0:
 * a rest of rows whose percentile is the same in every iteration is quantised, not noiseless, and stays the pool.
 *
 * <p><b>Intervals.</b> Mean: {@code m · exp(± t(df) · s / √F)} on the log scale ({@code m ± t · s / √F} on the
 * linear scale). Ratio of two rows of the same run or of two runs: {@code log(m_a / m_b) ± t · √(s_a²/F_a + s_b²/F_b)},
 * with the Welch–Satterthwaite df when the two rows come from different pools; a linear-scale side enters with
 * its relative variance. A ratio with a side whose mean is 0 or below is bounded from the two sides' own
 * intervals at 97.5 % each (Bonferroni: together at least 95 %); a zero denominator gives an infinite ratio,
 * two zero sides no ratio at all.
 *
 * <p><b>No interval.</b> When no row of the pool has two forks the data hold no fork-to-fork variance, and an
 * interval over iterations alone would cover JIT and layout luck as if it were signal: there is no interval,
 * and every verdict built on it is "cannot tell". The same without rawData: JMH's scoreError treats the
 * iterations of all forks as independent samples.
 */
final class Intervals {

    /** Two-sided level of every interval. */
    static final double LEVEL = 0.95;

    /** The one-sided level at which a row's time variance is taken to exceed its lesson's pool (see {@link Partition}). */
    static final double SET_APART = 0.01;

    static final String ONE_FORK = "1 fork: no fork-to-fork variance (run 2+ forks)";
    static final String NO_RAW_DATA = "no rawData: JMH's scoreError treats iterations as independent, so there is no"
            + " honest interval (run without -Djmh.json.rawData=false)";
    static final String NO_HISTOGRAM = "no rawDataHistogram: a percentile needs per-iteration histograms for an"
            + " interval";
    static final String BOTH_ZERO = "both sides are 0: no ratio";
    static final String NO_SPREAD = "no row of this lesson has a usable fork-to-fork variance (varying values around a"
            + " mean of 0)";

    private Intervals() {
    }

    // ---------------------------------------------------------------- one row's metric

    /**
     * One row's metric reduced to its fork means.
     *
     * @param forks       per fork, per iteration values (forks without values left out)
     * @param forkMeans   each fork's mean
     * @param mean        the mean of the fork means
     * @param log         true when every value is above 0 (the log scale)
     * @param constant    true when every value is the same
     * @param ownVariance the sample variance of the fork means (of their logs on the log scale); NaN with 1 fork
     */
    record Sample(double[][] forks, double[] forkMeans, double mean, boolean log, boolean constant,
                  double ownVariance) {

        int forkCount() {
            return forkMeans.length;
        }

        /**
         * The spread that enters the pool: relative (log scale, or variance over squared mean), 0 for a
         * constant row, NaN when there is none (1 fork, or a varying row whose mean is 0).
         */
        double relativeVariance() {
            if (forkCount() < 2) {
                return Double.NaN;
            }
            if (constant) {
                return 0;
            }
            if (log) {
                return ownVariance;
            }
            return mean != 0 ? ownVariance / (mean * mean) : Double.NaN;
        }
    }

    /** The sample of per fork, per iteration values; null when there are none. */
    static Sample sample(double[][] values) {
        if (values == null) {
            return null;
        }
        List<double[]> kept = new ArrayList<>();
        for (double[] fork : values) {
            if (fork != null && fork.length > 0) {
                kept.add(fork);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        double[][] forks = kept.toArray(double[][]::new);
        boolean log = true;
        boolean constant = true;
        double first = forks[0][0];
        double[] means = new double[forks.length];
        for (int f = 0; f < forks.length; f++) {
            double sum = 0;
            for (double v : forks[f]) {
                log &= v > 0;
                constant &= v == first;
                sum += v;
            }
            means[f] = sum / forks[f].length;
        }
        double mean = mean(means);
        double variance = Double.NaN;
        if (means.length > 1) {
            double[] scaled = means.clone();
            if (log) {
                for (int f = 0; f < scaled.length; f++) {
                    scaled[f] = Math.log(scaled[f]);
                }
            }
            variance = constant ? 0 : variance(scaled);
        }
        return new Sample(forks, means, mean, log, constant, variance);
    }

    // ---------------------------------------------------------------- pooling

    /**
     * The relative fork-to-fork variance pooled over the rows of one run, lesson, mode and metric.
     *
     * @param variance the pooled relative variance; NaN when df is 0
     * @param df       {@code Σ (F_i − 1)} over the rows that have a spread
     * @param rows     how many rows entered the pool
     */
    record Pool(double variance, int df, int rows) {

        static Pool of(Collection<Sample> samples) {
            double weighted = 0;
            int df = 0;
            int rows = 0;
            for (Sample s : samples) {
                double v = s == null ? Double.NaN : s.relativeVariance();
                if (Double.isNaN(v)) {
                    continue;
                }
                int d = s.forkCount() - 1;
                weighted += d * v;
                df += d;
                rows++;
            }
            return new Pool(df == 0 ? Double.NaN : weighted / df, df, rows);
        }
    }

    /**
     * A lesson's time metric split by the equal-variance test: the pool of the rows that share a spread, and each
     * row set apart with its own.
     *
     * @param shared the pool of the rows that stay in it
     * @param apart  each row set apart (by index into the samples given), with its own variance and {@code F − 1} df
     */
    record Partition(Pool shared, Map<Integer, Pool> apart) {

        /**
         * Tests each row's relative variance against the pool of the other rows that are still pooled, one-sided:
         * {@code p = P(F(F_i − 1, df_rest) ≥ s_i² / s_rest²)}. While some row has {@code p < }{@value #SET_APART},
         * the rows with the smallest p leave the pool (all of them on an exact tie, so the result does not depend on
         * the rows' order) and the test is run again over the rest. It stops when no row is significant, when the
         * rest would have no df, or when the rest's variance is 0 (nothing to compare against: a percentile that is
         * the same in every iteration is a quantised figure, not a noiseless one, and keeps borrowing the pool).
         */
        static Partition of(List<Sample> samples) {
            List<Integer> in = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                if (s != null && !Double.isNaN(s.relativeVariance())) {
                    in.add(i);
                }
            }
            Map<Integer, Pool> apart = new HashMap<>();
            while (in.size() > 1) {
                double weighted = 0;
                int df = 0;
                for (int i : in) {
                    Sample s = samples.get(i);
                    weighted += (s.forkCount() - 1) * s.relativeVariance();
                    df += s.forkCount() - 1;
                }
                double smallest = SET_APART;
                List<Integer> out = new ArrayList<>();
                for (int i : in) {
                    Sample s = samples.get(i);
                    int d = s.forkCount() - 1;
                    int dfRest = df - d;
                    double restVariance = (weighted - d * s.relativeVariance()) / dfRest;
                    if (dfRest == 0 || !(restVariance > 0) || !(s.relativeVariance() > restVariance)) {
                        continue;
                    }
                    double p = FDistribution.of(d, dfRest).survivalProbability(s.relativeVariance() / restVariance);
                    if (p < smallest) {
                        smallest = p;
                        out.clear();
                    }
                    if (p == smallest) {
                        out.add(i);
                    }
                }
                if (out.isEmpty()) {
                    break;
                }
                for (int i : out) {
                    Sample s = samples.get(i);
                    apart.put(i, new Pool(s.relativeVariance(), s.forkCount() - 1, 1));
                    in.remove(Integer.valueOf(i));
                }
            }
            List<Sample> pooled = new ArrayList<>();
            for (int i : in) {
                pooled.add(samples.get(i));
            }
            return new Partition(Pool.of(pooled), apart);
        }
    }

    /**
     * The pools of one set of rows (a run, or one lesson's rows of a run), built on first use and kept. Thread-safe:
     * run comparisons ask for pools from parallel streams.
     */
    static final class Pools {
        private final Map<String, List<Row>> lessons = new HashMap<>();
        private final Map<String, Pool> cache = new ConcurrentHashMap<>();
        private final Map<String, Map<String, Integer>> indexes = new HashMap<>();
        private final Map<String, Partition> partitions = new ConcurrentHashMap<>();

        Pools(List<Row> rows) {
            for (Row row : rows) {
                List<Row> lesson = lessons.computeIfAbsent(lesson(row), k -> new ArrayList<>());
                indexes.computeIfAbsent(lesson(row), k -> new HashMap<>()).putIfAbsent(row.key(), lesson.size());
                lesson.add(row);
            }
        }

        private static String lesson(Row row) {
            return row.className() + "|" + row.mode();
        }

        /**
         * The pool of {@code row}'s class and mode for a metric. The score and its percentiles ("primary", "p99")
         * are pooled over the lesson's rows: their relative fork-to-fork spread comes from the same JIT, layout
         * and machine for every variant; a row whose spread is significantly larger than the other rows' (see
         * {@link Partition}) gets a pool of its own, its own variance with its own F - 1 df. Any other metric (B/op,
         * a lesson's gauge) is not pooled: it keeps the row's own spread with its own F - 1 degrees of freedom,
         * because such figures are often deterministic (a bound held in every iteration, the bytes of one array) and
         * must not borrow a neighbour's noise; the reference run showed a peak of exactly 257 in every iteration read
         * as 256.94 to 257.06 when pooled. The same row always gets the same Pool object, and the rows that share a
         * pool share one object (ratios and geometric means tell pools apart by identity).
         */
        Pool of(Row row, String metric) {
            String lesson = lesson(row);
            if (!Metric.PRIMARY.equals(metric) && percentOf(metric) == null) {
                return cache.computeIfAbsent(lesson + "|" + metric + "|" + row.key(), k -> {
                    Data d = data(row, metric);
                    Sample s = d == null ? null : sample(d.forks());
                    return s == null ? Pool.of(List.of()) : Pool.of(List.of(s));
                });
            }
            List<Row> rows = lessons.getOrDefault(lesson, List.of(row));
            Partition partition = lessons.containsKey(lesson)
                    ? partitions.computeIfAbsent(lesson + "|" + metric, k -> partition(rows, metric))
                    : partitions.computeIfAbsent(lesson + "|" + metric + "|" + row.key(), k -> partition(rows, metric));
            Integer index = indexes.getOrDefault(lesson, Map.of()).get(row.key());
            Pool own = index == null ? null : partition.apart().get(index);
            return own != null ? own : partition.shared();
        }

        private static Partition partition(List<Row> rows, String metric) {
            List<Sample> samples = new ArrayList<>();
            for (Row r : rows) {
                Data d = data(r, metric);
                samples.add(d == null ? null : sample(d.forks()));
            }
            return Partition.of(samples);
        }
    }

    // ---------------------------------------------------------------- what a row holds for a metric

    /**
     * A row's figure for a metric as the JSON has it.
     *
     * @param score     JMH's figure: its score, or its percentile over every sample of the run
     * @param forks     per fork, per iteration values; null when the JSON has none
     * @param unit      the metric's unit
     * @param noRawData why there are no per-iteration values (when {@code forks} is null)
     */
    record Data(double score, double[][] forks, String unit, String noRawData) {
    }

    /**
     * The values of {@code metric} in {@code row}: "primary", a secondary metric's name, or a percentile
     * {@code pNN} (sample mode: each iteration's percentile from its histogram). Null when the row lacks the metric.
     */
    static Data data(Row row, String metric) {
        Double percent = percentOf(metric);
        if (percent != null) {
            if (!"sample".equals(row.mode())) {
                return null;
            }
            Metric m = row.primary();
            double[][] perIteration = m.iterationPercentiles(percent);
            return new Data(m.percentile(percent), perIteration, m.unit(), NO_HISTOGRAM);
        }
        Metric m = row.metric(metric);
        if (m == null) {
            return null;
        }
        return new Data(m.score(), m.hasRawData() ? m.forks() : null, m.unit(), NO_RAW_DATA);
    }

    /** The values of one metric as they are (its score, and its rawData when the JSON has it). */
    static Data data(Metric m) {
        return new Data(m.score(), m.hasRawData() ? m.forks() : null, m.unit(), NO_RAW_DATA);
    }

    /** The percent of a metric named {@code p50}, {@code p99}, {@code p99.9}; null for other names. */
    static Double percentOf(String metric) {
        if (metric.length() < 2 || metric.charAt(0) != 'p' || !Character.isDigit(metric.charAt(1))) {
            return null;
        }
        try {
            double p = Double.parseDouble(metric.substring(1));
            return p > 0 && p <= 100 ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The mean of a row's metric per iteration (from rawData; JMH's score without it), for tables. */
    static double meanPerIteration(Metric metric) {
        Sample s = metric.hasRawData() ? sample(metric.forks()) : null;
        return s == null ? metric.score() : s.mean();
    }

    // ---------------------------------------------------------------- intervals

    /** The mean of a row's metric with its 95 % interval (or none, and why). */
    static Estimate mean(Data data, Pool pool) {
        return mean(data, pool, LEVEL);
    }

    /** As {@link #mean(Data, Pool)} at a two-sided {@code level} (a repeated interval's). */
    static Estimate mean(Data data, Pool pool, double level) {
        Sample s = sample(data.forks());
        if (s == null) {
            return Estimate.point(data.score(), data.noRawData());
        }
        return mean(s, pool, level);
    }

    static Estimate mean(Sample s, Pool pool, double level) {
        if (pool.df() == 0) {
            return Estimate.point(s.mean(), s.forkCount() < 2 ? ONE_FORK : NO_SPREAD);
        }
        Spread spread = spread(s, pool);
        double t = t(spread.df(), level);
        int f = s.forkCount();
        if (s.log()) {
            double half = t * Math.sqrt(spread.variance() / f);
            return new Estimate(s.mean(), s.mean() * Math.exp(-half), s.mean() * Math.exp(half), "");
        }
        double half = t * Math.sqrt(spread.variance() * s.mean() * s.mean() / f);
        if (s.mean() == 0 && !s.constant() && s.forkCount() >= 2) {
            // A varying row around 0 has no relative spread: its own, absolute, with its own df.
            half = t(s.forkCount() - 1, level) * Math.sqrt(own(s) / f);
        }
        return new Estimate(s.mean(), s.mean() - half, s.mean() + half, "");
    }

    /** The ratio numerator / denominator of two rows' metrics with its 95 % interval (or none, and why). */
    static Estimate ratio(Data numerator, Pool numeratorPool, Data denominator, Pool denominatorPool) {
        return ratio(numerator, numeratorPool, denominator, denominatorPool, LEVEL);
    }

    /** As {@link #ratio(Data, Pool, Data, Pool)} at a two-sided {@code level} (a repeated interval's). */
    static Estimate ratio(Data numerator, Pool numeratorPool, Data denominator, Pool denominatorPool, double level) {
        Sample a = sample(numerator.forks());
        Sample b = sample(denominator.forks());
        double pointA = a == null ? numerator.score() : a.mean();
        double pointB = b == null ? denominator.score() : b.mean();
        double point = pointA / pointB;
        if (a == null || b == null) {
            return Estimate.point(point, a == null ? numerator.noRawData() : denominator.noRawData());
        }
        if (numeratorPool.df() == 0 || denominatorPool.df() == 0) {
            return Estimate.point(point, a.forkCount() < 2 || b.forkCount() < 2 ? ONE_FORK : NO_SPREAD);
        }
        if (pointA == 0 && pointB == 0) {
            return Estimate.point(Double.NaN, BOTH_ZERO);
        }
        return ratio(a, numeratorPool, b, denominatorPool, level);
    }

    /** The ratio of two samples' means at a two-sided {@code level}; both samples have 2+ forks' pools. */
    static Estimate ratio(Sample a, Pool numeratorPool, Sample b, Pool denominatorPool, double level) {
        double pointA = a.mean();
        double pointB = b.mean();
        double point = pointA / pointB;
        if (pointA > 0 && pointB > 0) {
            Spread sa = spread(a, numeratorPool);
            Spread sb = spread(b, denominatorPool);
            double va = sa.variance() / a.forkCount();
            double vb = sb.variance() / b.forkCount();
            // One pool's variance on both sides: its df; anything else is a sum of two estimates (Welch–Satterthwaite).
            double df = numeratorPool == denominatorPool && sa.pooled() && sb.pooled() ? numeratorPool.df()
                    : welchSatterthwaite(va, sa.df(), vb, sb.df());
            double half = va + vb == 0 ? 0 : t(df, level) * Math.sqrt(va + vb);
            return new Estimate(point, point * Math.exp(-half), point * Math.exp(half), "");
        }
        return boundedByBothSides(a, numeratorPool, b, denominatorPool, point, level);
    }

    /** A side at or below 0: the ratio's range over the two sides' own intervals (each at half the error). */
    private static Estimate boundedByBothSides(Sample a, Pool pa, Sample b, Pool pb, double point, double level) {
        double sideLevel = 1 - (1 - level) / 2;
        Estimate ea = mean(a, pa, sideLevel);
        Estimate eb = mean(b, pb, sideLevel);
        double aLow = ea.low();
        double aHigh = ea.high();
        double bLow = eb.low();
        double bHigh = eb.high();
        if (bLow > 0 || bHigh < 0) {
            double[] corners = {aLow / bLow, aLow / bHigh, aHigh / bLow, aHigh / bHigh};
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (double c : corners) {
                low = Math.min(low, c);
                high = Math.max(high, c);
            }
            return new Estimate(point, low, high, "");
        }
        if (aLow >= 0 && bLow >= 0) {
            // A denominator whose interval reaches 0 from above: the ratio is unbounded above.
            double low = bHigh > 0 ? aLow / bHigh : aLow > 0 ? Double.POSITIVE_INFINITY : 0;
            double high = aHigh > 0 ? Double.POSITIVE_INFINITY : 0;
            return new Estimate(point, low, high, bHigh == 0 ? "the denominator is 0" : "");
        }
        return Estimate.point(point, "a side's interval spans 0: the ratio is unbounded");
    }

    /**
     * The spread a row's interval rests on, with the df of that estimate: the pool's variance with the pool's df,
     * or the row's own relative variance with its own {@code F − 1} df when that is larger. A noisy row the set-apart
     * test missed must not borrow the pool's df for its own, larger variance: with 3 rounds its own rests on 2 df
     * (t = 4.30), not the pool's 10 or 20 (t ≈ 2.1).
     *
     * @param pooled true when the pool's variance (and df) is the one used
     */
    record Spread(double variance, double df, boolean pooled) {
    }

    static Spread spread(Sample s, Pool pool) {
        double own = ownRelative(s);
        if (own > pool.variance() && s.forkCount() >= 2) {
            return new Spread(own, s.forkCount() - 1, false);
        }
        return new Spread(pool.variance(), pool.df(), true);
    }

    /** A row's relative variance for a ratio: its own when larger than the pool's (see {@link #spread}). */
    static double relative(Sample s, Pool pool) {
        return spread(s, pool).variance();
    }

    private static double ownRelative(Sample s) {
        if (s.forkCount() < 2 || s.constant()) {
            return 0;
        }
        if (s.log()) {
            return own(s);
        }
        return s.mean() == 0 ? 0 : s.ownVariance() / (s.mean() * s.mean());
    }

    private static double own(Sample s) {
        return Double.isNaN(s.ownVariance()) ? 0 : s.ownVariance();
    }

    /** Welch–Satterthwaite degrees of freedom of a sum of two variance terms with their own df. */
    static double welchSatterthwaite(double va, double dfA, double vb, double dfB) {
        double sum = va + vb;
        if (sum == 0) {
            return Math.min(dfA, dfB);
        }
        double denominator = va * va / dfA + vb * vb / dfB;
        return sum * sum / denominator;
    }

    /** The two-sided Student t quantile for {@code level} at {@code df} degrees of freedom. */
    static double t(double df, double level) {
        return TDistribution.of(df).inverseSurvivalProbability((1 - level) / 2);
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    static double variance(double[] values) {
        double m = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - m) * (v - m);
        }
        return sum / (values.length - 1);
    }
}
