package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * The whole sequential design at quick's looks (rounds 3, 5, 8; {@link SequentialPlan}), simulated on data that do
 * not share the intervals' model, so that it can fail:
 * <ul>
 * <li>each round's effect on a row is Student t with 3 df (heavy tails), on the linear scale, SD 5 % (one row per
 * lesson, m5 at n = 2, 15 %: noisier than its pool, which the 1 % F test often misses at 3 rounds);</li>
 * <li>each round also shifts every row of a lesson together (machine state, log-normal 3 %), and every iteration
 * draws 2 % noise (3 iterations per round, as quick);</li>
 * <li>each run of an A/A pair is shifted as a whole by up to ±5 % (uniform), the two runs independently.</li>
 * </ul>
 * 12 lessons of 5 claims ({@link SimulatedLessons}): 60 claims per run, the size of a real run's family, one claim
 * per lesson over two param pairs. All claims are "at least 2x faster".
 *
 * <p>Asserted: the family-wise false-verdict rate (any claim CONFIRMED or REFUTED when every true ratio sits exactly
 * on the threshold, where neither verdict is right) at most 5 %; the power (a claim CONFIRMED when its true ratio
 * is 1.25x the threshold) at least 80 %; the coverage of the nominal 95 % intervals of the noisy rows' ratio to
 * their baseline at 3 rounds at least 94 %, with and without the rows the F test missed; the 2-round figures are printed.
 * Seeded; simulation figures, not measurements. Run alone: {@code ./mvnw -q test -Dtest=SequentialDesignTest}.
 */
class SequentialDesignTest {

    static final SequentialPlan QUICK = SequentialPlan.forPreset("quick");
    static final int ITERATIONS = 3;
    static final double FORK = 0.05;
    static final double NOISY_FORK = 0.15;
    static final double STATE = 0.03;
    static final double ITERATION = 0.02;
    static final double SHIFT = 0.05;
    static final double FACTOR = 2;
    static final double BASE = 1000;
    static final int NULL_PAIRS = 100;
    static final int POWER_RUNS = 30;

    private final ClaimChecker checker = new ClaimChecker(new ArrayList<>());
    private int runs;

