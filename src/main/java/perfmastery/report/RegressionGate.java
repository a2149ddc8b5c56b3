package perfmastery.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The regression gate: is the head slower (or allocating more) than the base by more than a stated margin?
 *
 * <p><b>The rule (a minimum-effect test).</b> For each gated row and metric the gate estimates the cost ratio
 * head/base (time per op, p99, B/op; for throughput base/head, so above 1 is always worse) on the log scale and
 * tests {@code H0: ratio ≤ 1 + margin} against {@code H1: ratio > 1 + margin}, one-sided. A row is a
 * REGRESSION when its p-value passes Holm's step-down at the look's level, which is the same as its interval at
 * the adjusted level lying wholly above {@code 1 + margin}. Noise below the margin can therefore never fail the
 * gate, whatever the number of rounds: a run shift of up to the margin is a true null. The default margin is
 * {@value #DEFAULT_MARGIN_PERCENT} % ({@code --margin}).
 *
 * <p><b>The family and its error control: Holm.</b> The family is every gated row × metric of the run (primary
 * score, {@code gc.alloc.rate.norm}, and p99 of SampleTime rows). A failed gate is an action (a blocked pull
 * request), and one false failure is what makes users switch a gate off; so the error to control is the chance
 * of any false REGRESSION (the family-wise error rate), not the share of false ones among those found
 * (Benjamini–Hochberg's FDR, which lets a run with one real regression carry false ones beside it). Holm
 * controls the FWER strongly under any dependence between the tests; the rows of a run are dependent (they share
 * the machine's state), and Holm needs no assumption about how. When there is one true regression, BH's first
 * step and Holm's are the same test (α/m), so BH would buy no power where a gate needs it.
 *
 * <p><b>The unit: rounds.</b> A round is one independent replicate; forks run back to back in one round share
 * its machine state, so they are averaged (the mean of their log fork means) into one observation per round.
 * Interleaved sides ({@code --compare-with}: base and head ran in the same rounds, ABBA) are paired per round,
 * which cancels what a round shares: {@code d_r = log head_r − log base_r}, {@code se = sd(d)/√R}, df
 * {@code R − 1}. Sides of different runs are unpaired: {@code se² = s_h²/R_h + s_b²/R_b + σ_B²} with the
 * Welch–Satterthwaite df, where {@code σ_B²} is the between-run component ({@link BetweenRuns}) added to
 * time metrics when the two runs were not interleaved (B/op is a count: it does not drift with the machine). No variance is pooled across rows: every row rests on its own df.
 *
 * <p><b>Verdicts.</b> REGRESSION (above), WITHIN_MARGIN (the two-sided 95 % interval's upper end is below
 * {@code 1 + margin}: the row is shown not to be slower by more than the margin; a non-binding futility stop for
 * the sequential part), UNDECIDED (neither), NOT_GATED (no interval: one round, no rawData, a side missing).
 *
 * <p><b>Sequential looks.</b> {@link Plan} states the looks (rounds) and each look's α. The α of the looks sums to
 * {@value #ALPHA} (a union bound over looks, valid whatever the correlation between looks), so testing again at
 * a later look, with more rounds for the rows still UNDECIDED, keeps the FWER at most α. The rule is the one
 * method {@link #decide(List, double, double)}: a shared sequential plan can call it with its own look's α.
 */
public final class RegressionGate {

    /** The family-wise error rate the gate controls over all looks. */
    public static final double ALPHA = 0.05;
    static final int DEFAULT_MARGIN_PERCENT = 5;
    /** The default margin: 5 % slower, 5 % more B/op, 5 % worse p99. */
    public static final double DEFAULT_MARGIN = DEFAULT_MARGIN_PERCENT / 100.0;
    /** Below this many B/op on both sides a row allocates nothing, and B/op is not gated. */
    static final double NEGLIGIBLE_BYTES = RunComparison.NEGLIGIBLE_BYTES;
    static final String ALLOC = RunComparison.ALLOC;
    static final String P99 = "p99";

    public enum Verdict { REGRESSION, WITHIN_MARGIN, UNDECIDED, NOT_GATED }

    /**
     * One row × metric's comparison before the family is decided.
     *
     * @param name   row and metric, for tables and messages
     * @param logRatio the estimated log cost ratio (head over base; above 0 worse)
     * @param se     its standard error; 0 when both sides are deterministic
     * @param df     its degrees of freedom; NaN when there is no interval
     * @param note   why there is no interval, or empty
     */
    public record Test(String name, double logRatio, double se, double df, String note) {

        public boolean gated() {
            return Double.isFinite(df) && df > 0 && Double.isFinite(se) && Double.isFinite(logRatio);
        }

        public double ratio() {
            return Math.exp(logRatio);
        }

        /** One-sided p of {@code H0: ratio ≤ 1 + margin}; 1 when not gated. */
        public double p(double margin) {
            if (!gated()) {
                return 1;
            }
            double excess = logRatio - Math.log1p(margin);
            if (se == 0) {
                return excess > 0 ? 0 : 1;
            }
            return TDistribution.of(df).survivalProbability(excess / se);
        }

        /** The two-sided interval at {@code 1 − 2·level}: its lower end is the one-sided test at {@code level}. */
        public double[] interval(double level) {
            if (!gated()) {
                return new double[] {Double.NaN, Double.NaN};
            }
            double half = se == 0 ? 0 : TDistribution.of(df).inverseSurvivalProbability(level) * se;
            return new double[] {Math.exp(logRatio - half), Math.exp(logRatio + half)};
        }
    }

    /**
     * A test with its verdict.
     *
     * @param level the one-sided level the test was compared at (Holm's α/(m − i + 1) for its rank i, or the level
     *              where the step-down stopped); NaN when not gated
     * @param low   the interval's lower end at {@code level} (above {@code 1 + margin}: a regression)
     * @param high  its upper end
     */
    public record Decision(Test test, double p, double level, double low, double high, Verdict verdict) {
    }

    private RegressionGate() {
    }

    /**
     * THE decision rule: Holm's step-down over the family at {@code alpha} (one look's α) for the minimum-effect
     * test against {@code 1 + margin}; every test that is not a regression is WITHIN_MARGIN when its two-sided
     * 95 % interval lies below {@code 1 + margin}, else UNDECIDED. Tests without an interval are NOT_GATED and
     * are not counted in the family. The order of the result is the order of {@code tests}.
     */
    public static List<Decision> decide(List<Test> tests, double alpha, double margin) {
        List<Integer> gated = new ArrayList<>();
        double[] p = new double[tests.size()];
        for (int i = 0; i < tests.size(); i++) {
            p[i] = tests.get(i).p(margin);
            if (tests.get(i).gated()) {
                gated.add(i);
            }
        }
        gated.sort(Comparator.comparingDouble((Integer i) -> p[i]).thenComparing(i -> i));
        int m = gated.size();
        double[] level = new double[tests.size()];
        Arrays.fill(level, Double.NaN);
        boolean[] rejected = new boolean[tests.size()];
        boolean stopped = false;
        double stopLevel = Double.NaN;
        for (int rank = 0; rank < m; rank++) {
            int i = gated.get(rank);
            if (stopped) {
                level[i] = stopLevel;
                continue;
            }
            double holm = alpha / (m - rank);
            level[i] = holm;
            if (p[i] <= holm) {
                rejected[i] = true;
            } else {
                stopped = true;
                stopLevel = holm;
            }
        }
        double bound = Math.log1p(margin);
        List<Decision> out = new ArrayList<>(tests.size());
        for (int i = 0; i < tests.size(); i++) {
            Test t = tests.get(i);
            if (!t.gated()) {
                out.add(new Decision(t, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Verdict.NOT_GATED));
                continue;
            }
            double[] ci = t.interval(level[i]);
            Verdict verdict;
            if (rejected[i]) {
                verdict = Verdict.REGRESSION;
            } else {
                double upper95 = t.se() == 0 ? t.logRatio()
                        : t.logRatio() + TDistribution.of(t.df()).inverseSurvivalProbability(0.025) * t.se();
                verdict = upper95 < bound ? Verdict.WITHIN_MARGIN : Verdict.UNDECIDED;
            }
            out.add(new Decision(t, p[i], level[i], ci[0], ci[1], verdict));
        }
        return out;
    }

    // ---------------------------------------------------------------- the sequential plan

    /**
     * The gate's looks: after the preset's rounds, and at the cap, with the α of each look. α is spent in
     * proportion to the rounds run (linear spending, {@code α_k = α · (R_k − R_{k−1}) / R_cap}), and the looks'
     * α sum to {@link #ALPHA}; by the union bound the FWER over all looks is at most α whatever the looks'
     * correlation. Rows WITHIN_MARGIN at a look stop (a non-binding futility stop, which cannot raise the FWER).
     *
     * @param looks the round counts at which the gate decides, ascending; the last one is the cap
     */
    public record Plan(int[] looks) {

        public Plan {
            looks = looks.clone();
            for (int k = 1; k < looks.length; k++) {
                if (looks[k] <= looks[k - 1]) {
                    throw new IllegalArgumentException("looks must ascend: " + Arrays.toString(looks));
                }
            }
        }

        /** The gate's plan for a preset's rounds: a look there and one at twice as many (the cap). */
        public static Plan forRounds(int presetRounds) {
            return presetRounds < 2 ? new Plan(new int[] {presetRounds}) : new Plan(new int[] {presetRounds, 2 * presetRounds});
        }

        public int cap() {
            return looks[looks.length - 1];
        }

        /** The α of look {@code k} (0-based). */
        public double alpha(int k) {
            int before = k == 0 ? 0 : looks[k - 1];
            return ALPHA * (looks[k] - before) / cap();
        }

        public String describe() {
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < looks.length; k++) {
                parts.add(String.format(Locale.ROOT, "after round %d at α %.4f", looks[k], alpha(k)));
            }
            return "looks " + String.join(", ", parts) + " (linear α spending, union bound over looks; family-wise"
                    + " error at most " + ALPHA + ")";
        }
    }

    // ---------------------------------------------------------------- tests from rows

    /**
     * The per-round observations of one row's metric on the log scale: each round's forks' log means averaged.
     * {@code rounds} is how many rounds the forks were spread over (from the sidecar); when the forks do not split
     * evenly into them, or it is unknown, each fork is its own observation. Null when there are no usable values.
     * Values at or below {@code floor} are raised to it (so a side that allocates 0 B/op has a finite log).
     */
    static double[] roundLogs(double[][] forks, int rounds, double floor) {
        if (forks == null) {
            return null;
        }
        List<Double> forkLogs = new ArrayList<>();
        for (double[] fork : forks) {
            if (fork == null || fork.length == 0) {
                continue;
            }
            double sum = 0;
            for (double v : fork) {
                sum += v;
            }
            double mean = sum / fork.length;
            if (!Double.isFinite(mean)) {
                return null;
            }
            if (mean <= floor) {
                if (floor <= 0) {
                    return null;
                }
                mean = floor;
            }
            forkLogs.add(Math.log(mean));
        }
        if (forkLogs.isEmpty()) {
            return null;
        }
        int f = forkLogs.size();
        int perRound = rounds > 1 && f % rounds == 0 ? f / rounds : 1;
        double[] out = new double[f / perRound];
        for (int r = 0; r < out.length; r++) {
            double sum = 0;
            for (int j = 0; j < perRound; j++) {
                sum += forkLogs.get(r * perRound + j);
            }
            out[r] = sum / perRound;
        }
        return out;
    }

    /**
     * The test of a cost ratio from the two sides' per-round log values.
     *
     * @param worseIsHigher true for time and B/op (head/base), false for throughput (base/head)
     * @param paired        the sides ran interleaved in the same rounds: pair them round by round
     * @param betweenVariance the between-run variance to add when the sides are different runs (0 if interleaved)
     * @param betweenDf     its df
     */
    public static Test test(String name, double[] base, double[] head, boolean worseIsHigher, boolean paired,
                            double betweenVariance, double betweenDf) {
        if (base == null || head == null) {
            return new Test(name, Double.NaN, Double.NaN, Double.NaN, "no per-iteration values (rawData)");
        }
        double sign = worseIsHigher ? 1 : -1;
        if (paired && base.length == head.length && base.length >= 2) {
            double[] d = new double[base.length];
            for (int r = 0; r < d.length; r++) {
                d[r] = sign * (head[r] - base[r]);
            }
            double var = Intervals.variance(d);
            return new Test(name, Intervals.mean(d), Math.sqrt(var / d.length), d.length - 1, "");
        }
        double diff = sign * (Intervals.mean(head) - Intervals.mean(base));
        if (base.length < 2 || head.length < 2) {
            return new Test(name, diff, Double.NaN, Double.NaN, "1 round: no round-to-round variance (run 2+ rounds)");
        }
        double vb = Intervals.variance(base) / base.length;
        double vh = Intervals.variance(head) / head.length;
        double v = vb + vh + betweenVariance;
        double denominator = vb * vb / (base.length - 1) + vh * vh / (head.length - 1)
                + (betweenVariance > 0 ? betweenVariance * betweenVariance / betweenDf : 0);
        double df = denominator == 0 ? base.length + head.length - 2 : v * v / denominator;
        return new Test(name, diff, Math.sqrt(v), df, "");
    }

    /**
     * The gate's tests for a base run against a head run: every row the two share, primary score, B/op (where
     * either side allocates at least {@link #NEGLIGIBLE_BYTES}) and p99 of SampleTime rows.
     *
     * @param interleaved the two ran in the same rounds of one invocation (pair them; no between-run component)
     */
    static List<Test> tests(Run base, Run head, boolean interleaved) {
        int roundsBase = rounds(base);
        int roundsHead = rounds(head);
        double between = interleaved ? 0 : BetweenRuns.VARIANCE;
        Map<String, Row> baseRows = RunComparison.byKey(base);
        List<Test> out = new ArrayList<>();
        Map<String, Row> headRows = RunComparison.byKey(head);
        for (Row h : head.rows()) {
            Row b = baseRows.get(h.key());
            String name = h.shortName() + RunComparison.paramsSuffix(h) + " " + h.mode()
                    + (h.threads() > 1 ? " " + h.threads() + " threads" : "");
            if (b == null) {
                out.add(new Test(name, Double.NaN, Double.NaN, Double.NaN, "on the head only: listed, not gated"));
                continue;
            }
            Metric pb = b.primary();
            Metric ph = Units.convert(h.primary(), pb.unit());
            if (ph == null) {
                out.add(new Test(name, Double.NaN, Double.NaN, Double.NaN, "units do not convert"));
            } else {
                out.add(test(name, roundLogs(rawOrNull(pb), roundsBase, 0), roundLogs(rawOrNull(ph), roundsHead, 0),
                        !h.higherIsBetter(), interleaved, between, BetweenRuns.DF));
            }
            Metric ab = b.secondary().get(ALLOC);
            Metric ah = h.secondary().get(ALLOC);
            if (ab != null && ah != null && Units.convert(ah, ab.unit()) != null) {
                Metric ahc = Units.convert(ah, ab.unit());
                if (Math.max(ab.score(), ahc.score()) >= NEGLIGIBLE_BYTES) {
                    // B/op is a count, not a time: the between-run component (estimated on times) is not added.
                    out.add(test(name + " B/op", roundLogs(rawOrNull(ab), roundsBase, NEGLIGIBLE_BYTES),
                            roundLogs(rawOrNull(ahc), roundsHead, NEGLIGIBLE_BYTES), true, interleaved, 0,
                            BetweenRuns.DF));
                }
            }
            if ("sample".equals(h.mode())) {
                Intervals.Data qb = Intervals.data(b, P99);
                Intervals.Data qh = Intervals.data(h, P99);
                if (qb != null && qh != null && Objects.equals(qb.unit(), qh.unit())) {
                    out.add(test(name + " p99", roundLogs(qb.forks(), roundsBase, 0), roundLogs(qh.forks(), roundsHead, 0),
                            true, interleaved, between, BetweenRuns.DF));
                }
            }
        }
        for (Row b : base.rows()) {
            if (!headRows.containsKey(b.key())) {
                out.add(new Test(b.shortName() + RunComparison.paramsSuffix(b) + " " + b.mode()
                        + (b.threads() > 1 ? " " + b.threads() + " threads" : ""), Double.NaN, Double.NaN, Double.NaN,
                        "on the base only: listed, not gated"));
            }
        }
        return out;
    }

    private static double[][] rawOrNull(Metric m) {
        return m.hasRawData() ? m.forks() : null;
    }

    /** How many rounds a run's forks were spread over, from its sidecar; 0 when unknown (each fork a unit). */
    static int rounds(Run run) {
        Sidecar s = run.sidecar();
        return s == null || s.rounds() == null ? 0 : s.rounds();
    }

    /**
     * Whether two runs were interleaved: parts of one invocation ({@code --compare-with}: the same run id, base
     * and head sides) whose rounds alternated, so that pairing them by round is right.
     */
    static boolean interleaved(Run base, Run head) {
        Sidecar sb = base.sidecar();
        Sidecar sh = head.sidecar();
        return sb != null && sh != null && sb.runId() != null && sb.runId().equals(sh.runId())
                && sb.side() != null && sh.side() != null && !sb.side().equals(sh.side())
                && sb.rounds() != null && sb.rounds().equals(sh.rounds()) && sb.rounds() >= 2;
    }

    /** The margin from "5%" or "2.5 %": a percentage, with its sign, so that 5 and 0.05 are never confused. */
    public static double parseMargin(String text) {
        String t = text.strip();
        if (!t.endsWith("%")) {
            throw new IllegalArgumentException("--margin takes a percentage such as 5%, not \"" + text + "\"");
        }
        double v;
        try {
            v = Double.parseDouble(t.substring(0, t.length() - 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--margin takes a percentage such as 5%, not \"" + text + "\"");
        }
        if (!(v >= 0) || v > 1000) {
            throw new IllegalArgumentException("--margin takes a percentage from 0% to 1000%, such as 5%, not \""
                    + text + "\"");
        }
        return v / 100;
    }
}
