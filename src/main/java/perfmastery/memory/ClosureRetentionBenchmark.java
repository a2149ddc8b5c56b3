package perfmastery.memory;

import perfmastery.support.AuxCounterMean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

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
 * Guide part 2.2, "the closure trap": a handler that captures more than it needs, kept somewhere global.
 *
 * <h2>The guide's claim</h2>
 * The guide's memory-leak.js makes, per request, a large value (a 1,000,000-element array) and a closure
 * that refers to it, and keeps the closure in a global list. Each closure keeps its whole array alive, so
 * the heap grows by the array's size with every request until the process dies. The fix is to capture only
 * what the closure needs: the same number of closures then keeps almost nothing alive.
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
 * same answer; they differ in what the global list keeps alive. That is measured with JOL's object
 * sizes (the total of {@code GraphLayout.parseInstance(list)}, walked by {@link RetainedSize}) at the end
 * of each iteration, divided by the number of closures in the list, and written to the JSON as the
 * secondary metric
 * {@code retainedBytesPerRequest} (an {@code @AuxCounters} field: the mean over the measurement
 * iterations, see {@link AuxCounterMean}). The walk is outside the timed path.
 *
 * <p>The leak is bounded so that no run dies of OutOfMemoryError: the list is dropped each time it holds
 * {@value #LEAK_CAP} closures (at most about 256 MB of payloads) and at each iteration's end. Time per
 * op still shows what the leak costs the collector: it must trace and copy (or keep in old regions) up
 * to 256 live payloads instead of none.
 *
 * <h2>What you should see</h2>
 * One fork, 3 x 1 s warmup and 3 x 1 s measurement, {@code -prof gc}, 2 shared cores:
 * <pre>
 * variant          JDK 17.0.15: us/op  B/op       retainedBytesPerRequest   Temurin 25: us/op  retainedBytesPerRequest
 * leakyClosure            2,225        1,000,139  1,000,061                        2,174       1,000,062
 * scopedClosure             713        1,000,067         29.7                        171              29.7
 * </pre>
 * Leaky retains about 33,700x more per request than scoped on both JDKs (the claim asks for 1000x):
 * the 1,000,016-byte payload plus its 24-byte request and 16-byte closure, against a 24-byte closure
 * and its share of the list. Both allocate the same megabyte per request; the leak's price in time is
 * the collector's: about 2.2 s of {@code gc.time} over the 3 measured seconds against 0.05 to 0.09 s.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- ClosureRetentionBenchmark}. The same scenario as a heap comparison, the
 * JVM's answer to DevTools' Comparison view: {@code ./run-benchmarks.sh heap-compare leaky --requests 50}
 * ({@link HeapCompare}).
 *
 * <h2>What it does not measure</h2>
 * Not a leak that runs until the heap is exhausted (it is capped), and not the cost of a full GC of a
 * large old generation: the retained set here is at most a few hundred MB in a heap of several GB.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
@Claim(id = "leaky-retains-1000x",
        text = "a closure that captures the request retains at least 1000x more per request than one that captures only what it needs",
        variant = "scopedClosure", baseline = "leakyClosure", relation = Relation.LOWER, factor = 1000,
        metric = "retainedBytesPerRequest")
public class ClosureRetentionBenchmark {

    /** The global list is dropped each time it holds this many closures: the leak's bound. */
    static final int LEAK_CAP = 256;

    /** Elements of the array each request makes, as in memory-leak.js. */
    @Param({"1000000"})
    public int payloadLength;

    private long nextRequestId;

    /** One incoming request: an id and the large value the guide's example builds for it. */
    record Request(long id, byte[] payload) {
    }

    /**
     * The "global" list the handlers are kept in, and the figure JMH reads from it after each iteration.
     * JMH reads the public fields of an {@code @AuxCounters} state after the iteration's
     * {@code @TearDown(Level.Iteration)} methods have run, so the teardown is where JOL measures.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class GlobalListeners {

        /** Bytes reachable from the list per closure in it: the mean over measurement iterations. */
        public double retainedBytesPerRequest;

        private List<IntSupplier> listeners = new ArrayList<>();

        @Setup(Level.Iteration)
        public void reset() {
            retainedBytesPerRequest = 0;
            listeners = new ArrayList<>();
        }

        void add(IntSupplier listener) {
            if (listeners.size() == LEAK_CAP) {
                // A fresh list, not clear(): a cleared ArrayList keeps its large backing array.
                listeners = new ArrayList<>();
            }
            listeners.add(listener);
        }

        int size() {
            return listeners.size();
        }

        /** Bytes reachable from the list (JOL), divided by the closures it holds. */
        double measureRetainedBytesPerRequest() {
            if (listeners.isEmpty()) {
                return 0;
            }
            return (double) RetainedSize.of(listeners) / listeners.size();
        }

        @TearDown(Level.Iteration)
        public void measureAndRelease(BenchmarkParams benchmark, IterationParams iteration) {
            retainedBytesPerRequest = AuxCounterMean.share(measureRetainedBytesPerRequest(), benchmark, iteration);
            listeners = new ArrayList<>();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        nextRequestId = 1;
    }

    Request newRequest() {
        long id = nextRequestId++;
        byte[] payload = new byte[payloadLength];
        payload[0] = (byte) id;
        payload[payload.length - 1] = (byte) (id >>> 8);
        return new Request(id, payload);
    }

    /** The trap: the handler uses the request, so it captures the request and its payload. */
    static IntSupplier leakyHandler(Request request) {
        return () -> request.payload().length ^ (int) request.id();
    }

    /** The fix: read what the handler needs first, and capture only that. */
    static IntSupplier scopedHandler(Request request) {
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
