package perfmastery.runner;

import perfmastery.heap.Footprint;
import perfmastery.heap.HeapCompare;
import perfmastery.process.WorkerFootprint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import perfmastery.runner.BenchmarkSelection.Benchmark;
import perfmastery.runner.BenchmarkSelection.Group;

/**
 * The logic of run-benchmarks.sh: the script finds a Java 17+, builds the jar if needed and starts this
 * class from the jar. It checks everything the user asked for before any benchmark starts, then runs
 * JMH for each (JDK, flag set) pair, each in its own JVM from that JDK, in fork rounds by default
 * ({@link ForkPlan}: one fork per invocation per round, the pairs alternating, the rounds joined by
 * {@link ForkMerge}), and checks that every expected benchmark has a result.
 */
public final class RunMain {

    static final String REPORT_MAIN = "perfmastery.report.ReportMain";
    static final String HEAP_COMPARE_MAIN = "perfmastery.heap.HeapCompare";
    static final String FOOTPRINT_MAIN = "perfmastery.heap.Footprint";
    static final String WORKER_FOOTPRINT_MAIN = "perfmastery.process.WorkerFootprint";
    private static final String PREFIX = "run-benchmarks.sh: ";

    private final Path projectDir;
    /** Where the user ran the script from: their relative paths are relative to it. */
    private final Path callerDir;
    private final Path jar;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    /** Whether the run asked for the Node runtime ({@code --runtime node}, {@code --jdk node}). */
    private boolean nodeAsked;
    private Optional<NodeRuntime> node = Optional.empty();
    private Optional<Path> nodeJson = Optional.empty();
    /** This invocation's run id, written into every sidecar (its shards share it: {@link RunMetadata#runId}). */
    private final String runId;
    /** The report's exit code (the regression gate's {@link ExitCode#REGRESSION} in a --compare-with run). */
    private int reportExit;
    /** The host as measured at the start of the run, written into every sidecar. */
    private HostProbe host;

    RunMain(Path projectDir, Path jar, Map<String, String> env, PrintStream out, PrintStream err) {
        this(projectDir, projectDir, jar, env, out, err);
    }

    RunMain(Path projectDir, Path callerDir, Path jar, Map<String, String> env, PrintStream out, PrintStream err) {
        this.projectDir = projectDir;
        this.callerDir = callerDir;
        this.jar = jar;
        this.env = env;
        this.out = out;
        this.err = err;
        this.runId = RunMetadata.runId(env);
    }

    public static void main(String[] args) {
        Path projectDir = Paths.get("").toAbsolutePath();
        Path callerDir = Paths.get(System.getProperty("perfmastery.callerDir", projectDir.toString()));
        int code = new RunMain(projectDir, callerDir, ownJar(projectDir), System.getenv(), System.out, System.err)
                .run(args);
        ChildProcesses.runFinished();
        System.out.flush();
        System.exit(code);
    }

