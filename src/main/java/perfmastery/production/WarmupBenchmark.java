package perfmastery.production;

import perfmastery.process.AppClassArchive;
import perfmastery.process.ChildJvm;
import perfmastery.process.FirstRequestsChildMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import perfmastery.support.Gauges;

/**
 * Guide part 6, production checklist item 1, "Use NODE_ENV=production": the cost of a cold server.
 *
 * <h2>The guide's claim</h2>
 * A Node server in production mode skips the work a development server does on every request (stack traces,
 * template and view recompiling), and the first requests of any fresh process are slower than the rest. The
 * JVM has no such switch. What it has instead is warm-up: a fresh JVM runs a request's bytecode in the
 * interpreter, compiles it with C1 once it is warm and with C2 once it is hot, and loads and links each class
 * the first time a request needs it. Steady state comes only after that, so the first requests after a
 * deploy pay for it. Class-data archives (AppCDS on JDK 17, the AOT cache on JDK 25) move the class loading
 * part of that cost to build time.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * One request is {@link OrderRequestHandler#handle}: a JSON round trip with Jackson (parse an order of three
 * lines, total it, write the receipt), its mapper, reader and writer made once at the server's startup. The
 * mode is SingleShotTime: each operation is timed once, whole. The variants:
 * <ul>
 * <li>{@code firstRequestsInFreshJvm}: a fresh JVM ({@link FirstRequestsChildMain}, started per operation:
 * same java binary, the benchmarks jar) makes the handler and handles its first {@code requests} requests,
 * timing them itself. Each operation is a new JVM, so every operation is cold, the warm-up iteration too:
 * the presets' {@code -wi 1 -i 3} cannot warm it, which they would do to a cold measurement taken inside
 * the fork (a single-shot fork's first operation is its only cold one).</li>
 * <li>{@code steadyStateRequests}: the same requests handled in this fork by a handler that has handled
 * 50,000 requests at trial setup, past the C2 thresholds of every method a request runs (a tier-4
 * compile after some 15,000 invocations or loop iterations): compiled code. Under {@code -Xint} there is
 * nothing to compile, and 1,000 requests do the lazy set-up. The setup prints how many requests and how
 * long; a warm-up cut by its 30 s limit (a loaded machine starves the compiler threads) says so.</li>
 * <li>{@code firstResponseFromArchive}: {@code firstRequestsInFreshJvm} with one request, the child started
 * from an archive of its classes made at setup by one training run of the same command
 * ({@link AppClassArchive}: the AOT cache on JDK 25, an application CDS archive on 17 to 24).</li>
 * </ul>
 * Two figures per row: the score, from the spawn to the first response line read (the child's whole start:
 * JVM, handler, its {@code requests} requests; for {@code steadyStateRequests} the requests alone); and the
 * gauge {@code requestsUs}, the time of the {@code requests} requests alone (the child's own clock around
 * them, or this fork's), which the cold-against-warm claim compares. The first request in a fresh JVM pays
 * for interpretation (each bytecode dispatched by the template interpreter, no inlining, every field and
 * call unoptimised) and for what Jackson builds lazily on first use (the deserializer of {@code Order} and
 * the serializer of {@code Receipt}, found by reflection, and the classes they load). The score of
 * {@code firstRequestsInFreshJvm} at {@code requests=1} is the time to first response without the archive,
 * the baseline of {@code firstResponseFromArchive}.
 *
 * <h2>The same under other JIT modes</h2>
 * The runner's flag-set dimension runs the whole lesson under other JIT settings, and the children inherit
 * the fork's compilation and collector flags ({@code -Xint}, {@code -Xcomp}, {@code -XX:TieredStopAtLevel},
 * {@code -XX:±TieredCompilation}, {@code -XX:+Use...GC}; the archive is trained with them too):
 * {@code ./run-benchmarks.sh --jvm-args "" --jvm-args "-XX:TieredStopAtLevel=1" --jvm-args "-Xint" --
 * WarmupBenchmark}. Under {@code -Xint} both sides are interpreted, so the ratio left is the first request's
 * lazy set-up against an interpreted request: set beside the default run's ratio, it tells how much of a
 * cold first request is interpretation and how much is set-up. Under {@code TieredStopAtLevel=1} the steady
 * state is C1's code, slower than C2's, and a C1-only JVM reaches it sooner.
 *
 * <h2>Cost of a run (quick preset)</h2>
 * Three rows by default ({@code requests=1} for the two request variants, and the archive row), 3 forks each,
 * each fork's start about 1.5 s (the runner's estimate). A row of child JVMs runs 4 operations per fork
 * ({@code -wi 1 -i 3}), each a JVM start that loads Jackson and answers: call it S, about half a second on
 * a quiet 2-core machine (an assumption for the estimate, not a measurement; a loaded machine takes several
 * times that). So: {@code firstRequestsInFreshJvm} 3 x (1.5 + 4 S) = about 10.5 s; the archive row the same
 * plus one training run per fork (one JVM, two on JDK 25): about 13 s; {@code steadyStateRequests}
 * 3 x (1.5 + about 1 s of warm-up) = about 7.5 s. The lesson: about 31 s per JDK at quick, about 10 s
 * at smoke (1 fork, 2 operations). Each further {@code requests} value adds two rows, about 18 s.
 * {@code @Fork(3)}: the forks are not the samples of the child variants (each of their operations is a
 * fresh JVM), so more forks would only repeat the fork's start.
 *
 * <h2>What you should see</h2>
 * The first request in a fresh JVM costing orders of magnitude more than a request in steady state (claim:
 * at least 10x); with {@code -p requests=1,100}, the first 100 requests far less than 100 first requests
 * (Jackson's lazy set-up is paid once, the interpreter's later requests are cheaper, and C1 compiles the
 * hottest methods within them), still far above 100 warm ones. The time to first response is dominated by the JVM's start and the handler's
 * set-up; the archive shortens it by the classes it no longer loads, parses and verifies (claim: at least
 * 1.2x). Figures come from the reference run, made on a quiet machine.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- WarmupBenchmark}; the first 10, 100, 1000 requests with
 * {@code -p requests=1,10,100,1000} (two rows each, see the cost above);
 * the JIT modes with {@code --jvm-args} as above. {@code firstResponseFromArchive} needs a class path of jars
 * only (run from the benchmarks jar) and a JDK with its default CDS archive: else its setup fails with one
 * line saying why, and the other variants run.
 *
 * <h2>What it does not measure</h2>
 * Not a real server's start (no sockets, no framework: a framework loads thousands of classes, where an
 * archive saves far more), not the time to reach steady state (how many requests until C2: a matter of
 * thresholds and of the request mix), and not the JVM's other answers to warm-up: CRaC, native images,
 * or warming a server with synthetic requests before it joins the load balancer.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(3)
@Claim(id = "steady-state-10x-first-request",
        text = "a request in steady state costs at most a tenth of the first request of a fresh JVM (the requests' own time)",
        variant = "steadyStateRequests", baseline = "firstRequestsInFreshJvm", metric = WarmupBenchmark.REQUESTS_GAUGE,
        relation = Relation.LOWER, factor = 10, params = "requests=1", kind = Kind.GUIDE,
        basis = "interpretation against compiled code: the first request runs Jackson's parsing and writing in the"
                + " bytecode interpreter, which dispatches every bytecode, calls every method without inlining and"
                + " keeps values on the operand stack, an order of magnitude slower than the register code C2 makes"
                + " with inlining; the first request also builds Jackson's (de)serializers by reflection, which"
                + " only adds to it: at least 10x")
@Claim(id = "archive-cuts-time-to-first-response",
        text = "started from an archive of its classes (JDK 25: an AOT cache; 17: an application CDS archive), a fresh JVM answers its first request at least 1.2x sooner",
        variant = "firstResponseFromArchive", baseline = "firstRequestsInFreshJvm[requests=1]",
        relation = Relation.LOWER, factor = 1.2, kind = Kind.GUIDE,
        basis = "an archive removes reading, parsing and verifying the classes a start loads (JEP 483 reports a start"
                + " 42 % shorter); the JDK's default archive already holds a plain start's classes, so what is left"
                + " to remove is the application's: here Jackson's databind and core, some hundreds of classes read"
                + " from a jar and verified, a share of at least a sixth of the time to first response: 1.2x")
public class WarmupBenchmark {

    /** The time of the operation's requests alone, in microseconds: the gauge the cold-against-warm claim reads. */
    public static final String REQUESTS_GAUGE = "requestsUs";
    static final int WARM_UP_REQUESTS = 50_000;
    static final int INTERPRETED_WARM_UP_REQUESTS = 1_000;
    static final long WARM_UP_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CHILD_EXIT_TIMEOUT_SECONDS = 60;

    /** The fork's flags a child inherits: compilation mode and collector, the flag sets this lesson is run with. */
    private static final Pattern INHERITED_FLAG = Pattern.compile(
            "-Xint|-Xcomp|-XX:TieredStopAtLevel=\\d+|-XX:[+-]TieredCompilation|-XX:\\+Use\\w+GC");

    /** The number of requests an operation of the request variants handles. */
    @State(Scope.Benchmark)
    public static class Requests {
        @Param({"1"})
        public int requests;

        byte[][] bodies;

        @Setup(Level.Trial)
        public void setUp() {
            bodies = OrderRequestHandler.requests(requests);
        }
    }

    private String classPath;
    private List<String> childOptions;
    private List<String> archivedChildOptions;
    private AppClassArchive archive;
    private OrderRequestHandler handler;

    private Process child;
    private BufferedReader childOut;
    private String childFirstLine;
    private int childRequests;
    private long steadyNanos = -1;
    private OrderRequestHandler.Responses steadyResponses;
    private int steadyRequests;
    private ChildRun lastChildRun;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        prepare(ManagementFactory.getRuntimeMXBean().getInputArguments());
        String benchmark = params.getBenchmark();
        if (benchmark.endsWith(".steadyStateRequests")) {
            long start = System.nanoTime();
            int warmedBy = prepareSteadyState();
            System.out.printf("%n%s: the handler was warmed by %,d requests in %,d ms%s%n",
                    WarmupBenchmark.class.getSimpleName(), warmedBy,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    warmedBy < warmUpRequests() ? "; the time limit cut it short of " + warmUpRequests()
                            + ": the steady state may not be reached (a loaded machine?)" : "");
        }
        if (benchmark.endsWith(".firstResponseFromArchive")) {
            try {
                prepareArchive();
            } catch (Exception | Error e) {
                tearDown();
                throw e;
            }
            System.out.printf("%n%s: the child JVM starts from %s made by a training run: %s (%,d bytes)%n",
                    WarmupBenchmark.class.getSimpleName(), archive.describe(), archive.file(),
                    Files.size(archive.file()));
        }
    }

    /** The setup every variant needs: the children's class path and the flags they inherit. */
    void prepare(List<String> forkArguments) {
        prepare(forkArguments, ChildJvm.classPath());
    }

    /** The same with another class path for the children (tests: the archive needs the jar). */
    void prepare(List<String> forkArguments, String childClassPath) {
        classPath = childClassPath;
        childOptions = inheritedFlags(forkArguments);
    }

    /** A handler warmed to steady state (steadyStateRequests; tests). */
    int prepareSteadyState() {
        handler = new OrderRequestHandler();
        return warmUp(handler, warmUpRequests(), WARM_UP_LIMIT_NANOS);
    }

    /** Past C2's thresholds; in an interpreter-only JVM ({@code -Xint}) only the lazy set-up needs doing. */
    static int warmUpRequests() {
        return interpretedOnly(System.getProperty("java.vm.info", "")) ? INTERPRETED_WARM_UP_REQUESTS : WARM_UP_REQUESTS;
    }

    /** HotSpot's {@code java.vm.info} reads "interpreted mode" under {@code -Xint} ("mixed mode" otherwise). */
    static boolean interpretedOnly(String vmInfo) {
        return vmInfo.startsWith("interpreted mode");
    }

    /** The archive of the child's classes, made by one training run with the child's flags (tests). */
    void prepareArchive() throws Exception {
        archive = AppClassArchive.train(classPath, childOptions, FirstRequestsChildMain.class, 0, "1");
        archivedChildOptions = new ArrayList<>(childOptions);
        archivedChildOptions.addAll(archive.useOptions());
    }

    AppClassArchive archive() {
        return archive;
    }

    List<String> childOptions() {
        return childOptions;
    }

    /** The child of the last finished operation (tests). */
    ChildRun lastChildRun() {
        return lastChildRun;
    }

    /** The last steady-state operation's own time (tests). */
    long steadyNanos() {
        return steadyNanos;
    }

    /** The fork's flags that a child JVM of this lesson inherits, in their order. */
    static List<String> inheritedFlags(List<String> forkArguments) {
        List<String> inherited = new ArrayList<>();
        for (String argument : forkArguments) {
            if (INHERITED_FLAG.matcher(argument).matches()) {
                inherited.add(argument);
            }
        }
        return List.copyOf(inherited);
    }

    /** Handles batches of requests until {@code maxRequests} are done or the time is up; returns how many. */
    static int warmUp(OrderRequestHandler handler, int maxRequests, long maxNanos) {
        byte[][] batch = OrderRequestHandler.requests(16);
        long expected = OrderRequestHandler.expectedChecksum(batch.length);
        long deadline = System.nanoTime() + maxNanos;
        int done = 0;
        while (done < maxRequests && System.nanoTime() - deadline < 0) {
            if (handler.handleAll(batch).checksum() != expected) {
                throw new IllegalStateException("the handler answered wrong during its warm-up");
            }
            done += batch.length;
        }
        return done;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (child != null) {
                child.destroyForcibly();
                child = null;
            }
        } finally {
            if (archive != null) {
                archive.close();
                archive = null;
            }
        }
    }

    @Benchmark
    public String firstRequestsInFreshJvm(Requests requests) throws IOException {
        return startChild(childOptions, requests.requests);
    }

    @Benchmark
    public OrderRequestHandler.Responses steadyStateRequests(Requests requests) {
        long start = System.nanoTime();
        OrderRequestHandler.Responses responses = handler.handleAll(requests.bodies);
        steadyNanos = System.nanoTime() - start;
        steadyResponses = responses;
        steadyRequests = requests.bodies.length;
        return responses;
    }

    @Benchmark
    public String firstResponseFromArchive() throws IOException {
        if (archivedChildOptions == null) {
            throw new IllegalStateException("firstResponseFromArchive needs prepareArchive() first");
        }
        return startChild(archivedChildOptions, 1);
    }

    /**
     * Starts the child and reads its first response line: the clock of an operation stops there. The rest
     * (its timing line, its exit) is read by {@link #finishIteration()}, outside the timed operation.
     */
    private String startChild(List<String> options, int requests) throws IOException {
        if (child != null) {
            throw new IllegalStateException("the child JVM of the previous operation was not finished");
        }
        Process process = new ProcessBuilder(ChildJvm.command(classPath, options, FirstRequestsChildMain.class,
                Integer.toString(requests)))
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        child = process;
        childRequests = requests;
        childOut = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = childOut.readLine();
        childFirstLine = first;
        return first == null ? "" : first;
    }

    /** The child's run: its first response, its requests' own time and the checksum over its responses. */
    record ChildRun(String firstResponse, long requestsNanos, long checksum) {

        /** Reads the child's two lines and checks them against the expected responses; one clear line if wrong. */
        static ChildRun parse(String firstLine, String secondLine, int requests) {
            if (firstLine == null || secondLine == null) {
                throw new IllegalStateException("the child JVM printed less than its two lines (first: " + firstLine
                        + "); its error output is in the JMH log");
            }
            if (!firstLine.equals(OrderRequestHandler.expectedResponse(0))) {
                throw new IllegalStateException("the child JVM answered its first request with " + firstLine
                        + ", expected " + OrderRequestHandler.expectedResponse(0));
            }
            int checksumAt = secondLine.indexOf(FirstRequestsChildMain.CHECKSUM_KEY);
            if (!secondLine.startsWith(FirstRequestsChildMain.NANOS_KEY) || checksumAt < 0) {
                throw new IllegalStateException("the child JVM's timing line is not understood: " + secondLine);
            }
            long nanos = Long.parseLong(secondLine.substring(FirstRequestsChildMain.NANOS_KEY.length(), checksumAt));
            long checksum = Long.parseLong(secondLine.substring(checksumAt + FirstRequestsChildMain.CHECKSUM_KEY.length()));
            if (checksum != OrderRequestHandler.expectedChecksum(requests)) {
                throw new IllegalStateException("the child JVM's " + requests + " responses have checksum " + checksum
                        + ", expected " + OrderRequestHandler.expectedChecksum(requests));
            }
            return new ChildRun(firstLine, nanos, checksum);
        }
    }

    /** Reads the rest of the operation's child, waits for its exit and checks its answers. */
    ChildRun finishChild() throws IOException, InterruptedException {
        Process process = child;
        child = null;
        try (BufferedReader out = childOut) {
            String second = out.readLine();
            if (!process.waitFor(CHILD_EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the child JVM did not exit within " + CHILD_EXIT_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("the child JVM exited with " + process.exitValue()
                        + "; its error output is in the JMH log");
            }
            return ChildRun.parse(childFirstLine, second, childRequests);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** After each operation (one per iteration in SingleShotTime): the child's end, the gauge, the answers checked. */
    @TearDown(Level.Iteration)
    public void finishIteration() throws IOException, InterruptedException {
        if (child != null) {
            lastChildRun = finishChild();
            Gauges.record(REQUESTS_GAUGE, lastChildRun.requestsNanos() / 1_000.0, "us");
        } else if (steadyResponses != null) {
            if (steadyResponses.checksum() != OrderRequestHandler.expectedChecksum(steadyRequests)) {
                throw new IllegalStateException("steadyStateRequests answered wrong: checksum "
                        + steadyResponses.checksum());
            }
            Gauges.record(REQUESTS_GAUGE, steadyNanos / 1_000.0, "us");
            steadyResponses = null;
        }
    }
}
