package perfmastery.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * Counts the minor page faults of the fork (every thread of it: the benchmark's, the JIT's, the
 * collector's) during each <em>measured</em> iteration, from {@code minflt} in {@code /proc/self/stat}.
 *
 * <p>Why: on some virtual machines the first touch of a heap page costs thousands of times its second
 * touch. A fork whose heap is still growing into fresh pages measures the host's page faults, not the
 * lesson, and its figure changes from host to host. A measured iteration of a lesson that cycles through
 * pages it already touched has about zero faults. The counts are not timings, so they are valid on a
 * loaded machine too.
 *
 * <p>Two secondary results, averaged over iterations and forks (JMH's AVG policy):
 * {@value #PER_ITERATION} (faults in one measured iteration) and {@value #PER_OP} (those faults over
 * the iteration's operations). Their dotted names keep them out of the lessons' tables, like
 * {@code gc.*}. Warm-up iterations report nothing. Without {@code /proc} (macOS) it reports nothing.
 *
 * <p>Use it with {@code -prof perfmastery.support.PageFaultProfiler}; run-benchmarks.sh adds it to
 * every run (two reads of a small /proc file per iteration).
 */
public final class PageFaultProfiler implements InternalProfiler {

    /** The name to give {@code -prof}. */
    public static final String NAME = PageFaultProfiler.class.getName();
    /** Minor faults in one measured iteration. */
    public static final String PER_ITERATION = "faults.minor";
    /** Minor faults per operation of a measured iteration. */
    public static final String PER_OP = "faults.minor.norm";

    private static final Path STAT = Path.of("/proc/self/stat");

    private long before = -1;

    @Override
    public String getDescription() {
        return "minor page faults of the fork during each measured iteration (/proc/self/stat minflt)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = iterationParams.getType() == IterationType.MEASUREMENT ? minorFaults() : -1;
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long after = before < 0 ? -1 : minorFaults();
        if (before < 0 || after < 0) {
            return List.of();
        }
        return results(after - before, result.getMetadata().getAllOps());
    }

    static List<ScalarResult> results(long faults, long ops) {
        ScalarResult perIteration = new ScalarResult(PER_ITERATION, faults, "#/iter", AggregationPolicy.AVG);
        if (ops <= 0) {
            return List.of(perIteration);
        }
        return List.of(perIteration, new ScalarResult(PER_OP, (double) faults / ops, "#/op", AggregationPolicy.AVG));
    }

    /** This process's minor faults so far, or -1 where /proc/self/stat cannot be read. */
    public static long minorFaults() {
        try {
            return minorFaults(Files.readString(STAT));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The {@code minflt} field (10th) of a {@code /proc/PID/stat} line. The command name (2nd field) may hold
     * spaces and parentheses, so fields are counted after its last ')'.
     */
    static long minorFaults(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is the state, the 3rd field of the line: minflt, the 10th, is fields[7].
        return Long.parseLong(fields[7]);
    }
}
