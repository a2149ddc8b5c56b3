package perfmastery.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lesson's own per-iteration figure (a <em>gauge</em>): bytes retained per request, a cache's hit
 * ratio, the peak number of messages in flight, descriptors left per transfer, GC time per operation.
 *
 * <p><b>The one definition.</b> A gauge is a value that describes one measurement iteration as a whole.
 * A lesson computes it once per iteration, in its {@code @TearDown(Level.Iteration)}, and calls
 * {@link #record}. {@link GaugeProfiler} (which {@link BenchmarksMain}, the jar's entry point, and
 * run-benchmarks.sh always add) hands it to JMH as a secondary result with the AVG policy. So in JMH's
 * JSON:
 * <ul>
 * <li>{@code rawData} holds each measured iteration's true value, fork by fork;</li>
 * <li>{@code score} is their mean over every measured iteration of every fork, whatever {@code -i} and
 * {@code -f} are;</li>
 * <li>{@code scoreError} is JMH's usual 99.9 % half-width over those iterations.</li>
 * </ul>
 *
 * <p>Why not {@code @AuxCounters}: JMH sums an EVENTS counter over iterations and forks (a count of
 * events, not a level), and divides an OPERATIONS counter by time (a rate). Neither is a per-iteration
 * level; making the sum read as a mean means pre-dividing each iteration's value, which leaves
 * {@code rawData} wrong by the iteration count.
 *
 * <p>Several threads of one iteration may record the same gauge (a {@code Scope.Thread} state); the
 * iteration's value is then their mean. A gauge recorded in a warmup iteration is printed by JMH and
 * not kept, like every warmup result.
 */
public final class Gauges {

    /** One gauge of the current iteration: the sum and count of what was recorded, and its unit. */
    record Reading(String unit, double sum, int count) {
        double mean() {
            return sum / count;
        }
    }

    private static final Map<String, Reading> CURRENT = new LinkedHashMap<>();

    private Gauges() {
    }

    /**
     * Records this iteration's value of a gauge. Call it from {@code @TearDown(Level.Iteration)}.
     *
     * @param name  the metric's name in the JSON, e.g. {@code "retainedBytes"}; stable across releases
     * @param value the figure for this iteration as a whole (not pre-divided by anything)
     * @param unit  the unit JMH will print, e.g. {@code "B"}, {@code "ratio"}, {@code "ns/op"}, {@code "#"}
     */
    public static synchronized void record(String name, double value, String unit) {
        if (name == null || name.isBlank() || unit == null) {
            throw new IllegalArgumentException("a gauge needs a name and a unit");
        }
        CURRENT.merge(name, new Reading(unit, value, 1), (a, b) -> {
            if (!a.unit().equals(b.unit())) {
                throw new IllegalArgumentException("gauge " + name + " recorded in " + a.unit() + " and in " + b.unit());
            }
            return new Reading(a.unit(), a.sum() + b.sum(), a.count() + b.count());
        });
    }

    /** Forgets what was recorded: called before each iteration. */
    static synchronized void reset() {
        CURRENT.clear();
    }

    /** What this iteration recorded, in recording order, and forgets it. */
    static synchronized Map<String, Reading> drain() {
        Map<String, Reading> copy = new LinkedHashMap<>(CURRENT);
        CURRENT.clear();
        return copy;
    }
}