    /** Draws one run of 8 rounds; every variant's true ratio to m0 is {@code ratio}. */
    private Run simulate(UniformRandomProvider rng, ZigguratSampler.NormalizedGaussian gauss, double ratio) {
        double shift = 1 + SHIFT * (2 * rng.nextDouble() - 1);
        int rounds = QUICK.maxRounds();
        List<Row> rows = new ArrayList<>();
        int[] roundNumbers = new int[rounds];
        for (int r = 0; r < rounds; r++) {
            roundNumbers[r] = r + 1;
        }
        for (int lesson = 0; lesson < SimulatedLessons.COUNT; lesson++) {
            double[] state = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                state[r] = Math.exp(STATE * gauss.sample());
            }
            for (int m = 0; m <= 5; m++) {
                for (int n = 1; n <= 2; n++) {
                    double mean = m == 0 ? BASE : BASE / ratio;
                    double sd = m == 5 && n == 2 ? NOISY_FORK : FORK;
                    double[][] forks = new double[rounds][ITERATIONS];
                    for (int r = 0; r < rounds; r++) {
                        double fork = Math.max(0.2, 1 + sd * studentT3(gauss) / Math.sqrt(3));
                        for (int i = 0; i < ITERATIONS; i++) {
                            forks[r][i] = mean * shift * state[r] * fork * Math.exp(ITERATION * gauss.sample());
                        }
                    }
                    SortedMap<String, String> params = new TreeMap<>(Map.of("n", Integer.toString(n)));
                    Metric primary = new Metric(Metric.PRIMARY, mean, Double.NaN, "ns/op", forks, new TreeMap<>(),
                            null);
                    Row row = new Row("perfmastery.report.SimulatedLessons.L" + lesson + ".m" + m, "avgt", 1,
                            rounds, 1, ITERATIONS, params, primary, Map.of());
                    rows.add(RoundUnits.byRounds(row, roundNumbers));
                }
            }
        }
        String name = "sim-" + (runs++) + ".json";
        Run run = new Run(Path.of(name), name, "1.37", "17.0.15", "OpenJDK 64-Bit Server VM", "17.0.15", List.of(),
                rows, List.of());
        RoundUnits.remember(run, QUICK);
        return run;
    }

    private static double studentT3(ZigguratSampler.NormalizedGaussian gauss) {
        double chi = 0;
        for (int k = 0; k < 3; k++) {
            double z = gauss.sample();
            chi += z * z;
        }
        return gauss.sample() / Math.sqrt(chi / 3);
    }

    /** Hits out of trials. */
    private static final class Share {
        int hits;
        int trials;

        void add(boolean hit) {
            hits += hit ? 1 : 0;
            trials++;
        }

        double share() {
            return (double) hits / trials;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f %% (%d of %d)", 100 * share(), hits, trials);
        }
    }

    @Test
    void theDesignKeepsItsErrorRatesPowerAndCoverage() {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(19_2026L);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        Share familyWise = new Share();
        Share flips = new Share();
        Map<Integer, Share> coverage = new HashMap<>();
        Map<Integer, Share> coverageMissed = new HashMap<>();
        Map<Integer, Integer> looks = new TreeMap<>();
        for (int pair = 0; pair < NULL_PAIRS; pair++) {
            Run a = simulate(rng, gauss, FACTOR);
            Run b = simulate(rng, gauss, FACTOR);
            SequentialVerdicts.Outcome va = SequentialVerdicts.check(checker, a);
            SequentialVerdicts.Outcome vb = SequentialVerdicts.check(checker, b);
            familyWise.add(anyDecided(va));
            familyWise.add(anyDecided(vb));
            boolean flipped = false;
            for (int i = 0; i < va.verdicts().size(); i++) {
                String sa = va.verdicts().get(i).status();
                String sb = vb.verdicts().get(i).status();
                flipped |= sa.equals(ClaimChecker.CONFIRMED) && sb.equals(ClaimChecker.REFUTED)
                        || sa.equals(ClaimChecker.REFUTED) && sb.equals(ClaimChecker.CONFIRMED);
            }
            flips.add(flipped);
            for (Run run : List.of(a, b)) {
                for (int rounds : new int[] {2, 3}) {
                    noisyCoverage(run, rounds, coverage.computeIfAbsent(rounds, k -> new Share()),
                            coverageMissed.computeIfAbsent(rounds, k -> new Share()));
                }
            }
        }
        Share power = new Share();
        for (int r = 0; r < POWER_RUNS; r++) {
            SequentialVerdicts.Outcome o = SequentialVerdicts.check(checker, simulate(rng, gauss, FACTOR * 1.25));
            for (ClaimChecker.Verdict v : o.verdicts()) {
                power.add(ClaimChecker.CONFIRMED.equals(v.status()));
                Integer look = o.decidedAt().get(SequentialVerdicts.key(v.lesson(), v.claim()));
                looks.merge(look == null ? 0 : look, 1, Integer::sum);
            }
        }
        System.out.println("[sequential design] quick's looks " + QUICK.looks() + ", Holm over 60 claims, t(3) round"
                + " effects, ±5 % whole-run shifts (simulation, not measurements)");
        System.out.println("[sequential design] family-wise false-verdict rate (true ratio on the threshold): "
                + familyWise);
        System.out.println("[sequential design] A/A pairs with a claim CONFIRMED in one run, REFUTED in the other: "
                + flips);
        System.out.println("[sequential design] power, true ratio 1.25x the threshold: " + power
                + "; claims decided at look (0 = undecided): " + looks);
        for (int rounds : new int[] {2, 3}) {
            System.out.println("[sequential design] noisy rows (3x the pool's SD), 95 % ratio-to-baseline coverage at "
                    + rounds + " rounds: " + coverage.get(rounds) + "; of them the F test missed: "
                    + coverageMissed.get(rounds));
        }
        assertTrue(familyWise.share() <= 0.05, "family-wise false-verdict rate " + familyWise);
        assertTrue(power.share() >= 0.80, "power at 1.25x the threshold " + power);
        assertTrue(coverage.get(3).share() >= 0.94, "noisy rows' coverage at 3 rounds " + coverage.get(3));
        assertTrue(coverageMissed.get(3).trials < 50 || coverageMissed.get(3).share() >= 0.94,
                "coverage of the noisy rows the F test missed at 3 rounds " + coverageMissed.get(3));
    }

    private static boolean anyDecided(SequentialVerdicts.Outcome o) {
        return o.verdicts().stream().anyMatch(v -> ClaimChecker.CONFIRMED.equals(v.status())
                || ClaimChecker.REFUTED.equals(v.status()));
    }

    /** The noisy row's 95 % ratio-to-m0 interval on the first {@code rounds} rounds against the truth. */
    private static void noisyCoverage(Run run, int rounds, Share all, Share missed) {
        Map<String, List<Row>> byClass = new HashMap<>();
        for (Row row : run.rows()) {
            byClass.computeIfAbsent(row.className(), k -> new ArrayList<>()).add(RoundUnits.upTo(row, rounds));
        }
        for (List<Row> rows : byClass.values()) {
            Intervals.Pools pools = new Intervals.Pools(rows);
            Row noisy = null;
            Row base = null;
            for (Row row : rows) {
                if (row.method().equals("m5") && row.params().get("n").equals("2")) {
                    noisy = row;
                }
                if (row.method().equals("m0") && row.params().get("n").equals("2")) {
                    base = row;
                }
            }
            Intervals.Pool own = pools.of(noisy, Metric.PRIMARY);
            boolean setApart = own.rows() == 1 && own.df() == rounds - 1;
            // The ratio's truth is the factor: the run's shift and the lesson's round state cancel in it.
            Estimate ratio = Intervals.ratio(Intervals.data(base, Metric.PRIMARY), pools.of(base, Metric.PRIMARY),
                    Intervals.data(noisy, Metric.PRIMARY), own);
            boolean covered = ratio.low() <= FACTOR && FACTOR <= ratio.high();
            all.add(covered);
            if (!setApart) {
                missed.add(covered);
            }
        }
    }
}
