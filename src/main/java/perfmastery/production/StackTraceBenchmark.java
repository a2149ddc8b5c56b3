package perfmastery.production;

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
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 6, production checklist item 1, "Use NODE_ENV=production": error responses without stack traces.
 *
 * <h2>The guide's claim</h2>
 * In production mode a framework stops putting stack traces into error responses. That is safer (no
 * internals shown to a client), and it is cheaper: a trace is captured when the error is made, and made
 * again for every failing request. On the JVM the cost is in {@link Throwable#fillInStackTrace()}, which the
 * constructor of every ordinary exception calls: it walks the thread's stack, frame by frame, and records
 * each frame's method and bytecode index in a backtrace it allocates. An exception made with
 * {@code writableStackTrace = false} (the four-argument constructor of {@link Exception}) skips the walk,
 * and a preallocated one skips the allocation as well.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * One operation is a failing request: it descends {@code depth} frames (a recursive call per frame, standing
 * for the layers of a server: filters, controller, service, repository), the deepest one finds that the order
 * does not exist and throws, the top catches and builds the error response, a 404 with the message as a
 * small JSON body. JMH's own frames (about ten) lie under the request, as a server's do. The variants, the
 * guide's wrong way first:
 * <ul>
 * <li>{@code filledStackTrace}: {@code new OrderNotFoundException(message)}, the ordinary constructor:
 * the stack is walked and recorded;</li>
 * <li>{@code stacklessException}: the same exception made with {@code writableStackTrace = false}: a new
 * object per request, no walk;</li>
 * <li>{@code preallocatedException}: one stackless exception made at setup and thrown by every request.</li>
 * </ul>
 * All three throw through the same frames and build the same body, so they differ by the walk and the
 * backtrace only. Time per request (ns/op) and bytes per request ({@code -prof gc},
 * {@code gc.alloc.rate.norm}). The heap is pinned and pre-touched (128 MiB), so the allocation's first
 * touch of a page is not measured. The response here carries no trace: rendering one into the body
 * ({@code getStackTrace()}, a {@code StackTraceElement} and a string per frame), as a development server
 * does, would cost more again.
 *
 * <p>The JVM's own stackless shortcut: {@code OmitStackTraceInFastThrow} (on by default) lets C2 replace
 * an implicit exception it throws often from compiled code ({@code NullPointerException},
 * {@code ArithmeticException}, {@code ArrayIndexOutOfBoundsException}, {@code ClassCastException}) by a
 * preallocated one without a trace. That saves the walk in a hot error path, and leaves a log of traceless
 * exceptions: run with {@code -XX:-OmitStackTraceInFastThrow} to see their traces when debugging. It does
 * not touch an exception the code makes with {@code new}, as here.
 *
 * <h2>What you should see</h2>
 * {@code filledStackTrace} growing about in proportion to the depth (the walk is per frame), and far above
 * the other two at every depth (claim: at least 5x the stackless one at depth 50); {@code stacklessException}
 * and {@code preallocatedException} growing much less with the depth (the unwinding through the frames
 * remains), the preallocated one allocating only the response. Bytes per request: the filled one's grow with
 * the depth (the backtrace), the stackless ones' do not (claim: at depth 200 the filled one allocates at
 * least 5x the stackless one). Figures come from the reference run, made on a quiet machine.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- StackTraceBenchmark} (the runner adds {@code -prof gc}); other depths with
 * {@code -p depth=10,50,200,1000}. The cost at quick: 9 rows, each 3 forks of about 1.5 s start, 0.4 s of
 * pre-touching the heap (32,768 pages of 4 KiB at the first-touch cost STYLE.md records for these virtual
 * machines), 0.8 s warm-up and 1.2 s measured: about 12 s a row, about 105 s per JDK; the claims' depths
 * alone ({@code -p depth=50,200}) about 70 s.
 *
 * <h2>What it does not measure</h2>
 * Not logging the trace (formatting and writing it costs far more than capturing it), not rendering it into
 * the response, and not the {@code StackWalker} API (which walks lazily and can stop early).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"})
