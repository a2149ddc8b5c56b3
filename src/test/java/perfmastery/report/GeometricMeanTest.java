package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The geometric mean of a lesson's comparison ratios and its interval: by hand, and against a known truth. */
class GeometricMeanTest {

    @TempDir
    Path dir;

    private Run read(SyntheticJmh json, String name) {
        return JmhJsonReader.read(json.write(dir.resolve(name + ".json"))).withLabel(name);
    }

    @Test
    void matchesTheFormulaWorkedOutByHand() {
        // One lesson, two rows, 2 forks of 1 iteration: each fork mean is the value itself.
        SyntheticJmh a = new SyntheticJmh("17.0.15");
        a.row("x.L.m0", "avgt", "", new double[][] {{100}, {110}});
        a.row("x.L.m1", "avgt", "", new double[][] {{200}, {180}});
        SyntheticJmh b = new SyntheticJmh("25.0.3");
        b.row("x.L.m0", "avgt", "", new double[][] {{90}, {100}});
        b.row("x.L.m1", "avgt", "", new double[][] {{150}, {170}});
        Run ra = read(a, "a");
        Run rb = read(b, "b");
        RunComparison.Result result = RunComparison.compare(ra, rb);
        GeometricMean.Result g = GeometricMean.of(result.primary(), new Intervals.Pools(ra.rows()),
                new Intervals.Pools(rb.rows()));
        assertEquals(2, g.rows());
        // Each side's pool: the mean of the two rows' variances of log fork means (1 df each, so df 2).
        double poolA = (logVar(100, 110) + logVar(200, 180)) / 2;
        double poolB = (logVar(90, 100) + logVar(150, 170)) / 2;
        // Time mode: ratio a/b (above 1: b faster). Rows independent: each row's variance is max(own, pool) / forks,
        // over n² = 4.
        double r0 = Math.log(105.0 / 95.0);
        double r1 = Math.log(190.0 / 160.0);
        // Row 0 of side a (variance below the pool) uses the pool's variance with its 2 df; row 1 (above it) its own
        // with its own 1 df: two estimates, joined Welch–Satterthwaite.
        assertTrue(logVar(100, 110) < poolA && logVar(200, 180) > poolA);
        double pooledPart = poolA / 2 / 4;
        double ownPart = logVar(200, 180) / 2 / 4;
        double va = pooledPart + ownPart;
        double dfA = va * va / (pooledPart * pooledPart / 2 + ownPart * ownPart / 1);
        double vb = (Math.max(logVar(90, 100), poolB) + Math.max(logVar(150, 170), poolB)) / 2 / 4;
        // Fork groups as the unit (2 groups of 1 fork): u_g is the rows' mean log in fork g; its variance over the 2
        // groups, over 2, with 1 df. Side a's rows moved apart in fork 2 (100 -> 110, 200 -> 180): little common scatter,
        // the independent estimate is larger. Side b's moved together (90 -> 100, 150 -> 170): the grouped one is.
        double ga = Math.pow((Math.log(100) + Math.log(200) - Math.log(110) - Math.log(180)) / 2, 2) / 2 / 2;
        double gb = Math.pow((Math.log(90) + Math.log(150) - Math.log(100) - Math.log(170)) / 2, 2) / 2 / 2;
        assertTrue(ga < va && gb > vb, ga + " " + va + " " + gb + " " + vb);
        vb = gb;
        double df = (va + vb) * (va + vb) / (va * va / dfA + vb * vb / 1);
        double half = TDistribution.of(df).inverseSurvivalProbability(0.025) * Math.sqrt(va + vb);
        double mean = (r0 + r1) / 2;
        assertEquals(Math.exp(mean), g.estimate().value(), 1e-12);
        assertEquals(Math.exp(mean - half), g.estimate().low(), 1e-9);
        assertEquals(Math.exp(mean + half), g.estimate().high(), 1e-9);
    }

    private static double logVar(double x, double y) {
        double m = (Math.log(x) + Math.log(y)) / 2;
        return Math.pow(Math.log(x) - m, 2) + Math.pow(Math.log(y) - m, 2);
    }

    @Test
    void oneForkGivesAPointAndNoInterval() {
        SyntheticJmh a = new SyntheticJmh("17.0.15");
        a.row("x.L.m0", "avgt", "", new double[][] {{100, 101, 99}});
        SyntheticJmh b = new SyntheticJmh("25.0.3");
        b.row("x.L.m0", "avgt", "", new double[][] {{50, 51, 49}});
        Run ra = read(a, "a");
        Run rb = read(b, "b");
        GeometricMean.Result g = GeometricMean.of(RunComparison.compare(ra, rb).primary(),
                new Intervals.Pools(ra.rows()), new Intervals.Pools(rb.rows()));
        assertEquals(2.0, g.estimate().value(), 1e-9);
        assertFalse(g.estimate().hasInterval());
        assertTrue(g.estimate().note().startsWith("1 fork"), g.estimate().note());
    }

