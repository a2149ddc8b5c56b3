package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Does the gate pass its own A/A, and does it find a real slowdown? A seeded simulation of whole gated runs
 * (issue 20), with noise the gate's own model does not assume.
 *
 * <p><b>The model (log scale).</b> {@value #ROWS} rows, each gated on its time and its B/op (a family of
 * {@value #ROWS} × 2 tests, as in a real run). A row's round-to-round scatter σ is drawn from the reference run's
 * quartiles of its rows' own scatter (results/reference, JDK 17: q25 0.024, median 0.040, q75 0.10, q90 0.16,
 * rounds as the unit): a quarter of the rows at each of 0.024, 0.040, 0.10 and 0.16. Each fork's value is
 * {@code σ · t₃/√3} (Student t with 3 df scaled to unit variance: heavy tails), plus a round effect shared by every
 * row and both sides of that round (drift over time, σ 3 %), plus a <b>shared shift of the whole head side</b>
 * drawn uniformly from 0 to 5 % (what a run shift does when it hits one side only: the worst case, which the
 * interleaved design is meant to cancel and the margin must absorb). B/op is near deterministic (σ 0.2 %, no
 * shift). The runs that are not interleaved (the file form) add a per-row between-run effect of σ_B
 * ({@link BetweenRuns#VARIANCE}) and are tested unpaired with that component.
 *
 * <p><b>The design.</b> The gate's {@link RegressionGate.Plan} for quick's 3 rounds: look after round 3 at α 0.025,
 * rows still UNDECIDED get rounds 4–6, look after round 6 at α 0.025; Holm over the whole family at each look.
 *
 * <p><b>What it shows.</b> A/A: the gate fails in at most 5 % of {@value #RUNS} runs, interleaved and not. Power: a
 * 1.15× slowdown on one row of median scatter is found in {@code power(quick)} of the runs. Quick's cap cannot
 * reach 80 %: with the row's own df a 3-round look needs t(2) at α/160 (about 40), and even 6 rounds are far from
 * it. The test prints the power at larger caps and asserts that a cap of {@value #ROUNDS_FOR_POWER} rounds (looks at
 * 6 and 12) reaches 80 %; the power at quick's cap is printed and asserted only to be below 80 %, so that the docs' claim
 * ("quick cannot") fails loudly if the design changes.
 */
class RegressionGateSimulationTest {

    static final int ROWS = 80;
    static final int RUNS = 200;
    static final double[] SCATTER = {0.024, 0.040, 0.10, 0.16};
    static final double ROUND_DRIFT = 0.03;
    static final double MAX_SHIFT = 0.05;
    static final double ALLOC_SCATTER = 0.002;
    static final double SLOWDOWN = 1.15;
    static final int FORKS_PER_ROUND = 1;
    /** The cap at which the 1.15× slowdown is found in at least 80 % of the runs (looks at half and at the cap). */
    static final int ROUNDS_FOR_POWER = 12;

    /** One simulated gated run: did it fail, and was row 0 (the slowed one, if any) found? */
    record Outcome(boolean failed, boolean rowZeroFound, int undecided) {
    }

    static double t3(Random random) {
        double chi = 0;
        for (int i = 0; i < 3; i++) {
            double z = random.nextGaussian();
            chi += z * z;
        }
        return random.nextGaussian() / Math.sqrt(chi / 3) / Math.sqrt(3);
    }

    /**
     * Draws one run and gates it with {@code plan}.
     *
     * @param interleaved true: base and head in the same rounds (paired); false: two separate runs (file form)
     * @param slowdown    the true cost ratio of row 0's time (1: A/A)
     */
    static Outcome simulate(Random random, RegressionGate.Plan plan, boolean interleaved, double slowdown) {
        int cap = plan.cap();
        double shift = Math.log1p(MAX_SHIFT * random.nextDouble());
        double[] driftBase = new double[cap];
        double[] driftHead = new double[cap];
        for (int r = 0; r < cap; r++) {
            driftBase[r] = ROUND_DRIFT * random.nextGaussian();
            // Interleaved: the head runs in the same round, beside the base. Separate runs: other times.
            driftHead[r] = interleaved ? driftBase[r] : ROUND_DRIFT * random.nextGaussian();
        }
        int tests = ROWS * 2;
        double[][] base = new double[tests][cap];
        double[][] head = new double[tests][cap];
        double betweenSd = Math.sqrt(BetweenRuns.VARIANCE);
        for (int row = 0; row < ROWS; row++) {
            double sigma = SCATTER[row % SCATTER.length];
            if (row == 0) {
                sigma = SCATTER[1];
            }
            double truth = row == 0 ? Math.log(slowdown) : 0;
            double between = interleaved ? 0 : betweenSd * random.nextGaussian();
            for (int r = 0; r < cap; r++) {
                base[2 * row][r] = driftBase[r] + sigma * forkMean(random);
                head[2 * row][r] = truth + shift + between + driftHead[r] + sigma * forkMean(random);
                base[2 * row + 1][r] = ALLOC_SCATTER * forkMean(random);
                head[2 * row + 1][r] = ALLOC_SCATTER * forkMean(random);
            }
        }
        boolean[] stopped = new boolean[tests];
        RegressionGate.Test[] last = new RegressionGate.Test[tests];
        boolean failed = false;
        boolean found = false;
        int undecided = 0;
        for (int k = 0; k < plan.looks().length; k++) {
            int rounds = plan.looks()[k];
            List<RegressionGate.Test> family = new ArrayList<>();
            for (int i = 0; i < tests; i++) {
                if (!stopped[i]) {
                    last[i] = RegressionGate.test("t" + i, java.util.Arrays.copyOf(base[i], rounds),
                            java.util.Arrays.copyOf(head[i], rounds), true, interleaved,
                            interleaved ? 0 : BetweenRuns.VARIANCE, BetweenRuns.DF);
                }
                family.add(last[i]);
            }
            List<RegressionGate.Decision> decisions = RegressionGate.decide(family, plan.alpha(k), RegressionGate.DEFAULT_MARGIN);
            undecided = 0;
            for (int i = 0; i < tests; i++) {
                if (stopped[i]) {
                    continue;
                }
                RegressionGate.Verdict v = decisions.get(i).verdict();
                if (v == RegressionGate.Verdict.REGRESSION) {
                    failed = true;
                    found |= i == 0;
                    stopped[i] = true;
                } else if (v == RegressionGate.Verdict.WITHIN_MARGIN) {
                    stopped[i] = true;
                } else {
                    undecided++;
                }
            }
            if (undecided == 0) {
                break;
            }
        }
        return new Outcome(failed, found, undecided);
    }

    private static double forkMean(Random random) {
        double sum = 0;
        for (int f = 0; f < FORKS_PER_ROUND; f++) {
            sum += t3(random);
        }
        return sum / FORKS_PER_ROUND;
    }

    static double[] rates(long seed, RegressionGate.Plan plan, boolean interleaved, double slowdown) {
        Random random = new Random(seed);
        int failed = 0;
        int found = 0;
        for (int run = 0; run < RUNS; run++) {
            Outcome o = simulate(random, plan, interleaved, slowdown);
            failed += o.failed() ? 1 : 0;
            found += o.rowZeroFound() ? 1 : 0;
        }
        return new double[] {failed / (double) RUNS, found / (double) RUNS};
    }

    @Test
    void aaFailsAtMostFivePercentOfRunsInterleavedAndNot() {
        RegressionGate.Plan quick = RegressionGate.Plan.forRounds(3);
        double interleaved = rates(20L, quick, true, 1.0)[0];
        double separate = rates(21L, quick, false, 1.0)[0];
        System.out.printf(Locale.ROOT, "gate A/A, %d runs of %d rows x 2 metrics, %s: interleaved fails %.1f %%,"
                + " separate runs %.1f %%%n", RUNS, ROWS, quick.describe(), 100 * interleaved, 100 * separate);
        assertTrue(interleaved <= 0.05, "interleaved A/A failed " + interleaved);
        assertTrue(separate <= 0.05, "separate-run A/A failed " + separate);
    }

    @Test
    void aaWithTheCapUsedForPowerStillFailsAtMostFivePercent() {
        double rate = rates(22L, new RegressionGate.Plan(new int[] {ROUNDS_FOR_POWER / 2, ROUNDS_FOR_POWER}), true,
                1.0)[0];
        System.out.printf(Locale.ROOT, "gate A/A at a cap of %d rounds: fails %.1f %%%n", ROUNDS_FOR_POWER, 100 * rate);
        assertTrue(rate <= 0.05, "A/A at cap " + ROUNDS_FOR_POWER + " failed " + rate);
    }

    @Test
    void powerForOneSlowRowAtQuicksCapAndTheRoundsThatReach80Percent() {
        double quick = rates(30L, RegressionGate.Plan.forRounds(3), true, SLOWDOWN)[1];
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "gate power for one row at %.2fx (scatter %.3f) among %d x 2 tests: quick (looks 3, 6) %.1f %%",
                SLOWDOWN, SCATTER[1], ROWS, 100 * quick));
        double atCap = Double.NaN;
        for (int cap : new int[] {10, ROUNDS_FOR_POWER, 14}) {
            double power = rates(30L + cap, new RegressionGate.Plan(new int[] {cap / 2, cap}), true, SLOWDOWN)[1];
            line.append(String.format(Locale.ROOT, "; looks %d, %d: %.1f %%", cap / 2, cap, 100 * power));
            if (cap == ROUNDS_FOR_POWER) {
                atCap = power;
            }
        }
        System.out.println(line);
        assertTrue(quick < 0.80, "quick's cap now reaches 80 % (" + quick + "): update docs/gate.md");
        assertTrue(atCap >= 0.80, "a cap of " + ROUNDS_FOR_POWER + " rounds no longer reaches 80 %: " + atCap);
    }
}
