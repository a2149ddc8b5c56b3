package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * The interval method against a known truth. Synthetic runs of lessons of {@value #ROWS} rows each: every
 * row has a true median {@code μ}; fork f of a row draws a fork effect {@code exp(σ_f Z_f)} (JIT decisions,
 * memory layout) and each of its iterations a further {@code exp(σ_i Z_fi)}, both log-normal. The JSON is
 * written by {@link SyntheticJmh} and read back by the report's own reader, so the real path is exercised.
 *
 * <p>Targets (issue 9): 95 % intervals of a mean and of a ratio cover the truth at the nominal 95 % within the simulation's error
 * ({@link NominalLevel}) at
 * 2x3, 2x4, 3x3 (the quick preset) and 3x5 (full) forks x iterations; two runs of the same truth flag at most 5 % of rows faster or slower
 * at every preset; at 1 fork no row gets a verdict and no claim is CONFIRMED or REFUTED; a true 1.2x difference
 * is found in at least 80 % of rows at 3x5 with a 5 % fork effect. The power at a 15 % fork effect is printed,
 * not asserted: see the README's Statistics section for why no method reaches 80 % there with 3 forks.
 *
 * <p>Seeded (Commons RNG), so every run of the test sees the same data and the same figures.
 */
class IntervalCoverageTest {

    static final int ROWS = 6;
    static final int LESSONS = 200;
    static final double[] ITERATION_NOISE = {0.02, 0.05};
    static final double[] FORK_EFFECT = {0.05, 0.15};
    static final int[][] PRESETS = {{1, 3}, {2, 3}, {2, 4}, {3, 3}, {3, 5}};
    static final double EFFECT = 1.2;

    @TempDir
    Path dir;

    /** Claims a synthetic lesson is checked against: a ratio, a bound at the truth, and a true 1.2x. */
    @Claim(id = "m1-not-slower", text = "m1 is at least as fast as m0", variant = "m1", baseline = "m0",
            relation = Relation.LOWER, factor = 1, basis = "simulation")
    @Claim(id = "m2-bound", text = "m2 takes at most its true mean", variant = "m2", relation = Relation.LOWER,
            bound = 400, basis = "simulation")
    @Claim(id = "m4-vs-m5", text = "m5 is at least 1.2x faster than m4", variant = "m5", baseline = "m4",
            relation = Relation.LOWER, factor = 1.2, basis = "simulation")
    static final class SimulatedClaims {
    }

    /** Row k's true median: magnitudes from 100 ns to 3.2 µs, so that pooling must work on relative spread. */
    static double median(int row) {
        return 100 * Math.pow(2, row);
    }

    record Cell(int forks, int iterations, double iterationNoise, double forkEffect) {
        String label() {
            return String.format(Locale.ROOT, "%dx%d iter %2.0f%% fork %2.0f%%", forks, iterations,
                    iterationNoise * 100, forkEffect * 100);
        }

        /** The expected iteration value: what the mean of fork means estimates. */
        double trueMean(int row) {
            return median(row) * Math.exp((forkEffect * forkEffect + iterationNoise * iterationNoise) / 2);
        }
    }

    record Figures(int means, int meansCovered, int ratios, int ratiosCovered, int crossRatios,
                   int crossCovered, int aaRows, int aaFlagged, int effectRows, int effectFound, int verdictsAt1Fork,
                   int claimsDecided, int claims) {
        double meanCoverage() {
            return share(meansCovered, means);
        }

        double ratioCoverage() {
            return share(ratiosCovered, ratios);
        }

        double crossCoverage() {
            return share(crossCovered, crossRatios);
        }

        double aaRate() {
            return share(aaFlagged, aaRows);
        }

        double power() {
            return share(effectFound, effectRows);
        }

        private static double share(int part, int whole) {
            return whole == 0 ? Double.NaN : (double) part / whole;
        }
    }

    @Test
    void coverageAaRateAndPowerMeetTheTargets() {
        Map<Cell, Figures> figures = new LinkedHashMap<>();
        long seed = 20_240_901L;
        for (int[] preset : PRESETS) {
            for (double forkEffect : FORK_EFFECT) {
                for (double iterationNoise : ITERATION_NOISE) {
                    Cell cell = new Cell(preset[0], preset[1], iterationNoise, forkEffect);
                    figures.put(cell, simulate(cell, seed++));
                }
            }
        }
        System.out.println("[simulation] " + LESSONS + " lessons x " + ROWS + " rows per cell; 95 % intervals");
        System.out.println("[simulation] preset iteration fork   | mean cov | ratio cov | run/run cov | A/A flagged"
                + " | 1.2x found");
        for (var e : figures.entrySet()) {
            Figures f = e.getValue();
            System.out.println(String.format(Locale.ROOT, "[simulation] %-24s | %8s | %9s | %11s | %11s | %10s",
                    e.getKey().label(), pct(f.meanCoverage()), pct(f.ratioCoverage()), pct(f.crossCoverage()),
                    pct(f.aaRate()), pct(f.power())));
        }
        for (var e : figures.entrySet()) {
            Cell cell = e.getKey();
            Figures f = e.getValue();
            String where = cell.label() + ": " + f;
            assertTrue(f.aaRate() <= 0.05, "A/A rows flagged at " + where);
            if (cell.forks() == 1) {
                assertEquals(0, f.verdictsAt1Fork(), "no row verdict at 1 fork: " + where);
                assertEquals(0, f.claimsDecided(), "no claim CONFIRMED or REFUTED at 1 fork: " + where);
                assertEquals(0, f.means(), "no interval at 1 fork");
                continue;
            }
            NominalLevel.assertCovers(f.meanCoverage(), f.means(), "means at " + where);
            NominalLevel.assertCovers(f.ratioCoverage(), f.ratios(), "ratios at " + where);
            NominalLevel.assertCovers(f.crossCoverage(), f.crossRatios(), "run-to-run ratios at " + where);
            if (cell.forks() == 3 && cell.iterations() == 5 && cell.forkEffect() == 0.05) {
                // 80 % before issue 19; a row whose own variance exceeds the pool's now has its own 2 or 4 df instead
                // of the pool's, which costs power: the sequential design (SequentialDesignTest) is what is held to 80 %.
                assertTrue(f.power() >= 0.75, "power for a true 1.2x at " + where);
            }
        }
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    /** Three runs of one cell: a, a again (A/A), and b with every row 1.2x faster; the figures over them. */
    private Figures simulate(Cell cell, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        Run a = run(cell, gauss, 1.0, "a");
        Run again = run(cell, gauss, 1.0, "again");
        Run faster = run(cell, gauss, 1 / EFFECT, "faster");

        int means = 0;
        int meansCovered = 0;
        int ratios = 0;
        int ratiosCovered = 0;
        int claimsDecided = 0;
        int claims = 0;
        Intervals.Pools pools = new Intervals.Pools(a.rows());
        Claim[] simulated = SimulatedClaims.class.getAnnotationsByType(Claim.class);
        for (int lesson = 0; lesson < LESSONS; lesson++) {
            List<Row> rows = a.rows().subList(lesson * ROWS, (lesson + 1) * ROWS);
            for (int r = 0; r < ROWS; r++) {
                Row row = rows.get(r);
                Estimate mean = Intervals.mean(Intervals.data(row, Metric.PRIMARY), pools.of(row, Metric.PRIMARY));
                if (mean.hasInterval()) {
                    means++;
                    meansCovered += covers(mean, cell.trueMean(r)) ? 1 : 0;
                }
            }
            for (int r = 0; r < ROWS; r += 2) {
                Row x = rows.get(r);
                Row y = rows.get(r + 1);
                Estimate ratio = Intervals.ratio(Intervals.data(x, Metric.PRIMARY), pools.of(x, Metric.PRIMARY),
                        Intervals.data(y, Metric.PRIMARY), pools.of(y, Metric.PRIMARY));
                if (ratio.hasInterval()) {
                    ratios++;
                    ratiosCovered += covers(ratio, median(r) / median(r + 1)) ? 1 : 0;
                }
            }
            for (Claim claim : cell.forks() == 1 ? simulated : new Claim[0]) {
                ClaimChecker.Verdict v = ClaimChecker.check(a, rows.get(0).className(), rows, claim);
                claims++;
                if (v.status().equals(ClaimChecker.CONFIRMED) || v.status().equals(ClaimChecker.REFUTED)) {
                    claimsDecided++;
                }
            }
        }

        RunComparison.Result aa = RunComparison.compare(a, again);
        int aaFlagged = 0;
        int crossCovered = 0;
        int verdicts = 0;
        for (RunComparison.Line line : aa.primary()) {
            aaFlagged += line.verdict().equals("≈") ? 0 : 1;
            crossCovered += line.ratio().hasInterval() && covers(line.ratio(), 1.0) ? 1 : 0;
            if (!line.ratio().hasInterval()) {
                assertTrue(line.note().startsWith("cannot tell: 1 fork"), line.note());
            }
            verdicts += line.verdict().equals("≈") ? 0 : 1;
        }
        int crossRatios = (int) aa.primary().stream().filter(l -> l.ratio().hasInterval()).count();
        RunComparison.Result effect = RunComparison.compare(a, faster);
        int found = 0;
        for (RunComparison.Line line : effect.primary()) {
            found += line.verdict().equals("faster") ? 1 : 0;
            verdicts += cell.forks() == 1 && !line.verdict().equals("≈") ? 1 : 0;
        }
        return new Figures(means, meansCovered, ratios, ratiosCovered, crossRatios, crossCovered, aa.primary().size(),
                aaFlagged, effect.primary().size(), found, cell.forks() == 1 ? verdicts : 0,
                cell.forks() == 1 ? claimsDecided : 0, claims);
    }

    private static boolean covers(Estimate e, double truth) {
        return e.low() <= truth && truth <= e.high();
    }

    /** One run: {@value #LESSONS} lessons of {@value #ROWS} rows (methods m0..m5), through JSON and the reader. */
    private Run run(Cell cell, ZigguratSampler.NormalizedGaussian gauss, double scale, String name) {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        for (int lesson = 0; lesson < LESSONS; lesson++) {
            for (int r = 0; r < ROWS; r++) {
                double[][] values = new double[cell.forks()][cell.iterations()];
                for (int f = 0; f < cell.forks(); f++) {
                    double fork = cell.forkEffect() * gauss.sample();
                    for (int i = 0; i < cell.iterations(); i++) {
                        values[f][i] = median(r) * scale * Math.exp(fork + cell.iterationNoise() * gauss.sample());
                    }
                }
                json.row("perfmastery.report.sim.Lesson" + lesson + ".m" + r, "avgt", "", values);
            }
        }
        Path file = json.write(dir.resolve(name + "-" + cell.forks() + "x" + cell.iterations() + "-"
                + Math.round(cell.iterationNoise() * 100) + "-" + Math.round(cell.forkEffect() * 100) + ".json"));
        Run run = JmhJsonReader.read(file).withLabel(name);
        assertFalse(run.rows().isEmpty());
        return run;
    }
}
