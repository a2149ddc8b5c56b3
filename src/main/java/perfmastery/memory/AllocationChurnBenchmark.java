package perfmastery.memory;

import perfmastery.heap.CollectorTime;

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
 * Guide part 2.1, the performance tip on allocation churn: reuse buffers instead of allocating per request.
 *
 * <h2>The guide's claim</h2>
 * Allocating a fresh buffer (or fresh objects) for every request makes work for the garbage collector in
 * proportion to the bytes allocated, and that work is time the requests pay; reusing one buffer per
 * worker, or pooled objects, takes it away. On the JVM the claim has a second half the guide does not
 * need: a <em>small</em> allocation that never leaves the method may cost nothing at all, because the JIT
 * removes it.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Each request renders a response of {@code size} bytes and returns its checksum:
 * <ul>
 * <li>{@code churn}: into a {@code new byte[size]} per request: B/op is {@code size} plus the 16-byte
 * array header, and the collector must run every (young generation size / B/op) requests.</li>
 * <li>{@code reuse}: into a per-thread buffer from a {@code ThreadLocal} that lives as long as the
 * worker: after the first request, no allocation at all.</li>
 * </ul>
 * {@code churn} does all of {@code reuse}'s work (render and checksum {@code size} bytes) plus
 * allocating the array, zeroing it (the JVM hands out only zeroed memory) and its share of the
 * collections that free it. Allocation in a TLAB is a pointer bump, so the price is mostly the zeroing
 * and the collector's work: time per op (the guide's claim) and, read from the collectors' own beans,
 * {@code gcPauseNanosPerOp}, {@code gcConcurrentNanosPerOp} and {@code gcNanosPerOp} ({@link CollectorTime})
 * for the GC part of it; {@code -prof gc} adds {@code gc.alloc.rate.norm} (B/op), {@code gc.count} and
 * {@code gc.time}. Rendering costs about as much per byte as the zeroing and collecting, or more, so
 * the time difference is a share of the request, not a multiple; the bytes are exact.
 *
 * <h2>G1 humongous objects: the 1 MiB response</h2>
 * G1 allocates an object of half a region or more as <em>humongous</em>. Its region size depends on the
 * heap (the heap divided by 2048, a power of two from 1 MiB to 32 MiB, unless pinned), so the same
 * array is humongous on one machine and not on another. The fork therefore pins the heap and the region
 * size: {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:G1HeapRegionSize=2m} (appended, so they win over
 * heap flags given to the runner). With 2 MiB regions the 1 MiB response (1,048,592 bytes with its
 * header) is humongous and the 64 KiB one is not. What that changes for {@code churn} at 1 MiB:
 * <ul>
 * <li>each array is allocated outside the TLAB and the young generation, in a region of its own taken
 * from the free list on the slow path, with almost 1 MiB of that region left unused;</li>
 * <li>it is never copied; a dead one is freed whole at the next young collection (G1's eager reclaim of
 * humongous arrays of primitives);</li>
 * <li>humongous regions count as old-generation occupancy, not eden, so it is not a full eden that
 * starts a collection: once the humongous regions reach G1's threshold for starting a concurrent cycle
 * (about 45 % of the heap, some 230 responses at one 2 MiB region each), G1 pauses with cause
 * "G1 Humongous Allocation", frees every dead response at once, finds too little left to mark and
 * undoes the concurrent cycle it meant to start ("Concurrent Undo Cycle" in {@code -Xlog:gc}, JDK 16+).
 * These young pauses are what {@code gcPauseNanosPerOp} reads for churn at 1 MiB.</li>
 * </ul>
 * {@code reuse}'s one buffer per thread is humongous too, allocated once. Under Serial and Parallel
 * (through {@code --jvm-args}) there are no regions and a 1 MiB array is an ordinary young object. The
 * heap is pinned for the other collectors' sake too: without {@code -Xms}/{@code -Xmx} it is a quarter of
 * the host's memory, and how often the collector runs would depend on the machine; pre-touching the
 * pages keeps the first touch of each one (a page fault) out of the measured iterations.
 *
 * <p>Escape analysis: {@code smallEscaping} and {@code smallScalarReplaced} do the same arithmetic with one
 * small {@code Span} object per call. In {@code smallEscaping} the span is stored in a field, so it must
 * live on the heap (32 bytes: a 12-byte header and two longs, rounded up to 8). In {@code smallScalarReplaced} it never leaves the
 * method, and C2's escape analysis replaces it by its two fields in registers: B/op is about 0. That
 * allocation is not churn, and pooling it would only make the code slower. Only objects whose size the
 * JIT knows qualify: an array is scalar-replaced only with a constant length of at most 64 elements
 * ({@code -XX:EliminateAllocationArraySizeLimit}), so {@code new byte[size]} above never is.
 *
 * <h2>What you should see</h2>
 * At 64 KiB and 1 MiB, {@code churn} takes more time per request than {@code reuse} (the guide's claim;
 * by a share of the request, since rendering dominates both), and pays GC time per op where
 * {@code reuse} pays none: {@code reuse} allocates nothing, so no collection runs in its iterations. In
 * bytes, {@code churn} allocates {@code size} + 16 B per request and {@code reuse} a few bytes (JMH's own,
 * spread over the requests), far below 1/100 of churn's. {@code smallEscaping} allocates its 32-byte
 * span per call, {@code smallScalarReplaced} nothing.
 *
 * <p>Figures: {@code results/reference/report.md#allocationchurnbenchmark-avgt}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- AllocationChurnBenchmark}; other sizes with
 * {@code -p size=4096,262144,4194304}. The escape-analysis pair does not depend on {@code size} (it lives
 * in its own state), so it runs once per run, not once per size.
 *
 * <h2>What it does not measure</h2>
 * Not a pool shared between threads (its synchronisation has a price of its own), not the danger of
 * reuse (a reused buffer handed to someone who keeps it is overwritten by the next request), and not
 * the CPU time of G1's concurrent marking threads (no bean reports it).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:G1HeapRegionSize=2m"})
@Claim(id = "churn-costs-time",
        text = "at 64 KiB and above, churning a fresh buffer per request costs more time per request than reusing one",
        variant = "reuse", baseline = "churn", relation = Relation.LOWER, factor = 1,
        params = {"size=65536", "size=1048576"}, kind = Claim.Kind.GUIDE,
        basis = "Churn does all of reuse's work (render and checksum the same bytes) plus allocating and zeroing "
                + "N bytes and its share of the collections that free them: that cannot be cheaper than reusing one "
                + "buffer. The guide gives no factor, so the threshold is the principle's own, 1 (reuse faster, the "
                + "interval wholly above 1). 64 KiB and 1 MiB are the buffers the guide's advice is about (response "
                + "bodies, file chunks).")
@Claim(id = "reuse-allocates-1-percent",
        text = "at 64 KiB and above, reuse allocates at most 1/100 of churn's bytes per request",
        variant = "reuse", baseline = "churn", relation = Relation.LOWER, factor = 100,
        metric = "gc.alloc.rate.norm", params = {"size=65536", "size=1048576"}, kind = Claim.Kind.MECHANISM,
        basis = "Reuse allocates no buffer per request, by construction; what -prof gc reads for it is JMH's own "
                + "allocation spread over the requests. If reuse allocated its buffer on as few as 1 request in 100, "
                + "the ratio would fall below 100, so 100 is the factor that still tells 'never' from 'sometimes'.")
@Claim(id = "small-non-escaping-is-free",
        text = "a small object that does not escape is scalar-replaced: under 1 byte allocated per call",
        variant = "smallScalarReplaced", relation = Relation.LOWER, bound = 1.0,
        metric = "gc.alloc.rate.norm", kind = Claim.Kind.MECHANISM,
        basis = "The Span on the heap is 32 bytes (smallEscaping allocates exactly that per call); under 1 B/op "
                + "means fewer than 1 call in 32 allocates it, i.e. C2's escape analysis removed the allocation.")
public class AllocationChurnBenchmark {

    /** Inputs of the escape-analysis pair: not final, so the JIT cannot fold them. */
    private long spanStart;
    private long spanLength;
    /** Where {@code smallEscaping} publishes its span: a heap location, so the span escapes. */
    private Span lastSpan;

    /** A small value object: two longs, 32 bytes on the heap with compressed class pointers. */
    record Span(long start, long end) {
        long length() {
            return end - start;
        }
    }

    /**
     * The per-request inputs of churn and reuse, a state of its own so that only they get {@code size}, and
     * the collectors' time over each iteration ({@link CollectorTime}).
     */
    @State(Scope.Thread)
    public static class Response {

        /** Response size in bytes: 1 KiB, 64 KiB, 1 MiB. */
        @Param({"1024", "65536", "1048576"})
        public int size;

        private long requestId;
        private ThreadLocal<byte[]> workerBuffer;
        private long requestIdAtIterationStart;
        private CollectorTime.Snapshot gcAtIterationStart;

        @Setup(Level.Trial)
        public void setUp() {
            requestId = 1;
            int capacity = size;
            workerBuffer = ThreadLocal.withInitial(() -> new byte[capacity]);
        }

        @Setup(Level.Iteration)
        public void startIteration() {
            requestIdAtIterationStart = requestId;
            gcAtIterationStart = CollectorTime.now();
        }

        /** Records {@code gcPauseNanosPerOp}, {@code gcConcurrentNanosPerOp} and {@code gcNanosPerOp}. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            CollectorTime.recordPerOp(CollectorTime.now().since(gcAtIterationStart), requestId - requestIdAtIterationStart);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            workerBuffer.remove();
        }

        long nextRequestId() {
            return requestId++;
        }

        byte[] workerBuffer() {
            return workerBuffer.get();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        spanStart = 1_000;
        spanLength = 64;
        lastSpan = null;
    }

    @Benchmark
    public long churn(Response response) {
        byte[] buffer = new byte[response.size];
        return renderAndChecksum(buffer, response.size, response.nextRequestId());
    }

    @Benchmark
    public long reuse(Response response) {
        byte[] buffer = response.workerBuffer();
        return renderAndChecksum(buffer, response.size, response.nextRequestId());
    }

    @Benchmark
    public long smallEscaping() {
        Span span = new Span(spanStart, spanStart + spanLength);
        lastSpan = span;
        spanStart++;
        return span.length() * 31 + span.start();
    }

    @Benchmark
    public long smallScalarReplaced() {
        Span span = new Span(spanStart, spanStart + spanLength);
        spanStart++;
        return span.length() * 31 + span.start();
    }

    Span lastSpan() {
        return lastSpan;
    }

    /** Writes the whole response (every byte depends on the request) and returns its checksum. */
    static long renderAndChecksum(byte[] buffer, int length, long requestId) {
        byte seed = (byte) requestId;
        for (int i = 0; i < length; i++) {
            buffer[i] = (byte) (seed + i);
        }
        long checksum = 0;
        for (int i = 0; i < length; i += 8) {
            checksum = checksum * 31 + buffer[i];
        }
        return checksum;
    }
}
