package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The interval method on small inputs whose figures are worked out here by hand. */
class IntervalsTest {

    /** Student t quantiles t(0.975, df) from a printed table. */
    private static final double T1 = 12.706204736174698;
    private static final double T2 = 4.302652729749464;
    private static final double T10 = 2.228138851986274;

    private static final double EPS = 1e-9;

    /** One iteration per fork, the fork means being {@code exp(logs[f])}. */
    private static double[][] logForks(double... logs) {
        return Arrays.stream(logs).mapToObj(l -> new double[] {Math.exp(l)}).toArray(double[][]::new);
    }

    private static Intervals.Data data(double[][] forks) {
        return new Intervals.Data(Double.NaN, forks, "ns/op", Intervals.NO_RAW_DATA);
    }

    @Test
    void tQuantilesComeFromCommonsStatistics() {
        assertEquals(T2, Intervals.t(2, 0.95), 1e-9);
        assertEquals(T10, Intervals.t(10, 0.95), 1e-9);
    }

    @Test
    void samplesAreForkMeansOnTheRightScale() {
        Intervals.Sample positive = Intervals.sample(new double[][] {{1, 3}, {4, 4}});
        assertTrue(positive.log());
        assertFalse(positive.constant());
        assertEquals(3, positive.mean(), EPS);
        double half = (Math.log(4) - Math.log(2)) / 2;
        assertEquals(2 * half * half, positive.ownVariance(), EPS);

        Intervals.Sample withZero = Intervals.sample(new double[][] {{0, 2}, {2, 2}});
        assertFalse(withZero.log());
        assertEquals(1.5, withZero.mean(), EPS);
        assertEquals(0.5, withZero.ownVariance(), EPS);
        assertEquals(0.5 / 2.25, withZero.relativeVariance(), EPS, "delta method: variance over squared mean");

        Intervals.Sample zeros = Intervals.sample(new double[3][4]);
        assertTrue(zeros.constant());
        assertEquals(0, zeros.relativeVariance());

        assertEquals(1, Intervals.sample(new double[][] {{5, 6}, {}}).forkCount(), "an empty fork is left out");
        assertNull(Intervals.sample(new double[][] {{}}));
        assertNull(Intervals.sample(null));
    }

    @Test
    void poolingWeighsRowsByTheirDegreesOfFreedomAndSkipsSingleForks() {
        Intervals.Sample a = Intervals.sample(logForks(0, 0.1));          // variance 0.005, df 1
        Intervals.Sample b = Intervals.sample(logForks(1, 1.3));          // variance 0.045, df 1
        Intervals.Sample c = Intervals.sample(logForks(2, 2.1, 2.2));     // variance 0.01, df 2
        Intervals.Sample single = Intervals.sample(logForks(5));
        Intervals.Pool pool = Intervals.Pool.of(List.of(a, b, c, single));
        assertEquals(4, pool.df());
        assertEquals(3, pool.rows());
        assertEquals((0.005 + 0.045 + 2 * 0.01) / 4, pool.variance(), EPS);

        Intervals.Pool none = Intervals.Pool.of(List.of(single, Intervals.sample(logForks(3))));
        assertEquals(0, none.df());
    }

    @Test
    void aMeanUsesThePooledVarianceUnlessItsOwnIsLarger() {
        double[][] quiet = logForks(0, 0.1);
        double[][] noisy = logForks(1, 1.3);
        Intervals.Pool pool = Intervals.Pool.of(List.of(Intervals.sample(quiet), Intervals.sample(noisy)));
        assertEquals(0.025, pool.variance(), EPS);

        Estimate q = Intervals.mean(data(quiet), pool);
        double mq = (1 + Math.exp(0.1)) / 2;
        double hq = T2 * Math.sqrt(0.025 / 2);
        assertEquals(mq, q.value(), EPS);
        assertEquals(mq * Math.exp(-hq), q.low(), 1e-9);
        assertEquals(mq * Math.exp(hq), q.high(), 1e-9);
        assertEquals("", q.note());

        Estimate n = Intervals.mean(data(noisy), pool);
        double mn = (Math.E + Math.exp(1.3)) / 2;
        double hn = T1 * Math.sqrt(0.045 / 2);
        assertEquals(mn * Math.exp(-hn), n.low(), 1e-9, "the noisy row keeps its own, larger variance, with its own df");
        assertEquals(mn * Math.exp(hn), n.high(), 1e-9);
    }

