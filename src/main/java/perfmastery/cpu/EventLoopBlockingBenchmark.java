package perfmastery.cpu;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

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
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import perfmastery.support.VirtualThreads;

/**
 * Guide part 1 and 3, the Golden Rule: "don't block the event loop".
 *
 * <h2>The guide's claim</h2>
 * Node runs every callback on one thread. A request that does 20 to 50 ms of CPU work (the guide's
 * recursive Fibonacci, or its crypto example, PBKDF2) runs on that thread and every other request, even
 * a trivial health check, waits behind it. Hand the heavy work to a worker pool and the loop stays free:
 * the health check answers in microseconds again. The guide also shows the naive fix, a new worker per
 * request ({@code new Worker(...)}), and we add the JVM's own candidate, a virtual thread per request.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * The "event loop" is a single-threaded executor. Exactly one heavy request is in flight at all times: when
 * the loop receives a heavy request's answer it queues the next heavy request at once (a client that sends
 * its next request as soon as it has the answer; so under {@code inline} the loop is busy 100% of the
 * time, with no idle gap in which health checks would slip through). The measured operation,
 * {@link #health()}, submits a trivial task to the loop and waits for its answer: SampleTime gives its
 * latency distribution (p50, p99, p99.9). {@code @Param task}: {@code fib} is
 * {@code FibonacciBenchmark.recursive(35)}, {@code pbkdf2} is PBKDF2WithHmacSHA256 with 120,000 iterations
 * (javax.crypto, 256-bit key). Each is sized to about 25 ms of CPU alone on a quiet machine of this
 * kind, inside the guide's 20 to 50 ms (PBKDF2 needs so many iterations because the JIT compiles SHA-256
 * to the CPU's SHA instructions; a cold first call takes far longer), and takes longer when other
 * processes load the 2 cores. The setup measures the task alone after a second of warm-up and prints
 * the figure at the start of each run: the inline claim's bound rests on it.
 * {@code @Param strategy}, what the loop does with a heavy request:
 * <ul>
 * <li>{@code inline}: computes it on the loop (the wrong way). A health check waits for the heavy task
 * that is running, and in practice for a whole one: the measuring thread asks again as soon as it gets an
 * answer, which comes just after a heavy task ended, by when the next heavy request is queued ahead of it.
 * So the median is about one heavy task, and the tail longer when the machine is busy.</li>
 * <li>{@code workerPool}: hands it to a fixed pool of one worker; the result comes back to the loop as a
 * message (a task the loop runs), as a Node worker's {@code postMessage} does.</li>
 * <li>{@code threadPerRequest}: starts a new platform thread per heavy request (the guide's
 * {@code new Worker(...)} per request), which posts the result back the same way.</li>
 * <li>{@code virtualThread} (JDK 21+): a new virtual thread per heavy request.</li>
 * </ul>
 *
 * <h2>Thread budget (2 cores)</h2>
 * The loop (1 platform thread), the JMH thread (blocked waiting for the health answer) and at most ONE
 * thread doing heavy work: the loop itself ({@code inline}), the pool's single worker, the one request
 * thread, or one virtual thread on one carrier. With one heavy request in flight the offloading
 * strategies leave one core to the loop and the JMH thread.
 *
 * <h2>What you should see</h2>
 * {@code inline}: the health check's median is about one heavy task, and its tail longer when the
 * machine is busy (claim: p99 at least 20 ms, the guide's shortest heavy request). The three offloading
 * strategies: the median is the loop's bare hand-off (microseconds) and the tail stays far below one
 * heavy task (claims: p99 at least 100x lower than inline, each). How you offload hardly matters while
 * one heavy request is in flight: a pool, a new thread and a virtual thread keep the loop equally free
 * (what happens with more heavy requests than cores is another question, not asked here). On a quiet
 * machine the offloaded hand-offs can be slower than on a busy one: a parked loop woken on an idle
 * virtual CPU pays the wake-up from idle (tens of microseconds in a VM), while under load the cores
 * never idle.
 *
 * <p>Figures: see the reference results (results/reference/, made on a quiet machine); the table that was
 * here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- EventLoopBlockingBenchmark}; one task with {@code -p task=fib}. Tail
 * latency needs samples: {@code inline} gets one health sample per heavy task (some 40 per second when a
 * task takes 25 ms), so its p99.9 is the maximum of an iteration; run more iterations ({@code -i 10}) for
 * a steadier tail.
 *
 * <h2>What it does not measure</h2>
 * Not the cost of starting workers ({@code WorkerStartupBenchmark}) nor of passing them data
 * ({@code WorkerMessagingBenchmark}), and not a network: the same idea over real HTTP is
 * {@code HttpHealthUnderLoadBenchmark}. On this shared machine the offloaded tails include the OS
 * scheduler's delays caused by other processes.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Claim(id = "workerPool-p99-100x",
        text = "offloading to a worker pool makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=workerPool]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100,
        kind = Kind.GUIDE, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "threadPerRequest-p99-100x",
        text = "offloading to a new thread per request makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=threadPerRequest]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100,
        kind = Kind.GUIDE, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "virtualThread-p99-100x",
        text = "offloading to a virtual thread per request makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=virtualThread]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100,
        kind = Kind.GUIDE, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "inline-p99-is-a-heavy-task",
        text = "inline, the health check's p99 is at least one heavy task: 20 ms or more",
        variant = "health[strategy=inline]", metric = "p99", relation = Relation.HIGHER, bound = 20_000,
        kind = Kind.GUIDE,
        basis = "inline, a health check waits for a whole heavy task (the next one is queued ahead of it as soon"
                + " as one ends), so its p99 is at least the task's time alone; the guide's heavy request takes 20"
                + " to 50 ms of CPU, and the tasks here are sized to about 25 ms alone (the setup prints the time"
                + " it measures): 20 ms, the guide's lower end")
public class EventLoopBlockingBenchmark {

    /** Where the offloading claims' 100x comes from. */
    static final String OFFLOAD_BASIS = "inline, a health check waits for a heavy task, 20 to 50 ms of CPU in the"
            + " guide (about 25 ms here); offloaded, the loop is free and a health check is a hand-off between two"
            + " threads, microseconds, whose p99 stays within a few hundred microseconds even when the OS must wake"
            + " the loop on a core: 25 ms against at most 250 us is 100x";

    /** Hard caps so the heavy load stops by itself even if no teardown ever comes. */
    static final int MAX_HEAVY_REQUESTS = 50_000;
    static final long MAX_LOAD_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long HEALTH_TIMEOUT_SECONDS = 30;

    /** The heavy work of a request. */
    @Param({"fib", "pbkdf2"})
    public String task;

    /** What the loop does with a heavy request. */
    @Param({"inline", "workerPool", "threadPerRequest", "virtualThread"})
    public String strategy;

    int fibN;
    int pbkdf2Iterations;
    char[] password;
    byte[] salt;

    private HeavyTask heavyTask;
    private Strategy chosen;
    private ExecutorService loop;
    private ExecutorService workerPool;
    private volatile boolean stopping;
    private volatile boolean loadCapped;
    private long loadDeadline;
    /** Written by the loop only (and by setup before the first request). */
    private int issued;
    private volatile Throwable loadFailure;
    private volatile Thread lastRequestThread;
    /** Written by the loop only: completed heavy requests and the XOR of their results. */
    private long completed;
    private long resultSink;
    private long lastResult;

    enum HeavyTask { FIB, PBKDF2 }

    enum Strategy { INLINE, WORKER_POOL, THREAD_PER_REQUEST, VIRTUAL_THREAD }

    static <E extends Enum<E>> E parse(Class<E> type, String name, String paramName) {
        for (E value : type.getEnumConstants()) {
            if (camelCase(value).equals(name)) {
                return value;
            }
        }
        StringBuilder known = new StringBuilder();
        for (E value : type.getEnumConstants()) {
            known.append(known.length() == 0 ? "" : ", ").append(camelCase(value));
        }
        throw new IllegalArgumentException("unknown " + paramName + " '" + name + "': use one of " + known);
    }

    private static String camelCase(Enum<?> value) {
        String[] words = value.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }

    @Setup(Level.Trial)
    public void setUp() {
        chosen = parse(Strategy.class, strategy, "strategy");
        heavyTask = parse(HeavyTask.class, task, "task");
        if (chosen == Strategy.VIRTUAL_THREAD) {
            VirtualThreads.requireAvailable();
        }
        fibN = 35;
        pbkdf2Iterations = 120_000;
        password = "correct horse battery staple".toCharArray();
        salt = "perfmastery-salt".getBytes(StandardCharsets.UTF_8);
        reportHeavyTaskDuration();

        stopping = false;
        loadFailure = null;
        loop = Executors.newSingleThreadExecutor(named("event-loop"));
        if (chosen == Strategy.WORKER_POOL) {
            workerPool = Executors.newFixedThreadPool(1, named("heavy-worker"));
        }
        loadCapped = false;
        loadDeadline = System.nanoTime() + MAX_LOAD_NANOS;
        issued = 1;
        loop.execute(this::onHeavyRequest);
    }

    /**
     * Warms the heavy task up (about a second: PBKDF2's SHA-256 needs C2 to reach its speed) and says how long
     * it then takes alone: the figure the inline bound is set from.
     */
    private void reportHeavyTaskDuration() {
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < 30 && System.nanoTime() - warmUntil < 0; i++) {
            resultSink ^= computeHeavy();
        }
        long[] nanos = new long[3];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            resultSink ^= computeHeavy();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "%n%s: the heavy task %s takes %.1f ms alone here (median of 3 after 1 s of warm-up; PBKDF2 may need longer to reach its speed)%n",
                EventLoopBlockingBenchmark.class.getSimpleName(), describeHeavyTask(), nanos[1] / 1e6);
    }

    private String describeHeavyTask() {
        return heavyTask == HeavyTask.FIB ? "fib(" + fibN + ")" : "PBKDF2WithHmacSHA256 x" + pbkdf2Iterations;
    }

    private java.util.concurrent.ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> loadFailure = e);
            return thread;
        };
    }

    /** Runs on the loop: what the strategy does with a heavy request. */
    private void onHeavyRequest() {
        try {
            dispatchHeavyRequest();
        } catch (RuntimeException | Error e) {
            loadFailure = e;
            throw e;
        }
    }

    private void dispatchHeavyRequest() {
        switch (chosen) {
            case INLINE -> complete(computeHeavy());
            case WORKER_POOL -> workerPool.execute(this::computeAndPostBack);
            case THREAD_PER_REQUEST -> {
                Thread thread = new Thread(this::computeAndPostBack, "heavy-request");
                thread.setDaemon(true);
                lastRequestThread = thread;
                thread.start();
            }
            case VIRTUAL_THREAD -> lastRequestThread = VirtualThreads.start(this::computeAndPostBack);
        }
    }

    private void computeAndPostBack() {
        try {
            long result = computeHeavy();
            loop.execute(() -> complete(result));
        } catch (RejectedExecutionException loopShutDown) {
            // teardown
        } catch (Throwable t) {
            loadFailure = t;
        }
    }

    /**
     * Runs on the loop: takes the answer and queues the next heavy request at once, so one is always in
     * flight and the loop never idles between two (a separate load thread would leave gaps as long as its
     * own scheduling delay, and a closed-loop health check would fill them with thousands of fast samples).
     */
    private void complete(long result) {
        resultSink ^= result;
        lastResult = result;
        completed++;
        if (stopping) {
            return;
        }
        if (issued >= MAX_HEAVY_REQUESTS || System.nanoTime() - loadDeadline >= 0) {
            loadCapped = true;
            return;
        }
        issued++;
        loop.execute(this::onHeavyRequest);
    }

    long computeHeavy() {
        return switch (heavyTask) {
            case FIB -> FibonacciBenchmark.recursive(fibN);
            case PBKDF2 -> ByteBuffer.wrap(pbkdf2(password, salt, pbkdf2Iterations)).getLong();
        };
    }

    /** PBKDF2WithHmacSHA256, 256-bit key. */
    static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return factory.generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK: " + e, e);
        }
    }

    private static final java.util.concurrent.Callable<String> HEALTH = () -> "ok";

    /** The health check: a trivial task through the loop, answered when the loop gets to it. */
    @Benchmark
    public String health() throws Exception {
        try {
            return loop.submit(HEALTH).get(HEALTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the loop did not answer the health check in "
                    + HEALTH_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Heavy requests completed so far (read on the loop, so it is exact). */
    long completedHeavyRequests() throws Exception {
        return loop.submit(() -> completed).get(HEALTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The result of the last completed heavy request, as the loop received it (tests). */
    long lastHeavyResult() throws Exception {
        return loop.submit(() -> lastResult).get(HEALTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** A result measured without background load is not this lesson's result: fail loudly. */
    @TearDown(Level.Iteration)
    public void checkLoadIsRunning() {
        if (loadFailure != null) {
            throw new IllegalStateException("the heavy load failed: " + loadFailure, loadFailure);
        }
        if (loadCapped) {
            throw new IllegalStateException("the heavy load stopped at its cap (" + MAX_HEAVY_REQUESTS
                    + " requests or " + TimeUnit.NANOSECONDS.toMinutes(MAX_LOAD_NANOS)
                    + " min): shorten the run");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        try {
            shutDown(loop);
            shutDown(workerPool);
        } finally {
            Thread requestThread = lastRequestThread;
            if (requestThread != null) {
                requestThread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    /** Waits for a running heavy task (it cannot be interrupted) to end, so no thread outlives the trial. */
    static void shutDown(ExecutorService executor) throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("an executor did not stop within 10 s");
            }
        }
    }
}
