package perfmastery.memory;

import perfmastery.support.AuxCounterMean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 2.1, young and old generation: objects that die young are cheap, objects that live a while
 * are not.
 *
 * <h2>The guide's claim</h2>
 * V8's heap is generational: the scavenger copies only the survivors of the young generation, so
 * short-lived objects cost almost nothing to collect, while objects kept long enough to be promoted make
 * work for every young collection that copies them and for the old-generation collector that must
 * eventually trace and free them. HotSpot's Serial, Parallel and G1 collectors (and ZGC from JDK 21 in
 * its generational mode, the only one on JDK 24+) rest on the same weak generational hypothesis.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * The same request, a small object with a 256-byte body, is built per op and returned to JMH (so it escapes):
 * <ul>
 * <li>{@code promoted}: each request is also kept in a sliding window of the last {@code window}
 * requests (a ring buffer, about 70 MB at the default 262,144), so every young collection finds the
 * window's requests alive, copies them to a survivor space, and promotes those that stay long enough
 * or do not fit: the old generation fills with requests that die there.</li>
 * <li>{@code dieYoung}: the request is dropped when the op returns: young collections find almost
 * nothing alive.</li>
 * </ul>
 * Both allocate the same bytes per op ({@code gc.alloc.rate.norm}) and both start from the same full
 * window (filled in the trial's setup), so the heap holds as much in both; only {@code promoted} keeps
 * replacing it with new requests. The difference is the collector's time. {@code -prof gc} reports {@code gc.time} (ms in the iteration, present only if a collection
 * happened) and {@code gc.count}; this lesson also reports {@code gcNanosPerOp}, an {@code @AuxCounters}
 * field: the growth of the summed {@code GarbageCollectorMXBean.getCollectionTime()} over the iteration
 * (milliseconds, so short iterations are coarse) divided by the ops of that iteration, in nanoseconds,
 * averaged over the measurement iterations (see {@link AuxCounterMean}). For ZGC, whose beans report
 * both "Cycles" (concurrent cycle time) and "Pauses", only the cycles are summed so that pauses are not
 * counted twice: for ZGC it is concurrent work, not stop-the-world time.
 *
 * <p>Collectors are compared through the run matrix, not inside this class:
 * {@code ./run-benchmarks.sh --jvm-args "-XX:+UseSerialGC" -- GenerationalGcBenchmark}, then
 * {@code -XX:+UseParallelGC}, {@code -XX:+UseG1GC} (the default) and {@code -XX:+UseZGC}; the report puts
 * the runs side by side. B/op differs under ZGC: it has no compressed oops, so every reference field and
 * object header is larger. On JDK 17, {@code -XX:+UseZGC} is not generational, and the claim is not about it.
 *
 * <p>The fork runs with {@code -Xmx1g} (appended, so it wins over an {@code -Xmx} given to the runner):
 * with the machine's default heap (a quarter of 24 GB) generational ZGC on JDK 25 did not collect at all
 * during whole 1-second iterations, and there is no GC time per op to compare without collections.
 * With 1 GB every collector collects several times per iteration, and the old generation fills, so
 * {@code promoted} also pays for the old-generation (or full) collections that free what it promoted.
 *
 * <h2>What you should see</h2>
 * One fork, 3 x 1 s warmup and 3 x 1 s measurement, {@code -prof gc}, each collector chosen with
 * {@code -jvmArgsPrepend -XX:+UseXxxGC}, 2 shared cores (times vary up to 3x between runs; the GC time
 * ratio is what the claim reads). {@code gcNanosPerOp}, promoted against dieYoung:
 * <pre>
 * collector     JDK 17.0.15: promoted  dieYoung  ratio    Temurin 25: promoted  dieYoung  ratio
 * Serial                   447.4         0.30   1,473x                 104.4       0.56     185x
 * Parallel                  47.1         1.95      24x                  61.9       6.76     9.2x
 * G1                       472.1         1.24     381x                 134.9       1.03     130x
 * ZGC                       90.0       102.7      0.9x (not generational) 41.0     9.03     4.5x
 * </pre>
 * B/op: 296 under Serial, Parallel and G1, 304 under ZGC (no compressed oops: the request's reference
 * field and header grow). Every generational collector confirms the claim, by 4.5x to 1,473x. ZGC on
 * JDK 17 is the honest exception the claim leaves out: it is not generational, every cycle marks the
 * whole heap, so both variants pay about the same concurrent cycle time per op (the same 70 MB window
 * is alive in both). For ZGC the figure is concurrent work on the other core, so it can exceed the
 * time per op itself (41 ns of cycle time against 38 ns per promoted op on JDK 25).
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- GenerationalGcBenchmark}; a longer-lived window with
 * {@code -p window=1048576} (about 280 MB kept alive).
 *
 * <h2>What it does not measure</h2>
 * Not pause times as a latency distribution (use {@code -Xlog:gc} or JFR for that) and not a tuned
 * collector: every collector runs with its defaults for a 1 GB heap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Claim(id = "promoted-costs-more-gc-time",
        text = "under a generational collector, the promoted workload costs more GC time per op than the die-young one",
        variant = "dieYoung", baseline = "promoted", relation = Relation.LOWER, factor = 1,
        metric = "gcNanosPerOp")
