package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The gate's rule, its error control, its between-run figure and the committed A/A pairs. */
class RegressionGateTest {

    static final double MARGIN = RegressionGate.DEFAULT_MARGIN;

    /** A test whose z-like statistic against the margin is {@code z} at {@code df}. */
    static RegressionGate.Test at(String name, double ratio, double se, double df) {
        return new RegressionGate.Test(name, Math.log(ratio), se, df, "");
    }

    @Test
    void noiseBelowTheMarginNeverFailsWhateverTheRounds() {
        // Exactly at the margin with almost no scatter: H0 holds at its boundary, p is one half.
        RegressionGate.Test atMargin = at("edge", 1 + MARGIN, 1e-6, 1000);
        assertEquals(0.5, atMargin.p(MARGIN), 1e-6);
        RegressionGate.Test below = at("below", 1.04, 1e-4, 1000);
        List<RegressionGate.Decision> d = RegressionGate.decide(List.of(atMargin, below), 0.05, MARGIN);
        assertEquals(RegressionGate.Verdict.UNDECIDED, d.get(0).verdict());
        assertEquals(RegressionGate.Verdict.WITHIN_MARGIN, d.get(1).verdict());
        RegressionGate.Test above = at("above", 1.10, 0.01, 20);
        assertEquals(RegressionGate.Verdict.REGRESSION,
                RegressionGate.decide(List.of(above), 0.05, MARGIN).get(0).verdict());
        assertTrue(RegressionGate.decide(List.of(above), 0.05, MARGIN).get(0).low() > 1 + MARGIN,
                "a regression's interval lies wholly above 1 + margin");
    }

    @Test
    void holmStepsDownAndStopsAtTheFirstRowThatMissesItsLevel() {
        // One-sided p from a t with huge df: choose se so that p is known.
        double bound = Math.log1p(MARGIN);
        java.util.function.DoubleFunction<RegressionGate.Test> withP = p -> new RegressionGate.Test("p" + p,
                bound + org.apache.commons.statistics.distribution.NormalDistribution.of(0, 1)
                        .inverseSurvivalProbability(p) * 0.01, 0.01, 1e9, "");
        // α/3 = 0.0167, α/2 = 0.025, α = 0.05: 0.01 and 0.02 pass, 0.04 passes its own α too.
        List<RegressionGate.Decision> all = RegressionGate.decide(List.of(withP.apply(0.04), withP.apply(0.01),
                withP.apply(0.02)), 0.05, MARGIN);
        assertEquals(List.of(RegressionGate.Verdict.REGRESSION, RegressionGate.Verdict.REGRESSION,
                RegressionGate.Verdict.REGRESSION), all.stream().map(RegressionGate.Decision::verdict).toList());
        assertEquals(0.05 / 3, all.get(1).level(), 1e-12);
        assertEquals(0.05, all.get(0).level(), 1e-12);
        // The smallest p misses α/3: nothing is rejected, even a p below α/2.
        List<RegressionGate.Decision> none = RegressionGate.decide(List.of(withP.apply(0.02), withP.apply(0.018),
                withP.apply(0.3)), 0.05, MARGIN);
        assertTrue(none.stream().noneMatch(x -> x.verdict() == RegressionGate.Verdict.REGRESSION), none.toString());
        // A test without an interval is not in the family and not gated.
        RegressionGate.Test oneRound = new RegressionGate.Test("one", 0.5, Double.NaN, Double.NaN, "1 round");
        List<RegressionGate.Decision> mixed = RegressionGate.decide(List.of(oneRound, withP.apply(0.04)), 0.05, MARGIN);
        assertEquals(RegressionGate.Verdict.NOT_GATED, mixed.get(0).verdict());
        assertEquals(RegressionGate.Verdict.REGRESSION, mixed.get(1).verdict(), "a family of one: level α");
    }