    private static Path ownJar(Path projectDir) {
        try {
            Path location = Paths.get(RunMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(location)) {
                return location;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall back to the usual place
        }
        return projectDir.resolve("target").resolve("benchmarks.jar");
    }

    /** Runs the command line; returns the exit code ({@link ExitCode}). */
    public int run(String... args) {
        try {
            RunOptions options = RunOptions.parse(List.of(args));
            return switch (options.command()) {
                case HELP -> {
                    out.print(usage());
                    yield ExitCode.OK;
                }
                case LIST -> list(options.commandArgs());
                case REPORT -> tool(REPORT_MAIN, "the report", options.commandArgs());
                case HEAP_COMPARE -> tool(HEAP_COMPARE_MAIN, "heap-compare", options.commandArgs());
                case FOOTPRINT -> tool(FOOTPRINT_MAIN, "footprint", options.commandArgs());
                case WORKER_FOOTPRINT -> tool(WORKER_FOOTPRINT_MAIN, "worker-footprint", options.commandArgs());
                case RUN -> runBenchmarks(prepare(options));
            };
        } catch (UsageError e) {
            err.println(PREFIX + e.getMessage());
            return ExitCode.BAD_INPUT;
        } catch (IOException | UncheckedIOException e) {
            if (ChildProcesses.stopping()) {
                return ExitCode.BENCHMARKS_FAILED; // the shutdown hook says what happened
            }
            err.println(PREFIX + "cannot write the results: " + e.getMessage()
                    + " (earlier runs are untouched)");
            return ExitCode.CANNOT_WRITE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(PREFIX + "interrupted");
            return ExitCode.BENCHMARKS_FAILED;
        }
    }

    // ---------------------------------------------------------------- checking what was asked

    /** Everything one run needs, checked: nothing in it can be a user mistake any more. */
    record Plan(RunOptions options, JmhArgs jmhArgs, List<Pair> pairs, Map<Jdk, BenchmarkSelection> selections,
            Optional<Path> asyncLibrary, ForkPlan forkPlan, List<String> userArgs,
            Map<Jdk, BenchmarkSelection> baseSelections) {

        Plan(RunOptions options, JmhArgs jmhArgs, List<Pair> pairs, Map<Jdk, BenchmarkSelection> selections,
             Optional<Path> asyncLibrary, ForkPlan forkPlan, List<String> userArgs) {
            this(options, jmhArgs, pairs, selections, asyncLibrary, forkPlan, userArgs, Map.of());
        }

        /** The pair's selection: the base's own in a --compare-with run, else its JDK's. */
        BenchmarkSelection selectionFor(Pair pair) {
            return CompareWith.BASE.equals(pair.side()) ? baseSelections.get(pair.jdk()) : selections.get(pair.jdk());
        }
    }

    Plan prepare(RunOptions options) throws UsageError {
        JmhArgs jmhArgs = JmhArgs.parse(options.jmhArgs());
        ForkPlan forkPlan = ForkPlan.of(options.forkOrder(), options.preset(), jmhArgs);
        List<String> userArgs = jmhArgs.argsWithoutForks();
        List<Jdk> jdks = new ArrayList<>();
        List<Path> jdkHomes = options.jdks().stream().filter(home -> !NodeRuntime.names(home)).toList();
        nodeAsked = jdkHomes.size() != options.jdks().size();
        if (jdkHomes.isEmpty()) {
            jdks.add(Jdk.current());
        } else {
            for (Path home : jdkHomes) {
                jdks.add(Jdk.probe(callerDir.resolve(home).normalize()));
            }
        }
        List<Benchmark> selected = BenchmarkSelection.matching(readBenchmarkList(), jmhArgs.includes(),
                jmhArgs.excludes());
        Map<Jdk, BenchmarkSelection> selections = new LinkedHashMap<>();
        for (Jdk jdk : jdks) {
            if (!selections.containsKey(jdk)) {
                selections.put(jdk, BenchmarkSelection.forJdk(selected, jmhArgs::param, jdk.hasVirtualThreads(),
                        "JDK " + jdk.version(), forkPlan::forksPerInvocation));
            }
        }
        if (selections.values().stream().allMatch(BenchmarkSelection::isEmpty)) {
            throw new UsageError("nothing to run: every selected benchmark needs virtual threads (JDK 21+)");
        }
        if (options.shard() != null) {
            // Every part of one configuration must deal the same parts: the timings come from a folder named on
            // the command line (the same for every part), never from results/latest, which each part moves.
            Map<String, Double> found = Map.of();
            if (options.timings() != null) {
                Path folder = callerDir.resolve(options.timings()).normalize();
                if (!Files.isDirectory(folder)) {
                    throw new UsageError("--timings " + options.timings() + " is not a folder (a run folder with"
                            + " *.run.json sidecars, e.g. results/reference)");
                }
                found = RunMetadata.unitTimings(folder, options.preset().describe());
            }
            Map<String, Double> timings = found;
            // Without timings, a row's estimate counts the forks it gets (a lesson's own larger @Fork).
            Map<String, Double> estimates = new java.util.HashMap<>();
            for (Benchmark benchmark : selected) {
                estimates.put(benchmark.name(),
                        options.preset().estimateSeconds(Math.max(1, forkPlan.totalForks(benchmark))));
            }
            java.util.function.ToDoubleFunction<String> estimate = key -> {
                int bracket = key.indexOf('[');
                return estimates.getOrDefault(bracket < 0 ? key : key.substring(0, bracket),
                        options.preset().estimateSeconds());
            };
            for (Map.Entry<Jdk, BenchmarkSelection> entry : selections.entrySet()) {
                entry.setValue(entry.getValue().shard(options.shard(),
                        key -> timings.containsKey(key) ? timings.get(key) : estimate.applyAsDouble(key)));
            }
        }
        Optional<Path> asyncLibrary = options.profilers().contains("async")
                ? Optional.of(asyncProfilerLibrary(env, callerDir, projectDir)) : Optional.empty();
        List<Pair> pairs = Pair.of(jdks, options.flagSetsOrDefault());
        for (Pair pair : pairs) {
            pair.jdk().checkAccepts(pair.forkFlags(List.of()), pair.userFlags().isEmpty() ? "the fork flags"
                    : "--jvm-args \"" + String.join(" ", pair.userFlags()) + "\"");
        }
        Plan plan = new Plan(options, jmhArgs, pairs, selections, asyncLibrary, forkPlan, userArgs);
        return options.compareWith() == null ? plan : CompareWith.plan(plan, selected, callerDir, projectDir, out);
    }

    private List<Benchmark> readBenchmarkList() throws UsageError {
        try (InputStream in = RunMain.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            if (in == null) {
                throw new UsageError(jar + " has no META-INF/BenchmarkList: rebuild it with ./mvnw package");
            }
            return BenchmarkSelection.read(in);
        } catch (IOException e) {
            throw new UsageError("cannot read the benchmark list of " + jar + ": " + e.getMessage());
        }
    }

    /** $ASYNC_PROFILER_LIB, else the library the build unpacked for this platform. */
    static Path asyncProfilerLibrary(Map<String, String> env, Path callerDir, Path projectDir) throws UsageError {
        String fromEnv = env.get("ASYNC_PROFILER_LIB");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path library = callerDir.resolve(fromEnv).normalize();
            if (!Files.isRegularFile(library)) {
                throw new UsageError("ASYNC_PROFILER_LIB=" + fromEnv + " is not a file: point it at libasyncProfiler.so");
            }
            return library;
        }
        String platform = asyncProfilerPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (platform == null) {
            throw new UsageError("async-profiler ships no library for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": set ASYNC_PROFILER_LIB to your own libasyncProfiler");
        }
        Path library = projectDir.resolve("target/async-profiler").resolve(platform).resolve("libasyncProfiler.so");
        if (!Files.isRegularFile(library)) {
            throw new UsageError("no async-profiler library at " + library
                    + ": run ./mvnw package, or set ASYNC_PROFILER_LIB");
        }
        return library;
    }

    static String asyncProfilerPlatform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.contains("mac")) {
            return "macos";
        }
        if (os.contains("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return "linux-x64";
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return "linux-arm64";
            }
        }
        return null;
    }

    /**
     * JMH allows one run per machine ({@code /tmp/jmh.lock}); say so before starting rather than after.
     * JMH_IGNORE_LOCK=true runs anyway, beside the other run: both get noisier numbers.
     */
    private boolean ignoreJmhLock() {
        return "true".equalsIgnoreCase(env.getOrDefault("JMH_IGNORE_LOCK", ""));
    }

    private void checkJmhLockFree() throws IOException {
        if (ignoreJmhLock()) {
            return;
        }
        Path lock = Paths.get(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock taken = channel.tryLock();
            if (taken == null) {
                throw new JmhBusy(lock);
            }
            taken.release();
        } catch (OverlappingFileLockException e) {
            throw new JmhBusy(lock);
        }
    }

    /** Another JMH run holds the lock. */
    static final class JmhBusy extends IOException {
        private static final long serialVersionUID = 1L;

        JmhBusy(Path lock) {
            super("another JMH run holds " + lock + ": wait for it to end, or set JMH_IGNORE_LOCK=true"
                    + " to run beside it (both get noisier numbers)");
        }
    }

    // ---------------------------------------------------------------- running

    /** What one pair left behind. */
    record PairResult(Pair pair, Optional<Path> json, SortedSet<String> missing, List<String> problems) {
    }

    int runBenchmarks(Plan plan) throws IOException, InterruptedException {
        try {
            checkJmhLockFree();
        } catch (JmhBusy busy) {
            err.println(PREFIX + busy.getMessage());
            return ExitCode.CANNOT_WRITE;
        }
        Path results = projectDir.resolve("results");
        Path runDir = ResultsFolder.createRun(results, Instant.now());
        ResultsFolder.pointLatestAt(results, runDir);
        ChildProcesses.whenInterrupted(PREFIX + "interrupted: the finished results stay in "
                + projectDir.relativize(runDir));
        printSettings(plan, runDir);
        if (nodeAsked) {
            node = NodeRuntime.prepare(projectDir, env, out);
        }
        List<PairResult> pairResults = runPairs(plan, runDir);
        List<Path> report = runReport(plan, pairResults, runDir);
        return summarize(plan, runDir, pairResults, report);
    }

    private void printSettings(Plan plan, Path runDir) {
        RunOptions options = plan.options();
        out.println("Settings");
        out.println("  preset:    " + options.preset().describe()
                + (plan.jmhArgs().args().isEmpty() ? "" : " (options after -- take precedence)"));
        ForkPlan forks = plan.forkPlan();
        out.println("  forks:     " + (forks.inRounds()
                ? forks.rounds() + " rounds of -f 1 (each row's forks spread over the run, the runs below alternating)"
                : "-f " + forks.forks() + " per JMH invocation, back to back")
                + (forks.minimums() ? "; a lesson's own larger @Fork is kept" : ""));
        SequentialRounds.of(forks, options.preset()).describe().forEach(line -> out.println("  " + line));
        out.println("  profilers: " + (options.profilers().isEmpty() ? "none" : String.join(", ", options.profilers()))
                + "; always: PageFaultProfiler (minor page faults per measured iteration)");
        out.println("  JMH args:  " + (plan.jmhArgs().args().isEmpty() ? "(none: the whole suite)"
                : String.join(" ", plan.jmhArgs().args())));
        for (Pair pair : plan.pairs()) {
            out.println("  run:       " + pair.describe());
        }
        if (nodeAsked) {
            out.println("  run:       Node (node/), the lessons' Node forms beside the JDKs: "
                    + (forks.inRounds() ? forks.rounds() + " rounds of 1 fork" : "-f " + forks.forks())
                    + " (the sequential looks add rounds to the JDKs only)");
        }
        out.println("  results:   " + projectDir.relativize(runDir) + "  (results/latest points here)");
        for (Map.Entry<Jdk, BenchmarkSelection> entry : plan.selections().entrySet()) {
            entry.getValue().leftOutNote("JDK " + entry.getKey().version()).ifPresent(note -> out.println("  " + note));
        }
    }

    /** One pair's results so far, gathered over the rounds. */
    static final class PairRun {
        final Pair pair;
        final BenchmarkSelection selection;
        final Path json;
        final Path log;
        final List<Path> roundFiles = new ArrayList<>();
        /** Each round file's round number (a failed round leaves a gap). */
        final List<Integer> roundNumbers = new ArrayList<>();
        final List<String> commands = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final Map<String, Double> unitSeconds = new java.util.TreeMap<>();
        Instant start;
        Instant end;
        double[] loadBefore;
        double[] loadAfter;
        /** Other processes' cores x seconds, and the seconds they were measured over. */
        double otherCoreSeconds;
        double otherSeconds;
        /** The pair's result once its rounds are joined (by the last round, or by an interrupt). */
        PairResult result;

        PairRun(Pair pair, BenchmarkSelection selection, Path runDir) {
            this.pair = pair;
            this.selection = selection;
            this.json = runDir.resolve(pair.label() + ".json");
            this.log = runDir.resolve(pair.label() + ".log");
        }
    }

    /**
     * Runs every pair, round by round ({@link ForkPlan}): in each round every pair runs each of its JMH
     * invocations once, so a row's forks are spread over the run and the pairs alternate. A pair's rounds are
     * joined into its JSON right after its last one. A failed round is a problem of its pair; the others
     * are still run and joined.
     */
    List<PairResult> runPairs(Plan plan, Path runDir) throws IOException, InterruptedException {
        Map<String, Object> machine = RunMetadata.machine();
        Map<String, Object> source = RunMetadata.source(projectDir);
        host = HostProbe.measure();
        out.println("Host: " + host.summary());
        ForkPlan forks = plan.forkPlan();
        SequentialRounds sequential = SequentialRounds.of(forks, plan.options().preset());
        int rounds = sequential.lastRound();
        List<PairRun> runs = new ArrayList<>();
        for (Pair pair : plan.pairs()) {
            runs.add(new PairRun(pair, plan.selectionFor(pair), runDir));
        }
        List<PairResult> pairResults = new ArrayList<>();
        if (rounds > 1) {
            ChildProcesses.onInterrupt(() -> salvage(plan, runs, machine, source));
        }
        for (int round = 1; round <= sequential.lastRound(); round++) {
            if (rounds > 1) {
                ChildProcesses.whenInterrupted(PREFIX + "interrupted in round " + round + "/"
                        + sequential.target(round) + ": each pair's finished rounds are joined into its JSON (fewer"
                        + " forks than planned; its sidecar lists the JMH invocations that ran); JMH's output is in the .log files of "
                        + projectDir.relativize(runDir));
            }
            List<PairRun> inOrder = CompareWith.roundOrder(runs, round, plan.options().compareWith() != null);
            for (int i = 0; i < inOrder.size(); i++) {
                PairRun run = inOrder.get(i);
                if (round == 1 || !run.selection.isEmpty()) {
                    out.println();
                    out.println(rounds > 1
                            ? "=== round " + round + "/" + sequential.target(round) + ": " + run.pair.describe()
                            : "=== " + (i + 1) + "/" + runs.size() + " " + run.pair.describe());
                }
                if (round == 1) {
                    run.selection.leftOutNote("JDK " + run.pair.jdk().version()).ifPresent(out::println);
                }
                if (run.selection.isEmpty()) {
                    if (round == 1) {
                        out.println("nothing to run on JDK " + run.pair.jdk().version());
                    }
                } else {
                    runRound(plan, run, round, runDir, sequential);
                }
            }
            // Node runs the preset's rounds only: the sequential looks add rounds to the JVM pairs' undecided lessons.
            if (node.isPresent() && round <= forks.rounds()) {
                node.get().runRound(plan.options().preset(), forks.inRounds() ? 1 : forks.forks(), plan.jmhArgs(),
                        round, forks.rounds(), runDir, out);
            }
            if (sequential.isLook(round)) {
                sequential.afterLook(round, runs, runDir, out);
            }
        }
        if (node.isPresent()) {
            nodeJson = node.get().finish();
        }
        for (PairRun run : runs) {
            pairResults.add(finish(plan, run, machine, source, sequential));
        }
        ChildProcesses.onInterrupt(null);
        return pairResults;
    }

    /**
     * On an interrupt (the shutdown hook, after JMH is stopped): joins each pair's finished rounds into its JSON
     * and sidecar, so a run stopped in its last minutes keeps what it measured. A round in progress is lost (its
     * JMH was stopped mid-way); a pair already joined is left alone. Returns one line per pair it wrote.
     */
    List<String> salvage(Plan plan, List<PairRun> runs, Map<String, Object> machine, Map<String, Object> source) {
        List<String> kept = new ArrayList<>();
        for (PairRun run : runs) {
            synchronized (run) {
                if (run.result != null || run.roundFiles.isEmpty()) {
                    continue;
                }
                try {
                    PairResult result = finish(plan, run, machine, source);
                    result.json().ifPresent(json -> kept.add(projectDir.relativize(json) + ": "
                            + run.roundFiles.size() + " of " + plan.forkPlan().rounds() + " rounds"));
                } catch (IOException | RuntimeException e) {
                    err.println(PREFIX + "could not join the finished rounds of " + run.pair.label() + ": "
                            + e.getMessage());
                }
            }
        }
        for (String line : kept) {
            err.println(PREFIX + "kept " + line);
        }
        return kept;
    }

    /** One round of one pair: each of its JMH invocations once; the round's rows go into one file. */
    private void runRound(Plan plan, PairRun run, int round, Path runDir, SequentialRounds sequential)
            throws IOException, InterruptedException {
        ForkPlan forks = plan.forkPlan();
        String roundTag = forks.inRounds() ? ".r" + round : "";
        String roundLabel = forks.inRounds() ? "round " + round + "/" + sequential.target(round) + ": " : "";
        List<Group> groups = sequential.selectionFor(run.selection).groups();
        if (groups.isEmpty()) {
            return;
        }
        List<Path> parts = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            Path part = ResultsFolder.temporaryFor(run.json, roundTag + (groups.size() == 1 ? "" : "." + (g + 1)));
            ChildProcesses.partial(part);
            List<String> command = jmhCommand(plan, run.pair, run.selection, group, part, runDir);
            if (groups.size() > 1) {
                out.println("--- JMH invocation " + (g + 1) + "/" + groups.size() + ": "
                        + String.join(", ", group.names()));
            }
            run.commands.add(shellQuoted(command));
            String shown = "$ " + shellQuoted(command) + System.lineSeparator();
            out.print(shown);
            if (run.start == null) {
                run.start = Instant.now();
                run.loadBefore = RunMetadata.loadAverage();
            }
            RunMetadata.CpuTicks cpuBefore = RunMetadata.cpuTicks();
            long invocationStart = System.nanoTime();
            ChildProcesses.Outcome outcome;
            // Appended per invocation: the log holds every round; the first one must be new (never another run's).
            try (OutputStream logStream = Files.newOutputStream(run.log, run.commands.size() == 1
                    ? StandardOpenOption.CREATE_NEW : StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                logStream.write(shown.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                outcome = ChildProcesses.runTee(command, out, logStream);
            }
            double seconds = (System.nanoTime() - invocationStart) / 1e9;
            Double otherCores = RunMetadata.otherCores(cpuBefore, RunMetadata.cpuTicks(), seconds);
            if (otherCores != null) {
                run.otherCoreSeconds += otherCores * seconds;
                run.otherSeconds += seconds;
            }
            run.end = Instant.now();
            run.loadAfter = RunMetadata.loadAverage();
            List<BenchmarkSelection.Unit> units = run.selection.unitsOf(group);
            double each = seconds / Math.max(1, units.size());
            units.forEach(unit -> run.unitSeconds.merge(unit.key(), each, Double::sum));
            if (outcome.logFailure() != null) {
                throw new IOException("cannot write " + run.log + ": " + outcome.logFailure().getMessage());
            }
            if (outcome.lockBusy()) {
                run.problems.add(roundLabel + "another JMH run held its lock: set JMH_IGNORE_LOCK=true to run beside it");
            }
            if (outcome.exitCode() != 0) {
                run.problems.add(roundLabel + "JMH exited with " + outcome.exitCode() + " (see "
                        + projectDir.relativize(run.log) + ")");
            }
            if (Files.isRegularFile(part) && Files.size(part) > 0) {
                parts.add(part);
            } else {
                run.problems.add(roundLabel + "JMH wrote no JSON" + (groups.size() > 1 ? " for invocation " + (g + 1) : ""));
                Files.deleteIfExists(part);
                ChildProcesses.notPartial(part);
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        Path roundFile = parts.get(0);
        if (parts.size() > 1) {
            roundFile = ResultsFolder.temporaryFor(run.json, roundTag);
            ChildProcesses.partial(roundFile);
            JmhJson.concatenate(parts, roundFile);
            for (Path part : parts) {
                Files.deleteIfExists(part);
                ChildProcesses.notPartial(part);
            }
        }
        if (forks.inRounds()) {
            try {
                ForkMerge.read(roundFile);
            } catch (IOException broken) {
                run.problems.add(roundLabel + broken.getMessage() + " (left out of the merge)");
                Files.deleteIfExists(roundFile);
                ChildProcesses.notPartial(roundFile);
                return;
            }
        }
        synchronized (run) {
            if (run.result == null) {
                run.roundFiles.add(roundFile);
                run.roundNumbers.add(round);
                return;
            }
        }
        // The pair was joined already (an interrupt kept its finished rounds): this round comes too late.
        Files.deleteIfExists(roundFile);
        ChildProcesses.notPartial(roundFile);
    }

    /** Joins a pair's rounds into its JSON, writes its sidecar and lists the rows without a result. */
    private PairResult finish(Plan plan, PairRun run, Map<String, Object> machine, Map<String, Object> source)
            throws IOException {
        return finish(plan, run, machine, source, null);
    }

    private PairResult finish(Plan plan, PairRun run, Map<String, Object> machine, Map<String, Object> source,
                              SequentialRounds sequential) throws IOException {
        synchronized (run) {
            if (run.result == null) {
                run.result = join(plan, run, machine, source, sequential);
            }
            return run.result;
        }
    }

    private PairResult join(Plan plan, PairRun run, Map<String, Object> machine, Map<String, Object> source,
                            SequentialRounds sequential) throws IOException {
        if (run.selection.isEmpty()) {
            return new PairResult(run.pair, Optional.empty(), new TreeSet<>(), run.problems);
        }
        Optional<Path> written = Optional.empty();
        // Which round each fork ran in, the plan and its looks: read before the round files are merged away.
        Map<String, Object> sequentialPart = run.roundFiles.isEmpty() ? Map.of()
                : (sequential != null ? sequential : SequentialRounds.of(plan.forkPlan(), plan.options().preset()))
                        .sidecarPart(run);
        if (run.roundFiles.size() == 1) {
            ResultsFolder.promote(run.roundFiles.get(0), run.json);
            written = Optional.of(run.json);
        } else if (run.roundFiles.size() > 1) {
            Path merged = ResultsFolder.temporaryFor(run.json, ".merged");
            ChildProcesses.partial(merged);
            ForkMerge.merge(run.roundFiles, merged);
            ResultsFolder.promote(merged, run.json);
            ChildProcesses.notPartial(merged);
            for (Path roundFile : run.roundFiles) {
                Files.deleteIfExists(roundFile);
            }
            written = Optional.of(run.json);
        }
        run.roundFiles.forEach(ChildProcesses::notPartial);
        if (written.isPresent()) {
            ForkPlan forks = plan.forkPlan();
            Map<String, Object> meta = RunMetadata.content(machine, source, plan.options().preset().describe(),
                    run.pair.jdk().version(), run.pair.userFlags(), run.commands, run.start, run.end, run.loadBefore,
                    run.loadAfter, plan.options().shard() == null ? null : plan.options().shard().label(),
                    run.unitSeconds, run.otherSeconds > 0 ? run.otherCoreSeconds / run.otherSeconds : null,
                    forks.effectiveOrder().label(), forks.rounds());
            meta.putAll(sequentialPart);
            meta.put(HostProbe.KEY, host == null ? null : host.json());
            // The invocation: only its own parts (shards, rounds) are merged into one run by the report.
            meta.put("runId", runId);
            if (run.pair.side() != null) {
                meta.put("side", run.pair.side());
                meta.put("benchmarksJar", run.pair.benchmarksJar() == null ? jar.toString()
                        : run.pair.benchmarksJar().toString());
            }
            RunMetadata.write(written.get(), meta);
        }
        SortedSet<String> missing = new TreeSet<>(run.selection.expected());
        if (written.isPresent()) {
            try {
                missing.removeAll(JmhJson.resultKeys(run.json));
            } catch (IOException e) {
                run.problems.add(e.getMessage());
            }
        }
        return new PairResult(run.pair, written, missing, run.problems);
    }

    List<String> jmhCommand(Plan plan, Pair pair, BenchmarkSelection selection, Group group, Path jsonOut,
            Path runDir) {
        List<String> command = new ArrayList<>();
        command.add(pair.jdk().java().toString());
        command.addAll(pair.jdk().launcherFlags());
        if (ignoreJmhLock()) {
            command.add("-Djmh.ignoreLock=true");
        }
        command.addAll(List.of("-jar", (pair.benchmarksJar() == null ? jar : pair.benchmarksJar()).toString()));
        // Every invocation gets its own fork count (one per round; a lesson's own larger @Fork): ForkPlan.
        command.addAll(List.of("-f", Integer.toString(group.forks())));
        command.addAll(plan.options().preset().jmhArgs(plan.jmhArgs()));
        command.addAll(plan.userArgs());
        command.addAll(selection.jmhArgsFor(group));
        command.addAll(profilerArgs(plan, pair, runDir));
        command.addAll(List.of("-rf", "json", "-rff", jsonOut.toString()));
        // JMH splits this one value on spaces into flags; given twice, JMH refuses it.
        command.addAll(List.of("-jvmArgsPrepend", String.join(" ", pair.forkFlags(group.ownPrepend()))));
        return command;
    }

    /** The command as a shell would take it, so a reader can run one JMH invocation again by hand. */
    static String shellQuoted(List<String> command) {
        return command.stream()
                .map(arg -> arg.matches("[A-Za-z0-9_./=:,+@%-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    private List<String> profilerArgs(Plan plan, Pair pair, Path runDir) {
        List<String> args = new ArrayList<>();
        // Always on: two reads of /proc/self/stat per iteration, and every run then shows whether its measured
        // iterations paid for first touches of heap pages (a host property) instead of the lesson.
        if (!plan.jmhArgs().profiles(perfmastery.support.PageFaultProfiler.NAME)) {
            args.addAll(List.of("-prof", perfmastery.support.PageFaultProfiler.NAME));
        }
        for (String profiler : plan.options().profilers()) {
            switch (profiler) {
                case "gc", "stack" -> {
                    if (!plan.jmhArgs().profiles(profiler)) {
                        args.addAll(List.of("-prof", profiler));
                    }
                }
                case "async" -> args.addAll(List.of("-prof", "async:libPath=" + plan.asyncLibrary().orElseThrow()
                        + ";event=cpu;output=flamegraph;dir=" + runDir.resolve("async").resolve(pair.label())));
                case "jfr" -> args.addAll(List.of("-prof", "jfr:dir=" + runDir.resolve("jfr").resolve(pair.label())));
                default -> throw new IllegalStateException("unknown profiler " + profiler);
            }
        }
        return args;
    }

    // ---------------------------------------------------------------- after the runs

    private boolean hasClass(String className) {
        return RunMain.class.getClassLoader().getResource(className.replace('.', '/') + ".class") != null;
    }

    private List<Path> runReport(Plan plan, List<PairResult> pairResults, Path runDir)
            throws IOException, InterruptedException {
        String margin = plan.options().margin();
        Optional<Path> baseJson = pairResults.stream().filter(r -> CompareWith.BASE.equals(r.pair().side()))
                .flatMap(r -> r.json().stream()).findFirst();
        boolean compareWith = plan.options().compareWith() != null && baseJson.isPresent();
        List<String> jsonFiles = pairResults.stream().flatMap(r -> r.json().stream())
                .filter(json -> baseJson.isEmpty() || !json.equals(baseJson.get())).map(Path::toString)
                .collect(Collectors.toList());
        nodeJson.ifPresent(json -> jsonFiles.add(json.toString()));
        if (jsonFiles.isEmpty()) {
            return List.of();
        }
        out.println();
        if (!hasClass(REPORT_MAIN)) {
            out.println("No report: " + REPORT_MAIN + " is not in this jar; JMH's own tables are in the .log files.");
            return List.of();
        }
        out.println("=== report");
        List<String> command = toolCommand(REPORT_MAIN);
        command.addAll(List.of("--out", runDir.toString()));
        if (compareWith) {
            // Base against head, gated: the base's JSON is the baseline (the first pair is the base).
            command.addAll(List.of("--baseline", baseJson.get().toString(), "--fail-on", "regressions"));
            if (margin != null) {
                command.addAll(List.of("--margin", margin));
            }
        }
        // One invocation may run the same configuration twice on purpose (--jvm-args "" --jvm-args "", to see the
        // noise): the report keeps such files as separate runs instead of refusing them as one run's duplicates.
        command.add("--allow-duplicate-rows");
        command.addAll(jsonFiles);
        int code = ChildProcesses.runInheriting(command, projectDir);
        reportExit = code;
        if (code != 0 && !(compareWith && code == ExitCode.REGRESSION)) {
            out.println("the report exited with " + code);
        }
        return Stream.of("report.md", "report.html").map(runDir::resolve).filter(Files::isRegularFile)
                .collect(Collectors.toList());
    }

    private int summarize(Plan plan, Path runDir, List<PairResult> pairResults, List<Path> report)
            throws IOException {
        out.println();
        out.println("=== summary");
        out.println("Settings: preset " + plan.options().preset().describe() + "; profilers "
                + (plan.options().profilers().isEmpty() ? "none" : String.join(",", plan.options().profilers()))
                + (plan.jmhArgs().args().isEmpty() ? "" : "; JMH args " + String.join(" ", plan.jmhArgs().args())));
        boolean failed = false;
        for (PairResult result : pairResults) {
            int expected = plan.selections().get(result.pair().jdk()).expected().size();
            String status = result.json().isEmpty() && expected == 0 ? "nothing to run"
                    : (expected - result.missing().size()) + "/" + expected + " benchmark x params with a result";
            out.println(result.pair().label() + ": " + status);
            for (String problem : result.problems()) {
                out.println("  problem: " + problem);
                failed = true;
            }
            for (String missing : result.missing()) {
                out.println("  missing or failed: " + missing);
                failed = true;
            }
        }
        if (node.isPresent()) {
            failed |= node.get().summarize(out, nodeJson);
        }
        out.println("Files written under " + projectDir.relativize(runDir) + ":");
        try (Stream<Path> files = Files.walk(runDir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                out.println("  " + runDir.relativize(file));
            }
        }
        if (!report.isEmpty()) {
            out.println("Report: " + report.stream().map(f -> projectDir.relativize(f).toString())
                    .collect(Collectors.joining(" and ")));
        }
        if (failed) {
            out.println("Some benchmarks have no result (listed above): the others are kept. Exit 1.");
            return ExitCode.BENCHMARKS_FAILED;
        }
        if (plan.options().compareWith() != null && reportExit == ExitCode.REGRESSION) {
            out.println("Regression gate: the head is slower than the base by more than the margin (see the report's"
                    + " first table). Exit " + ExitCode.REGRESSION + ".");
            return ExitCode.REGRESSION;
        }
        return ExitCode.OK;
    }

    // ---------------------------------------------------------------- subcommands

    private List<String> toolCommand(String mainClass) {
        Jdk self = Jdk.current();
        List<String> command = new ArrayList<>();
        command.add(self.java().toString());
        command.addAll(self.attachFlags());
        if (mainClass.equals(REPORT_MAIN)) {
            command.addAll(reportJvmFlags());
        }
        if (mainClass.equals(WORKER_FOOTPRINT_MAIN)) {
            // A pinned, pre-touched heap keeps heap growth out of RSS; NMT gives the thread-stack column.
            command.addAll(List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary"));
        }
        command.addAll(List.of("-cp", jar.toString(), mainClass));
        return command;
    }

    /** Where the report's JVM flags are kept, for this class and for run-benchmarks.sh (src/main/resources/...). */
    static final String REPORT_JVM_FLAGS = "perfmastery/report/jvm-flags";

    /** The report's JVM flags: the non-comment lines of {@link #REPORT_JVM_FLAGS}. */
    static List<String> reportJvmFlags() {
        try (InputStream in = RunMain.class.getClassLoader().getResourceAsStream(REPORT_JVM_FLAGS)) {
            if (in == null) {
                throw new IllegalStateException(REPORT_JVM_FLAGS + " is missing from the jar: rebuild with ./mvnw package");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int tool(String mainClass, String what, List<String> args) throws UsageError, IOException,
            InterruptedException {
        if (!hasClass(mainClass)) {
            throw new UsageError(what + " is not in this jar yet (" + mainClass + "): rebuild with ./mvnw package"
                    + (mainClass.equals(REPORT_MAIN) ? "; until then JMH's own tables are in each run's .log" : ""));
        }
        List<String> command = toolCommand(mainClass);
        command.addAll(args);
        return ChildProcesses.runInheriting(command, callerDir);
    }

    private int list(List<String> args) throws IOException, InterruptedException {
        Jdk self = Jdk.current();
        List<String> command = new ArrayList<>();
        command.add(self.java().toString());
        command.addAll(self.launcherFlags());
        command.addAll(List.of("-jar", jar.toString(), "-lp"));
        command.addAll(!args.isEmpty() && args.get(0).equals("--") ? args.subList(1, args.size()) : args);
        return ChildProcesses.runInheriting(command, callerDir);
    }

    static String usage() {
        return """
                Usage: ./run-benchmarks.sh [options] [-- JMH options and benchmark regexes]
                       ./run-benchmarks.sh list [regex...]          the benchmarks and their params
                       ./run-benchmarks.sh report ARGS              the report over JMH JSON files
                       ./run-benchmarks.sh heap-compare ARGS        perfmastery.heap.HeapCompare
                       ./run-benchmarks.sh footprint ARGS           perfmastery.heap.Footprint
                       ./run-benchmarks.sh worker-footprint ARGS    memory per parked thread, virtual thread, child

                Runs the suite (or the benchmarks the regexes after -- select) once per JDK and flag set,
                writes results/runs/<UTC time>/jdk-<version>[-<flags>].json and .log, the report, and
                points results/latest at that folder.

                Options:
                  --preset smoke|quick|full  smoke = -f 1 -wi 1 -w 200ms -i 1 -r 200ms (does it run)
                                             quick = -f 3 -wi 1 -w 800ms -i 3 -r 400ms (default)
                                             full  = -f 3 -wi 5 -w 1s -i 5 -r 1s
                  --jdk DIR                  run on this JDK (repeatable); default: the java running this
                  --runtime node             also run the lessons' Node forms (node/), round by round beside
                                             the JDKs (same as --jdk node); skipped with one line without node
                  --jvm-args "FLAGS"         run each JDK once per flag set (repeatable), e.g.
                                             --jvm-args "-XX:+UseSerialGC" --jvm-args "-XX:+UseParallelGC"
                  --profile gc|async|jfr|stack  add a JMH profiler (repeatable); gc is always on
                  --no-gc                    leave out -prof gc
                  --shard K/N                run only the K-th of N parts of the selection (whole lessons
                                             dealt by expected time; the N parts cover it exactly once)
                  --timings DIR              with --shard: expected times from that run folder's sidecars
                                             (same preset), e.g. results/reference; else the preset's estimate
                  --fork-order rounds|consecutive
                                             rounds (default): the F forks of quick/full (or -f F after --)
                                             run as F rounds of -f 1, each round running every JDK and flag
                                             set in turn, so a row's forks are minutes apart and the runs
                                             compared alternate; the rounds are joined into one JSON per
                                             run. consecutive: JMH's own order, -f F in one invocation.
                                             A lesson's own @Fork above F is kept (not under smoke or -f)
                  --compare-with JAR|REF     the regression gate: run the same selection on a base (a JMH
                                             jar, or a git ref built in a temporary worktree) and on this
                                             head, in the same rounds, order alternating (ABBA), one JDK;
                                             exit 4 when a row is slower (or allocates more) than the base
                                             by more than the margin (docs/gate.md)
                  --margin P%                the gate's margin (default 5%)
                  --                         the rest goes to JMH unchanged: regexes, -p name=v1,v2, -f 2...
                  -h, --help                 this text

                Environment: JAVA_HOME (the java that runs this), ASYNC_PROFILER_LIB (your own
                libasyncProfiler.so for --profile async), JMH_IGNORE_LOCK=true (run beside another JMH run).
                Exit codes: 0 all results, 1 some benchmark failed or has no result, 2 bad input,
                3 results could not be written or another JMH run holds its lock, 4 the regression gate
                found a regression (--compare-with).
                """;
    }
}
