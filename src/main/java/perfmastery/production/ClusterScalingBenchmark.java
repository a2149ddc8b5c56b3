package perfmastery.production;

import perfmastery.load.ClosedLoopHttpLoad;
import perfmastery.load.CpuTaskServer;
import perfmastery.load.CpuTaskServer.Handlers;
import perfmastery.load.OpenLoopHttpClient;
import perfmastery.load.OpenLoopProbe;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import perfmastery.support.Gauges;
import perfmastery.support.VirtualThreads;

/**
 * Guide part 6, the production checklist's item 2, "cluster mode: one process per core", and the closing advice to
 * combine {@code node:cluster} with {@code worker_threads}.
 *
 * <h2>The guide's claim</h2>
 * A Node process runs JavaScript on one thread: on a machine of N cores it uses one. Cluster mode forks one process
 * per core, all accepting on one port, and the server then serves N times as many requests; each process may in turn
 * hand its CPU work to a pool of worker threads, so that its own event loop stays free.
 *
 * <h2>The JVM's question</h2>
 * A JVM's server threads already run on every core, so the JVM needs no processes to use the cores. What a JVM user
 * asks is different: threads in one JVM, or one JVM per core behind a shared port ({@code SO_REUSEPORT})? What does
 * each cost in requests per second, in the tail at a given load, and in memory?
 *
 * <h2>What this lesson measures</h2>
 * One HTTP handler, served five ways. {@code GET /fib/n} answers {@code fib(n)} computed by the exponential recursion
 * (2F(n+1) - 1 calls, {@code @Param fib}, 25 by default: about 0.24 million calls, a fraction of a millisecond of
 * CPU) in a small body, with a header naming the process that answered. The server is
 * {@link CpuTaskServer}: Node's http server in miniature, one loop thread that accepts, reads and parses every
 * connection through one selector, keep-alive, {@code TCP_NODELAY}, 127.0.0.1 only. Every variant runs in child JVMs
 * ({@code -Xms64m -Xmx64m}), so that each server's memory is its own and the load generator (this JVM) is the same
 * for all:
 * <ul>
 * <li>{@code oneThread}: one JVM whose loop computes each task itself: Node without cluster or workers, the
 * baseline.</li>
 * <li>{@code threadPool}: one JVM whose loop hands each task to a pool of N platform threads (N = the host's
 * cores): the JVM's ordinary answer.</li>
 * <li>{@code virtualThreads} (JDK 21+): one JVM, a virtual thread per request, on the JDK's N carriers.</li>
 * <li>{@code reusePortProcesses}: N JVMs, each a {@code oneThread} server, listening on one port with
 * {@code SO_REUSEPORT} (Linux): the kernel gives each new connection to one of them by a hash of its addresses and
 * ports. Node's cluster mode (whose primary hands connections round robin; {@code SO_REUSEPORT} is the JVM's way
 * to share a port without a primary).</li>
 * <li>{@code processesWithWorkers}: N JVMs on one port as above, each handing its tasks to a pool of
 * {@value #WORKERS_PER_PROCESS} worker threads: the guide's cluster plus {@code worker_threads}. With N processes
 * the cores are already divided among them, so each pool is small; even two workers per process are 2N computing
 * threads on N cores: the combination oversubscribes the cores, and the lesson shows what that costs.</li>
 * </ul>
 *
 * <p>Three figures per row, in one fork:
 * <ol>
 * <li><b>Throughput at saturation</b>, the primary score, in requests per second: a closed loop
 * ({@link ClosedLoopHttpLoad}, as wrk makes it) keeps one request in flight on each of 8 x N keep-alive connections
 * (16 on 2 cores), the next sent the moment an answer is in, so the server always has work while it has a
 * connection. Each JMH operation is one answer, read and checked (status 200, the right fib value) on the JMH
 * thread, which is the load's one thread. Eight connections per core leave no process of a reuse-port server
 * without one (the kernel's hash could give all of 2 connections to one process, hardly all of 16):
 * {@code answeringProcesses} counts the processes that answered.</li>
 * <li><b>p50 and p99 at two fixed offered rates</b>: 50 % and 80 % of one thread's capacity, which each fork
 * measures first, in its setup: the same closed loop against a {@code oneThread} server (the variant's own for
 * {@code oneThread}, a child of its own for the others) for {@value #CALIBRATION_WARM_UP_MILLIS} ms of warm-up and
 * {@value #CALIBRATION_MILLIS} ms measured ({@code oneThreadRequestsPerSecond}). After each iteration's closed loop
 * has stopped, an open-loop probe ({@link OpenLoopProbe}, HdrHistogram, each request timed from its intended send
 * time, as wrk2) sends at 50 % for half an iteration's time, then at 80 %, each window after a lead-in of
 * {@value #OPEN_LOOP_LEAD_IN_MILLIS} ms whose requests are not kept (the probe and the servers wake from the pause):
 * {@code openLoop50P50Us}, {@code openLoop50P99Us}, {@code openLoop80P50Us}, {@code openLoop80P99Us}, with
 * {@code openLoop50Checks} and {@code openLoop80Checks}, the requests they rest on (a few hundred per window in the quick preset: a p99 is its
 * few slowest), and {@code openLoop80SendLagP99Us}, how late the probe itself sent. The probe's connections are
 * opened first, 8 x N of them, and used in turn, so its requests spread over a reuse-port server's processes as its
 * connections do.</li>
 * <li><b>Resident memory</b> of the whole server: the sum of its processes' {@code VmRSS} after the iteration
 * ({@code serverRssMiB}), and per process ({@code rssPerProcessMiB}). VmRSS counts the pages a JVM shares with
 * the others (the JDK's libraries, its class-data archive) in each, as {@code ps} and per-process accounting do.
 * The children's heap is pinned ({@code -Xms64m -Xmx64m}) and not pre-touched: VmRSS holds the heap pages a server
 * has touched, which is what a server of this size costs, not its reservation.</li>
 * </ol>
 * The claims on throughput read {@code scalingPerCore}: the iteration's requests per second over N times the
 * one-thread rate of the same fork, 1.0 for perfect scaling on the host's N cores ({@code hostCores}), whatever N
 * is. The fib task is the same in every request, so the work per request is too.
 *
 * <h2>The load generator shares the cores</h2>
 * Client and server run on the same host: every request's client work (a write, a read, the selector) takes CPU from
 * the server. {@code clientCpuShare} is the closed loop's thread CPU time over the iteration's wall time times N: the
 * share of the host's cores the load itself took while the server was saturated. A server that scales to N cores
 * cannot get them all here: the lesson states its claims with this in their thresholds and reports the share beside
 * them. On the reference machine (2 cores) that is the finding to read: with 2 cores and the load on them, a claim
 * of scaling is a claim about 2 cores minus the client.
 *
 * <h2>Thread budget (N cores; 2 on the reference machine)</h2>
 * Servers: a loop per process, plus N pool threads ({@code threadPool}), N carriers ({@code virtualThreads}), or 2
 * workers per process ({@code processesWithWorkers}: 2N computing threads on N cores), plus each child JVM's own GC
 * and JIT threads. Client (this JVM): the JMH thread running the closed loop; two open-loop senders and their two
 * readers, which run only in the windows after the closed loop stopped.
 *
 * <h2>What you should see</h2>
 * <ul>
 * <li>Throughput: every variant but {@code oneThread} uses the cores: {@code threadPool}, {@code virtualThreads},
 * {@code reusePortProcesses} and {@code processesWithWorkers} near one another, at most N times one thread (claims:
 * each at least 0.7 of N times one thread; the pool at least 0.9x the processes). Threads need no second JVM to
 * scale: the JVM's answer to the guide's premise.</li>
 * <li>Latency at a fixed rate: at 50 % of one thread's capacity the medians are alike, one task and a round trip:
 * more cores add capacity, not speed to one request (mechanism claim). At 80 % one thread is busy 80 % of the time
 * and the spread servers 80/N %: their tails are lower (claims: at least 1.5x at the p99).</li>
 * <li>Memory: each process of a reuse-port server holds most of what the whole one-JVM server holds: its own heap,
 * code cache, metaspace, GC and JIT threads, and its own compiled copy of the handler (mechanism claim: at least
 * 0.75x per process).</li>
 * </ul>
 * Figures: none yet; they come from the reference run on a quiet machine.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- ClusterScalingBenchmark}; one server with {@code -p server=reusePortProcesses}; other
 * task sizes with {@code -p fib=22,25,28} (each step of 3 is phi^3, 4.2x the work; at most {@value #MAX_FIB}).
 * Cost under the quick preset (3 forks, 1 x 800 ms warm-up, 3 x 400 ms): per fork about 0.7 s for the fork's JVM,
 * 1 s to start the server's JVMs (up to N + 1 at once), {@value #CALIBRATION_WARM_UP_MILLIS} +
 * {@value #CALIBRATION_MILLIS} ms of calibration, 0.8 s of warm-up and its two {@value #WARM_UP_WINDOW_MILLIS} ms
 * open-loop windows, and 3 x (400 ms + 2 x 225 ms): about 6 s; 15 forks (5 rows) on JDK 21+, about 1.5 min; 12 on
 * JDK 17, where {@code virtualThreads} is left out, about 1.2 min.
 *
 * <h2>What it does not measure</h2>
 * Loopback only: no network, no TLS, and a load generator on the same cores (a second machine would give the server
 * all N). Not Node's cluster module, whose primary accepts and hands connections round robin: {@code SO_REUSEPORT}
 * spreads connections by hash, not requests, and a connection stays with its process, so a few long-lived
 * connections can load one process and leave another idle. Not a framework's server. Not a restart or a crashed
 * process, the other reasons to run several.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Threads(1)
@Warmup(iterations = 1, time = 800, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Fork(3)
@Claim(id = "reusePort-processes-0.7-per-core",
        text = "with the host's N cores (2 on the reference machine, the load generator on the same cores), N processes"
                + " sharing one port serve at least 0.7 x N x one thread's requests per second",
        variant = "saturated[server=reusePortProcesses]", metric = "scalingPerCore", relation = Relation.HIGHER,
        bound = 0.7, kind = Kind.GUIDE,
        basis = "the guide: one process per core uses every core, so N processes serve N times what one serves; the"
                + " load generator, the kernel's loopback and each process's own GC and JIT share the same N cores:"
                + " 0.7 leaves them 30 % (the load's own share is the clientCpuShare gauge); one thread's rate is"
                + " measured first in the same fork")
@Claim(id = "threadPool-0.7-per-core",
        text = "with the host's N cores (2 on the reference machine, the load generator on the same cores), one JVM with"
                + " a pool of N threads serves at least 0.7 x N x one thread's requests per second: no processes needed",
        variant = "saturated[server=threadPool]", metric = "scalingPerCore", relation = Relation.HIGHER, bound = 0.7,
        kind = Kind.GUIDE,
        basis = "a JVM's platform threads are OS threads that the kernel runs on every core, so N of them computing"
                + " independent tasks do N times the work of one, as N processes do; the same 30 % as for the processes"
                + " is left to the load generator, the loopback and the loop's hand-off to the pool")
@Claim(id = "virtualThreads-0.7-per-core",
        text = "with the host's N cores (2 on the reference machine, the load generator on the same cores), a virtual"
                + " thread per request serves at least 0.7 x N x one thread's requests per second",
        variant = "saturated[server=virtualThreads]", metric = "scalingPerCore", relation = Relation.HIGHER, bound = 0.7,
        kind = Kind.GUIDE,
        basis = "the JDK's scheduler runs virtual threads on N carrier threads, one per core, so N tasks compute at once"
                + " as on a pool of N; the same 30 % is left to the load generator, the loopback and the hand-off")
@Claim(id = "processesWithWorkers-0.7-per-core",
        text = "with the host's N cores (2 on the reference machine, the load generator on the same cores), N processes"
                + " each offloading to 2 workers serve at least 0.7 x N x one thread's requests per second",
        variant = "saturated[server=processesWithWorkers]", metric = "scalingPerCore", relation = Relation.HIGHER,
        bound = 0.7, kind = Kind.GUIDE,
        basis = "the guide's closing advice, cluster plus worker_threads: the processes' workers compute on every core;"
                + " the same 30 % is left to the load generator, the loopback and the hand-offs, and more workers than"
                + " cores add no core")
@Claim(id = "threadPool-as-much-as-processes",
        text = "one JVM with a pool of N threads serves at least 0.9x the requests per second of N JVMs sharing a port",
        variant = "saturated[server=threadPool]", baseline = "saturated[server=reusePortProcesses]",
        relation = Relation.HIGHER, factor = 0.9, kind = Kind.GUIDE,
        basis = "the same cores compute the same independent tasks either way, and the requests share no state that"
                + " threads would contend for; one JVM compiles the handler once where N JVMs compile it N times; so"
                + " no mechanism favours the processes, and 0.9 is the allowance for the noise of a shared machine")
@Claim(id = "reusePort-p99-at-80pct-1.5x-lower",
        text = "at 80 % of one thread's capacity, N processes sharing a port have a p99 at least 1.5x lower than one thread",
        variant = "saturated[server=reusePortProcesses]", baseline = "saturated[server=oneThread]",
        metric = "openLoop80P99Us", relation = Relation.LOWER, factor = 1.5, kind = Kind.GUIDE,
        basis = "at 80 % of its capacity one thread is busy 80 % of the time and works off the backlog of a stall (a"
                + " GC, the scheduler) with the 20 % it has spare; spread over N cores each is busy 80/N % (40 % on 2)"
                + " and works it off with 60 %, three times as fast, so fewer requests wait and for less long: half"
                + " of that, 1.5x, at the p99")
@Claim(id = "threadPool-p99-at-80pct-1.5x-lower",
        text = "at 80 % of one thread's capacity, a pool of N threads has a p99 at least 1.5x lower than one thread",
        variant = "saturated[server=threadPool]", baseline = "saturated[server=oneThread]",
        metric = "openLoop80P99Us", relation = Relation.LOWER, factor = 1.5, kind = Kind.GUIDE,
        basis = "as for the processes: N threads on N cores are each busy 80/N % of the time and work a backlog off"
                + " three times as fast as one thread at 80 % (on 2 cores): half of that, 1.5x, at the p99")
@Claim(id = "cores-do-not-shorten-one-request",
        text = "at half of one thread's capacity, N processes answer the median request no faster than one thread"
                + " (p50 at least 0.8x one thread's)",
        variant = "saturated[server=reusePortProcesses]", baseline = "saturated[server=oneThread]",
        metric = "openLoop50P50Us", relation = Relation.HIGHER, factor = 0.8, kind = Kind.MECHANISM,
        basis = "a request's task runs on one core whatever the server, so more cores add capacity, not speed; at half"
                + " load a fixed schedule leaves one thread no queue to shorten; 0.8 is the allowance for noise")
@Claim(id = "a-process-holds-a-whole-jvm",
        text = "each of N processes sharing a port holds at least 0.75x the resident memory of the whole one-JVM"
                + " thread-pool server, so N processes hold at least 0.75 x N times as much",
        variant = "saturated[server=reusePortProcesses]", baseline = "saturated[server=threadPool]",
        metric = "rssPerProcessMiB", relation = Relation.HIGHER, factor = 0.75, kind = Kind.MECHANISM,
        basis = "every JVM has its own heap (pinned to the same 64 MiB), code cache, metaspace, GC and JIT threads, and"
                + " VmRSS counts the read-only files they share (the JDK's libraries, its class-data archive) in each;"
                + " the pool's extra threads are a few hundred KiB of stack; 0.75 leaves room for a process touching"
                + " less heap and compiling less, serving 1/N of the requests")
public class ClusterScalingBenchmark {

    /** Closed-loop connections per core: enough that the kernel's hash leaves no process of N without one. */
    static final int CONNECTIONS_PER_CORE = 8;
    /** The workers of each process of processesWithWorkers. */
    static final int WORKERS_PER_PROCESS = 2;
    /**
     * Unanswered open-loop requests at most (each holds a connection); beyond it the probe waits, and times the
     * requests it sends late from their intended times.
     */
    static final int OPEN_LOOP_MAX_OUTSTANDING = 64;
    static final double HALF = 0.5;
    static final double FOUR_FIFTHS = 0.8;
    static final long CALIBRATION_WARM_UP_MILLIS = 300;
    static final long CALIBRATION_MILLIS = 300;
    /** The open-loop windows after a warm-up iteration: enough to compile the probe's path, not to measure. */
    static final long WARM_UP_WINDOW_MILLIS = 100;
    /** Each open-loop window's lead-in, sent and not kept. */
    static final long OPEN_LOOP_LEAD_IN_MILLIS = 25;
    /** fib(32) is a few milliseconds of CPU: beyond it the open-loop windows would hold too few requests for a p99. */
    static final int MAX_FIB = 32;
    /** Failed open-loop requests above this share of a window fail the iteration: a failing probe measures nothing. */
    static final double MAX_OPEN_LOOP_ERROR_SHARE = 0.01;
    private static final long OPEN_LOOP_ANSWER_TIMEOUT_SECONDS = 60;
    private static final double MIB = 1024.0 * 1024.0;

    /** How the server uses the host's cores. */
    @Param({"oneThread", "threadPool", "virtualThreads", "reusePortProcesses", "processesWithWorkers"})
    public String server;

    /** The task's size, the n of /fib/n: 2F(n+1) - 1 calls, each step of 3 is 4.2x the work. */
    @Param({"25"})
    public int fib;

    enum ServerKind {
        ONE_THREAD("oneThread"), THREAD_POOL("threadPool"), VIRTUAL_THREADS("virtualThreads"),
        REUSE_PORT_PROCESSES("reusePortProcesses"), PROCESSES_WITH_WORKERS("processesWithWorkers");

        final String label;

        ServerKind(String label) {
            this.label = label;
        }

        static ServerKind parse(String text) {
            List<String> known = new ArrayList<>();
            for (ServerKind kind : values()) {
                if (kind.label.equals(text)) {
                    return kind;
                }
                known.add(kind.label);
            }
            throw new IllegalArgumentException("unknown server '" + text + "': use one of " + String.join(", ", known));
        }

        int processes(int cores) {
            return this == REUSE_PORT_PROCESSES || this == PROCESSES_WITH_WORKERS ? cores : 1;
        }

        Handlers handlers() {
            return switch (this) {
                case ONE_THREAD, REUSE_PORT_PROCESSES -> Handlers.INLINE;
                case THREAD_POOL, PROCESSES_WITH_WORKERS -> Handlers.POOL;
                case VIRTUAL_THREADS -> Handlers.VIRTUAL;
            };
        }

        int handlerThreads(int cores) {
            return switch (this) {
                case THREAD_POOL -> cores;
                case PROCESSES_WITH_WORKERS -> WORKERS_PER_PROCESS;
                default -> 0;
            };
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    ServerKind kind;
    int cores;
    String path;
    String expectedBody;
    /** Measured in the setup: requests per second of a one-thread server under the closed loop. */
    double oneThreadRequestsPerSecond;
    /** Every server process this state started, calibration's included (tests: none outlives a teardown). */
    final List<Long> startedPids = new CopyOnWriteArrayList<>();
    /** Called once the server processes listen (tests make the setup fail there). */
    Runnable afterServersStarted = () -> { };
    long calibrationWarmUpMillis = CALIBRATION_WARM_UP_MILLIS;
    long calibrationMillis = CALIBRATION_MILLIS;

    private CpuTaskServer.Processes servers;
    private ClosedLoopHttpLoad load;
    private OpenLoop halfRate;
    private OpenLoop fourFifthsRate;
    long windowMillis;
    private long iterationStartNanos;
    private long loadThreadId;
    private long loadThreadCpuStartNanos;

    /** One open-loop rate: its probe (the schedule, the histogram) and its HTTP client. */
    private record OpenLoop(int requestsPerSecond, OpenLoopProbe probe, OpenLoopHttpClient client) {
    }

    /** What one iteration measured beside JMH's own score (tests read it; the gauges are made of it). */
    record IterationFigures(double requestsPerSecond, double scalingPerCore, double clientCpuShare,
                            int answeringProcesses, OpenLoopProbe.IterationResult half,
                            OpenLoopProbe.IterationResult fourFifths, double serverRssMiB, double rssPerProcessMiB) {
    }

    IterationFigures lastIteration;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        if (params.getThreads() != 1) {
            throw new IllegalArgumentException("ClusterScalingBenchmark runs its closed loop on one JMH thread, not "
                    + params.getThreads() + ": drop -t (the load's connections scale with the cores instead)");
        }
        setUp();
    }

    /** The setup without JMH's parameters (tests). */
    void setUp() throws Exception {
        kind = ServerKind.parse(server);
        if (kind == ServerKind.VIRTUAL_THREADS) {
            VirtualThreads.requireAvailable();
        }
        if (fib < 1 || fib > MAX_FIB) {
            throw new IllegalArgumentException("fib must be an integer in 1.." + MAX_FIB + " (the n of /fib/n), not "
                    + fib);
        }
        cores = Runtime.getRuntime().availableProcessors();
        path = "/fib/" + fib;
        expectedBody = CpuTaskServer.expectedBody(fib);
        try {
            startServers();
            afterServersStarted.run();
            load = ClosedLoopHttpLoad.open(servers.address(), path, expectedBody, CONNECTIONS_PER_CORE * cores);
            halfRate = startOpenLoop(HALF);
            fourFifthsRate = startOpenLoop(FOUR_FIFTHS);
        } catch (Exception | Error e) {
            try {
                tearDown();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Starts the variant's processes and, at the same time, a one-thread server to calibrate against (the variant's
     * own when it is one); measures one thread's capacity and stops the calibration server.
     */
    private void startServers() throws Exception {
        AtomicReference<CpuTaskServer.Processes> calibration = new AtomicReference<>();
        AtomicReference<Throwable> calibrationFailure = new AtomicReference<>();
        Thread calibrationStarter = null;
        if (kind != ServerKind.ONE_THREAD) {
            calibrationStarter = new Thread(() -> {
                try {
                    calibration.set(CpuTaskServer.Processes.start(1, Handlers.INLINE, 0, startedPids));
                } catch (Throwable t) {
                    calibrationFailure.set(t);
                }
            }, "cluster-calibration-starter");
            calibrationStarter.setDaemon(true);
            calibrationStarter.start();
        }
        try {
            servers = CpuTaskServer.Processes.start(kind.processes(cores), kind.handlers(), kind.handlerThreads(cores),
                    startedPids);
        } finally {
            if (calibrationStarter != null) {
                calibrationStarter.join();
                if (servers == null && calibration.get() != null) {
                    calibration.get().close();
                }
            }
        }
        CpuTaskServer.Processes oneThread = kind == ServerKind.ONE_THREAD ? servers : calibration.get();
        try {
            if (calibrationFailure.get() != null) {
                Throwable failure = calibrationFailure.get();
                throw new IllegalStateException("the one-thread calibration server did not start: " + failure, failure);
            }
            oneThreadRequestsPerSecond = measureCapacity(oneThread.address());
        } finally {
            if (oneThread != servers && oneThread != null) {
                oneThread.close();
            }
        }
    }

    /** Requests per second the closed loop gets from a server, after a warm-up in which its JIT compiles the task. */
    private double measureCapacity(InetSocketAddress address) throws IOException {
        try (ClosedLoopHttpLoad calibration = ClosedLoopHttpLoad.open(address, path, expectedBody,
                CONNECTIONS_PER_CORE * cores)) {
            calibration.start();
            runFor(calibration, calibrationWarmUpMillis);
            long before = calibration.answered();
            long start = System.nanoTime();
            runFor(calibration, calibrationMillis);
            double rate = (calibration.answered() - before) / ((System.nanoTime() - start) / 1e9);
            calibration.stop();
            return rate;
        }
    }

    private static void runFor(ClosedLoopHttpLoad load, long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0) {
            load.next();
        }
    }

    private OpenLoop startOpenLoop(double shareOfOneThread) throws IOException {
        int rate = (int) Math.max(1, Math.round(shareOfOneThread * oneThreadRequestsPerSecond));
        OpenLoopHttpClient[] client = new OpenLoopHttpClient[1];
        OpenLoopProbe probe = OpenLoopProbe.start(rate, OPEN_LOOP_MAX_OUTSTANDING,
                intended -> client[0].send(intended));
        try {
            client[0] = OpenLoopHttpClient.start(servers.address(), path, expectedBody, OPEN_LOOP_MAX_OUTSTANDING,
                    probe);
            client[0].openConnections(CONNECTIONS_PER_CORE * cores);
        } catch (IOException | RuntimeException e) {
            closeQuietly(probe, client[0], e);
            throw e;
        }
        return new OpenLoop(rate, probe, client[0]);
    }

    private static void closeQuietly(OpenLoopProbe probe, OpenLoopHttpClient client, Exception into) {
        try {
            probe.close();
            if (client != null) {
                client.close();
            }
        } catch (InterruptedException | RuntimeException e) {
            into.addSuppressed(e);
        }
    }

    /** Starts the closed loop; the open-loop windows after it last half the iteration (a warm-up's: 100 ms). */
    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) throws IOException {
        windowMillis = params.getType() == IterationType.MEASUREMENT
                ? Math.max(50, params.getTime().convertTo(TimeUnit.MILLISECONDS) / 2) : WARM_UP_WINDOW_MILLIS;
        startLoad();
    }

    void startLoad() throws IOException {
        loadThreadId = Thread.currentThread().getId();
        loadThreadCpuStartNanos = THREADS.getThreadCpuTime(loadThreadId);
        iterationStartNanos = System.nanoTime();
        load.start();
    }

    /** One answer of the closed loop: read, checked (status 200, fib(n)), and the connection's next request sent. */
    @Benchmark
    public long saturated() throws IOException {
        return load.next();
    }

    /**
     * Stops the closed loop, runs the two open-loop windows on the idle server, reads its memory, and records the
     * iteration's gauges. A dead server process, or more than 1 % failed requests, fails the iteration.
     */
    @TearDown(Level.Iteration)
    public void endIteration() throws IOException, InterruptedException {
        long end = System.nanoTime();
        long cpu = THREADS.getThreadCpuTime(loadThreadId) - loadThreadCpuStartNanos;
        long answered = load.answered();
        Set<Long> answering = load.answeringPids();
        load.stop();
        double wallNanos = end - iterationStartNanos;
        double requestsPerSecond = answered / (wallNanos / 1e9);
        checkServersAlive();
        OpenLoopProbe.IterationResult half = openLoopWindow(halfRate);
        OpenLoopProbe.IterationResult fourFifths = openLoopWindow(fourFifthsRate);
        checkServersAlive();
        OptionalLong rss = servers.residentBytes();
        double serverRssMiB = rss.isPresent() ? rss.getAsLong() / MIB : Double.NaN;
        lastIteration = new IterationFigures(requestsPerSecond, requestsPerSecond / (cores * oneThreadRequestsPerSecond),
                cpu / (wallNanos * cores), answering.size(), half, fourFifths, serverRssMiB,
                serverRssMiB / servers.pids().size());
        recordGauges(lastIteration);
    }

    private void recordGauges(IterationFigures figures) {
        Gauges.record("hostCores", cores, "#");
        Gauges.record("oneThreadRequestsPerSecond", oneThreadRequestsPerSecond, "requests/s");
        Gauges.record("scalingPerCore", figures.scalingPerCore(), "ratio");
        if (loadThreadCpuStartNanos >= 0) {
            Gauges.record("clientCpuShare", figures.clientCpuShare(), "ratio");
        }
        Gauges.record("answeringProcesses", figures.answeringProcesses(), "#");
        recordOpenLoop("openLoop50", figures.half());
        recordOpenLoop("openLoop80", figures.fourFifths());
        if (figures.fourFifths().sendLag().getTotalCount() > 0) {
            Gauges.record("openLoop80SendLagP99Us", figures.fourFifths().sendLag().getValueAtPercentile(99) / 1_000.0,
                    "us");
        }
        Gauges.record("openLoopErrors", figures.half().errors() + figures.fourFifths().errors(), "#");
        if (!Double.isNaN(figures.serverRssMiB())) {
            Gauges.record("serverRssMiB", figures.serverRssMiB(), "MiB");
            Gauges.record("rssPerProcessMiB", figures.rssPerProcessMiB(), "MiB");
        }
    }

    private static void recordOpenLoop(String prefix, OpenLoopProbe.IterationResult result) {
        Gauges.record(prefix + "Checks", result.checks(), "#");
        if (result.checks() > 0) {
            Gauges.record(prefix + "P50Us", result.percentileMicros(50), "us");
            Gauges.record(prefix + "P99Us", result.percentileMicros(99), "us");
        }
    }

    private OpenLoopProbe.IterationResult openLoopWindow(OpenLoop openLoop) throws InterruptedException {
        // A lead-in whose requests are not kept: the probe's threads, its connections and the server's loops wake
        // from the pause, and the window measures the rate, not the first requests' wake-up.
        openLoop.probe().startIteration();
        Thread.sleep(OPEN_LOOP_LEAD_IN_MILLIS);
        openLoop.probe().finishIteration(OPEN_LOOP_ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        openLoop.probe().startIteration();
        Thread.sleep(windowMillis);
        OpenLoopProbe.IterationResult result = openLoop.probe().finishIteration(OPEN_LOOP_ANSWER_TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        long attempted = result.checks() + result.errors();
        if (result.errors() > MAX_OPEN_LOOP_ERROR_SHARE * attempted) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%d of %d open-loop requests at %d/s failed,"
                    + " the first: %s", result.errors(), attempted, openLoop.requestsPerSecond(), result.firstError()),
                    result.firstError());
        }
        return result;
    }

    private void checkServersAlive() {
        if (!servers.allAlive()) {
            throw new IllegalStateException("a server process of " + server + " died during the iteration (its errors"
                    + " are above)");
        }
    }

    /** The server's address (tests). */
    InetSocketAddress address() {
        return servers.address();
    }

    /** The server's processes (tests). */
    List<Long> serverPids() {
        return servers.pids();
    }

    /** The open-loop rates (tests). */
    int halfRequestsPerSecond() {
        return halfRate.requestsPerSecond();
    }

    int fourFifthsRequestsPerSecond() {
        return fourFifthsRate.requestsPerSecond();
    }

    /** Stops the probes, the load and every server process, whatever state the setup reached. */
    @TearDown(Level.Trial)
    public void tearDown() {
        List<Throwable> failures = new ArrayList<>();
        for (OpenLoop openLoop : new OpenLoop[] {halfRate, fourFifthsRate}) {
            if (openLoop != null) {
                try {
                    openLoop.probe().close();
                } catch (InterruptedException | RuntimeException e) {
                    failures.add(e);
                }
                try {
                    openLoop.client().close();
                } catch (InterruptedException | RuntimeException e) {
                    failures.add(e);
                }
            }
        }
        halfRate = null;
        fourFifthsRate = null;
        if (load != null) {
            load.close();
            load = null;
        }
        if (servers != null) {
            servers.close();
            servers = null;
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("teardown: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
    }
}
