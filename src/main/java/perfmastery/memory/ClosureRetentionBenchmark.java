package perfmastery.memory;

import perfmastery.heap.CollectorTime;
import perfmastery.heap.HeapCompare;
import perfmastery.heap.RetainedSize;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

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
import perfmastery.support.Gauges;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 2.2, "the closure trap": a handler that captures more than it needs, kept somewhere global.
 *
 * <h2>The guide's claim</h2>
 * The guide's memory-leak.js makes, per request, a large value (a 1,000,000-element array) and a closure
 * that refers to it, and keeps the closure in a global list. Each closure keeps its whole array alive, so
 * the heap grows by the array's size with every request until the process dies, and the collector works
 * harder and harder on the way there. The fix is to capture only what the closure needs: the same number
 * of closures then keeps almost nothing alive.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * A Java lambda captures exactly the variables it uses, so the trap is a lambda that uses the big object
 * (or a field of {@code this}, which captures {@code this}) rather than the value it needs from it:
 * <ul>
 * <li>{@code leakyClosure}: the handler is {@code () -> request.payload().length ^ request.id()}: it
 * captures the request, and with it the 1,000,000-byte payload.</li>
 * <li>{@code scopedClosure}: it reads the two numbers first and captures only them:
 * {@code () -> length ^ id}.</li>
 * </ul>
 * Both allocate the same payload per request (so B/op is about the same: about 1 MB) and return the
 * same answer; they differ in what the global list keeps alive, and so in what the collector must do.
 * Per iteration the lesson records, as gauges ({@code perfmastery.support.Gauges}):
 * <ul>
 * <li>{@code retainedBytesPerRequest}: the bytes reachable from each closure in the list at the
 * iteration's end, with JOL's object sizes (what {@code GraphLayout.parseInstance(closure).totalSize()}
 * answers, walked by {@link RetainedSize}), averaged over the closures: the leak's size per request;</li>
 * <li>{@code gcPauseNanosPerOp}, {@code gcConcurrentNanosPerOp} and {@code gcNanosPerOp}: the
 * collectors' time over the iteration per request, from their own beans ({@link CollectorTime}): the
 * leak's price.</li>
 * </ul>
 * Both are read in the iteration's teardown, outside the timed path, the GC time first so that the JOL
 * walk's own allocation does not count.
 *
 * <p>The leak is bounded so that no run dies of OutOfMemoryError: the list is dropped each time it holds
 * {@value #LEAK_CAP} closures (at most about 256 MB of payloads) and at each iteration's end. Until it is
 * dropped, every collection finds up to 256 live payloads that it must copy (young), promote and later
 * free in the old generation, where {@code scopedClosure}'s collections find none.
 *
 * <p>The heap is pinned: {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:G1HeapRegionSize=2m}, appended to
 * the fork's flags. The capped leak then fills at most a quarter of the heap whatever the host's memory
 * (an unpinned heap is a quarter of it), and the payload, 1,000,016 bytes with its header, is just under
 * half a 2 MiB region, so G1 treats it as an ordinary young object that the leak makes it copy and
 * promote. With 1 MiB regions (G1's default for heaps under 4 GB) the payload would be a humongous
 * object: allocated straight into old regions of its own, never copied, and freed whole by eager
 * reclaim once dead; the leak's price would then show in old-generation occupancy and concurrent
 * cycles instead of copying. A larger {@code -p payloadLength} crosses that line too.
 *
 * <h2>What you should see</h2>
 * {@code leakyClosure} retains its whole payload per request (1,000,016 bytes, plus its 24-byte request
 * and 16-byte closure: 1,000,056 B; a little more under ZGC, which has no compressed oops),
 * {@code scopedClosure} its 24-byte closure and nothing else. Both allocate the same megabyte per
 * request; the guide's claims are that the leak costs more collector time per request and, through the
 * pauses, more time per request.
 *
 * <p>Figures: {@code results/reference/report.md#closureretentionbenchmark-avgt}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- ClosureRetentionBenchmark}. The same scenario as a heap comparison, the
 * JVM's answer to DevTools' Comparison view: {@code ./run-benchmarks.sh heap-compare leaky --requests 50}
 * ({@link HeapCompare}).
 *
 * <h2>What it does not measure</h2>
 * Not a leak that runs until the heap is exhausted (it is capped), and not the cost of a full GC of a
 * large old generation: the retained set here is at most 256 MB in a 1 GB heap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:G1HeapRegionSize=2m"})
@Claim(id = "leak-costs-gc-time",
        text = "a closure that captures the request costs more collector time per request than one that captures only what it needs",
        variant = "scopedClosure", baseline = "leakyClosure", relation = Relation.LOWER, factor = 1,
        metric = "gcNanosPerOp", kind = Claim.Kind.GUIDE,
        basis = "The guide: the leaked arrays stay alive and the collector works on them. Both variants allocate the "
                + "same megabyte per request, so they start the same collections with the same fixed costs; the leak "
                + "adds up to 256 live payloads that each collection must copy, promote or keep, and later free in "
                + "the old generation, so it cannot cost less. The guide gives no factor: the threshold is 1.")
@Claim(id = "leak-costs-time",
        text = "a closure that captures the request costs more time per request than one that captures only what it needs",
        variant = "scopedClosure", baseline = "leakyClosure", relation = Relation.LOWER, factor = 1,
        kind = Claim.Kind.GUIDE,
        basis = "The two variants run the same code but for what the closure captures, so any difference in time "
                + "per request is the collector's: the stop-the-world part of the leak's extra GC work (see "
                + "leak-costs-gc-time) is paid by the requests. It cannot make them faster; the guide gives no factor, "
                + "so the threshold is 1.")
@Claim(id = "leaky-retains-its-payload",
        text = "a closure that captures the request retains at least its 1,000,000-byte payload per request",
        variant = "leakyClosure", relation = Relation.HIGHER, bound = 1_000_000,
        metric = "retainedBytesPerRequest", params = "payloadLength=1000000", kind = Claim.Kind.MECHANISM,
        basis = "The lambda captures the request, which holds the payload: every closure in the list keeps its "
                + "whole payload reachable, so the bytes per request cannot be fewer than the payload's length.")
@Claim(id = "scoped-retains-only-the-closure",
        text = "a closure that captures only two numbers retains under 32 bytes per request",
        variant = "scopedClosure", relation = Relation.LOWER, bound = 32,
        metric = "retainedBytesPerRequest", kind = Claim.Kind.MECHANISM,
        basis = "The scoped lambda holds two ints: a 12-byte header and 8 bytes, 24 bytes with padding. Capturing "
                + "any object besides would add at least that object (16 bytes for the smallest), so 32 bytes tells "
                + "'only the two numbers' from 'something more'.")
public class ClosureRetentionBenchmark {

    /** The global list is dropped each time it holds this many closures: the leak's bound. */
    static final int LEAK_CAP = 256;

    /** Elements of the array each request makes, as in memory-leak.js. */
    @Param({"1000000"})
    public int payloadLength;

    private long nextRequestId;

    /** One incoming request: an id and the large value the guide's example builds for it. */
    public record Request(long id, byte[] payload) {
    }

    /**
     * The "global" list the handlers are kept in, and the iteration's figures read from it. The teardown
     * is where they are measured and recorded as gauges, and where the list is released.
     */
    @State(Scope.Thread)
    public static class GlobalListeners {

        private List<IntSupplier> listeners = new ArrayList<>();
        private long requests;
        private CollectorTime.Snapshot gcAtStart;

        @Setup(Level.Iteration)
        public void reset() {
            listeners = new ArrayList<>();
            requests = 0;
            gcAtStart = CollectorTime.now();
        }

        void add(IntSupplier listener) {
            if (listeners.size() == LEAK_CAP) {
                // A fresh list, not clear(): a cleared ArrayList keeps its large backing array.
                listeners = new ArrayList<>();
            }
            listeners.add(listener);
            requests++;
        }

        int size() {
            return listeners.size();
        }

        /**
         * Bytes reachable from each closure in the list (JOL's sizes), averaged over the closures. The
         * list's own ArrayList and backing array are left out: their share per closure would depend on
         * how many closures the iteration happened to leave in the list.
         */
        double measureRetainedBytesPerRequest() {
            if (listeners.isEmpty()) {
                return 0;
            }
            long bytes = 0;
            for (IntSupplier listener : listeners) {
                bytes += RetainedSize.of(listener);
            }
            return (double) bytes / listeners.size();
        }

        /**
         * Records the iteration's GC time per request (before the JOL walk, which allocates) and the bytes
         * retained per request, then drops the list.
         */
        @TearDown(Level.Iteration)
        public void measureAndRelease() {
            CollectorTime.recordPerOp(CollectorTime.now().since(gcAtStart), requests);
            Gauges.record("retainedBytesPerRequest", measureRetainedBytesPerRequest(), "B");
            listeners = new ArrayList<>();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        nextRequestId = 1;
    }

    public Request newRequest() {
        long id = nextRequestId++;
        byte[] payload = new byte[payloadLength];
        payload[0] = (byte) id;
        payload[payload.length - 1] = (byte) (id >>> 8);
        return new Request(id, payload);
    }

    /** The trap: the handler uses the request, so it captures the request and its payload. */
    public static IntSupplier leakyHandler(Request request) {
        return () -> request.payload().length ^ (int) request.id();
    }

    /** The fix: read what the handler needs first, and capture only that. */
    public static IntSupplier scopedHandler(Request request) {
        int length = request.payload().length;
        int id = (int) request.id();
        return () -> length ^ id;
    }

    @Benchmark
    public int leakyClosure(GlobalListeners global) {
        IntSupplier handler = leakyHandler(newRequest());
        global.add(handler);
        return handler.getAsInt();
    }

    @Benchmark
    public int scopedClosure(GlobalListeners global) {
        IntSupplier handler = scopedHandler(newRequest());
        global.add(handler);
        return handler.getAsInt();
    }
}
