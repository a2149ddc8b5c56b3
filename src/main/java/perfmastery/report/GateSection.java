package perfmastery.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The regression gate over a report's comparisons, and the table that opens the report: row, head/base with its
 * interval at the adjusted level, margin, verdict, adjusted level ({@link RegressionGate} states the rule).
 *
 * <p>Which comparisons are gated: with {@code --baseline}, every run against its baseline; without, a comparison of
 * two runs of one configuration (same JDK, VM and JVM flags: before/after, A/A, the two sides of a
 * {@code --compare-with} run). A comparison of two JDKs or two flag sets is a study, not a gate. The family is
 * every gated row × metric of every gated comparison in the report, decided at once.
 */
final class GateSection {

    /** One gated comparison: base = run a, head = run b. */
    record Gated(RunComparison.Result comparison, boolean interleaved, List<RegressionGate.Decision> decisions) {
    }

    record Gate(List<Gated> gated, double margin, double alpha) {

        long count(RegressionGate.Verdict verdict) {
            return gated.stream().flatMap(g -> g.decisions().stream()).filter(d -> d.verdict() == verdict).count();
        }

        int family() {
            return (int) gated.stream().flatMap(g -> g.decisions().stream()).filter(d -> d.test().gated()).count();
        }

        /** The warning a run with undecided rows and no regression gets: exit 0, but say so. */
        String undecidedWarning() {
            long undecided = count(RegressionGate.Verdict.UNDECIDED);
            if (undecided == 0) {
                return null;
            }
            return "regression gate: " + undecided + " row(s) undecided against the " + percent(margin) + " margin"
                    + " (the interval reaches both sides of 1 + margin): not a failure, but not shown to be within"
                    + " the margin either; more rounds would decide them";
        }

        Doc doc() {
            Doc doc = new Doc();
            if (gated.isEmpty()) {
                return doc;
            }
            doc.heading(2, "Regression gate");
            long regressions = count(RegressionGate.Verdict.REGRESSION);
            doc.paragraph((regressions > 0 ? "FAILED: " + regressions + " regression(s)" : "Passed: no regression")
                    + ", " + count(RegressionGate.Verdict.UNDECIDED) + " undecided, "
                    + count(RegressionGate.Verdict.WITHIN_MARGIN) + " within the margin, "
                    + count(RegressionGate.Verdict.NOT_GATED) + " not gated. A regression is a row whose head/base"
                    + " cost ratio (time, p99 or B/op of head over base; throughput base over head: above 1 is worse)"
                    + " lies wholly above 1 + margin (" + percent(margin) + ") at its adjusted level: a minimum-effect"
                    + " test, so noise below the margin cannot fail the gate. Error control: Holm over the family of "
                    + family() + " rows × metrics at α " + alpha + " (family-wise). Rounds are the unit, each row has"
                    + " its own df. The interval shown is two-sided at 1 − 2 × the adjusted level, so its lower end is"
                    + " the one-sided test. See docs/gate.md.");
            for (Gated g : gated) {
                String base = g.comparison().a().label();
                String head = g.comparison().b().label();
                if (g.interleaved()) {
                    doc.paragraph("Base " + base + " against head " + head + ": interleaved (one invocation, base and"
                            + " head alternating in rounds, ABBA): each row is paired round by round.");
                } else {
                    double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(alpha / Math.max(1, family()));
                    double smallest = (1 + margin) * Math.exp(z * Math.sqrt(BetweenRuns.VARIANCE));
                    doc.paragraph(String.format(Locale.ROOT, "Base %s against head %s: NOT interleaved. The two ran"
                            + " at different times (different invocations), so a shift of the whole run or of a"
                            + " row between them is not in either run's forks. Each row's variance includes a"
                            + " between-run component σ_B = %.1f %% (log SD; the largest of the committed A/A pairs in"
                            + " results/reference/a-a-rounds and results/reference/a-a-consecutive, see BetweenRuns). Such a"
                            + " comparison cannot show a difference much below %.2fx: even with no scatter of its"
                            + " own, a row must be about %.2fx slower to be flagged half the time in this family"
                            + " (%.2fx for one test at 5 %%). Run base and head interleaved (./run-benchmarks.sh"
                            + " --compare-with) to gate smaller differences.", base, head,
                            100 * Math.sqrt(BetweenRuns.VARIANCE), smallest, smallest,
                            BetweenRuns.detectable(0.05)));
                }
                List<List<String>> rows = new ArrayList<>();
                for (RegressionGate.Decision d : g.decisions()) {
                    RegressionGate.Test t = d.test();
                    rows.add(List.of(t.name(), Double.isFinite(t.logRatio()) ? ratio(t.ratio()) : "–",
                            d.verdict() == RegressionGate.Verdict.NOT_GATED ? "– " + t.note()
                                    : "[" + ratio(d.low()) + ", " + ratio(d.high()) + "]",
                            percent(margin), verdictText(d.verdict()),
                            Double.isFinite(d.level()) ? String.format(Locale.ROOT, "%.2g", d.level()) : "–",
                            Double.isFinite(d.p()) ? String.format(Locale.ROOT, "%.2g", d.p()) : "–"));
                }
                doc.add(new Doc.Table(List.of("row", "head/base", "interval", "margin", "verdict", "adjusted level",
                        "p"), rows, new boolean[] {false, true, true, true, false, true, true}));
            }
            return doc;
        }
    }