    @Test
    void roundsAreTheUnitAndInterleavedSidesArePairedWithTheirOwnDf() {
        // 6 forks over 3 rounds: two forks a round averaged into one observation.
        double[] logs = RegressionGate.roundLogs(new double[][] {{100}, {100}, {200}, {200}, {400}, {400}}, 3, 0);
        assertEquals(3, logs.length);
        assertEquals(Math.log(200), logs[1], 1e-12);
        // A round shift shared by both sides cancels when paired: head = base × 1.2 in every round.
        double[] base = {Math.log(100), Math.log(150), Math.log(80)};
        double[] head = {Math.log(120), Math.log(180), Math.log(96)};
        RegressionGate.Test paired = RegressionGate.test("x", base, head, true, true, 0, 1);
        assertEquals(1.2, paired.ratio(), 1e-9);
        assertEquals(0, paired.se(), 1e-12);
        assertEquals(2, paired.df(), 0);
        RegressionGate.Test unpaired = RegressionGate.test("x", base, head, true, false, 0, 1);
        assertTrue(unpaired.se() > 0.1 && unpaired.df() <= 4, unpaired.toString());
        // Throughput: base over head, so fewer ops/s is a cost ratio above 1.
        assertEquals(1.2, RegressionGate.test("t", head, base, false, true, 0, 1).ratio(), 1e-9);
        // A side that allocates 0 B/op gets the floor, not an infinite log.
        assertEquals(Math.log(1), RegressionGate.roundLogs(new double[][] {{0}, {0}}, 2, 1)[0], 0);
    }

    @Test
    void theMarginIsAPercentage() {
        assertEquals(0.05, RegressionGate.parseMargin("5%"), 1e-12);
        assertEquals(0.025, RegressionGate.parseMargin("2.5 %"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RegressionGate.parseMargin("0.05"));
        assertThrows(IllegalArgumentException.class, () -> RegressionGate.parseMargin("-1%"));
    }

    @Test
    void theSequentialPlanSpendsAlphaOverItsLooks() {
        RegressionGate.Plan quick = RegressionGate.Plan.forRounds(3);
        assertEquals(6, quick.cap());
        assertEquals(RegressionGate.ALPHA, quick.alpha(0) + quick.alpha(1), 1e-12);
        assertEquals(0.025, quick.alpha(0), 1e-12);
    }

    @Test
    void theBetweenRunFigureIsTheLargestOfTheCommittedPairs() {
        List<BetweenRuns.Estimate> estimates = BetweenRuns.estimates(Path.of(""));
        BetweenRuns.Estimate largest = estimates.stream()
                .max(java.util.Comparator.comparingDouble(BetweenRuns.Estimate::variance)).orElseThrow();
        assertEquals(BetweenRuns.VARIANCE, largest.variance(), 1e-5, estimates.toString());
        assertEquals(BetweenRuns.DF, largest.rows() - 1, 0);
    }

    @Test
    void theCommittedAaPairsPassTheFileFormGate() {
        List<String> failures = new ArrayList<>();
        for (String[] pair : BetweenRuns.SOURCES) {
            Run a = read(pair[0]);
            Run b = read(pair[1]);
            // The gate needs only the two runs: the comparison's own lines are not made here.
            GateSection.Gate gate = GateSection.of(List.of(new RunComparison.Result(a, b, List.of(), List.of(),
                    Double.NaN, 0)), true, MARGIN);
            long regressions = gate.count(RegressionGate.Verdict.REGRESSION);
            assertTrue(gate.family() > 50, "the pair is gated: " + gate.family());
            if (regressions > 0) {
                failures.add(pair[1] + ": " + regressions);
            }
        }
        assertEquals(List.of(), failures, "the A/A pairs that the old gate failed on 10 rows now pass");
    }

    private static Run read(String file) {
        Path json = Path.of(file);
        Run run = JmhJsonReader.read(json);
        Sidecar sidecar = Sidecar.readFor(json, run.jdkVersion(), new ArrayList<>());
        return sidecar == null ? run : run.withSidecar(sidecar);
    }
}
