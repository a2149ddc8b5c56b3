package perfmastery.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a row's measured iterations are in steady state: a trend test over its forks' iterations.
 *
 * <p><b>The test.</b> Mann–Kendall within each fork: {@code S_f = Σ_{i<j} sign(x_j − x_i)} over its measured
 * iterations in order, summed over the forks, {@code S = Σ_f S_f}. Under no trend (iterations exchangeable within a
 * fork, forks independent) each {@code S_f} has the exact distribution of Kendall's statistic, and S that of their
 * convolution; the p-value is exact, two-sided, from that distribution (ties count 0, which only makes it
 * conservative). It uses only the order inside each fork, so the fork-to-fork scatter (JIT decisions, layout) cannot
 * look like a trend, and it needs no normality.
 *
 * <p><b>Its power with quick's 3 iterations per fork.</b> A fork of 3 iterations has 6 orders, so with 3 forks the
 * smallest p there is is {@code 2 · 6⁻³ = 0.0093}: the row is flagged at 1 % only when every fork moves the same
 * way at every iteration. That catches a warm-up trend that is larger than the iteration noise in every fork (JIT
 * still compiling, heap pages still being touched), and nothing subtler: {@code SteadyStateTest} prints the power
 * for a trend of one and of two noise SDs per iteration. More iterations or rounds raise it fast (5 iterations: 120
 * orders per fork). A row flagged is not pooled silently: the report lists it with the fix (more warm-up).
 *
 * <p>At 1 % per row a run of some 80 rows flags about one steady row in a run by chance: a flag is a prompt to look,
 * not a verdict.
 */
final class SteadyState {

    /** The two-sided level at which a row is flagged. */
    static final double LEVEL = 0.01;

    private SteadyState() {
    }

    /** The trend of one row: S, its exact two-sided p, and whether the iterations rose (S above 0). */
    record Trend(int s, double p, int forks) {
        boolean flagged() {
            return p <= LEVEL;
        }
    }

    /** The trend of per-fork, per-iteration values; null when no fork has 2 iterations. */
    static Trend of(double[][] forks) {
        if (forks == null) {
            return null;
        }
        int s = 0;
        double[] distribution = {1};
        int offset = 0;
        int used = 0;
        for (double[] fork : forks) {
            if (fork == null || fork.length < 2) {
                continue;
            }
            used++;
            for (int i = 0; i < fork.length; i++) {
                for (int j = i + 1; j < fork.length; j++) {
                    s += Double.compare(fork[j], fork[i]) > 0 ? 1 : fork[j] < fork[i] ? -1 : 0;
                }
            }
            double[] kendall = kendall(fork.length);
            distribution = convolve(distribution, kendall);
            offset += fork.length * (fork.length - 1) / 2;
        }
        if (used == 0) {
            return null;
        }
        // distribution[k] = P(S = k − offset), S in steps of 2 (k even steps only are reached with parity).
        double p = 0;
        for (int k = 0; k < distribution.length; k++) {
            if (Math.abs(k - offset) >= Math.abs(s)) {
                p += distribution[k];
            }
        }
        return new Trend(s, Math.min(1, p), used);
    }

    /**
     * The exact distribution of Kendall's S for n exchangeable values, indexed by {@code S + n(n−1)/2} (S = pairs
     * concordant − discordant = n(n−1)/2 − 2 · inversions).
     */
    static double[] kendall(int n) {
        int pairs = n * (n - 1) / 2;
        // Mahonian numbers: permutations of n by inversions.
        double[] inversions = {1};
        for (int m = 2; m <= n; m++) {
            double[] next = new double[inversions.length + m - 1];
            for (int i = 0; i < inversions.length; i++) {
                for (int add = 0; add < m; add++) {
                    next[i + add] += inversions[i];
                }
            }
            inversions = next;
        }
        double total = 0;
        for (double c : inversions) {
            total += c;
        }
        double[] bySum = new double[2 * pairs + 1];
        for (int inv = 0; inv < inversions.length; inv++) {
            bySum[pairs - 2 * inv + pairs] += inversions[inv] / total;
        }
        return bySum;
    }

    private static double[] convolve(double[] a, double[] b) {
        double[] out = new double[a.length + b.length - 1];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                out[i + j] += a[i] * b[j];
            }
        }
        return out;
    }

    /** The flagged rows of a run (primary metric, each fork's own iterations), one line each with the fix. */
    static List<String> flagged(Run run) {
        List<String> lines = new ArrayList<>();
        for (Row row : run.rows()) {
            Trend t = of(row.primary().forks());
            if (t != null && t.flagged()) {
                lines.add(row.shortName() + RunComparison.paramsSuffix(row) + " on " + run.label() + ": the measured"
                        + " iterations " + (t.s() > 0 ? "rise" : "fall") + " within its forks (Mann–Kendall S = " + t.s()
                        + " over " + t.forks() + " forks, p = " + String.format(java.util.Locale.ROOT, "%.4f", t.p())
                        + "): not in steady state; give it more warm-up (-wi, -w) before trusting its figure");
            }
        }
        return lines;
    }
}