    /**
     * Seeded simulation (the model of IntervalCoverageTest: log-normal fork effects and iteration noise): lessons
     * of 6 rows measured twice. The true geometric mean of a lesson's ratios is 1 (the same truth twice) or 1.2
     * (run b 1.2x faster); the 95 % interval must cover it at the nominal level within the simulation's error at every setting. These are
     * simulation figures, not measurements.
     */
    @Test
    void theIntervalCoversTheTrueGeometricMean() {
        int lessons = 400;
        StringBuilder figures = new StringBuilder();
        for (int[] preset : new int[][] {{2, 4}, {3, 5}}) {
            for (double forkEffect : new double[] {0.05, 0.15}) {
                for (double truth : new double[] {1.0, 1.2}) {
                    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(
                            42L + preset[0] * 100 + Math.round(forkEffect * 100) + Math.round(truth * 10));
                    ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
                    Run a = simulated(gauss, lessons, preset, forkEffect, 1.0, "a");
                    Run b = simulated(gauss, lessons, preset, forkEffect, 1 / truth, "b");
                    RunComparison.Result result = RunComparison.compare(a, b);
                    Intervals.Pools pa = new Intervals.Pools(a.rows());
                    Intervals.Pools pb = new Intervals.Pools(b.rows());
                    int covered = 0;
                    List<RunComparison.Line> primary = result.primary();
                    for (int lesson = 0; lesson < lessons; lesson++) {
                        Estimate e = GeometricMean.of(primary.subList(lesson * 6, lesson * 6 + 6), pa, pb).estimate();
                        assertTrue(e.hasInterval());
                        covered += e.low() <= truth && truth <= e.high() ? 1 : 0;
                    }
                    double share = covered / (double) lessons;
                    figures.append(String.format(Locale.ROOT, "%dx%d fork effect %.0f %% truth %.1f: %.1f %% covered%n",
                            preset[0], preset[1], forkEffect * 100, truth, share * 100));
                    NominalLevel.assertCovers(share, lessons, figures.toString());
                }
            }
        }
        System.out.println("[report] geometric-mean interval coverage (simulation):\n" + figures);
    }

    /**
     * Rows that share the machine's state: each fork slot (round) of a lesson draws one log-normal effect of 6 % for
     * all its rows, on top of each row's own 5 % fork effect and 2 % iteration noise, as rows that run one after
     * another in each round do. Two runs of the same truth: the lesson means must be flagged at most at the rows'
     * target rate, and the interval must cover the truth of a lesson whose runs differ by 1.2x.
     */
    @Test
    void lessonMeansOfRowsThatShareTheMachinesStateKeepTheirCoverage() {
        int lessons = 300;
        StringBuilder figures = new StringBuilder();
        for (double truth : new double[] {1.0, 1.2}) {
            UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(4242L + Math.round(truth * 10));
            ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
            int[] preset = {3, 3};
            Run a = simulatedShared(gauss, lessons, preset, 1.0, "sa");
            Run b = simulatedShared(gauss, lessons, preset, 1 / truth, "sb");
            RunComparison.Result result = RunComparison.compare(a, b);
            Intervals.Pools pa = new Intervals.Pools(a.rows());
            Intervals.Pools pb = new Intervals.Pools(b.rows());
            List<RunComparison.Line> primary = result.primary();
            int covered = 0;
            int flagged = 0;
            for (int lesson = 0; lesson < lessons; lesson++) {
                Estimate e = GeometricMean.of(primary.subList(lesson * 6, lesson * 6 + 6), pa, pb).estimate();
                assertTrue(e.hasInterval());
                covered += e.low() <= truth && truth <= e.high() ? 1 : 0;
                flagged += e.low() > 1 || e.high() < 1 ? 1 : 0;
            }
            double share = covered / (double) lessons;
            figures.append(String.format(Locale.ROOT, "shared state 6 %%, 3x3, truth %.1f: %.1f %% covered, %.1f %% flagged%n",
                    truth, share * 100, 100.0 * flagged / lessons));
            NominalLevel.assertCovers(share, lessons, figures.toString());
        }
        System.out.println("[report] geometric mean of rows sharing the machine's state (simulation):\n" + figures);
    }

    private Run simulatedShared(ZigguratSampler.NormalizedGaussian gauss, int lessons, int[] preset, double scale,
                                String name) {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        for (int lesson = 0; lesson < lessons; lesson++) {
            double[] slot = new double[preset[0]];
            for (int f = 0; f < preset[0]; f++) {
                slot[f] = 0.06 * gauss.sample();
            }
            for (int r = 0; r < 6; r++) {
                double[][] values = new double[preset[0]][preset[1]];
                for (int f = 0; f < preset[0]; f++) {
                    double fork = slot[f] + 0.05 * gauss.sample();
                    for (int i = 0; i < preset[1]; i++) {
                        values[f][i] = 100 * Math.pow(2, r) * scale * Math.exp(fork + 0.02 * gauss.sample());
                    }
                }
                json.row("x.shared.Lesson" + lesson + ".m" + r, "avgt", "", values);
            }
        }
        return read(json, name);
    }

    private Run simulated(ZigguratSampler.NormalizedGaussian gauss, int lessons, int[] preset, double forkEffect,
                          double scale, String name) {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        for (int lesson = 0; lesson < lessons; lesson++) {
            for (int r = 0; r < 6; r++) {
                double[][] values = new double[preset[0]][preset[1]];
                for (int f = 0; f < preset[0]; f++) {
                    double fork = forkEffect * gauss.sample();
                    for (int i = 0; i < preset[1]; i++) {
                        values[f][i] = 100 * Math.pow(2, r) * scale * Math.exp(fork + 0.02 * gauss.sample());
                    }
                }
                json.row("x.sim.Lesson" + lesson + ".m" + r, "avgt", "", values);
            }
        }
        return read(json, name + "-" + preset[0] + "x" + preset[1] + "-" + Math.round(forkEffect * 100)
                + "-" + Math.round(scale * 1000));
    }
}
