package perfmastery.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's section on how the verdicts were reached: the unit of replication, the sequential plan with each
 * look's α, the error control (family and per-claim level), at which look each claim was decided, and the rows whose
 * measured iterations are not in steady state. ReportBuilder calls {@link #check} for each run's verdicts and
 * {@link #write} once.
 */
final class PlanSection {

    private final List<SequentialVerdicts.Outcome> outcomes = new ArrayList<>();
    private final List<String> unsteady = new ArrayList<>();

    /** The run as the statistics take it: its rows regrouped by rounds where it has a round record. */
    Run prepare(Run run) {
        // The trend test reads each fork's own iterations, so it runs before forks of a round are joined.
        unsteady.addAll(SteadyState.flagged(run));
        return RoundUnits.apply(run);
    }

    /** The sequential verdicts of a run's claims (one per claim, in the checker's order). */
    List<ClaimChecker.Verdict> check(ClaimChecker checker, Run run) {
        SequentialVerdicts.Outcome outcome = SequentialVerdicts.check(checker, run);
        outcomes.add(outcome);
        return outcome.verdicts();
    }

    void write(Doc doc) {
        doc.heading(2, "How the verdicts were reached");
        for (SequentialVerdicts.Outcome o : outcomes) {
            doc.heading(3, o.runLabel());
            List<String> lines = new ArrayList<>();
            lines.add(o.roundsUnit()
                    ? "Unit: rounds. Forks run back to back inside one round are averaged into one observation;"
                            + " every interval, df and geometric mean counts rounds."
                    : "Unit: forks. " + RoundUnits.FORKS_ARE_THE_UNIT + ".");
            lines.addAll(o.plan().describe());
            double first = o.plan().lookAlpha(0);
            lines.add(String.format(Locale.ROOT, "Error control: Holm over this run's %d measured claims (GUIDE and"
                    + " MECHANISM together), family-wise %.0f %%: at look 1 the first claim is tested at α %s / %d ="
                    + " %s, the next at / %d, and so on; a claim over several param pairs is CONFIRMED only when"
                    + " every pair is, REFUTED when one pair is at α / pairs.", o.family(), o.plan().alpha() * 100,
                    SequentialPlan.fmt(first), Math.max(1, o.family()), SequentialPlan.fmt(first / Math.max(1,
                            o.family())), Math.max(1, o.family() - 1)));
            Map<Integer, int[]> perLook = new TreeMap<>();
            for (ClaimChecker.Verdict v : o.verdicts()) {
                Integer look = o.decidedAt().get(SequentialVerdicts.key(v.lesson(), v.claim()));
                if (look != null) {
                    int[] counts = perLook.computeIfAbsent(look, k -> new int[3]);
                    counts[ClaimChecker.CONFIRMED.equals(v.status()) ? 0
                            : ClaimChecker.REFUTED.equals(v.status()) ? 1 : 2]++;
                }
            }
            perLook.forEach((look, c) -> lines.add(String.format(Locale.ROOT, "Decided at look %d: %d CONFIRMED,"
                    + " %d REFUTED, %d INCONCLUSIVE (inside the margin).", look, c[0], c[1], c[2])));
            int undecided = 0;
            for (ClaimChecker.Verdict v : o.verdicts()) {
                if (!ClaimChecker.NOT_MEASURED.equals(v.status())
                        && !o.decidedAt().containsKey(SequentialVerdicts.key(v.lesson(), v.claim()))) {
                    undecided++;
                }
            }
            lines.add("Undecided when its lesson's rounds ended: " + undecided + " (INCONCLUSIVE; claims.csv gives"
                    + " each one's reason).");
            doc.bullets(lines);
        }
        doc.heading(3, "Steady state");
        if (unsteady.isEmpty()) {
            doc.paragraph("No row's measured iterations trend within its forks (Mann–Kendall over each fork's"
                    + " iterations, summed over the forks, exact p at " + SteadyState.LEVEL * 100 + " %).");
        } else {
            doc.paragraph("These rows' measured iterations trend within their forks (Mann–Kendall, exact p at "
                    + SteadyState.LEVEL * 100 + " %): their figures include warm-up. The fix is more warm-up.");
            doc.bullets(unsteady);
        }
    }
}