@Claim(id = "stackless-5x-filled-at-50",
        text = "at a depth of 50 frames, an error response from a stackless exception costs at most a fifth of one from an exception with its stack trace filled in",
        variant = "stacklessException", baseline = "filledStackTrace", relation = Relation.LOWER, factor = 5,
        params = "depth=50", kind = Kind.GUIDE,
        basis = "filling in walks every frame on the stack (50 of the request's, about 10 of the harness's): for each"
                + " frame it finds the method and bytecode index, for a compiled frame by decoding its debug"
                + " information into the inlined calls it stands for, and stores them into a backtrace it"
                + " allocates; the stackless request does everything else (the descent, one exception, the throw,"
                + " the unwinding, the body), where each frame costs one return or one handler lookup: a walk that"
                + " decodes and records each frame costs several times that, and the issue's threshold is 5x")
@Claim(id = "filled-allocates-5x-stackless-at-200",
        text = "at a depth of 200 frames, an error response from an exception with its stack trace filled in allocates at least 5x the bytes of one from a stackless exception",
        variant = "filledStackTrace", baseline = "stacklessException", metric = "gc.alloc.rate.norm",
        relation = Relation.HIGHER, factor = 5, params = "depth=200", kind = Kind.MECHANISM,
        basis = "the backtrace holds, per frame, at least a method reference and a bytecode index (8 bytes or more):"
                + " over 200 frames at least 1.6 KB; a stackless request allocates the exception (about 40 bytes)"
                + " and the response body (a string of some 50 characters and its bytes, under 200 bytes), under"
                + " 320 bytes in all: at least 5x")
public class StackTraceBenchmark {

    /** How many frames the request descends before it fails. */
    @Param({"10", "50", "200"})
    public int depth;

    String message;
    private OrderNotFoundException preallocated;

    /** What the deepest frame of a failing request makes: one way per variant. */
    enum Failure {
        FILLED, STACKLESS, PREALLOCATED
    }

    /** The request's error: an order that does not exist. */
    static final class OrderNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;

        OrderNotFoundException(String message) {
            super(message);
        }

        OrderNotFoundException(String message, boolean writableStackTrace) {
            super(message, null, false, writableStackTrace);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        message = "order 4711 not found";
        preallocated = new OrderNotFoundException(message, false);
    }

    @Benchmark
    public String filledStackTrace() {
        return handle(Failure.FILLED);
    }

    @Benchmark
    public String stacklessException() {
        return handle(Failure.STACKLESS);
    }

    @Benchmark
    public String preallocatedException() {
        return handle(Failure.PREALLOCATED);
    }

    /** A failing request: the descent, the throw at the bottom, the error response at the top. */
    String handle(Failure failure) {
        try {
            return "{\"status\":200,\"depth\":" + descend(depth, failure) + "}";
        } catch (OrderNotFoundException e) {
            return errorResponse(e);
        }
    }

    static String errorResponse(OrderNotFoundException e) {
        return "{\"status\":404,\"error\":\"" + e.getMessage() + "\"}";
    }

    /** The failure the bottom of a request throws, caught here for the tests to inspect. */
    OrderNotFoundException failure(Failure failure) {
        try {
            descend(depth, failure);
        } catch (OrderNotFoundException e) {
            return e;
        }
        throw new AssertionError("the request did not fail");
    }

    /** {@code remaining} frames of this method, the last of which fails; the sum keeps every frame on the stack. */
    int descend(int remaining, Failure failure) throws OrderNotFoundException {
        if (remaining <= 1) {
            throw switch (failure) {
                case FILLED -> new OrderNotFoundException(message);
                case STACKLESS -> new OrderNotFoundException(message, false);
                case PREALLOCATED -> preallocated;
            };
        }
        return descend(remaining - 1, failure) + 1;
    }
}