    /**
     * A row noisier than its pool that the set-apart test does not catch: its own variance is used, so its df is its
     * own rounds − 1 (t = 12.71 at 2 rounds, 4.30 at 3), never the pool's (t ≈ 2.2 at 10 df).
     */
    @Test
    void aRowUsingItsOwnVarianceGetsTheTOfItsOwnRounds() {
        assertEquals(T1, Intervals.t(1, 0.95), 1e-9);
        assertEquals(T2, Intervals.t(2, 0.95), 1e-9);
        for (int rounds : new int[] {2, 3}) {
            double[] noisyLogs = rounds == 2 ? new double[] {0, 0.3} : new double[] {0, 0.3, -0.1};
            double[][] noisy = logForks(noisyLogs);
            List<Intervals.Sample> samples = new java.util.ArrayList<>(List.of(Intervals.sample(noisy)));
            for (int r = 0; r < 5; r++) {
                samples.add(Intervals.sample(rounds == 2 ? logForks(0, 0.1) : logForks(0, 0.1, 0.05)));
            }
            Intervals.Pool pool = Intervals.Pool.of(samples);
            assertEquals(6 * (rounds - 1), pool.df());
            Intervals.Sample s = samples.get(0);
            assertTrue(s.ownVariance() > pool.variance());
            Estimate e = Intervals.mean(data(noisy), pool);
            double t = Math.log(e.high() / e.value()) / Math.sqrt(s.ownVariance() / rounds);
            assertEquals(rounds == 2 ? T1 : T2, t, 1e-9, rounds + " rounds");
        }
    }

    @Test
    void ratiosOfOnePoolUseItsDfAndOfTwoPoolsWelchSatterthwaite() {
        double[][] x = logForks(0, 0.1);
        double[][] y = logForks(1, 1.3);
        Intervals.Pool pool = Intervals.Pool.of(List.of(Intervals.sample(x), Intervals.sample(y)));
        Estimate same = Intervals.ratio(data(x), pool, data(y), pool);
        double point = ((1 + Math.exp(0.1)) / 2) / ((Math.E + Math.exp(1.3)) / 2);
        // x uses the pool (0.025, 2 df), y its own larger variance (0.045, 1 df): Welch–Satterthwaite, not the pool's df.
        double wsSame = Intervals.welchSatterthwaite(0.025 / 2, 2, 0.045 / 2, 1);
        assertTrue(wsSame >= 1 && wsSame < 3, "df " + wsSame);
        double half = Intervals.t(wsSame, 0.95) * Math.sqrt(0.025 / 2 + 0.045 / 2);
        assertEquals(point, same.value(), EPS);
        assertEquals(point * Math.exp(-half), same.low(), 1e-9);
        assertEquals(point * Math.exp(half), same.high(), 1e-9);

        double[][] z = logForks(0, 0.2, 0.1, 0.3, 0.2, 0.1, 0.0, 0.2, 0.1, 0.2, 0.1);
        Intervals.Pool other = Intervals.Pool.of(List.of(Intervals.sample(z)));
        assertEquals(10, other.df());
        Estimate across = Intervals.ratio(data(x), pool, data(z), other);
        double va = 0.025 / 2;
        double vb = other.variance() / 11;
        double df = (va + vb) * (va + vb) / (va * va / 2 + vb * vb / 10);
        assertEquals(df, Intervals.welchSatterthwaite(va, 2, vb, 10), EPS);
        double h = Intervals.t(df, 0.95) * Math.sqrt(va + vb);
        assertTrue(df > 2 && df < 12, "between the smaller df and the sum: " + df);
        assertEquals(across.value() * Math.exp(h), across.high(), 1e-9);
    }

    @Test
    void oneForkOrNoRawDataGivesNoInterval() {
        double[][] one = logForks(1);
        Intervals.Pool pool = Intervals.Pool.of(List.of(Intervals.sample(one)));
        Estimate e = Intervals.mean(data(one), pool);
        assertFalse(e.hasInterval());
        assertEquals(Intervals.ONE_FORK, e.note());
        assertEquals(Math.E, e.value(), EPS);
        Estimate r = Intervals.ratio(data(one), pool, data(one), pool);
        assertFalse(r.hasInterval());
        assertEquals(1, r.value(), EPS);

        Intervals.Data noRaw = new Intervals.Data(42, null, "ns/op", Intervals.NO_RAW_DATA);
        Estimate n = Intervals.mean(noRaw, pool);
        assertEquals(42, n.value());
        assertEquals(Intervals.NO_RAW_DATA, n.note());
    }