public class GenerationalGcBenchmark {

    /** Bytes in each request's body. */
    static final int BODY_BYTES = 256;

    /** Requests kept alive by {@code promoted}. */
    @Param({"262144"})
    public int window;

    private Request[] recent;
    private int slot;
    private long nextId;

    /** One request: an id and a body; about 24 + 272 bytes with compressed oops. */
    record Request(long id, byte[] body) {
    }

    /** GC time per op over each iteration, from the collectors' own MXBeans. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class GcTime {

        /** Nanoseconds of collector time per op: the mean over measurement iterations. */
        public double gcNanosPerOp;

        private List<GarbageCollectorMXBean> collectors;
        private long collectionMillisAtStart;
        private long ops;

        @Setup(Level.Iteration)
        public void start() {
            collectors = countedCollectors(ManagementFactory.getGarbageCollectorMXBeans());
            collectionMillisAtStart = collectionMillis(collectors);
            ops = 0;
        }

        void countOp() {
            ops++;
        }

        @TearDown(Level.Iteration)
        public void stop(BenchmarkParams benchmark, IterationParams iteration) {
            long millis = collectionMillis(collectors) - collectionMillisAtStart;
            gcNanosPerOp = AuxCounterMean.share(nanosPerOp(millis, ops), benchmark, iteration);
        }
    }

    static double nanosPerOp(long collectionMillis, long ops) {
        return ops == 0 ? 0 : collectionMillis * 1_000_000.0 / ops;
    }

    /** All collector beans, except ZGC's "Pauses" beans, whose time its "Cycles" beans already include. */
    static List<GarbageCollectorMXBean> countedCollectors(List<GarbageCollectorMXBean> all) {
        boolean reportsCycles = all.stream().anyMatch(bean -> bean.getName().endsWith("Cycles"));
        return all.stream()
                .filter(bean -> !(reportsCycles && bean.getName().endsWith("Pauses")))
                .toList();
    }

    static long collectionMillis(List<GarbageCollectorMXBean> collectors) {
        long total = 0;
        for (GarbageCollectorMXBean bean : collectors) {
            total += Math.max(0, bean.getCollectionTime());
        }
        return total;
    }

    @Setup(Level.Trial)
    public void setUp() {
        nextId = 1;
        slot = 0;
        recent = new Request[window];
        for (int i = 0; i < window; i++) {
            recent[i] = newRequest();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        recent = null;
    }

    List<Long> recentIds() {
        return Arrays.stream(recent).map(Request::id).toList();
    }

    Request recentRequest(int index) {
        return recent[index];
    }

    Request newRequest() {
        long id = nextId++;
        byte[] body = new byte[BODY_BYTES];
        body[0] = (byte) id;
        body[BODY_BYTES - 1] = (byte) (id >>> 8);
        return new Request(id, body);
    }

    @Benchmark
    public Request promoted(GcTime gc) {
        Request request = newRequest();
        recent[slot] = request;
        slot = slot + 1 == recent.length ? 0 : slot + 1;
        gc.countOp();
        return request;
    }

    /** Returned to JMH, the request escapes exactly as in {@code promoted}: the allocation is the same. */
    @Benchmark
    public Request dieYoung(GcTime gc) {
        Request request = newRequest();
        gc.countOp();
        return request;
    }
}
