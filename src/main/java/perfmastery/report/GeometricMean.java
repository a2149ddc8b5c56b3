package perfmastery.report;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The geometric mean of a set of run-comparison ratios (a lesson's rows, or all rows) with its 95 % interval.
 *
 * <p>Each row i gives r_i = log(ratio_i) (above 0: run b better). The summary is G = exp(mean r_i), and
 * {@code mean r = ±(mean_i ȳ_a,i − mean_i ȳ_b,i)}, where ȳ_a,i is the mean log fork mean of row i in run a. The
 * variance of each side's {@code mean_i ȳ_i} is estimated two ways, and the larger is used (per side):
 * <ul>
 * <li><b>Rows independent:</b> {@code Σ v_i / n²}, where {@code v_i} is row i's relative variance (its pool's, or its
 * own when larger, as for a single ratio) over its rounds; the df follow Welch–Satterthwaite over the variance
 * estimates ({@code df = (Σ_k C_k)² / Σ_k (C_k² / df_k)}, C_k the part estimate k contributes): every row of one
 * pool that uses the pool's variance rests on that one estimate (the pool's df), and a row that uses its own,
 * larger variance is an estimate of its own with its own {@code R − 1} df.</li>
 * <li><b>Fork groups as the unit:</b> the rows of a lesson run one after another, so the forks they ran at about the
 * same time share the machine's state then (in fork rounds, fork f of every row ran in round f) and their errors are
 * not independent: the first estimate, which divides by n², is then too small (in a real A/A pair of runs, 3 of 14
 * lesson means were flagged with it alone). So each row's forks are cut into G groups of consecutive forks, G the
 * least fork count of the rows (a row with 6 forks in 3 rounds gives 2 per group: its rounds), every row's count a
 * multiple of G; {@code u_g = mean_i} (row i's mean log fork mean in group g), and the variance of
 * {@code mean_g u_g} is {@code s_u² / G} with G − 1 df: it measures the rows' common scatter, correlation included.
 * Not made when the counts do not divide, when G &lt; 2, or when a row is on the linear scale (a value ≤ 0).</li>
 * </ul>
 * The two sides are then joined Welch–Satterthwaite: {@code exp(mean r ± t(df) · √(V_a + V_b))}.
 *
 * <p>This is the interval of the mean over these rows (how well the runs measured them), not of a population of
 * possible rows. With a row that has no interval (1 fork, no rawData), the mean has none either.
 */
final class GeometricMean {

    /**
     * @param estimate        the geometric mean with its 95 % interval (or none, and why); null when no row has a
     *                        ratio
     * @param rows            how many rows entered it
     */
    record Result(Estimate estimate, int rows) {
    }

    private GeometricMean() {
    }

    /** Over the primary lines given (lines without a finite positive ratio are left out). */
    static Result of(List<RunComparison.Line> lines, Intervals.Pools poolsA, Intervals.Pools poolsB) {
        double logSum = 0;
        int n = 0;
        Map<Object, double[]> contributionsA = new IdentityHashMap<>();
        Map<Object, double[]> contributionsB = new IdentityHashMap<>();
        List<Intervals.Sample> samplesA = new ArrayList<>();
        List<Intervals.Sample> samplesB = new ArrayList<>();
        String noInterval = null;
        for (RunComparison.Line line : lines) {
            Estimate ratio = line.ratio();
            if (ratio == null || !Metric.PRIMARY.equals(line.metric()) || !Double.isFinite(ratio.value())
                    || ratio.value() <= 0) {
                continue;
            }
            logSum += Math.log(ratio.value());
            n++;
            if (noInterval != null) {
                continue;
            }
            if (!ratio.hasInterval()) {
                noInterval = ratio.note().isEmpty() ? "a row has no interval" : ratio.note();
                continue;
            }
            Intervals.Sample a = Intervals.sample(Intervals.data(line.a(), Metric.PRIMARY).forks());
            Intervals.Sample b = Intervals.sample(Intervals.data(line.b(), Metric.PRIMARY).forks());
            if (a == null || b == null) {
                noInterval = Intervals.NO_RAW_DATA;
                continue;
            }
            samplesA.add(a);
            samplesB.add(b);
            Intervals.Pool pa = poolsA.of(line.a(), Metric.PRIMARY);
            Intervals.Pool pb = poolsB.of(line.b(), Metric.PRIMARY);
            add(contributionsA, a, pa);
            add(contributionsB, b, pb);
        }
        if (n == 0) {
            return new Result(null, 0);
        }
        double mean = logSum / n;
        double point = Math.exp(mean);
        if (noInterval != null) {
            return new Result(Estimate.point(point, noInterval), n);
        }
        double[] sideA = larger(independent(contributionsA, n), grouped(samplesA));
        double[] sideB = larger(independent(contributionsB, n), grouped(samplesB));
        double sum = sideA[0] + sideB[0];
        if (sum == 0) {
            return new Result(new Estimate(point, point, point, ""), n);
        }
        double denominator = (sideA[0] == 0 ? 0 : sideA[0] * sideA[0] / sideA[1])
                + (sideB[0] == 0 ? 0 : sideB[0] * sideB[0] / sideB[1]);
        double df = sum * sum / denominator;
        double half = Intervals.t(df, Intervals.LEVEL) * Math.sqrt(sum);
        return new Result(new Estimate(point, Math.exp(mean - half), Math.exp(mean + half), ""), n);
    }

    /**
     * A row's part of its side's variance: under its pool (which rows sharing the pool's variance share, with the
     * pool's df), or on its own with its own {@code F − 1} df when its own variance is the larger (then it is an
     * estimate of its own: a key of its own).
     */
    private static void add(Map<Object, double[]> contributions, Intervals.Sample s, Intervals.Pool pool) {
        Intervals.Spread spread = Intervals.spread(s, pool);
        Object key = spread.pooled() ? pool : new Object();
        contributions.computeIfAbsent(key, k -> new double[] {0, spread.df()})[0] += spread.variance() / s.forkCount();
    }

    /** One side's variance of its mean over rows independent: {variance, Welch–Satterthwaite df over the estimates}. */
    static double[] independent(Map<Object, double[]> contributions, int n) {
        double sum = 0;
        double denominator = 0;
        for (double[] c : contributions.values()) {
            double part = c[0] / ((double) n * n);
            sum += part;
            denominator += part * part / c[1];
        }
        return new double[] {sum, denominator == 0 ? Double.POSITIVE_INFINITY : sum * sum / denominator};
    }

    /**
     * One side's variance of its mean with fork groups as the unit (see the class comment): {variance, G − 1}, or
     * null when it cannot be made.
     */
    static double[] grouped(List<Intervals.Sample> samples) {
        if (samples.isEmpty()) {
            return null;
        }
        int groups = Integer.MAX_VALUE;
        for (Intervals.Sample s : samples) {
            if (!s.log()) {
                return null;
            }
            groups = Math.min(groups, s.forkCount());
        }
        if (groups < 2) {
            return null;
        }
        double[] u = new double[groups];
        for (Intervals.Sample s : samples) {
            int forks = s.forkCount();
            if (forks % groups != 0) {
                return null;
            }
            int per = forks / groups;
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                for (int f = g * per; f < (g + 1) * per; f++) {
                    sum += Math.log(s.forkMeans()[f]);
                }
                u[g] += sum / per / samples.size();
            }
        }
        return new double[] {Intervals.variance(u) / groups, groups - 1};
    }

    private static double[] larger(double[] independent, double[] grouped) {
        return grouped != null && grouped[0] > independent[0] ? grouped : independent;
    }
}