    @Test
    void zeroSidesGiveZeroInfinityOrNoRatioNeverNaNIntervals() {
        double[][] zeros = new double[2][3];
        double[][] some = {{10, 11, 9}, {10, 12, 10}};
        Intervals.Pool pool = Intervals.Pool.of(List.of(Intervals.sample(zeros), Intervals.sample(some)));
        assertTrue(pool.df() > 0);

        Estimate zero = Intervals.mean(data(zeros), pool);
        assertEquals(0, zero.low());
        assertEquals(0, zero.high());

        Estimate nothingOverSome = Intervals.ratio(data(zeros), pool, data(some), pool);
        assertEquals(0, nothingOverSome.value());
        assertEquals(0, nothingOverSome.low());
        assertEquals(0, nothingOverSome.high());

        Estimate someOverNothing = Intervals.ratio(data(some), pool, data(zeros), pool);
        assertEquals(Double.POSITIVE_INFINITY, someOverNothing.value());
        assertEquals(Double.POSITIVE_INFINITY, someOverNothing.low());
        assertEquals(Double.POSITIVE_INFINITY, someOverNothing.high());

        Estimate both = Intervals.ratio(data(zeros), pool, data(zeros), pool);
        assertFalse(both.hasInterval());
        assertEquals(Intervals.BOTH_ZERO, both.note());
    }

    @Test
    void aLinearRowEntersARatioWithItsRelativeVariance() {
        double[][] withZero = {{0, 2}, {2, 2}};   // fork means 1 and 2
        double[][] positive = logForks(0, 0.1);
        Intervals.Pool pool = Intervals.Pool.of(List.of(Intervals.sample(withZero), Intervals.sample(positive)));
        assertEquals((0.5 / 2.25 + 0.005) / 2, pool.variance(), EPS);
        Estimate e = Intervals.ratio(data(withZero), pool, data(positive), pool);
        double va = Math.max(0.5 / 2.25, pool.variance()) / 2;
        double vb = pool.variance() / 2;
        // The linear row's own relative variance is the larger: its own 1 df, the other side the pool's 2.
        double half = Intervals.t(Intervals.welchSatterthwaite(va, 1, vb, 2), 0.95) * Math.sqrt(va + vb);
        assertEquals(e.value() * Math.exp(-half), e.low(), 1e-9);

        Estimate mean = Intervals.mean(data(withZero), pool);
        double h = T1 * Math.sqrt(0.5 / 2);
        assertEquals(1.5 - h, mean.low(), 1e-9, "a linear row's interval is symmetric, in its own unit");
        assertEquals(1.5 + h, mean.high(), 1e-9);
    }

    @Test
    void percentileNamesAndPerIterationPercentiles() {
        assertEquals(99.0, Intervals.percentOf("p99"));
        assertEquals(99.9, Intervals.percentOf("p99.9"));
        assertNull(Intervals.percentOf("primary"));
        assertNull(Intervals.percentOf("p0"));
        Metric.Histogram h = Metric.Histogram.of(List.of(new double[] {300, 1}, new double[] {100, 98},
                new double[] {200, 1}));
        assertEquals(100, h.percentile(50));
        assertEquals(100, h.percentile(98));
        assertEquals(200, h.percentile(99));
        assertEquals(300, h.percentile(99.9));
        assertEquals(300, h.percentile(100));
    }

    private static Row allocating(String method, double[][] bytesPerOp) {
        Metric primary = new Metric(Metric.PRIMARY, 1, 0, "ns/op", new double[][] {{1, 1}, {1, 1}},
                new java.util.TreeMap<>(), null);
        Metric alloc = new Metric(RunComparison.ALLOC, 1, 0, "B/op", bytesPerOp, new java.util.TreeMap<>(), null);
        return new Row("org.example.Lesson." + method, "avgt", 1, 2, 1, 2, new java.util.TreeMap<>(), primary,
                java.util.Map.of(RunComparison.ALLOC, alloc));
    }

    @Test
    void aRowWhoseVarianceIsSignificantlyLargerLeavesThePoolWithItsOwnDf() {
        // Five rows of 3 forks with log SD 0.03, one with 0.5 (the WorkerStartupBenchmark p50 shape): F = 278 on
        // (2, 10) df, p far below 1 %.
        List<Intervals.Sample> rows = new java.util.ArrayList<>();
        for (int r = 0; r < 5; r++) {
            rows.add(Intervals.sample(logForks(r - 0.03, r, r + 0.03)));
        }
        Intervals.Sample noisy = Intervals.sample(logForks(-0.5, 0, 0.5));
        rows.add(noisy);
        Intervals.Partition p = Intervals.Partition.of(rows);
        assertEquals(java.util.Set.of(5), p.apart().keySet());
        Intervals.Pool own = p.apart().get(5);
        assertEquals(0.25, own.variance(), EPS);
        assertEquals(2, own.df(), "its own F - 1 df");
        assertEquals(0.0009, p.shared().variance(), EPS);
        assertEquals(10, p.shared().df());

        // Its interval uses t(2) over its own variance; the others' t(10) over theirs.
        Estimate e = Intervals.mean(noisy, own, Intervals.LEVEL);
        assertEquals(Math.exp(T2 * Math.sqrt(0.25 / 3)), e.high() / e.value(), 1e-9);

        // The order of the rows does not matter: the same row is set apart wherever it stands.
        List<Intervals.Sample> reversed = new java.util.ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        Intervals.Partition q = Intervals.Partition.of(reversed);
        assertEquals(java.util.Set.of(0), q.apart().keySet());
        assertEquals(p.shared(), q.shared());
    }

