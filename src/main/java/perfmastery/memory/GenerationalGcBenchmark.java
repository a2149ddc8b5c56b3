package perfmastery.memory;

import perfmastery.heap.CollectorTime;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * requests (a ring buffer, about 78 MB at the default 262,144), so every young collection finds the
 * window's newest requests alive, copies them to a survivor space, and promotes those that stay long
 * enough or do not fit: the old generation fills with requests that die there.</li>
 * <li>{@code dieYoung}: the request is dropped when the op returns: young collections find almost
 * nothing alive.</li>
 * </ul>
 * Both allocate the same bytes per op ({@code gc.alloc.rate.norm}) and both start from the same full
 * window (filled in the trial's setup), so the heap holds as much in both; only {@code promoted} keeps
 * replacing it with new requests. The difference is the collector's time, which the lesson reads from
 * the collectors' own {@code GarbageCollectorMXBean}s over each iteration ({@link CollectorTime}) and
 * records as three gauges, each per op of that iteration, in nanoseconds:
 * <ul>
 * <li>{@code gcPauseNanosPerOp}: stop-the-world pauses, when the benchmark thread stands still;</li>
 * <li>{@code gcConcurrentNanosPerOp}: concurrent cycles outside their pauses, work done beside the
 * benchmark thread, on the other core of this machine (ZGC, Shenandoah; 0 under Serial, Parallel and G1,
 * whose concurrent marking no bean reports: G1's {@code "G1 Concurrent GC"} bean times its Remark and
 * Cleanup pauses, so it counts as pause time);</li>
 * <li>{@code gcNanosPerOp}: the two together, how long a collector was at work per op.</li>
 * </ul>
 * The guide's claim is about the collector's work, which Serial and Parallel do in pauses and
 * generational ZGC concurrently, so the claim reads the total; the report shows the two parts apart.
 * {@code -prof gc} adds {@code gc.count} and {@code gc.time} (JMH's sum over every bean, which for ZGC
 * counts each pause twice: once in its cycle and once as a pause).
 *
 * <p>Collectors are compared through the run matrix, not inside this class:
 * {@code ./run-benchmarks.sh --jvm-args "-XX:+UseSerialGC" -- GenerationalGcBenchmark}, then
 * {@code -XX:+UseParallelGC}, {@code -XX:+UseG1GC} (the default) and {@code -XX:+UseZGC}; the report puts
 * the runs side by side. B/op differs under ZGC: it has no compressed oops, so every reference field and
 * object header is larger. On JDK 17, {@code -XX:+UseZGC} is not generational: every cycle marks the
 * whole heap, the 78 MB window included, so both variants pay about the same. The claim is scoped to
 * generational collectors ({@code requires = "generational-gc"}), and such a run reads NOT MEASURED, not
 * REFUTED.
 *
 * <p>The heap is pinned: the fork runs with {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch} (appended, so they
 * win over heap flags given to the runner). Without them the heap is a quarter of the host's memory, so
 * how often each collector runs, and whether it runs at all in a short iteration, would depend on the
 * machine: with a quarter of 24 GB generational ZGC on JDK 25 did not collect during whole 1-second
 * iterations. With 1 GB every collector collects several times per iteration and the old generation
 * fills, so {@code promoted} also pays for the old-generation (or full) collections that free what it
 * promoted. {@code -Xms} equal to {@code -Xmx} keeps the heap from growing or shrinking between
 * iterations, and pre-touching its pages keeps the first touch of each page (a page fault, charged to
 * whoever allocates there first) out of the measured iterations.
 *
 * <h2>What you should see</h2>
 * Under Serial, Parallel, G1 and generational ZGC, {@code promoted} costs more collector time per op
 * than {@code dieYoung} ({@code gcNanosPerOp}), the guide's claim; for the stop-the-world collectors it
 * is all pause time, for generational ZGC mostly concurrent time, and its pauses read near 0 at
 * millisecond resolution. Both variants allocate the same bytes per op: 296 B under Serial, Parallel and
 * G1, 304 B under ZGC (no compressed oops: the request's reference to its body takes 8 bytes instead of 4,
 * and the request rounds up from 24 to 32 bytes). ZGC on JDK 17
 * (not generational) is out of the claim's scope: both variants pay about the same cycle time there.
 * For a concurrent collector the figure is work on the other core, so it can exceed the time per op.
 *
 * <p>Figures: {@code results/reference/report.md#generationalgcbenchmark-avgt}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- GenerationalGcBenchmark}; a longer-lived window with
 * {@code -p window=1048576} (about 310 MB kept alive, still inside the 1 GB heap).
 *
 * <h2>What it does not measure</h2>
 * Not pause times as a latency distribution (use {@code -Xlog:gc} or JFR for that), not the CPU time of
 * G1's concurrent marking threads (no bean reports it), and not a tuned collector: every collector runs
 * with its defaults for a 1 GB heap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Claim(id = "promoted-costs-more-gc-time",
        text = "under a generational collector, the promoted workload costs more collector time per op (pauses and concurrent cycles) than the die-young one",
        variant = "dieYoung", baseline = "promoted", relation = Relation.LOWER, factor = 1,
        metric = "gcNanosPerOp", kind = Claim.Kind.GUIDE, requires = "generational-gc",
        basis = "The guide: short-lived objects cost almost nothing to collect, promoted ones make work for every "
                + "young collection that copies them and for the old-generation collector that frees them. Both "
                + "variants allocate the same bytes, so they start the same young collections with the same fixed "
                + "costs; promoted adds the copying and promoting of its surviving requests and the old-generation "
                + "work of freeing them, so it cannot cost less. The guide gives no factor: the threshold is 1, "
                + "the interval wholly above it.")
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

    /** Collector time per op over each iteration, from the collectors' own MXBeans ({@link CollectorTime}). */
    @State(Scope.Thread)
    public static class GcTime {

        private CollectorTime.Snapshot atStart;
        private long ops;

        @Setup(Level.Iteration)
        public void start() {
            atStart = CollectorTime.now();
            ops = 0;
        }

        void countOp() {
            ops++;
        }

        long ops() {
            return ops;
        }

        /** Records {@code gcPauseNanosPerOp}, {@code gcConcurrentNanosPerOp} and {@code gcNanosPerOp}. */
        @TearDown(Level.Iteration)
        public void stop() {
            CollectorTime.recordPerOp(CollectorTime.now().since(atStart), ops);
        }
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
