package perfmastery.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The between-run variance component: how far two runs of the same code on the same machine, made one after the
 * other, differ beyond what their own forks say. No interval built from one run's forks covers it (a whole-run
 * shift of 4 % flagged 10 of 79 rows of the committed A/A pair), so a comparison of runs that were not
 * interleaved adds it to each row's variance ({@link RegressionGate}) and says how large a difference such a
 * comparison can show ({@link #detectable(double)}).
 *
 * <p><b>The estimate.</b> For each row of an A/A pair (primary score, rounds as the unit, or forks where the run
 * has one round), {@code d = mean log(run 2) − mean log(run 1)} and the within-run part
 * {@code w = s_1²/R_1 + s_2²/R_2}; with a between-run component, {@code d² / (w + σ_B²)} is about χ²(1), so
 * σ_B² is the value at which the median of that ratio over the pair's rows is χ²(1)'s median ({@link #solve}).
 * The whole-run shift of the pair is part of it, as it must be. The figure is the largest over the committed pairs ({@link #SOURCES}), so the component is not
 * understated; its df is that pair's row count less one.
 *
 * <p>{@link #VARIANCE} and {@link #DF} are those figures, fixed here so that a report does not depend on the
 * repository's files; {@code BetweenRunsTest} recomputes them from the committed pairs and fails when they drift.
 */
public final class BetweenRuns {

    /**
     * The committed A/A pairs, each made on one host: a quick run and the same command right after it (forks in
     * rounds), and the two consecutive-order pairs. {@code results/reference/a-a/} is not among them: the
     * reference's partner there was made on another host of the same kind (the report's Hosts section shows
     * how they differ), so it measures how verdicts replicate across hosts, not the drift between runs of one.
     */
    public static final List<String[]> SOURCES = List.of(
            new String[] {"results/reference/a-a-rounds/jdk17/first/jdk-17.0.15.json",
                    "results/reference/a-a-rounds/jdk17/second/jdk-17.0.15.json"},
            new String[] {"results/reference/a-a-rounds/jdk25/first/jdk-25.0.3.json",
                    "results/reference/a-a-rounds/jdk25/second/jdk-25.0.3.json"},
            new String[] {"results/reference/a-a-consecutive/jdk17/first/jdk-17.0.15.json",
                    "results/reference/a-a-consecutive/jdk17/second/jdk-17.0.15.json"},
            new String[] {"results/reference/a-a-consecutive/jdk25/first/jdk-25.0.3.json",
                    "results/reference/a-a-consecutive/jdk25/second/jdk-25.0.3.json"});

    /**
     * σ_B² on the log scale: the largest over {@link #SOURCES} (see the class comment). The four pairs give
     * 0.00249 (σ_B 5.0 %, quick pair, JDK 17, 79 rows), 0.00134 (3.7 %, JDK 25, 87 rows), 0.00274 (5.2 %,
     * consecutive pair, JDK 17, 81 rows) and 0.00049 (2.2 %, consecutive, JDK 25, 90 rows).
     */
    public static final double VARIANCE = 0.00274;
    /** The df of {@link #VARIANCE}: the rows of the pair it comes from (81), less one. */
    public static final double DF = 80;

    private BetweenRuns() {
    }

    /** σ_B and its df of one A/A pair. */
    record Estimate(double variance, int rows) {
    }

    static Estimate estimate(Run first, Run second) {
        int r1 = RegressionGate.rounds(first);
        int r2 = RegressionGate.rounds(second);
        Map<String, Row> rows2 = RunComparison.byKey(second);
        List<double[]> dw = new ArrayList<>();
        for (Row a : first.rows()) {
            Row b = rows2.get(a.key());
            if (b == null || !a.primary().hasRawData() || !b.primary().hasRawData()) {
                continue;
            }
            double[] la = RegressionGate.roundLogs(a.primary().forks(), r1, 0);
            double[] lb = RegressionGate.roundLogs(b.primary().forks(), r2, 0);
            if (la == null || lb == null || la.length < 2 || lb.length < 2) {
                continue;
            }
            double d = Intervals.mean(lb) - Intervals.mean(la);
            double w = Intervals.variance(la) / la.length + Intervals.variance(lb) / lb.length;
            dw.add(new double[] {d, w});
        }
        return new Estimate(solve(dw), dw.size());
    }

    /** The median of χ²(1): the median of a squared standard normal. */
    static final double CHI2_1_MEDIAN = 0.454936423119572;

    /**
     * The σ_B² at which the median over rows of {@code d² / (w + σ_B²)} is the median of χ²(1) (0 when it is
     * below that already at σ_B² = 0): a robust method of moments, since a mean of {@code d² − w} is swamped by a
     * few rows whose within-run variance is large, and one row's outlying shift does not move a median.
     */
    static double solve(List<double[]> dw) {
        if (dw.isEmpty() || medianRatio(dw, 0) <= CHI2_1_MEDIAN) {
            return 0;
        }
        double low = 0;
        double high = 1e-6;
        while (medianRatio(dw, high) > CHI2_1_MEDIAN && high < 10) {
            high *= 2;
        }
        for (int i = 0; i < 100; i++) {
            double mid = (low + high) / 2;
            if (medianRatio(dw, mid) > CHI2_1_MEDIAN) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return (low + high) / 2;
    }

    private static double medianRatio(List<double[]> dw, double between) {
        double[] z = new double[dw.size()];
        for (int i = 0; i < z.length; i++) {
            double v = dw.get(i)[1] + between;
            z[i] = v == 0 ? (dw.get(i)[0] == 0 ? 0 : Double.POSITIVE_INFINITY) : dw.get(i)[0] * dw.get(i)[0] / v;
        }
        java.util.Arrays.sort(z);
        int n = z.length;
        return n % 2 == 1 ? z[n / 2] : (z[n / 2 - 1] + z[n / 2]) / 2;
    }

    /** The estimate of every committed pair under {@code root}, in {@link #SOURCES} order. */
    static List<Estimate> estimates(Path root) {
        List<Estimate> out = new ArrayList<>();
        for (String[] pair : SOURCES) {
            out.add(estimate(read(root.resolve(pair[0])), read(root.resolve(pair[1]))));
        }
        return out;
    }

    private static Run read(Path json) {
        Run run = JmhJsonReader.read(json);
        Sidecar sidecar = Sidecar.readFor(json, run.jdkVersion(), new ArrayList<>());
        return sidecar == null ? run : run.withSidecar(sidecar);
    }

    /**
     * The smallest true ratio a comparison of two non-interleaved runs can find at one-sided level {@code level}
     * with power one half, from the between-run component alone: {@code exp(z · σ_B)}, on top of any margin.
     */
    public static double detectable(double level) {
        double z = org.apache.commons.statistics.distribution.NormalDistribution.of(0, 1)
                .inverseSurvivalProbability(level);
        return Math.exp(z * Math.sqrt(VARIANCE));
    }

    /** One line per pair, for a reader who wants to see where the figure comes from. */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<Estimate> all = estimates(root);
        for (int i = 0; i < all.size(); i++) {
            Estimate e = all.get(i);
            System.out.println(String.format(Locale.ROOT, "%s vs %s: sigma_B^2 %.8f (sigma_B %.4f), %d rows",
                    SOURCES.get(i)[0], SOURCES.get(i)[1], e.variance(), Math.sqrt(e.variance()), e.rows()));
        }
    }
}
