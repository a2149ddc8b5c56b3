package perfmastery.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The runner's view of a look: which lessons (benchmark classes) still have an undecided claim after the rounds run
 * so far, from the same {@link SequentialVerdicts} the report uses, so that the runner and the report can never
 * disagree on what was decided when.
 */
public final class LookEvaluation {

    /**
     * @param undecidedLessons the classes with a measured claim that no look has decided yet
     * @param decidedAt        per claim ("class#id"), the look (1-based) that decided it
     */
    public record Result(Set<String> undecidedLessons, Map<String, Integer> decidedAt) {
    }

    private LookEvaluation() {
    }

    /**
     * Evaluates a pair's JSON so far; its sidecar must hold the round record and the plan. A file the report cannot
     * read gives every lesson as undecided (the runner then keeps running them, as without a plan).
     */
    public static Result of(Path json, Set<String> lessonsRun) {
        try {
            Run run = RoundUnits.apply(JmhJsonReader.read(json));
            SequentialVerdicts.Outcome outcome = SequentialVerdicts.check(new ClaimChecker(new ArrayList<>()), run);
            Set<String> undecided = new TreeSet<>();
            for (ClaimChecker.Verdict v : outcome.verdicts()) {
                String key = SequentialVerdicts.key(v.lesson(), v.claim());
                if (!ClaimChecker.NOT_MEASURED.equals(v.status()) && !outcome.decidedAt().containsKey(key)) {
                    undecided.add(v.lesson());
                }
            }
            return new Result(undecided, new LinkedHashMap<>(outcome.decidedAt()));
        } catch (RuntimeException e) {
            return new Result(new TreeSet<>(lessonsRun), Map.of());
        }
    }

    /** The plan's lines for the runner to print, or an empty list when the preset has none. */
    public static List<String> describe(String preset) {
        SequentialPlan plan = SequentialPlan.forPreset(preset);
        return plan == null ? List.of() : plan.describe();
    }
}
