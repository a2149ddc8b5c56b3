package perfmastery.cpu;

import perfmastery.process.AppClassArchive;
import perfmastery.process.ChildJvm;
import perfmastery.process.TrivialChildMain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * Guide part 5, the "Startup cost" row of its worker comparison: what it costs to start a worker, have it
 * run a trivial task and get the result back.
 *
 * <h2>The guide's claim</h2>
 * Workers are not free: a Node worker thread starts its own V8 isolate (tens of milliseconds), a child
 * process ({@code child_process.fork}, {@code cluster}) a whole new runtime (more again). So keep workers
 * in a pool and reuse them, and never start one per request. On the JVM the ladder has more rungs: a
 * platform thread is an OS thread (tens of microseconds), a virtual thread a heap object the JDK schedules
 * on its own carriers (a few microseconds), and a child JVM is the Node child process.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * One operation = start a worker, run {@link #trivialTask(int)} in it, wait for it and read its result:
 * <ul>
 * <li>{@code platformThread}: {@code new Thread(task).start(); join()}.</li>
 * <li>{@code virtualThread} (JDK 21+): the same with a virtual thread.</li>
 * <li>{@code pooledExecutor}: submit to a warm single-thread pool and wait for the future: no start at
 * all, only the hand-off (the guide's advice).</li>
 * <li>{@code childProcess}: spawn {@code /bin/true} (resolved at setup) and wait for its exit status:
 * the OS's fork/exec cost without any runtime to start.</li>
 * <li>{@code childJvm}: start a new JVM ({@code java -cp <this jar> perfmastery.process.TrivialChildMain n},
 * same java binary, no options) that exits with the task's result as its status.</li>
 * <li>{@code childJvmAotCache}: the same child started from an archive of its classes, made at setup by
 * one training run of the same command ({@link AppClassArchive}): on JDK 25 an ahead-of-time cache
 * ({@code -XX:AOTCacheOutput}, then {@code -XX:AOTMode=on -XX:AOTCache}; JEP 483 and 514), on JDK 17 to 24
 * an application CDS archive ({@code -XX:ArchiveClassesAtExit}, then
 * {@code -Xshare:on -XX:SharedArchiveFile}; JEP 350). The JVM's answer to "spawning a process is slow". The
 * setup prints which kind it made; a JDK that makes none fails this variant's setup with one line saying
 * why (the others run), as does a class path with a directory on it (the JVM archives classes from jars
 * only: run from the benchmarks jar). The archive's folder is deleted at teardown.</li>
 * </ul>
 * All six share one mode, SampleTime, so that the claims compare like with like: each operation is timed
 * on its own and the claims compare medians (p50) of whole operations. A child JVM takes tens to hundreds
 * of milliseconds, so a one-second iteration holds only a few of its operations (the smoke preset's 200 ms iteration one or
 * two: JMH always completes the operation it started), few samples but each a whole start. Why not
 * SingleShotTime: it would time the thread variants cold, interpreted code included. Why the median and
 * not the mean: on a shared 2-core machine a thread start's p90 can be ten times its median (the new
 * thread waits for a core), and a few such waits move the mean more than the variant does. The
 * child JVM's samples are back-to-back starts (warm page cache, the JDK's CDS archive mapped): the steady
 * cost of {@code cluster.fork()}.
 *
 * <h2>Thread budget (2 cores)</h2>
 * The JMH thread plus one worker at a time: the started thread, the pool's one thread, one virtual thread
 * (on a carrier of the default scheduler), or one child process (a child JVM starts its own GC and JIT
 * threads, and competes with the JMH thread for the 2 cores while it starts: that is part of its cost).
 *
 * <h2>What you should see</h2>
 * A ladder of orders of magnitude, at the median: the pool's hand-off and a virtual thread's start
 * (both wake a parked thread: tens of microseconds at most) below a platform thread's start (an OS thread
 * made and destroyed: about a hundred microseconds), below {@code /bin/true} (fork and exec: about a
 * millisecond), far below a child JVM (tens of milliseconds). Reuse (a pool) beats any start, and a JVM is
 * the one worker never to start per request. The archive shortens a child JVM's start by what loading and
 * linking its classes cost, and no more: the JDK's own CDS archive already holds the classes of a plain
 * start (which is why {@code -Xshare:off} makes a start much slower), so for a trivial main the archive
 * adds the application's classes, the JDK classes that loading from a jar needs, and on JDK 25 their
 * linked state (claim: at least 1.1x faster). Creating the JVM, its heap, GC and JIT threads, booting the
 * module system and exiting remain (claim: still at least 100x a platform thread). On a quiet machine the hand-offs can be slower than on a
 * busy one: a parked thread woken on an idle virtual CPU pays the wake-up from idle (tens of
 * microseconds in a VM), while under load the cores never idle.
 *
 * <p>Figures: {@code results/reference/report.md#workerstartupbenchmark-sample}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- WorkerStartupBenchmark}; one variant with
 * {@code ./run-benchmarks.sh -- 'WorkerStartupBenchmark.childJvm$'}; both child JVMs with
 * {@code -- 'WorkerStartupBenchmark.childJvm'}. The training run of {@code childJvmAotCache} costs about
 * one child JVM's start (twice that on JDK 25, which assembles the cache in a second JVM), once per fork.
 *
 * <h2>What it does not measure</h2>
 * Not the cost of passing data to a worker ({@code WorkerMessagingBenchmark}), not a Node isolate, and
 * not the other ways to shorten a child JVM's start ({@code -XX:TieredStopAtLevel=1}, CRaC, native
 * images), nor a large application, where the archive removes far more (thousands of classes to load and
 * link, against a trivial main's few). The archive is made from this child's own run, the best case for
 * it.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Claim(id = "pool-half-of-platform",
        text = "handing a task to a warm pool costs at most half of starting, running and joining a platform thread (medians)",
        variant = "pooledExecutor", baseline = "platformThread", metric = "p50", relation = Relation.LOWER, factor = 2,
        kind = Kind.GUIDE,
        basis = "the guide's advice, reuse workers: a pooled task is a hand-off to a parked thread (a queue, an"
                + " unpark, a wake-up); a new platform thread needs the same wake-up of a thread plus making one"
                + " (a clone system call, a stack mapped, the JVM's thread set-up) and ending it, which costs at"
                + " least as much again: so at most half")
@Claim(id = "virtual-thread-half-of-platform",
        text = "starting, running and joining a virtual thread costs at most half of a platform thread (medians)",
        variant = "virtualThread", baseline = "platformThread", metric = "p50", relation = Relation.LOWER, factor = 2,
        kind = Kind.GUIDE,
        basis = "a virtual thread is a heap object handed to a warm carrier pool: a pool's hand-off, with no OS"
                + " thread made or ended; a platform thread is that wake-up plus an OS thread's creation and end,"
                + " which cost at least as much again: so at most half")
@Claim(id = "child-jvm-100x-platform",
        text = "starting a child JVM costs at least 100x a platform thread (medians)",
        variant = "childJvm", baseline = "platformThread", metric = "p50", relation = Relation.HIGHER, factor = 100,
        kind = Kind.MECHANISM,
        basis = "the guide: a child process starts a whole new runtime; a JVM's start (exec, mapping the JDK's"
                + " class-data archive, booting the module system, loading and linking hundreds of classes, its GC"
                + " and JIT threads) is tens of milliseconds, a thread's start tens to a hundred microseconds: two"
                + " orders of magnitude or more")
@Claim(id = "archived-child-jvm-1.1x-faster",
        text = "starting the child JVM from an archive of its classes (JDK 25: an AOT cache; 17: an application CDS archive) makes its start at least 1.1x faster (medians)",
        variant = "childJvmAotCache", baseline = "childJvm", metric = "p50", relation = Relation.LOWER, factor = 1.1,
        kind = Kind.GUIDE,
        basis = "an archive removes the class loading and linking share of a JVM's start (JEP 483: a small program's"
                + " start 42 % shorter); the JDK's default CDS archive already holds the classes of a plain start, so"
                + " for a trivial main what is left to remove is the application's classes, the JDK classes that"
                + " loading from a jar needs, and on JDK 25 their linked state: at least a tenth of the start")
@Claim(id = "archived-child-jvm-still-100x-platform",
        text = "started from an archive of its classes, a child JVM still costs at least 100x a platform thread (medians)",
        variant = "childJvmAotCache", baseline = "platformThread", metric = "p50", relation = Relation.HIGHER, factor = 100,
        kind = Kind.MECHANISM,
        basis = "the archive removes class loading and linking, not the rest of a JVM's start: exec and mapping the"
                + " JVM, reserving the heap, starting the GC and JIT threads, booting the module system and exiting are"
                + " tens of milliseconds, a thread's start tens to a hundred microseconds: two orders of magnitude")
public class WorkerStartupBenchmark {

    /** The tiny native program of {@code childProcess}. */
    static final String TRUE_PROGRAM = "/bin/true";

    int input;
    private Path trueProgram;
    private List<String> childJvmCommand;
    private List<String> archivedChildJvmCommand;
    private AppClassArchive archive;
    private ExecutorService pool;

    /** The trivial task every worker runs; a child reports it as its exit status, so it stays in 0..127. */
    public static int trivialTask(int input) {
        return (input * 31 + 7) & 0x7F;
    }

    /** The task with its input and its result: join() makes the result visible to the starter. */
    static final class TrivialTask implements Runnable {
        private final int input;
        private int result = -1;

        TrivialTask(int input) {
            this.input = input;
        }

        @Override
        public void run() {
            result = trivialTask(input);
        }

        int result() {
            return result;
        }
    }

    @Setup(Level.Trial)
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) throws Exception {
        if (params.getBenchmark().endsWith(".virtualThread")) {
            VirtualThreads.requireAvailable();
        }
        prepare();
        if (params.getBenchmark().endsWith(".childJvmAotCache")) {
            try {
                prepareArchive();
            } catch (Exception | Error e) {
                tearDown();
                throw e;
            }
            System.out.printf("%n%s: the child JVM starts from %s made by a training run: %s (%,d bytes)%n",
                    WorkerStartupBenchmark.class.getSimpleName(), archive.describe(), archive.file(),
                    Files.size(archive.file()));
        }
    }

    /** Makes the archive of the child JVM's classes by one training run (childJvmAotCache; tests). */
    void prepareArchive() throws Exception {
        String classPath = ChildJvm.classPath();
        archive = AppClassArchive.train(classPath, TrivialChildMain.class, trivialTask(input), Integer.toString(input));
        archivedChildJvmCommand = ChildJvm.command(classPath, archive.useOptions(), TrivialChildMain.class,
                Integer.toString(input));
    }

    /** The archive made by {@link #prepareArchive()} (tests). */
    AppClassArchive archive() {
        return archive;
    }

    /** The setup without JMH's parameters. */
    void prepare() throws Exception {
        prepare(42);
    }

    /** The setup with another task input (tests: every variant's answer follows its input). */
    void prepare(int taskInput) throws Exception {
        input = taskInput;
        trueProgram = resolveTrue();
        childJvmCommand = ChildJvm.command(List.of(), TrivialChildMain.class, Integer.toString(input));
        pool = Executors.newFixedThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, "pooled-worker");
            thread.setDaemon(true);
            return thread;
        });
        pool.submit(() -> trivialTask(input)).get(); // warm: the thread exists before the first measurement
    }

    static Path resolveTrue() {
        Path program = Paths.get(TRUE_PROGRAM);
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException("childProcess needs the tiny native program " + TRUE_PROGRAM
                    + " and it is missing or not executable here; install coreutils or skip this variant");
        }
        return program;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException, IOException {
        try {
            EventLoopBlockingBenchmark.shutDown(pool);
        } finally {
            if (archive != null) {
                archive.close();
            }
        }
    }

    @Benchmark
    public int platformThread() throws InterruptedException {
        TrivialTask task = new TrivialTask(input);
        Thread thread = new Thread(task);
        thread.start();
        thread.join();
        return task.result();
    }

    @Benchmark
    public int virtualThread() throws InterruptedException {
        TrivialTask task = new TrivialTask(input);
        VirtualThreads.start(task).join();
        return task.result();
    }

    @Benchmark
    public int pooledExecutor() throws Exception {
        int in = input;
        return pool.submit(() -> trivialTask(in)).get();
    }

    @Benchmark
    public int childProcess() throws IOException, InterruptedException {
        return runToExit(new ProcessBuilder(trueProgram.toString()), TRUE_PROGRAM);
    }

    @Benchmark
    public int childJvm() throws IOException, InterruptedException {
        return runToExit(new ProcessBuilder(childJvmCommand), "the child JVM");
    }

    @Benchmark
    public int childJvmAotCache() throws IOException, InterruptedException {
        if (archivedChildJvmCommand == null) {
            throw new IllegalStateException("childJvmAotCache needs prepareArchive() first");
        }
        return runToExit(new ProcessBuilder(archivedChildJvmCommand), "the child JVM started from " + archive.describe());
    }

    /** Output discarded (no pipes to drain), errors shown in the JMH log, the exit status is the result. */
    private static int runToExit(ProcessBuilder builder, String what) throws IOException, InterruptedException {
        Process process = builder.redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not exit within 60 s");
            }
            return process.exitValue();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
