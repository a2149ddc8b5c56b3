package perfmastery.report;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * Seeded two-level bootstrap over JMH raw data. Forks are the independent unit (each is a fresh JVM
 * with its own JIT decisions and heap layout); iterations inside a fork are not. One replicate
 * resamples the forks with replacement, then the iterations inside each chosen fork with replacement,
 * and takes the mean of the fork means; its deviation from the observed mean (on the log scale, for
 * positive metrics) is scaled by sqrt(F / (F - 1)) for F forks, since plain resampling shrinks the
 * variance by (F - 1) / F. The interval is the percentile interval of the replicates
 * (quantiles by Apache Commons Statistics, Hyndman-Fan type 8); the seed comes from the row's key,
 * so the same input always gives the same interval.
 */
final class Bootstrap {

    /** Replicates per interval. */
    static final int REPLICATES = 1000;
    /** Two-sided level of the comparison and claim intervals. */
    static final double LEVEL = 0.95;

    private static final Quantile QUANTILE = Quantile.withDefaults()
            .with(Quantile.EstimationMethod.HF8).withCopy(false);

    private Bootstrap() {
    }

    /**
     * An estimate with its interval.
     *
     * @param iterationsOnly true when a side has one fork: the interval then covers iteration-to-iteration
     *                       noise only, not fork-to-fork (JIT, layout) variation
     * @param approximate    true when there was no raw data and the interval comes from JMH's scoreError
     */
    record Estimate(double value, double low, double high, boolean iterationsOnly, boolean approximate) {
        boolean hasInterval() {
            return Double.isFinite(low) && Double.isFinite(high);
        }
    }

    /** Mean of the fork means (equal to JMH's score when every fork has the same number of iterations). */
    static double grandMean(double[][] forks) {
        double sum = 0;
        for (double[] fork : forks) {
            sum += mean(fork);
        }
        return sum / forks.length;
    }

    /** The ratio numerator / denominator of two metrics' means, with a 95 % interval. */
    static Estimate ratio(Metric numerator, Metric denominator, String seedKey) {
        if (numerator.hasRawData() && denominator.hasRawData()) {
            double[][] a = numerator.forks();
            double[][] b = denominator.forks();
            UniformRandomProvider rng = rng(seedKey);
            double meanA = grandMean(a);
            double meanB = grandMean(b);
            if (a.length == b.length && positive(a) && positive(b)) {
                // Same fork count on both sides, positive values: the rescaled ratio is
                // (meanA / meanB) * q^scale with q = (plainA / meanA) / (plainB / meanB), a monotone map of q,
                // so the quantiles of q are taken and mapped: the same interval without a log and an exp per replicate.
                double scale = a.length > 1 ? Math.sqrt(a.length / (a.length - 1.0)) : 1.0;
                double[] q = new double[REPLICATES];
                for (int r = 0; r < REPLICATES; r++) {
                    double plainA = plainResampledMean(a, rng) / meanA;
                    q[r] = plainA / (plainResampledMean(b, rng) / meanB);
                }
                double[] interval = interval(q);
                double point = meanA / meanB;
                return new Estimate(point, point * Math.pow(interval[0], scale), point * Math.pow(interval[1], scale),
                        a.length < 2 || b.length < 2, false);
            }
            double[] replicates = new double[REPLICATES];
            for (int r = 0; r < REPLICATES; r++) {
                replicates[r] = resampledMean(a, meanA, rng) / resampledMean(b, meanB, rng);
            }
            double[] interval = interval(replicates);
            return new Estimate(meanA / meanB, interval[0], interval[1],
                    a.length < 2 || b.length < 2, false);
        }
        // No raw data: JMH's score +- scoreError is a 99.9 % interval per side; their quotient bounds
        // are a conservative (wider than 95 %) approximate interval of the ratio.
        double n = numerator.score();
        double d = denominator.score();
        double en = numerator.scoreError();
        double ed = denominator.scoreError();
        double low = Double.NaN;
        double high = Double.NaN;
        if (Double.isFinite(en) && Double.isFinite(ed)) {
            low = (n - en) / (d + ed);
            high = d - ed > 0 ? (n + en) / (d - ed) : Double.POSITIVE_INFINITY;
        }
        return new Estimate(n / d, low, high, false, true);
    }

    /** The mean of one metric with a 95 % interval (for bound claims). */
    static Estimate mean(Metric metric, String seedKey) {
        if (metric.hasRawData()) {
            double[][] a = metric.forks();
            UniformRandomProvider rng = rng(seedKey);
            double observed = grandMean(a);
            double[] replicates = new double[REPLICATES];
            for (int r = 0; r < REPLICATES; r++) {
                replicates[r] = resampledMean(a, observed, rng);
            }
            double[] interval = interval(replicates);
            return new Estimate(observed, interval[0], interval[1], a.length < 2, false);
        }
        double e = metric.scoreError();
        return new Estimate(metric.score(), metric.score() - e, metric.score() + e, false, true);
    }

    /**
     * One replicate of the mean of fork means. Plain resampling of F forks shrinks the variance of their
     * mean by (F - 1) / F (by half at 2 forks), so the replicate's deviation from the observed mean is
     * scaled by sqrt(F / (F - 1)), the rescaled bootstrap.
     */
    private static double resampledMean(double[][] forks, double observed, UniformRandomProvider rng) {
        int f = forks.length;
        double scale = f > 1 ? Math.sqrt(f / (f - 1.0)) : 1.0;
        double plain = plainResampledMean(forks, rng);
        if (observed > 0 && plain > 0) {
            // On the log scale, so that a widened replicate of a positive metric stays positive.
            return observed * Math.exp(scale * Math.log(plain / observed));
        }
        return observed + scale * (plain - observed);
    }

    private static double plainResampledMean(double[][] forks, UniformRandomProvider rng) {
        int f = forks.length;
        double sum = 0;
        for (int i = 0; i < f; i++) {
            double[] fork = forks[rng.nextInt(f)];
            int n = fork.length;
            double forkSum = 0;
            for (int j = 0; j < n; j++) {
                forkSum += fork[rng.nextInt(n)];
            }
            sum += forkSum / n;
        }
        return sum / f;
    }

    private static boolean positive(double[][] forks) {
        for (double[] fork : forks) {
            for (double v : fork) {
                if (!(v > 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] interval(double[] replicates) {
        double tail = (1 - LEVEL) / 2;
        return QUANTILE.evaluate(replicates, tail, 1 - tail);
    }

    private static UniformRandomProvider rng(String seedKey) {
        // String.hashCode is specified, so the seed (and every interval) is the same on every JVM.
        return RandomSource.XO_RO_SHI_RO_128_PP.create(0x9E3779B97F4A7C15L ^ seedKey.hashCode());
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
