package perfmastery.cpu;

import perfmastery.load.OpenLoopProbe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import perfmastery.support.Gauges;
import perfmastery.support.VirtualThreads;

/**
 * Guide part 1 and 3, the Golden Rule: "don't block the event loop"; and what each way of offloading does
 * once there is more heavy work than cores.
 *
 * <h2>The guide's claim</h2>
 * Node runs every callback on one thread. A request that does 20 to 50 ms of CPU work (the guide's
 * recursive Fibonacci, or its crypto example, PBKDF2) runs on that thread and every other request, even
 * a trivial health check, waits behind it. Hand the heavy work to a worker pool and the loop stays free:
 * the health check answers in microseconds again. The guide also shows the naive fix, a new worker per
 * request ({@code new Worker(...)}), and we add the JVM's own candidate, a virtual thread per request.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * The "event loop" is a single-threaded executor. {@code @Param inFlight} heavy requests are in flight at
 * all times: when the loop receives a heavy request's answer it queues the next heavy request at once (a
 * client that sends its next request as soon as it has the answer; so under {@code inline} the loop is busy
 * 100% of the time, with no idle gap in which health checks would slip through). {@code inFlight} is 1,
 * 4 and 16: one request, and 2x and 8x the 2 cores of the machine this suite was written on (on a machine
 * with P cores, {@code -p inFlight=1,<2P>,<8P>} asks the same question). The measured operation,
 * {@link #health()}, submits a trivial task to the loop and waits for its answer: SampleTime gives its
 * closed-loop latency distribution (p50, p99, p99.9). {@code @Param task}: {@code fib} (the default) is
 * {@code FibonacciBenchmark.recursive(35)}, {@code pbkdf2} ({@code -p task=pbkdf2}) is PBKDF2WithHmacSHA256
 * with 120,000 iterations (javax.crypto, 256-bit key). Each is meant to sit at the lower end of the guide's
 * 20 to 50 ms of CPU: fib(35) takes about 20 ms alone on the reference machine (the setup's print in
 * {@code results/reference/jdk-17.0.15.log}), so it is at the guide's shortest heavy request, not inside its
 * range (PBKDF2 needs so many iterations because the JIT compiles SHA-256 to the CPU's SHA instructions; a
 * cold first call takes far longer); each takes longer on a slower machine or when other processes load the
 * 2 cores. The setup measures the task alone after a second of warm-up, prints the figure at the start of
 * each fork, and keeps it: {@code openLoopP99PerTask} divides the open-loop p99 by it, so the inline
 * open-loop claim is in tasks, not in milliseconds of one machine.
 * {@code @Param strategy}, what the loop does with a heavy request:
 * <ul>
 * <li>{@code inline}: computes it on the loop (the wrong way). A health check waits for the heavy task
 * that is running and for every heavy request queued ahead of it: with {@code inFlight} k, k tasks.</li>
 * <li>{@code workerPool}: hands it to a fixed pool of as many workers as cores ({@code availableProcessors()},
 * P = 2 here); the result comes back to the loop as a message (a task the loop runs), as a Node worker's
 * {@code postMessage} does. Heavy requests beyond P wait in the pool's queue.</li>
 * <li>{@code threadPerRequest}: starts a new platform thread per heavy request (the guide's
 * {@code new Worker(...)} per request), which posts the result back the same way: k heavy requests are k
 * runnable threads, and the OS time-slices them.</li>
 * <li>{@code virtualThread} (JDK 21+): a new virtual thread per heavy request. The default scheduler runs
 * them on P carrier threads, and a virtual thread that computes is never time-sliced: it holds its carrier
 * until it ends, so k CPU-bound virtual threads are a pool of P workers with a queue in front.</li>
 * </ul>
 *
 * <h2>Open loop beside closed loop</h2>
 * {@link #health()} is a closed loop: it sends its next check only when the previous one is answered. A
 * dedicated sender ({@link OpenLoopProbe}) also sends checks to the loop on a fixed schedule,
 * {@value #OPEN_LOOP_CHECKS_PER_SECOND} a second (a constant arrival rate, as wrk2 sends), never waiting for
 * an answer, and times each from its <em>intended</em> send time into an HdrHistogram; the loop stamps the
 * answer when it runs the check. Each iteration records {@code openLoopP50Us}, {@code openLoopP99Us},
 * {@code openLoopP999Us} and {@code openLoopChecks} as gauges ({@code perfmastery.support.Gauges}), so the
 * JSON has them per iteration beside the closed-loop percentiles of the same row; and
 * {@code openLoopP99PerTask}, the open-loop p99 divided by the heavy task's time alone as this fork's setup
 * measured it (unit: tasks), the figure the inline open-loop claim reads. The sender shares the
 * cores with the load: when it waits for one, its checks leave late and the delay counts, as for a client
 * on the same host; {@code openLoopSendLagP99Us}, the p99 of how late the checks left, tells that part
 * from the loop's (a send lag near the latency says the sender waited, not the loop). The rate gives 8,000
 * checks in a 400 ms iteration (the quick preset), so p99.9 rests on the 8 slowest, not on the maximum;
 * the smoke preset's 200 ms hold 4,000. Both probes run at once and each is part of the other's load:
 * the open-loop checks add {@value #OPEN_LOOP_CHECKS_PER_SECOND} trivial tasks a second to the loop.
 *
 * <p>What the difference teaches (coordinated omission): when the loop stalls for 20 ms, the closed loop
 * has one check waiting and sends no other until it is answered, so the stall is one slow sample among
 * thousands of fast ones; the open loop keeps sending, and the 400 checks due during the stall wait 20 ms
 * down to 0. The closed loop's tail is the tail of a client that politely stops asking while the server
 * is stuck; the open loop's is what clients arriving at a steady rate see. Inline shows the other side:
 * the closed loop sends its next check just after an answer, when the next heavy request is already
 * queued, so nearly every closed-loop check waits a whole task and its median is a task; checks arriving
 * at a steady rate land anywhere in the task, and the open-loop median is half of one.
 *
 * <p>Heavy-request throughput: {@code heavyCompletedPerSecond} (a gauge), the heavy requests the loop
 * received answers for during the iteration, divided by its length.
 *
 * <h2>Thread budget (2 cores)</h2>
 * The loop (1 platform thread), the JMH thread (blocked waiting for the health answer), the open-loop
 * sender (parked between sends), and the threads doing heavy work: the loop itself ({@code inline}),
 * min(k, P) pool workers, k request threads (up to 16 runnable threads on 2 cores), or P carriers of
 * virtual threads. With k = 1 the offloading strategies leave one core to the loop and the probes; with
 * k &gt;= P every offloading strategy keeps both cores busy, and the loop wins a core only from the
 * scheduler.
 *
 * <h2>What you should see</h2>
 * <ul>
 * <li>{@code inline}: the health check waits for heavy tasks, k of them with k in flight. Claims: the
 * open-loop p99 is at least 0.9 of the task's time alone ({@code openLoopP99PerTask} at least 0.9 tasks:
 * checks arriving at a steady rate wait for the rest of a task, spread evenly over it, and the p99 of such a
 * wait is at least 0.9 of the task however little of the time the loop is busy above 10 %); the closed-loop
 * p99 is at least 20 ms, the guide's shortest heavy request (a SampleTime percentile can only be held
 * against a fixed bound, and 20 ms is also about fib(35)'s own time on the reference machine, so at
 * {@code inFlight=1} that verdict rests on a task of about the bound). Its throughput is one core's: about
 * 1 / task, whatever k.</li>
 * <li>Offloaded, one request in flight: the median is the loop's bare hand-off (microseconds) and the
 * tail stays far below one heavy task (claims: closed-loop p99 at least 100x lower than inline for each
 * strategy; the pool's open-loop p99 too). How you offload hardly matters with one request: a pool, a
 * new thread and a virtual thread keep the loop equally free.</li>
 * <li>Work beyond the cores ({@code inFlight} 4 and 16): every offloading strategy computes on both cores,
 * so its heavy throughput is up to P times inline's (claim: the pool's at least 1.5x inline's). The
 * health check now needs a core that heavy work holds. The principle: a fair scheduler gives the loop
 * 1/(P+1) of the CPU beside a pool's P busy workers, but 1/(8P+1) beside 8P request threads, and a woken
 * loop waits behind more threads per core; so thread-per-request oversubscribed should hurt the
 * open-loop tail (claim: at 16 at least 2x the pool's open-loop p99), while CPU-bound virtual threads,
 * held on P carriers and never time-sliced, leave the loop the same competition as the pool (claim: at
 * 16 at most 2x the pool's). The kernel may refute the first: Linux's scheduler (CFS, and EEVDF since
 * 6.6) places a thread that wakes after sleeping ahead of those that have been running, and the loop
 * sleeps between checks; if thread-per-request does not hurt the tail, that is the finding.</li>
 * </ul>
 * On a quiet machine the offloaded hand-offs can be slower than on a busy one: a parked loop woken on an
 * idle virtual CPU pays the wake-up from idle (tens of microseconds in a VM), while under load the cores
 * never idle.
 *
 * <p>Figures: {@code results/reference/report.md#eventloopblockingbenchmark-sample}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- EventLoopBlockingBenchmark}; the crypto task with {@code -p task=pbkdf2}
 * (or both, {@code -p task=fib,pbkdf2}: twice the rows); one load with {@code -p inFlight=16}. Rows are
 * strategies x tasks x inFlight (12 by default, 9 on JDK 17 without virtual threads), each a fork with a
 * second of task warm-up: keep {@code task} to one in the presets. Closed-loop tail latency needs
 * samples: {@code inline} gets one closed-loop sample per k heavy tasks, so its closed-loop p99.9 is the
 * maximum of an iteration; the open-loop gauges do not have that problem.
 *
 * <h2>What it does not measure</h2>
 * Not the cost of starting workers ({@code WorkerStartupBenchmark}) nor of passing them data
 * ({@code WorkerMessagingBenchmark}), and not a network: the same idea over real HTTP is
 * {@code HttpHealthUnderLoadBenchmark}. The open-loop latency ends when the loop runs the check, without
 * the hop back to a client thread that the closed loop includes (microseconds, far below the tails it is
 * compared with), and it includes the sender's own wait for a core (see {@code openLoopSendLagP99Us}). On
 * this shared machine the tails include the OS scheduler's delays caused by other processes, and
 * thread-per-request's 16 threads take a larger share of a contended machine from other processes than a
 * pool's 2 (the scheduler shares by thread), which can raise its heavy throughput above the pool's: on a
 * quiet machine both keep the same 2 cores busy.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Claim(id = "workerPool-p99-100x",
        text = "with one heavy request in flight, offloading to a worker pool makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=workerPool]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100, params = "inFlight=1",
        kind = Kind.MECHANISM, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "threadPerRequest-p99-100x",
        text = "with one heavy request in flight, offloading to a new thread per request makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=threadPerRequest]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100, params = "inFlight=1",
        kind = Kind.MECHANISM, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "virtualThread-p99-100x",
        text = "with one heavy request in flight, offloading to a virtual thread per request makes the health check's p99 at least 100x lower than inline",
        variant = "health[strategy=virtualThread]", baseline = "health[strategy=inline]",
        metric = "p99", relation = Relation.LOWER, factor = 100, params = "inFlight=1",
        kind = Kind.MECHANISM, basis = EventLoopBlockingBenchmark.OFFLOAD_BASIS)
@Claim(id = "inline-p99-is-a-heavy-task",
        text = "inline, the health check's closed-loop p99 is at least one heavy task: 20 ms or more",
        variant = "health[strategy=inline]", metric = "p99", relation = Relation.HIGHER, bound = 20_000,
        kind = Kind.GUIDE,
        basis = "inline, a closed-loop health check waits for a whole heavy task (the next one is queued ahead of"
                + " it as soon as one ends), and for every other heavy request in flight, so its p99 is at least the"
                + " task's time alone; the guide's heavy request takes 20 to 50 ms of CPU: 20 ms, the guide's lower"
                + " end. The task here, fib(35), takes about 20 ms alone on the reference machine (the setup prints"
                + " the time it measures), at that lower end, so with one request in flight the p99 sits near the"
                + " bound; a SampleTime percentile can only be held against a fixed bound, not against the task's"
                + " measured time (the open-loop claim is in tasks)")
@Claim(id = "inline-open-loop-p99-at-least-0.9-task",
        text = "inline, the health check's open-loop p99 (from the intended send time) is at least 0.9 of a heavy task's time alone",
        variant = "health[strategy=inline]", metric = "openLoopP99PerTask", relation = Relation.HIGHER, bound = 0.9,
        kind = Kind.GUIDE,
        basis = "checks sent at a constant rate land uniformly in time; if heavy work keeps the loop busy a fraction"
                + " f of the time, a check that lands in a task waits for its rest, uniform on [0, T] for a task of"
                + " T, plus any heavy request queued ahead of it, so the p99 of the wait is at least T(1 - 0.01/f);"
                + " inline keeps the loop busy with back-to-back heavy requests, so f is near 1, and even at f = 10 %"
                + " the p99 is 0.9 T: at least 0.9 tasks, T being the task's time alone as the fork's setup"
                + " measured it (openLoopP99PerTask), whatever the machine's speed")
@Claim(id = "workerPool-open-loop-p99-100x",
        text = "with one heavy request in flight, offloading to a worker pool makes the health check's open-loop p99 at least 100x lower than inline (on 2 cores, with the load generator on the same cores)",
        variant = "health[strategy=workerPool]", baseline = "health[strategy=inline]",
        metric = "openLoopP99Us", relation = Relation.LOWER, factor = 100, params = "inFlight=1",
        kind = Kind.GUIDE, dependsOnCores = true,
        basis = "inline, open-loop checks wait for the rest of a heavy task, so the p99 is about one task, at"
                + " least 20 ms, the guide's lower end (fib(35) is about that here); offloaded, one worker computes"
                + " and the loop keeps the other core, so every check waits only for the loop's hand-off and"
                + " wake-up, within a few hundred microseconds: 20 ms against at most 200 us is 100x")
@Claim(id = "workerPool-heavy-throughput-uses-the-cores",
        text = "with more heavy requests in flight than cores, a cores-sized worker pool completes at least 1.5x the heavy requests per second of inline (on 2 cores, with the load generator on the same cores)",
        variant = "health[strategy=workerPool]", baseline = "health[strategy=inline]",
        metric = "heavyCompletedPerSecond", relation = Relation.HIGHER, factor = 1.5,
        params = {"inFlight=4", "inFlight=16"}, kind = Kind.GUIDE, dependsOnCores = true,
        basis = "inline computes on the loop, one core; the pool's P workers compute on all P cores (2 here), which"
                + " is P times the work per second while P requests or more are in flight; 1.5x leaves a quarter of"
                + " the second core to the loop, the two probes and the hand-offs")
@Claim(id = "threadPerRequest-oversubscribed-open-loop-p99-2x-pool",
        text = "with 8x as many heavy requests in flight as cores, a thread per request makes the health check's open-loop p99 at least 2x the cores-sized pool's (on 2 cores, with the load generator on the same cores)",
        variant = "health[strategy=threadPerRequest]", baseline = "health[strategy=workerPool]",
        metric = "openLoopP99Us", relation = Relation.HIGHER, factor = 2, params = "inFlight=16",
        kind = Kind.GUIDE, dependsOnCores = true,
        basis = "a fair scheduler shares the CPU among runnable threads: beside a pool's P busy workers the loop"
                + " gets 1/(P+1) of it, beside 8P request threads 1/(8P+1), 3/17 as much on 2 cores, and a woken"
                + " loop waits behind one busy thread per core with the pool but eight with thread-per-request; 2x is"
                + " a quarter of that 8x, an allowance for the scheduler's preference for threads that wake from sleep")
@Claim(id = "virtualThread-oversubscribed-open-loop-p99-as-pool",
        text = "with 8x as many heavy requests in flight as cores, virtual threads leave the health check's open-loop p99 at most 2x the cores-sized pool's (on 2 cores, with the load generator on the same cores)",
        variant = "health[strategy=virtualThread]", baseline = "health[strategy=workerPool]",
        metric = "openLoopP99Us", relation = Relation.LOWER, factor = 0.5, params = "inFlight=16",
        kind = Kind.GUIDE, dependsOnCores = true,
        basis = "CPU-bound virtual threads run on the default scheduler's P carrier threads and are never"
                + " time-sliced: each holds its carrier until its task ends, so 8P of them are P busy platform"
                + " threads with a queue in front, the pool's shape, and the loop competes with the same P busy"
                + " threads; 2x is the allowance for the noise of a tail")
public class EventLoopBlockingBenchmark {

    /** Where the offloading claims' 100x comes from. */
    static final String OFFLOAD_BASIS = "inline, a health check waits for a heavy task, 20 to 50 ms of CPU in the"
            + " guide (fib(35), about 20 ms here, at its lower end); offloaded with one request in flight, the loop"
            + " is free and a health check is a hand-off between two threads, microseconds, whose p99 stays within"
            + " a few hundred microseconds even when the OS must wake the loop on a core: 20 ms against at most"
            + " 200 us is 100x";

    /** Hard caps so the heavy load stops by itself even if no teardown ever comes. */
    static final int MAX_HEAVY_REQUESTS = 100_000;
    static final long MAX_LOAD_NANOS = TimeUnit.MINUTES.toNanos(10);
    static final int MAX_IN_FLIGHT = 1_000;
    private static final long HEALTH_TIMEOUT_SECONDS = 30;
    /** The open-loop rate: 8,000 checks in the quick preset's 400 ms iteration, so p99.9 is not the maximum. */
    static final int OPEN_LOOP_CHECKS_PER_SECOND = 20_000;
    /** Unanswered open-loop checks at most: tasks of a few bytes in the loop's queue (8,000 at inline x 16). */
    static final int OPEN_LOOP_MAX_OUTSTANDING = 100_000;

    /** The heavy work of a request: {@code -p task=pbkdf2} for the crypto task, {@code -p task=fib,pbkdf2} for both. */
    @Param({"fib"})
    public String task;

    /** What the loop does with a heavy request. */
    @Param({"inline", "workerPool", "threadPerRequest", "virtualThread"})
    public String strategy;

    /** Heavy requests in flight at once: 1, and 2x and 8x the 2 cores of the machine the suite was written on. */
    @Param({"1", "4", "16"})
    public int inFlight;

    int fibN;
    int pbkdf2Iterations;
    char[] password;
    byte[] salt;
    int workers;

    private HeavyTask heavyTask;
    private Strategy chosen;
    private ExecutorService loop;
    private ExecutorService workerPool;
    private OpenLoopProbe probe;
    private volatile boolean stopping;
    private volatile boolean loadCapped;
    private long loadDeadline;
    /** Written by the loop only (and by setup before the first request). */
    private int issued;
    private volatile Throwable loadFailure;
    /** Request threads (platform or virtual) that have not ended yet: joined at teardown. */
    private final Set<Thread> requestThreads = ConcurrentHashMap.newKeySet();
    /** Written by the loop only: completed heavy requests (read by the iteration's gauges) and their results. */
    private volatile long completed;
    private long resultSink;
    private long lastResult;
    private long iterationStartNanos;
    private long completedAtIterationStart;
    /** The heavy task's time alone, measured by this fork's setup: the unit of {@code openLoopP99PerTask}. */
    private long heavyTaskAloneNanos;

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

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        chosen = parse(Strategy.class, strategy, "strategy");
        heavyTask = parse(HeavyTask.class, task, "task");
        if (inFlight < 1 || inFlight > MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("inFlight must be an integer in 1.." + MAX_IN_FLIGHT
                    + " (heavy requests in flight at once), not " + inFlight);
        }
        if (chosen == Strategy.VIRTUAL_THREAD) {
            VirtualThreads.requireAvailable();
        }
        fibN = 35;
        pbkdf2Iterations = 120_000;
        password = "correct horse battery staple".toCharArray();
        salt = "perfmastery-salt".getBytes(StandardCharsets.UTF_8);
        workers = cores();
        heavyTaskAloneNanos = measureHeavyTaskAlone();

        stopping = false;
        loadFailure = null;
        try {
            loop = Executors.newSingleThreadExecutor(named("event-loop"));
            if (chosen == Strategy.WORKER_POOL) {
                workerPool = Executors.newFixedThreadPool(workers, named("heavy-worker"));
            }
            loadCapped = false;
            loadDeadline = System.nanoTime() + MAX_LOAD_NANOS;
            issued = inFlight;
            for (int i = 0; i < inFlight; i++) {
                loop.execute(this::onHeavyRequest);
            }
            probe = OpenLoopProbe.start(OPEN_LOOP_CHECKS_PER_SECOND, OPEN_LOOP_MAX_OUTSTANDING,
                    intended -> loop.execute(() -> openLoopCheck(intended)));
        } catch (RuntimeException | Error e) {
            try {
                tearDown();
            } catch (RuntimeException | InterruptedException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Warms the heavy task up (about a second: PBKDF2's SHA-256 needs C2 to reach its speed), prints how long
     * it then takes alone and returns it (nanoseconds, the median of 3): the unit of {@code openLoopP99PerTask}.
     */
    private long measureHeavyTaskAlone() {
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
        return Math.max(1, nanos[1]);
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
                Thread thread = new Thread(this::computeAndPostBackThenLeave, "heavy-request");
                thread.setDaemon(true);
                startTracked(thread);
            }
            case VIRTUAL_THREAD -> startTracked(VirtualThreads.factory().newThread(this::computeAndPostBackThenLeave));
        }
    }

    private void startTracked(Thread thread) {
        requestThreads.add(thread);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            requestThreads.remove(thread);
            throw e;
        }
    }

    private void computeAndPostBackThenLeave() {
        try {
            computeAndPostBack();
        } finally {
            requestThreads.remove(Thread.currentThread());
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
     * Runs on the loop: takes the answer and queues the next heavy request at once, so {@code inFlight} are
     * always in flight and the loop never idles between two (a separate load thread would leave gaps as long
     * as its own scheduling delay, and a closed-loop health check would fill them with thousands of fast
     * samples).
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

    /** Runs on the loop: the open-loop probe's check, the same trivial task, answered when the loop runs it. */
    private void openLoopCheck(long intendedNanos) {
        try {
            String answer = HEALTH.call();
            if (!"ok".equals(answer)) {
                throw new IllegalStateException("the health check answered '" + answer + "'");
            }
            probe.answered(intendedNanos);
        } catch (Exception e) {
            probe.failed(e);
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

    /** Request threads that have not ended (tests: threadPerRequest and virtualThread keep inFlight of them). */
    int liveRequestThreads() {
        return requestThreads.size();
    }

    /** The heavy task's time alone as the setup measured it, in microseconds (tests). */
    double heavyTaskAloneMicros() {
        return heavyTaskAloneNanos / 1_000.0;
    }

    /** Open-loop checks sent so far in this iteration (tests). */
    long openLoopChecksSent() {
        return probe.sent();
    }

    /** Starts the iteration's open-loop schedule and its count of completed heavy requests. */
    @Setup(Level.Iteration)
    public void startIteration() {
        completedAtIterationStart = completed;
        iterationStartNanos = System.nanoTime();
        probe.startIteration();
    }

    /**
     * Records the iteration's gauges: heavy requests completed per second, the open-loop percentiles once
     * every check sent in the iteration is answered, and the open-loop p99 in heavy tasks (divided by the
     * task's time alone as the setup measured it). A result measured without background load is not this
     * lesson's result: fail loudly.
     */
    @TearDown(Level.Iteration)
    public void endIteration() throws InterruptedException {
        long end = System.nanoTime();
        long completedInIteration = completed - completedAtIterationStart;
        OpenLoopProbe.IterationResult openLoop = probe.finishIteration(HEALTH_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
        checkLoadIsRunning();
        if (openLoop.errors() > 0) {
            throw new IllegalStateException(openLoop.errors() + " open-loop health checks failed, the first: "
                    + openLoop.firstError(), openLoop.firstError());
        }
        Gauges.record("heavyCompletedPerSecond", completedInIteration / ((end - iterationStartNanos) / 1e9), "requests/s");
        openLoop.recordGauges();
        if (openLoop.checks() > 0) {
            Gauges.record("openLoopP99PerTask", openLoop.percentileMicros(99) / heavyTaskAloneMicros(), "tasks");
        }
    }

    void checkLoadIsRunning() {
        if (loadFailure != null) {
            throw new IllegalStateException("the heavy load failed: " + loadFailure, loadFailure);
        }
        if (loadCapped) {
            throw new IllegalStateException("the heavy load stopped at its cap (" + MAX_HEAVY_REQUESTS
                    + " requests or " + TimeUnit.NANOSECONDS.toMinutes(MAX_LOAD_NANOS)
                    + " min): shorten the run");
        }
    }

    /** Stops the probe, the loop, the pool and every request thread, whatever state setup reached. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        List<Throwable> failures = new ArrayList<>();
        try {
            if (probe != null) {
                probe.close();
            }
        } catch (RuntimeException e) {
            failures.add(e);
        }
        for (ExecutorService executor : new ExecutorService[] {loop, workerPool}) {
            try {
                shutDown(executor);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (Thread thread : List.copyOf(requestThreads)) {
            // A heavy task cannot be interrupted: wait for it (16 tasks sharing 2 cores end within a second).
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                failures.add(new IllegalStateException("a heavy request thread did not end within 10 s"));
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("teardown: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
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
