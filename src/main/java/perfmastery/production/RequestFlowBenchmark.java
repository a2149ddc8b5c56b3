package perfmastery.production;

import perfmastery.db.LogDatabase;
import perfmastery.db.LogWriter.WhenFull;
import perfmastery.files.ScratchDirectory;
import perfmastery.load.HttpConnection;
import perfmastery.load.OpenLoopProbe;
import perfmastery.production.RequestFlowServer.Save;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
import org.openjdk.jmh.infra.ThreadParams;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import perfmastery.support.Gauges;

/**
 * The guide's architecture summary, end to end: one HTTP server whose request checks a cache first, offloads the
 * CPU task to a worker, keeps the event loop free, <b>saves a log row to a database asynchronously</b>, and then
 * answers 200.
 *
 * <h2>The guide's claim</h2>
 * Saving the log row asynchronously (answer first, write later) keeps the response fast and lets the server take
 * more requests than a save awaited before every answer. What it does not say: a row acknowledged before it is
 * durable is lost when the process dies. This lesson measures both, the speed and the loss.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * {@link RequestFlowServer} runs in a child JVM (127.0.0.1, an ephemeral port): {@code GET /flow/{id}/{key}} looks
 * {@code key} up in a Caffeine cache of {@value #CACHE_SIZE} entries (keys are drawn uniformly from twice as many, so
 * in steady state about half the requests miss: {@code cacheHitRatio}; a small key space, so that the cache is warm
 * within the warm-up's few hundred requests), computes a miss on a worker thread (a recursive fib(20), tens of
 * microseconds), and saves the row
 * {@code (id, key, value)} to SQLite in a file of a {@link ScratchDirectory}, through one writer thread and a
 * queue of {@value #QUEUE_BOUND} rows. The database is embedded: the engine runs in the server's process, started
 * by the benchmark, and its files are removed after the trial. {@link LogDatabase} says why SQLite: a commit with
 * {@code synchronous=FULL} in WAL mode returns only after the log is written and fsynced, one fsync per commit
 * whatever it holds, and one writer at a time.
 *
 * <p>{@code @Param save}, the guide's wrong way first:
 * <ul>
 * <li>{@code sync}: the answer waits for the row's own commit (one transaction, one fsync per row);</li>
 * <li>{@code asyncRow}: the row is queued and the answer goes at once; the writer commits one row per
 * transaction;</li>
 * <li>{@code asyncGroup}: the same, and the writer commits everything queued (up to {@value #GROUP_BOUND} rows)
 * in one transaction: one fsync per batch (group commit);</li>
 * <li>{@code none}: no row at all, the floor: the rest of the flow.</li>
 * </ul>
 * {@code @Param whenFull}: with the queue full, {@code block} makes the request wait for room (backpressure: the
 * event loop stops taking requests as fast as they come), {@code drop} drops the row, counts it
 * ({@code droppedRows}) and says so in the answer ({@code "... unlogged"}, or 503 for {@code sync}).
 *
 * <h2>Two measurements</h2>
 * <ul>
 * <li>{@link #saturated()}: throughput at saturation, requests per second: {@value #SATURATING_CLIENTS} JMH
 * threads, each a closed loop on its own keep-alive connection, always one request in flight.</li>
 * <li>{@link #fixedRate()}: latency at a fixed offered rate, {@value #OFFERED_RATE_PER_SECOND} requests a second,
 * sent by an {@link OpenLoopProbe} on a schedule and timed from their intended send times (no coordinated
 * omission) into an HdrHistogram, answered on up to {@value #OPEN_LOOP_CONNECTIONS} connections: the gauges
 * {@code openLoopP50Us}, {@code openLoopP99Us}, {@code openLoopP999Us}, {@code openLoopChecks}. The rate is
 * half of what one fsync per row sustains on a disk whose fsync takes 2.5 ms (400 a second), so {@code sync} is
 * not saturated by it on such a disk. The method's own score is a pacer (the JMH thread parks 1 ms per call
 * while the probe sends) and means nothing: read the gauges.</li>
 * </ul>
 * Gauges of both, per iteration: {@code committedRows} and {@code rowsPerCommit} (group commit at work),
 * {@code droppedRows}, {@code cacheHitRatio}, and <b>the durability window</b>: acknowledged rows not yet
 * committed, sampled every millisecond in the server, as {@code durabilityWindowMeanRows} and
 * {@code durabilityWindowMaxRows}. For {@code sync} it is 0 by construction (the answer follows the commit); for
 * the async saves it is what a crash at that moment would lose. {@code none} saves nothing and records no
 * database gauge.
 *
 * <p>The fault test is {@code RequestFlowKillTest} (run by {@code ./mvnw verify}): the server is killed with
 * SIGKILL under load, restarted on the same database file, and the acknowledged rows missing from it are counted.
 * {@code sync} must lose none; the async saves report how many they lost.
 *
 * <h2>Thread budget (2 cores)</h2>
 * Server: the HTTP dispatcher, the event loop, one CPU worker, the log writer, the window sampler (wakes each ms).
 * Client (the JMH fork): {@value #SATURATING_CLIENTS} blocking threads in {@code saturated}; in {@code fixedRate}
 * the probe's sender and {@value #OPEN_LOOP_CONNECTIONS} answer threads, mostly blocked in reads. The client
 * shares the 2 cores with the server, as every loopback lesson here does.
 *
 * <h2>What you should see</h2>
 * <ul>
 * <li>{@code sync}: the lowest throughput of the four, about one fsync per request, and an open-loop median of at
 * least one fsync; a durability window of 0.</li>
 * <li>{@code asyncRow}: a fast answer at the fixed rate (claim: median at most half of {@code sync}'s); at
 * saturation the queue fills and blocks, and the throughput falls back to one fsync per row, as {@code sync}'s:
 * answering early does not commit faster. Its window is up to the queue's {@value #QUEUE_BOUND} rows.</li>
 * <li>{@code asyncGroup}: at least 2x {@code sync}'s throughput at saturation (claim), many rows per commit, a
 * window of up to a batch and a queue.</li>
 * <li>{@code none}: the ceiling set by HTTP, the cache and the CPU task.</li>
 * </ul>
 * No figures yet: they come from the reference run on a quiet machine.
 *
 * <h2>Budget</h2>
 * 8 rows (2 methods x 4 saves), 3 forks each in quick (1 x 800 ms warm-up, 3 x 400 ms): 24 forks. Per fork, on a
 * quiet machine: 2.0 s of iterations, about 0.5 s for the JMH fork's start, 0.5 s for the server JVM's start and
 * 0.4 s for its pre-touched heap, 0.1 s to load SQLite, and a teardown that commits what is queued (at most
 * {@value #QUEUE_BOUND} rows, one fsync each for {@code asyncRow}: well under a second on a disk with millisecond
 * fsyncs): about 3.8 s, so about 90 s per JDK. On a disk with slow fsyncs the synchronous rows take longer to end
 * their iterations, and {@code asyncRow}'s teardown up to {@value #QUEUE_BOUND} fsyncs.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- RequestFlowBenchmark}; one save with {@code -p save=asyncGroup}; the drop path with
 * {@code -p whenFull=drop}; longer iterations for a steadier open-loop p99 ({@code -r 5s}: 1,000 checks).
 *
 * <h2>What it does not measure</h2>
 * One disk, the one under {@code java.io.tmpdir}: an fsync on a laptop's NVMe, a cloud volume and a tmpfs differ by
 * orders of magnitude, and the group-commit claim rests on fsync being dear. A crash of the process, not of the
 * machine: SIGKILL loses what was in the JVM, not the OS page cache, so the kill test does not test the fsync
 * itself. Not a database server: no network round trip to the database, no group commit inside the engine
 * (PostgreSQL's WAL would merge concurrent synchronous commits).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 1, time = 800, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 400, timeUnit = TimeUnit.MILLISECONDS)
// The fork is the load generator: a pinned heap, not pre-touched (it allocates little: a request line, an answer).
// It reads the database at the end through sqlite-jdbc's JNI library: allowed, so JDK 24+ does not warn (17 accepts it).
@Fork(value = 3, jvmArgsAppend = {"-Xms128m", "-Xmx128m", "--enable-native-access=ALL-UNNAMED"})
@Claim(id = "asyncGroup-throughput-2x-sync",
        text = "async group commit serves at least 2x the requests per second of the synchronous save, on the same disk",
        variant = "saturated[save=asyncGroup]", baseline = "saturated[save=sync]",
        relation = Relation.HIGHER, factor = 2, kind = Kind.GUIDE,
        basis = "a commit costs one fsync whatever it holds: the synchronous save pays one per request, group commit"
                + " one per batch of what queued up meanwhile; where the fsync is most of a request's cost, throughput"
                + " grows with the rows per commit, and with " + RequestFlowBenchmark.SATURATING_CLIENTS
                + " requests in flight a batch holds more than 2 of them; 2x asks for batches of 2")
@Claim(id = "asyncRow-answers-2x-faster-than-sync",
        text = "at a fixed rate below saturation, answering before the save halves the median latency at least",
        variant = "fixedRate[save=asyncRow]", baseline = "fixedRate[save=sync]", metric = "openLoopP50Us",
        relation = Relation.LOWER, factor = 2, kind = Kind.GUIDE,
        basis = "the synchronous answer waits for a commit (an fsync, milliseconds on a disk), the asynchronous one for"
                + " a queue insert (microseconds); the rest of the path (HTTP, cache, the worker) is the same, so the"
                + " fsync must be at least as long as the rest for a factor of 2")
@Claim(id = "sync-durability-window-zero",
        text = "the synchronous save acknowledges no row before it is committed: its durability window is empty",
        variant = "*[save=sync]", metric = "durabilityWindowMaxRows", relation = Relation.LOWER, bound = 0.5,
        kind = Kind.MECHANISM,
        basis = "the answer is written after the commit returns: by construction no acknowledged row is uncommitted;"
                + " a bound of half a row reads 'none'")
public class RequestFlowBenchmark {

    static final int QUEUE_BOUND = 256;
    static final int GROUP_BOUND = 64;
    static final int TASK_N = 20;
    static final int CACHE_SIZE = 64;
    static final int KEY_COUNT = 2 * CACHE_SIZE;
    static final int SATURATING_CLIENTS = 4;
    static final int OFFERED_RATE_PER_SECOND = 200;
    static final int OPEN_LOOP_CONNECTIONS = 16;
    static final int CONNECTION_TIMEOUT_MILLIS = 30_000;
    static final long PACER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long SEED = 0x5EED_F10AL;
    /**
     * The server JVM: a pinned, pre-touched heap (a first touch of a page costs about 12 us here: 128 MiB is about
     * 0.4 s at start, 256 MiB would be twice that in every fork), and a serial collector (no GC threads on the 2
     * cores).
     */
    static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch",
            "-XX:+UseSerialGC");

    @Param({"sync", "asyncRow", "asyncGroup", "none"})
    public String save;

    @Param({"block"})
    public String whenFull;

    private Save saveKind;
    private WhenFull whenFullKind;
    private ScratchDirectory scratch;
    private Path dbFile;
    private RequestFlowServer.Child server;
    private HttpConnection statsConnection;
    private OpenLoopSenders openLoop;
    private OpenLoopProbe probe;
    private boolean probing;
    private Map<String, Double> statsAtStart;
    private final AtomicLong nextId = new AtomicLong();
    /** fib(TASK_N), computed once: the client checks each value without computing the task again. */
    private long taskValue;
    private int keyCount;
    private long trialAcknowledged;
    private long trialRows;
    private long trialAnswered;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException, InterruptedException {
        setUp(params.getBenchmark().endsWith(".fixedRate"));
    }

    /** The setup without JMH (tests): {@code probing} starts the open-loop probe and its senders. */
    void setUp(boolean withProbe) throws IOException, InterruptedException {
        saveKind = Save.parse(save);
        whenFullKind = WhenFull.parse(whenFull);
        taskValue = RequestFlowServer.value(0, TASK_N);
        keyCount = KEY_COUNT;
        try {
            scratch = ScratchDirectory.create("RequestFlowBenchmark");
            scratch.requireSpace(64L << 20, "RequestFlowBenchmark's SQLite database");
            dbFile = scratch.resolve("request-log.db");
            Path nativeDir = Files.createDirectories(scratch.folder().resolve("native"));
            // This JVM reads the database at the end: sqlite-jdbc unpacks its library here too, not into /tmp.
            System.setProperty("org.sqlite.tmpdir", nativeDir.toString());
            server = RequestFlowServer.Child.start(new RequestFlowServer.Config(dbFile, saveKind, whenFullKind,
                    QUEUE_BOUND, GROUP_BOUND, TASK_N, CACHE_SIZE), nativeDir, SERVER_JVM_OPTIONS);
            statsConnection = HttpConnection.open(server.address(), CONNECTION_TIMEOUT_MILLIS);
            probing = withProbe;
            if (withProbe) {
                probe = OpenLoopProbe.start(OFFERED_RATE_PER_SECOND, OPEN_LOOP_CONNECTIONS,
                        intended -> openLoop.send(intended));
                openLoop = new OpenLoopSenders(this, probe);
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                tearDown();
            } catch (RuntimeException | IOException | InterruptedException | SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** One request of the flow: a fresh id and a key drawn from {@code random}; fails unless the answer is right. */
    int request(HttpConnection connection, SplittableRandom random) throws IOException {
        long id = nextId.getAndIncrement();
        int key = random.nextInt(keyCount);
        HttpConnection.Answer answer = connection.get("/flow/" + id + "/" + key);
        checkAnswer(id, key, answer);
        return answer.status();
    }

    void checkAnswer(long id, int key, HttpConnection.Answer answer) {
        String expected = id + " " + (taskValue + key);
        boolean right = answer.status() == 200 && answer.body().equals(expected);
        if (whenFullKind == WhenFull.DROP) {
            right |= answer.status() == 200 && answer.body().equals(expected + RequestFlowServer.UNLOGGED);
            right |= saveKind == Save.SYNC && answer.status() == 503;
        }
        if (!right) {
            throw new IllegalStateException("/flow/" + id + "/" + key + " answered " + answer.status() + " '"
                    + answer.body() + "', expected 200 '" + expected + "'");
        }
    }

    /** A saturating client: one keep-alive connection and its own key sequence. */
    @State(Scope.Thread)
    public static class Client {
        HttpConnection connection;
        SplittableRandom random;

        @Setup(Level.Trial)
        public void connect(RequestFlowBenchmark flow, ThreadParams thread) throws IOException {
            connect(flow, thread.getThreadIndex());
        }

        void connect(RequestFlowBenchmark flow, int index) throws IOException {
            connection = HttpConnection.open(flow.server.address(), CONNECTION_TIMEOUT_MILLIS);
            random = new SplittableRandom(SEED + index);
        }

        @TearDown(Level.Trial)
        public void disconnect() {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** Throughput at saturation: each of the threads keeps one request in flight. */
    @Benchmark
    @Threads(SATURATING_CLIENTS)
    public int saturated(Client client) throws IOException {
        return request(client.connection, client.random);
    }

    /** The pacer of the fixed-rate run: the probe sends; this thread only waits. Its own score means nothing. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void fixedRate() {
        LockSupport.parkNanos(PACER_NANOS);
    }

    @Setup(Level.Iteration)
    public void startIteration() throws IOException {
        statsAtStart = stats();
        if (probing) {
            probe.startIteration();
        }
    }

    Map<String, Double> stats() throws IOException {
        HttpConnection.Answer answer = statsConnection.get("/stats");
        if (answer.status() != 200) {
            throw new IllegalStateException("/stats answered " + answer.status() + " '" + answer.body() + "'");
        }
        return RequestFlowServer.parseStats(answer.body());
    }

    @TearDown(Level.Iteration)
    public void endIteration() throws IOException, InterruptedException {
        if (probing) {
            OpenLoopProbe.IterationResult result = probe.finishIteration(30, TimeUnit.SECONDS);
            if (result.errors() > 0) {
                throw new IllegalStateException(result.errors() + " open-loop requests failed, the first: "
                        + result.firstError(), result.firstError());
            }
            result.recordGauges();
        }
        recordGauges(statsAtStart, stats());
    }

    /** The iteration's gauges from the server's counters at its start and end. */
    void recordGauges(Map<String, Double> start, Map<String, Double> end) {
        double hits = end.get("hits") - start.get("hits");
        double misses = end.get("misses") - start.get("misses");
        if (hits + misses > 0) {
            Gauges.record("cacheHitRatio", hits / (hits + misses), "ratio");
        }
        if (saveKind == Save.NONE) {
            return;
        }
        double committed = end.get("committed") - start.get("committed");
        double commits = end.get("commits") - start.get("commits");
        Gauges.record("committedRows", committed, "#");
        if (commits > 0) {
            Gauges.record("rowsPerCommit", committed / commits, "rows");
        }
        Gauges.record("droppedRows", end.get("dropped") - start.get("dropped"), "#");
        if (end.get("windowSamples") > 0) {
            Gauges.record("durabilityWindowMeanRows", end.get("windowMean"), "rows");
            Gauges.record("durabilityWindowMaxRows", end.get("windowMax"), "rows");
        }
        double failed = end.get("failed") - start.get("failed");
        if (failed > 0) {
            throw new IllegalStateException(failed + " log rows failed to commit in this iteration");
        }
    }

    /** Rows in the database at the end of the last trial, and answers acknowledged (tests). */
    long trialRows() {
        return trialRows;
    }

    long trialAnswered() {
        return trialAnswered;
    }

    long trialAcknowledged() {
        return trialAcknowledged;
    }

    Path dbFile() {
        return dbFile;
    }

    long serverPid() {
        return server.pid();
    }

    Path scratchFolder() {
        return scratch.folder();
    }

    /**
     * Stops the load, closes the server (it commits what is queued), proves that every acknowledged row is in the
     * database, and deletes the database's files: whatever state setup reached.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException, SQLException {
        List<Throwable> failures = new ArrayList<>();
        if (probe != null) {
            try {
                probe.close();
            } catch (InterruptedException | RuntimeException e) {
                failures.add(e);
            }
        }
        if (openLoop != null) {
            openLoop.close();
        }
        try {
            if (server != null) {
                long acknowledged = -1;
                if (statsConnection != null) {
                    try {
                        Map<String, Double> last = stats();
                        acknowledged = last.get("acknowledged").longValue();
                        trialAnswered = last.get("answered").longValue();
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                    statsConnection.close();
                }
                int status = server.closeGracefully();
                if (status != 0) {
                    failures.add(new IllegalStateException("the request-flow server exited with status " + status));
                } else if (acknowledged >= 0) {
                    checkRowsAfterTrial(acknowledged);
                }
            }
        } catch (SQLException | RuntimeException e) {
            failures.add(e);
        } finally {
            if (scratch != null) {
                scratch.close();
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("teardown: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
    }

    private void checkRowsAfterTrial(long acknowledged) throws SQLException {
        trialAcknowledged = acknowledged;
        trialRows = saveKind == Save.NONE ? 0 : LogDatabase.countRows(dbFile);
        System.out.println("RequestFlowBenchmark save=" + save + " whenFull=" + whenFull + ": " + trialRows
                + " rows in the database for " + acknowledged + " acknowledged answers (" + trialAnswered + " answered)");
        if (saveKind != Save.NONE && trialRows < acknowledged) {
            throw new IllegalStateException("after a clean close the database holds " + trialRows + " rows for "
                    + acknowledged + " acknowledged answers: rows were lost");
        }
        if (saveKind == Save.NONE && Files.exists(dbFile)) {
            throw new IllegalStateException("save=none made a database file");
        }
    }

    /**
     * The open loop's connections: the probe hands each due check (its intended time) to a queue, and one of
     * {@value #OPEN_LOOP_CONNECTIONS} threads, each with its own keep-alive connection, sends it and reports the
     * answer to the probe. The probe keeps at most as many checks unanswered as there are threads, so a check
     * never waits in the queue for a free connection longer than for an answer.
     */
    static final class OpenLoopSenders implements AutoCloseable {
        private final BlockingQueue<Long> due = new LinkedBlockingQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final List<HttpConnection> connections = new ArrayList<>();
        private volatile boolean closed;

        OpenLoopSenders(RequestFlowBenchmark flow, OpenLoopProbe probe) throws IOException {
            for (int i = 0; i < OPEN_LOOP_CONNECTIONS; i++) {
                HttpConnection connection = HttpConnection.open(flow.server.address(), CONNECTION_TIMEOUT_MILLIS);
                connections.add(connection);
                SplittableRandom random = new SplittableRandom(SEED + 1_000 + i);
                Thread thread = new Thread(() -> answer(flow, probe, connection, random), "open-loop-flow-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        void send(long intendedNanos) {
            due.add(intendedNanos);
        }

        private void answer(RequestFlowBenchmark flow, OpenLoopProbe probe, HttpConnection connection,
                            SplittableRandom random) {
            while (!closed) {
                long intended;
                try {
                    intended = due.take();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    flow.request(connection, random);
                    probe.answered(intended);
                } catch (IOException | RuntimeException e) {
                    probe.failed(e);
                    return; // the connection is in an unknown state; the probe counts the failure
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            for (HttpConnection connection : connections) {
                connection.close();
            }
            for (Thread thread : threads) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