    @Test
    void twoNoisyRowsDoNotMaskEachOtherAndEqualRowsStayPooled() {
        List<Intervals.Sample> rows = new java.util.ArrayList<>();
        for (int r = 0; r < 6; r++) {
            rows.add(Intervals.sample(logForks(-0.03, 0, 0.03)));
        }
        rows.add(Intervals.sample(logForks(-0.5, 0, 0.5)));
        rows.add(Intervals.sample(logForks(-0.4, 0, 0.4)));
        // At first each noisy row's "rest" holds the other; the noisier leaves first, then the second is tested
        // against the quiet rows alone, and leaves too.
        assertEquals(java.util.Set.of(6, 7), Intervals.Partition.of(rows).apart().keySet());

        // Rows that differ about as much as chance allows stay in one pool.
        List<Intervals.Sample> alike = List.of(Intervals.sample(logForks(-0.03, 0, 0.03)),
                Intervals.sample(logForks(-0.06, 0, 0.06)), Intervals.sample(logForks(-0.02, 0, 0.02)),
                Intervals.sample(logForks(-0.05, 0, 0.05)));
        assertTrue(Intervals.Partition.of(alike).apart().isEmpty());

        // A row much steadier than the rest stays in (its interval is only conservative).
        List<Intervals.Sample> steady = List.of(Intervals.sample(logForks(-0.3, 0, 0.3)),
                Intervals.sample(logForks(-0.25, 0, 0.25)), Intervals.sample(logForks(-0.001, 0, 0.001)));
        assertTrue(Intervals.Partition.of(steady).apart().isEmpty());
    }

    @Test
    void aRestWithoutVarianceOrDfSetsNothingApart() {
        // Quantised percentiles: every iteration the same. A varying neighbour is not "significantly" noisier
        // than 0; it stays, and the constant rows keep borrowing its spread.
        List<Intervals.Sample> quantised = List.of(Intervals.sample(new double[][] {{41, 41}, {41, 41}}),
                Intervals.sample(new double[][] {{41, 41}, {41, 41}}), Intervals.sample(logForks(3, 3.5)));
        Intervals.Partition p = Intervals.Partition.of(quantised);
        assertTrue(p.apart().isEmpty());
        assertTrue(p.shared().variance() > 0);
        // One row with forks: nothing to test it against.
        Intervals.Partition alone = Intervals.Partition.of(java.util.Arrays.asList(Intervals.sample(logForks(3)),
                Intervals.sample(logForks(1, 2)), null));
        assertTrue(alone.apart().isEmpty());
        assertEquals(1, alone.shared().df());
    }

    @Test
    void onlyTimeIsPooledOtherMetricsKeepTheirOwnSpread() {
        Row floor = allocating("reuse", new double[][] {{0.001, 0.002}, {0.02, 0.03}});
        Row churn = allocating("churn", new double[][] {{1000, 1000}, {1010, 1010}});
        Row copy = allocating("copy", new double[][] {{2000, 2000}, {2000, 2000}});
        Intervals.Pools pools = new Intervals.Pools(List.of(floor, churn, copy));
        Intervals.Pool pool = pools.of(churn, RunComparison.ALLOC);
        assertEquals(1, pool.df(), "churn's own spread, F - 1 = 1 df");
        assertEquals(Math.pow(Math.log(1010) - Math.log(1000), 2) / 2, pool.variance(), EPS);
        // A deterministic figure keeps no spread: its interval is the point itself, not a neighbour's noise.
        Intervals.Pool constant = pools.of(copy, RunComparison.ALLOC);
        assertEquals(0.0, constant.variance(), EPS);
        Estimate exact = Intervals.mean(Intervals.data(copy, RunComparison.ALLOC), constant);
        assertEquals(2000.0, exact.low(), EPS);
        assertEquals(2000.0, exact.high(), EPS);
        // The score is pooled over the lesson's rows (each has F - 1 = 1 df here).
        assertEquals(3, pools.of(churn, Metric.PRIMARY).df());
    }
}
