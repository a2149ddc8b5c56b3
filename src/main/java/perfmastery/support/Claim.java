package perfmastery.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One claim of the guide, stated beside the benchmark that tests it, in a form the report can check
 * against JMH JSON without knowing the lesson: adding a lesson never means editing the report.
 *
 * <p>The report finds claims by loading the benchmark class named in the JSON (from the jar it runs
 * from) and reading these annotations. For each run it gives one of four verdicts, with the measured
 * figure and its 95 % interval:
 * <ul>
 * <li><b>CONFIRMED</b>: the interval lies wholly on the claim's side of the factor or bound;</li>
 * <li><b>REFUTED</b>: the interval lies wholly on the other side. The JVM disagrees with the guide: a
 * finding, not a failure of the suite;</li>
 * <li><b>INCONCLUSIVE</b>: the interval straddles the factor or bound, or the data cannot support a
 * verdict (one fork holds no fork-to-fork variance), with the reason;</li>
 * <li><b>NOT MEASURED</b>: no row matched (e.g. a virtual-thread variant on JDK 17), or the run is
 * outside the claim's scope ({@link #requires()}).</li>
 * </ul>
 *
 * <h2>Guide claims and mechanism checks</h2>
 * A {@link Kind#GUIDE} claim states the guide's performance consequence in time, latency, throughput
 * or GC cost; every lesson has at least one. A {@link Kind#MECHANISM} claim states how the JVM gets
 * there (bytes per op, a bound held); the report lists those apart. {@link #basis()} says where the
 * threshold comes from: the guide's words or a stated principle, never what made a run pass.
 *
 * <h2>Selecting rows</h2>
 * A <em>selector</em> names rows of this class in the JSON: a benchmark method name, optionally
 * followed by parameter constraints in brackets, e.g. {@code "memoized"}, {@code "health[strategy=inline]"},
 * {@code "*[strategy=workerPool]"}. {@code *} as the method matches every method. Several constraints
 * are separated by {@code ;}. {@link #params()} further restricts both sides to parameter sets that
 * contain all the given {@code k=v} pairs; several entries are alternatives ("at 64 KiB and above").
 * A variant selector never matches the baseline's own rows, so {@code variant = "*"} means "every
 * other method".
 *
 * <h2>Two forms</h2>
 * <ul>
 * <li><b>Ratio</b> ({@link #baseline()} set): each row matched by {@link #variant()} is paired with the
 * baseline row that has the same remaining parameters (the keys a selector fixes are excluded from
 * the pairing). With {@code relation = LOWER}, the claim holds when
 * {@code baseline / variant >= factor}; with {@code HIGHER}, when {@code variant / baseline >= factor}.
 * {@code baseline = "*"} compares the variant with every other method of the class ("the fastest").</li>
 * <li><b>Bound</b> ({@link #baseline()} empty, {@link #bound()} set): with {@code LOWER} the claim holds
 * when {@code variant <= bound}; with {@code HIGHER} when {@code variant >= bound}. The bound is in the
 * metric's own unit as JMH writes it (the class's {@code @OutputTimeUnit}, B/op, ...).</li>
 * </ul>
 * A claim over several rows is CONFIRMED only when every matched pair holds, REFUTED when any pair
 * is refuted; the report quotes the weakest pair. A factor below 1 states an upper limit on a ratio:
 * {@code relation = LOWER, factor = 0.5} between the same variant at two params reads "at most 2x
 * higher" (a flat curve).
 *
 * <h2>Metrics</h2>
 * {@code "primary"} is the benchmark's score. Any secondary metric by its JSON name:
 * {@code "gc.alloc.rate.norm"} (B/op, needs {@code -prof gc}), {@code "gc.time"}, a lesson's
 * {@link Gauges gauge}. In {@code SampleTime} mode {@code "p50"}, {@code "p99"}, {@code "p99.9"}
 * (any {@code pNN[.N]}) read the primary metric's percentiles.
 *
 * <p>Example: {@code @Claim(id = "memo-1000x", text = "memoized is at least 1000x faster than recursive at n=30",
 * variant = "memoized", baseline = "recursive", relation = Relation.LOWER, factor = 1000, params = "n=30")}
 * on an {@code AverageTime} benchmark (lower time is better).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Claim.List.class)
public @interface Claim {

    /** Short, stable identifier, unique within the class, e.g. {@code "memoized-1000x"}. */
    String id();

    /** The claim in words, as a reader of the guide would state it. */
    String text();

    /** Selector of the rows whose metric is checked. */
    String variant();

    /** Selector of the rows compared against; empty for a bound claim; {@code "*"} for every other method. */
    String baseline() default "";

    /** {@code "primary"}, a secondary metric name, or a percentile {@code "p99"} in SampleTime mode. */
    String metric() default "primary";

    /** Which way the variant's metric must lie: lower or higher than the baseline (or the bound). */
    Relation relation();

    /** Least factor between baseline and variant, for a ratio claim (1 means "at least as good"). */
    double factor() default 1.0;

    /** Absolute bound in the metric's unit, for a bound claim. */
    double bound() default Double.NaN;

    /** Parameter sets the claim holds for, each {@code "k=v;k=v"}; empty means every set measured. */
    String[] params() default {};

    /**
     * Whether the outcome depends on the host's cores (e.g. a load generator sharing the cores with the
     * server it loads): the text says on how many cores it was reasoned, and the report prints the run's
     * cores beside a REFUTED verdict of such a claim.
     */
    boolean dependsOnCores() default false;

    /** A guide-level performance consequence, or a mechanism check. */
    Kind kind() default Kind.GUIDE;

    /**
     * Where the factor or bound comes from, in words: the guide's own statement, or a principle
     * ("a pool of P threads takes N/P waits in turn"). Never "what the last run showed".
     */
    String basis() default "";

    /**
     * The runs the claim is about; empty means every run. Understood values:
     * {@code "generational-gc"} (the run's collector separates young from old: not ZGC before JDK 21 or
     * without {@code -XX:+ZGenerational} before JDK 23, not Shenandoah, not Epsilon). A run outside the
     * scope gets NOT MEASURED with the reason, not REFUTED.
     */
    String requires() default "";

    /** What a claim is about. */
    enum Kind {
        /** The guide's performance consequence: time, latency, throughput or GC cost. */
        GUIDE,
        /** How the JVM gets there (bytes per op, a bound held): true by construction or nearly so. */
        MECHANISM
    }

    /** Which way a metric must lie for the claim to hold. */
    enum Relation {
        /** The variant's metric is lower: less time per op, fewer bytes, lower latency. */
        LOWER,
        /** The variant's metric is higher: more ops per second, a higher hit ratio. */
        HIGHER
    }

    /** Container for repeated {@link Claim}s. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        Claim[] value();
    }
}
