package perfmastery.memory;

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
 * proportion to the bytes allocated; reusing one buffer per worker, or pooled objects, takes that work
 * away. On the JVM the claim has a second half the guide does not need: a <em>small</em> allocation that
 * never leaves the method may cost nothing at all, because the JIT removes it.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Each request renders a response of {@code size} bytes and returns its checksum:
 * <ul>
 * <li>{@code churn}: into a {@code new byte[size]} per request: B/op is {@code size} plus the 16-byte
 * array header, and the collector must run every (young generation size / B/op) requests.</li>
 * <li>{@code reuse}: into a per-thread buffer from a {@code ThreadLocal} that lives as long as the
 * worker: after the first request, no allocation at all.</li>
 * </ul>
 * Allocation in a TLAB is a pointer bump, so the per-request price of {@code churn} is mostly zeroing the
 * new array and the collector's work, read as {@code gc.alloc.rate.norm} (B/op), {@code gc.count} and
 * {@code gc.time} with {@code -prof gc}. The claim is about bytes, which are exact; time differences at
 * 1 KiB are small because rendering dominates and young collections of dead arrays are cheap.
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
 * One fork, 3 x 1 s warmup and 3 x 1 s measurement, {@code -prof gc}, on this project's machine: 2 cores
 * shared with other benchmark runs, so times vary up to 3x from run to run; bytes per op do not.
 * <pre>
 * variant              size     JDK 17.0.15: ns/op     B/op    Temurin 25: ns/op     B/op
 * churn                1 KiB            1,741         1,040               1,775         1,040
 * reuse                1 KiB            5,580 (noise)  0.03                 880         0.006
 * churn               64 KiB          208,351        65,553              89,244        65,553
 * reuse               64 KiB          214,833           1.2              48,940          0.34
 * churn                1 MiB        1,591,653     1,048,601           1,374,799     1,048,601
 * reuse                1 MiB        3,384,378 (noise) 18.8           1,373,968           9.4
 * smallEscaping          -                 23.6          32.0                 6.7          32.0
 * smallScalarReplaced    -                  3.3       ~10^-5                 1.4       ~10^-5
 * </pre>
 * The claim holds with room to spare: at 64 KiB reuse allocates 1/54,000 of churn's bytes on JDK 17 and
 * 1/194,000 on JDK 25; at 1 MiB 1/55,800 and 1/112,000 (reuse's few bytes are JMH's own, amortised). The
 * escape-analysis pair: the same {@code Span}, 32 B/op when published, nothing when it stays local.
 * Time is where this machine is too noisy to quote a ratio: read {@code gc.count} instead (churn at
 * 1 MiB: 6 to 9 young collections per run; reuse: none).
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- AllocationChurnBenchmark}; other sizes with
 * {@code -p size=4096,262144,4194304}. The escape-analysis pair does not depend on {@code size} (it lives
 * in its own state), so it runs once per run, not once per size.
 *
 * <h2>What it does not measure</h2>
 * Not a pool shared between threads (its synchronisation has a price of its own) and not the danger of
 * reuse: a reused buffer handed to someone who keeps it is overwritten by the next request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Claim(id = "reuse-allocates-1-percent",
        text = "at 64 KiB and above, reuse allocates at most 1/100 of churn's bytes per request",
        variant = "reuse", baseline = "churn", relation = Relation.LOWER, factor = 100,
        metric = "gc.alloc.rate.norm", params = {"size=65536", "size=1048576"})
@Claim(id = "small-non-escaping-is-free",
        text = "a small object that does not escape is scalar-replaced: under 1 byte allocated per call",
        variant = "smallScalarReplaced", relation = Relation.LOWER, bound = 1.0,
        metric = "gc.alloc.rate.norm")
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

    /** The per-request inputs of churn and reuse; a state of its own so that only they get {@code size}. */
    @State(Scope.Thread)
    public static class Response {

        /** Response size in bytes: 1 KiB, 64 KiB, 1 MiB. */
        @Param({"1024", "65536", "1048576"})
        public int size;

        private long requestId;
        private ThreadLocal<byte[]> workerBuffer;

        @Setup(Level.Trial)
        public void setUp() {
            requestId = 1;
            int capacity = size;
            workerBuffer = ThreadLocal.withInitial(() -> new byte[capacity]);
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
