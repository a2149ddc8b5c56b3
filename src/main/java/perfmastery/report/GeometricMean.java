package perfmastery.report;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The geometric mean of a set of run-comparison ratios (a lesson's rows, or all rows) with its 95 % interval.
 *
 * <p>Each row i gives r_i = log(ratio_i) (above 0: run b better). The summary is G = exp(mean r_i). Rows ran in
 * forks of their own, so their errors are independent, and the variance of the mean is
 * {@code Var = Σ (va_i + vb_i) / n²}, where {@code va_i} is row i's relative variance in run a (its pool's, or its
 * own when larger, as for a single ratio) divided by its forks, and likewise {@code vb_i}. Every {@code va_i}
 * of one lesson comes from the same estimated pool variance, so the degrees of freedom follow
 * Welch–Satterthwaite over the pools, not over the rows: {@code df = (Σ_k C_k)² / Σ_k (C_k² / df_k)}, where
 * {@code C_k} is the part of Var that pool k contributes and {@code df_k} its degrees of freedom. The interval is
 * {@code exp(mean r ± t(df) · √Var)}.
 *
 * <p>This is the interval of the mean over these rows (how well the run measured them), not of a population of
 * possible rows; rows that differ among themselves do not widen it. With a row that has no interval (1 fork, no
 * rawData), the mean has none either.
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
        Map<Intervals.Pool, double[]> contributions = new IdentityHashMap<>();
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
            Intervals.Pool pa = poolsA.of(line.a(), Metric.PRIMARY);
            Intervals.Pool pb = poolsB.of(line.b(), Metric.PRIMARY);
            contributions.computeIfAbsent(pa, k -> new double[] {0, k.df()})[0]
                    += Intervals.relative(a, pa) / a.forkCount();
            contributions.computeIfAbsent(pb, k -> new double[] {0, k.df()})[0]
                    += Intervals.relative(b, pb) / b.forkCount();
        }
        if (n == 0) {
            return new Result(null, 0);
        }
        double mean = logSum / n;
        double point = Math.exp(mean);
        if (noInterval != null) {
            return new Result(Estimate.point(point, noInterval), n);
        }
        double sum = 0;
        double denominator = 0;
        for (double[] c : contributions.values()) {
            double part = c[0] / ((double) n * n);
            sum += part;
            denominator += part * part / c[1];
        }
        if (sum == 0) {
            return new Result(new Estimate(point, point, point, ""), n);
        }
        double df = sum * sum / denominator;
        double half = Intervals.t(df, Intervals.LEVEL) * Math.sqrt(sum);
        return new Result(new Estimate(point, Math.exp(mean - half), Math.exp(mean + half), ""), n);
    }
}
