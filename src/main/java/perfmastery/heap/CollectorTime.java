package perfmastery.heap;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import perfmastery.support.Gauges;

/**
 * The time the JVM's garbage collectors spent, read from their {@link GarbageCollectorMXBean}s and split
 * into stop-the-world <em>pauses</em> and <em>concurrent</em> cycle time, and the per-op gauges the
 * memory lessons record from it.
 *
 * <h2>Which bean is which</h2>
 * A bean whose name contains {@code "Cycles"} times whole concurrent cycles: ZGC's {@code "ZGC Cycles"}
 * (JDK 17, and non-generational ZGC up to JDK 22), {@code "ZGC Minor Cycles"} and
 * {@code "ZGC Major Cycles"} (generational ZGC), Shenandoah's {@code "Shenandoah Cycles"}. A cycle's
 * wall time includes the short pauses inside it, which the same collector's {@code "... Pauses"} bean
 * also times; so the concurrent time is the cycles' time minus those pauses, and no millisecond is
 * counted twice. Every other bean times stop-the-world pauses: {@code "Copy"} and
 * {@code "MarkSweepCompact"} (Serial), {@code "PS Scavenge"} and {@code "PS MarkSweep"} (Parallel),
 * {@code "G1 Young Generation"} and {@code "G1 Old Generation"}, the {@code "... Pauses"} beans, and
 * also {@code "G1 Concurrent GC"} (JDK 20+): despite its name it times only the Remark and Cleanup
 * <em>pauses</em> of G1's concurrent cycle (JDK-8297247; it is jstat's CGC/CGCT), not the concurrent
 * marking, which no bean reports. So under G1 the concurrent figure is 0 and G1's marking threads' work
 * is not in any of these numbers.
 *
 * <h2>Resolution</h2>
 * A bean reports whole milliseconds ({@code getCollectionTime()}); the JVM accumulates the time more
 * finely and truncates when asked, so the difference of two readings is within 1 ms of the truth. Over
 * a 500 ms iteration that is coarse for a collector that pauses for a fraction of a millisecond (ZGC's
 * pauses read as 0), fine for the tens of milliseconds the lessons' promoted and leaking workloads cost.
 */
public final class CollectorTime {

    /** What a bean's time measures. */
    enum Kind {
        /** Stop-the-world pauses: the application's threads wait. */
        PAUSE,
        /** Whole concurrent cycles, whose pauses another bean of the same collector also times. */
        CONCURRENT_CYCLE
    }

    /** Nanoseconds in a millisecond. */
    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private CollectorTime() {
    }

    static Kind kindOf(String beanName) {
        return beanName.contains("Cycles") ? Kind.CONCURRENT_CYCLE : Kind.PAUSE;
    }

    /**
     * The collectors' totals at one moment, in milliseconds, or their growth between two moments.
     *
     * @param pauseMillis         time in stop-the-world pauses, every collector
     * @param cycleMillis         wall time of concurrent cycles, their own pauses included
     * @param pausesInCycleMillis the part of {@code pauseMillis} spent in pauses inside those cycles
     * @param collections         collections of every bean (pauses and cycles)
     */
    public record Snapshot(long pauseMillis, long cycleMillis, long pausesInCycleMillis, long collections) {

        /** The growth since an earlier snapshot. */
        public Snapshot since(Snapshot earlier) {
            return new Snapshot(pauseMillis - earlier.pauseMillis, cycleMillis - earlier.cycleMillis,
                    pausesInCycleMillis - earlier.pausesInCycleMillis, collections - earlier.collections);
        }

        /** Concurrent time outside pauses: the cycles' wall time without the pauses already counted. */
        long concurrentMillis() {
            return Math.max(0, cycleMillis - pausesInCycleMillis);
        }

        /** Pauses and concurrent time together: how long some collector was at work. */
        long totalMillis() {
            return pauseMillis + concurrentMillis();
        }
    }

    /** The running JVM's collectors now. */
    public static Snapshot now() {
        return of(ManagementFactory.getGarbageCollectorMXBeans());
    }

    static Snapshot of(List<GarbageCollectorMXBean> beans) {
        Set<String> cycleBeans = new HashSet<>();
        for (GarbageCollectorMXBean bean : beans) {
            if (kindOf(bean.getName()) == Kind.CONCURRENT_CYCLE) {
                cycleBeans.add(bean.getName());
            }
        }
        long pause = 0;
        long cycle = 0;
        long pausesInCycles = 0;
        long collections = 0;
        for (GarbageCollectorMXBean bean : beans) {
            // -1 means "not known" for a bean; it counts as nothing.
            long millis = Math.max(0, bean.getCollectionTime());
            collections += Math.max(0, bean.getCollectionCount());
            if (kindOf(bean.getName()) == Kind.CONCURRENT_CYCLE) {
                cycle += millis;
            } else {
                pause += millis;
                if (cycleBeans.contains(bean.getName().replace("Pauses", "Cycles"))) {
                    pausesInCycles += millis;
                }
            }
        }
        return new Snapshot(pause, cycle, pausesInCycles, collections);
    }

    static double nanosPerOp(long millis, long ops) {
        return ops == 0 ? 0 : millis * NANOS_PER_MILLI / ops;
    }

    /**
     * Records this iteration's GC time per op as three gauges, in ns/op: {@code gcPauseNanosPerOp}
     * (stop-the-world), {@code gcConcurrentNanosPerOp} (concurrent cycles outside their pauses) and
     * {@code gcNanosPerOp}, their sum. Call it from {@code @TearDown(Level.Iteration)}, before anything
     * in the teardown allocates (a JOL walk), so that a collection it causes is not counted.
     *
     * @param elapsed the growth of the collectors' totals over the iteration
     * @param ops     the operations of the iteration
     */
    public static void recordPerOp(Snapshot elapsed, long ops) {
        Gauges.record("gcPauseNanosPerOp", nanosPerOp(elapsed.pauseMillis(), ops), "ns/op");
        Gauges.record("gcConcurrentNanosPerOp", nanosPerOp(elapsed.concurrentMillis(), ops), "ns/op");
        Gauges.record("gcNanosPerOp", nanosPerOp(elapsed.totalMillis(), ops), "ns/op");
    }
}
