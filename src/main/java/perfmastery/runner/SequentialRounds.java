package perfmastery.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import perfmastery.report.LookEvaluation;
import perfmastery.report.SequentialPlan;

/**
 * The rounds of a run under its preset's {@link SequentialPlan}: every lesson runs the rounds up to the first look;
 * after each look only the lessons with a claim still undecided on some JDK or flag set get the rounds up to the next
 * one, and a look is not started when the time it needs (estimated from the rows' measured seconds so far) would take
 * any pair's JMH time past the preset's cap. Without a plan (smoke, a user's {@code -f}, consecutive order) the run
 * has its plain rounds. The JDKs and flag sets keep alternating round by round.
 */
final class SequentialRounds {

    private final SequentialPlan plan;
    private final int plainRounds;
    private int lastRound;
    private Set<String> active;
    private final List<Map<String, Object>> looks = new ArrayList<>();
    private final Map<String, Map<String, Integer>> decidedAt = new LinkedHashMap<>();

    private SequentialRounds(SequentialPlan plan, int plainRounds) {
        this.plan = plan;
        this.plainRounds = plainRounds;
        this.lastRound = plan == null ? plainRounds : plan.maxRounds();
    }

    /** The plan of a run: the preset's when its forks run in rounds at the preset's own count, else none. */
    static SequentialRounds of(ForkPlan forks, Preset preset) {
        SequentialPlan plan = forks.inRounds() && forks.minimums() && forks.forks() == preset.forks()
                ? SequentialPlan.forPreset(preset.label()) : null;
        if (plan != null && plan.looks().get(0) != forks.rounds()) {
            plan = null; // a plan whose first look is not the preset's rounds is not this run's
        }
        return new SequentialRounds(plan, forks.rounds());
    }

    SequentialPlan plan() {
        return plan;
    }

    /** The plan's lines for the settings printed before the run; none without a plan. */
    List<String> describe() {
        return plan == null ? List.of() : plan.describe();
    }

    /** The last round this run will start (the plan's last look until a look stops it earlier). */
    int lastRound() {
        return lastRound;
    }

    /** The round the run is heading for from {@code round}: the next look, or its last round. */
    int target(int round) {
        if (plan != null) {
            for (int look : plan.looks()) {
                if (look >= round && look <= lastRound) {
                    return look;
                }
            }
        }
        return lastRound;
    }

    boolean isLook(int round) {
        return plan != null && plan.looks().contains(round);
    }

    /** The selection a pair runs in {@code round}: whole until the first look, then only the undecided lessons. */
    BenchmarkSelection selectionFor(BenchmarkSelection whole) {
        return active == null ? whole : whole.onlyClasses(active);
    }

    /**
     * After the look at {@code round}: evaluates each pair's rounds so far, keeps the lessons still undecided on some
     * pair, and stops the run when none is left or the next look cannot finish within the cap.
     */
    void afterLook(int round, List<RunMain.PairRun> runs, Path runDir, PrintStream out) throws IOException {
        int k = plan.looks().indexOf(round);
        Set<String> undecided = new TreeSet<>();
        Map<String, Object> look = new LinkedHashMap<>();
        look.put("look", k + 1);
        look.put("rounds", round);
        look.put("alpha", plan.lookAlpha(k));
        for (RunMain.PairRun run : runs) {
            synchronized (run) {
                if (run.roundFiles.isEmpty() || run.result != null) {
                    continue; // nothing yet, or joined already by an interrupt
                }
            }
            Set<String> lessons = new TreeSet<>();
            for (BenchmarkSelection.Unit unit : run.selection.units()) {
                lessons.add(BenchmarkSelection.classOf(unit.benchmark()));
            }
            Path json = runDir.resolve(".look-" + (k + 1) + "-" + run.pair.label() + ".json");
            Path sidecar = RunMetadata.sidecarOf(json);
            try {
                Files.deleteIfExists(json);
                ForkMerge.merge(run.roundFiles, json);
                Map<String, Object> content = new LinkedHashMap<>();
                content.put("format", "jvm-perf-mastery run metadata 1");
                content.putAll(sidecarPart(run));
                RunMetadata.write(json, content);
                LookEvaluation.Result result = LookEvaluation.of(json, lessons);
                undecided.addAll(result.undecidedLessons());
                decidedAt.computeIfAbsent(run.pair.label(), l -> new LinkedHashMap<>()).putAll(result.decidedAt());
            } finally {
                Files.deleteIfExists(json);
                Files.deleteIfExists(sidecar);
            }
        }
        look.put("undecidedLessons", new ArrayList<>(undecided));
        active = undecided;
        String stop = null;
        if (undecided.isEmpty()) {
            stop = "every claim is decided";
        } else if (k + 1 >= plan.looks().size()) {
            stop = "the last planned look";
        } else {
            int next = plan.looks().get(k + 1);
            double worst = 0;
            for (RunMain.PairRun run : runs) {
                double spent = run.unitSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
                double perRound = 0;
                for (Map.Entry<String, Double> unit : run.unitSeconds.entrySet()) {
                    String key = unit.getKey();
                    int bracket = key.indexOf('[');
                    String benchmark = bracket < 0 ? key : key.substring(0, bracket);
                    if (undecided.contains(BenchmarkSelection.classOf(benchmark))) {
                        perRound += unit.getValue() / round;
                    }
                }
                worst = Math.max(worst, spent + (next - round) * perRound);
            }
            look.put("estimatedSecondsAtNextLook", worst);
            if (worst > plan.capSeconds()) {
                stop = String.format(Locale.ROOT, "the cap was reached at look %d: look %d would take a JDK's JMH"
                        + " time to about %.0f s, above the cap of %.0f s", k + 1, k + 2, worst, plan.capSeconds());
            }
        }
        look.put("stop", stop);
        looks.add(look);
        out.println();
        out.println("=== look " + (k + 1) + " after round " + round + " (α " + String.format(Locale.ROOT, "%.4f",
                plan.lookAlpha(k)) + "): " + (undecided.isEmpty() ? "no lesson undecided"
                : undecided.size() + " lesson(s) undecided: " + String.join(", ", undecided))
                + (stop == null ? "" : "; stop: " + stop));
        if (stop != null) {
            lastRound = round;
        }
    }

    /** What a pair's sidecar gets: which round each fork ran in, the plan and its looks. */
    Map<String, Object> sidecarPart(RunMain.PairRun run) throws IOException {
        Map<String, Object> part = new LinkedHashMap<>();
        if (plainRounds > 1 || plan != null) {
            part.put("forkRounds", ForkMerge.forkRounds(run.roundFiles, run.roundNumbers));
        }
        if (plan != null) {
            part.put("sequentialPlan", plan.toJson());
            part.put("looks", looks);
            part.put("decidedAt", decidedAt.getOrDefault(run.pair.label(), Map.of()));
        }
        return part;
    }
}