    private GateSection() {
    }

    /** A ratio near 1 with three decimals (1.052), a large one as the report writes factors. */
    static String ratio(double x) {
        return Double.isFinite(x) && Math.abs(x) < 10 ? String.format(Locale.ROOT, "%.3f", x) : Fmt.factor(x);
    }

    static String verdictText(RegressionGate.Verdict v) {
        return switch (v) {
            case REGRESSION -> "REGRESSION";
            case WITHIN_MARGIN -> "within margin";
            case UNDECIDED -> "undecided";
            case NOT_GATED -> "not gated";
        };
    }

    static String percent(double margin) {
        return String.format(Locale.ROOT, "%.3g %%", 100 * margin).replace(".00 %", " %").replace(".0 %", " %");
    }

    /**
     * The gate over {@code comparisons} (run a the base, run b the head).
     *
     * @param baselinesGiven whether --baseline was given: then every comparison is gated
     */
    static Gate of(List<RunComparison.Result> comparisons, boolean baselinesGiven, double margin) {
        List<RunComparison.Result> chosen = new ArrayList<>();
        List<Boolean> interleaved = new ArrayList<>();
        List<RegressionGate.Test> family = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (RunComparison.Result c : comparisons) {
            if (!baselinesGiven && !sameConfiguration(c.a(), c.b())) {
                continue;
            }
            boolean paired = RegressionGate.interleaved(c.a(), c.b());
            List<RegressionGate.Test> tests = RegressionGate.tests(c.a(), c.b(), paired);
            chosen.add(c);
            interleaved.add(paired);
            sizes.add(tests.size());
            family.addAll(tests);
        }
        List<RegressionGate.Decision> decisions = RegressionGate.decide(family, RegressionGate.ALPHA, margin);
        List<Gated> gated = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < chosen.size(); i++) {
            gated.add(new Gated(chosen.get(i), interleaved.get(i), decisions.subList(from, from + sizes.get(i))));
            from += sizes.get(i);
        }
        return new Gate(gated, margin, RegressionGate.ALPHA);
    }

    private static boolean sameConfiguration(Run a, Run b) {
        List<String> fa = a.userFlags() != null ? a.userFlags() : a.jvmArgs();
        List<String> fb = b.userFlags() != null ? b.userFlags() : b.jvmArgs();
        return Objects.equals(a.jdkVersion(), b.jdkVersion()) && Objects.equals(a.vmName(), b.vmName()) && fa.equals(fb);
    }
}
