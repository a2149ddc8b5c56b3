package perfmastery.runner;

import java.util.List;
import java.util.Locale;

/**
 * The iteration settings of a run, given to JMH on the command line so they override each class's
 * own {@code @Fork}/{@code @Warmup}/{@code @Measurement}.
 */
public enum Preset {
    /** Does every benchmark run at all (CI): numbers from it are not measurements. */
    SMOKE(1, 1, "200ms", 1, "200ms"),
    /**
     * The default: three forks, so the report's intervals rest on fork-to-fork variance (JIT decisions, memory
     * layout; one fork holds none, and then no verdict is given) with 2 degrees of freedom per row; short
     * measured iterations keep the suite within 15 min per JDK, since each fork's start costs as much.
     */
    QUICK(3, 1, "800ms", 3, "400ms"),
    /** Three forks, so run-to-run (JIT, layout) variance shows up in the error bars. */
    FULL(3, 5, "1s", 5, "1s");

    private final int forks;
    private final int warmupIterations;
    private final String warmupTime;
    private final int iterations;
    private final String iterationTime;

    Preset(int forks, int warmupIterations, String warmupTime, int iterations, String iterationTime) {
        this.forks = forks;
        this.warmupIterations = warmupIterations;
        this.warmupTime = warmupTime;
        this.iterations = iterations;
        this.iterationTime = iterationTime;
    }

    public static Preset named(String name) throws UsageError {
        for (Preset preset : values()) {
            if (preset.label().equals(name)) {
                return preset;
            }
        }
        throw new UsageError("unknown preset '" + name + "': use smoke, quick or full");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The preset's fork count F (the runner gives each JMH invocation its own {@code -f}: {@link ForkPlan}). */
    public int forks() {
        return forks;
    }

    /**
     * The iteration options of this preset, leaving out any the user set after {@code --} (JMH refuses an
     * option given twice). The fork count is not among them: see {@link ForkPlan}.
     */
    public List<String> jmhArgs(JmhArgs user) {
        List<String> args = new java.util.ArrayList<>();
        if (!user.setsWarmupIterations()) {
            args.addAll(List.of("-wi", Integer.toString(warmupIterations)));
        }
        if (!user.setsWarmupTime()) {
            args.addAll(List.of("-w", warmupTime));
        }
        if (!user.setsIterations()) {
            args.addAll(List.of("-i", Integer.toString(iterations)));
        }
        if (!user.setsIterationTime()) {
            args.addAll(List.of("-r", iterationTime));
        }
        return args;
    }

    /** The expected time of one benchmark row under this preset, for dealing shards without timings. */
    public double estimateSeconds() {
        return estimateSeconds(forks);
    }

    /** The expected time of one row given {@code totalForks} forks (a lesson's own larger {@code @Fork}). */
    public double estimateSeconds(int totalForks) {
        return Shard.estimateSeconds(totalForks, warmupIterations, seconds(warmupTime), iterations,
                seconds(iterationTime));
    }

    private static double seconds(String time) {
        return time.endsWith("ms") ? Double.parseDouble(time.substring(0, time.length() - 2)) / 1000
                : Double.parseDouble(time.substring(0, time.length() - 1));
    }

    /** One line for the settings printed at the start of a run. */
    public String describe() {
        return label() + " = -f " + forks + " -wi " + warmupIterations + " -w " + warmupTime
                + " -i " + iterations + " -r " + iterationTime;
    }
}
