package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.runner.BenchmarkSelection.Benchmark;

/**
 * RunMain's answers to bad input, as return codes: every one is found before anything is run or written; and
 * its fork rounds, run with a fake java that plays JMH.
 */
class RunMainTest {

    @TempDir
    Path project;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        RunMain main = new RunMain(project, project.resolve("target/benchmarks.jar"), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return main.run(args);
    }

    private void assertBadInput(String expectedText, String... args) {
        assertBadInput(Map.of(), expectedText, args);
    }

    private void assertBadInput(Map<String, String> env, String expectedText, String... args) {
        out.reset();
        err.reset();
        assertEquals(ExitCode.BAD_INPUT, run(env, args), String.join(" ", args));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("run-benchmarks.sh: "), message);
        assertTrue(message.contains(expectedText), message);
        assertEquals(1, message.lines().count(), "one line: " + message);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(project.resolve("results")), "bad input writes nothing");
    }

    @Test
    void everyBadInputGetsOneLineAndExit2BeforeAnythingRuns() {
        assertBadInput("unknown option --presets", "--presets", "smoke");
        assertBadInput("unknown preset 'medium'", "--preset", "medium");
        assertBadInput("unknown profile 'perfasm'", "--profile", "perfasm");
        assertBadInput("is not a JDK: it has no bin/java", "--jdk", project.toString());
        assertBadInput("is not a JDK: it has no bin/java", "--jdk", project.resolve("nowhere").toString());
        assertBadInput("no benchmark matches 'NoSuchBenchmark'", "--", "NoSuchBenchmark");
        assertBadInput("no benchmark matches 'Fibonaci'", "--", "Fibonacci", "Fibonaci");
        assertBadInput("not a valid regex", "--", "Fib(");
        assertBadInput("leave no benchmark", "--", "Fibonacci", "-e", "Fib");
        assertBadInput("JMH cannot parse", "--", "-f", "two");
        assertBadInput("-foe", "--", "-foe", "true");
        assertBadInput("-rf/-rff", "--", "-rff", "x.json");
        assertBadInput("--jvm-args", "--", "-jvmArgsPrepend", "-Xmx1g");
        assertBadInput("-jvmArgs after --", "--", "-jvmArgs", "-Xmx2g");
        assertBadInput("--shard wants K/N", "--shard", "3/2", "--", "Fibonacci");
        assertBadInput("--timings only deals shards", "--timings", "results", "--", "Fibonacci");
        assertBadInput("is not a folder", "--shard", "1/2", "--timings", "no-such-folder", "--", "Fibonacci");
        assertBadInput("-jvmArgsAppend after --: it would replace a lesson's own", "--", "-jvmArgsAppend", "-Xmx2g");
        assertBadInput("./run-benchmarks.sh list", "--", "-l");
        assertBadInput("unexpected argument 'Fibonacci'", "Fibonacci");
        assertBadInput("refuses --jvm-args \"-Xmx1g -XX:+NoSuchFlag\"", "--jvm-args", "-Xmx1g -XX:+NoSuchFlag",
                "--", "FibonacciBenchmark");
    }

    @Test
    void aMissingAsyncProfilerLibraryIsBadInput() {
        assertBadInput("no async-profiler library at", "--profile", "async", "--", "Fibonacci");
        assertBadInput(Map.of("ASYNC_PROFILER_LIB", project.resolve("nope.so").toString()),
                "ASYNC_PROFILER_LIB=", "--profile", "async", "--", "Fibonacci");
    }

    @Test
    void resultsThatCannotBeWrittenGetOneLineAndExit3(@TempDir Path elsewhere) throws Exception {
        Files.writeString(project.resolve("results"), "a file where the results folder should be");
        int code = run(Map.of("JMH_IGNORE_LOCK", "true"), "--preset", "smoke", "--", "FibonacciBenchmark.iterative");
        assertEquals(ExitCode.CANNOT_WRITE, code);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("run-benchmarks.sh: cannot write the results: "), message);
        assertEquals(1, message.lines().count(), message);
        assertEquals("a file where the results folder should be", Files.readString(project.resolve("results")));
    }

    @Test
    void aToolThatIsNotInTheJarIsBadInput() {
        RunMain main = new RunMain(project, project.resolve("target/benchmarks.jar"), Map.of(), System.out, System.err);
        UsageError error = org.junit.jupiter.api.Assertions.assertThrows(UsageError.class,
                () -> main.tool("perfmastery.nowhere.Missing", "missing", java.util.List.of()));
        assertEquals("missing is not in this jar yet (perfmastery.nowhere.Missing): rebuild with ./mvnw package",
                error.getMessage());
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(ExitCode.OK, run(Map.of(), "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--preset smoke|quick|full"));
    }

    @Test
    void asyncProfilerPlatforms() {
        assertEquals("linux-x64", RunMain.asyncProfilerPlatform("Linux", "amd64"));
        assertEquals("linux-arm64", RunMain.asyncProfilerPlatform("Linux", "aarch64"));
        assertEquals("macos", RunMain.asyncProfilerPlatform("Mac OS X", "aarch64"));
        assertEquals(null, RunMain.asyncProfilerPlatform("Windows 11", "amd64"));
    }

    @Test
    void theJmhCommandUsesPrependNeverAppendOrFoeAndTheUsersArgsUnchanged() throws Exception {
        Jdk jdk25 = new Jdk(Path.of("/jdk25"), "25.0.3", 25);
        RunOptions options = RunOptions.parse(java.util.List.of("--preset", "smoke", "--jvm-args", "-XX:+UseSerialGC",
                "--profile", "jfr", "--", "Fibonacci", "-f", "2"));
        JmhArgs jmhArgs = JmhArgs.parse(options.jmhArgs());
        ForkPlan forks = ForkPlan.of(options.forkOrder(), options.preset(), jmhArgs);
        var all = BenchmarkSelection.matching(readList(), jmhArgs.includes(), jmhArgs.excludes());
        BenchmarkSelection selection = BenchmarkSelection.forJdk(all, jmhArgs::param, true, "JDK 25",
                forks::forksPerInvocation);
        Pair pair = Pair.of(java.util.List.of(jdk25), options.flagSetsOrDefault()).get(0);
        RunMain.Plan plan = new RunMain.Plan(options, jmhArgs, java.util.List.of(pair), Map.of(jdk25, selection),
                java.util.Optional.empty(), forks, jmhArgs.argsWithoutForks());
        RunMain main = new RunMain(project, Path.of("/p/target/benchmarks.jar"), Map.of(), System.out, System.err);
        java.util.List<String> command = main.jmhCommand(plan, pair, selection, selection.groups().get(0),
                Path.of("/run/.x.json.partial"), Path.of("/run"));
        String joined = String.join(" ", command);
        assertTrue(joined.startsWith("/jdk25/bin/java --sun-misc-unsafe-memory-access=allow"
                + " --enable-native-access=ALL-UNNAMED -jar /p/target/benchmarks.jar"), joined);
        assertTrue(joined.contains(" -f 1 -wi 1 -w 200ms -i 1 -r 200ms Fibonacci -prof "
                + perfmastery.support.PageFaultProfiler.NAME + " -prof gc "),
                "the user's -f 2 is two rounds of -f 1: " + joined);
        assertEquals(1, java.util.Collections.frequency(command, "-f"), joined);
        assertEquals(2, plan.forkPlan().rounds());
        assertFalse(command.contains("-foe") || command.contains("-jvmArgsAppend"), joined);
        assertTrue(joined.contains("-prof gc -prof jfr:dir=/run/jfr/jdk-25.0.3-UseSerialGC"), joined);
        int prepend = command.indexOf("-jvmArgsPrepend");
        // The launcher flags are on the host's command line, which forks inherit: given once, not twice.
        assertEquals("-Djdk.attach.allowAttachSelf=true -XX:+EnableDynamicAgentLoading -XX:+UseSerialGC",
                command.get(prepend + 1));
        assertEquals(java.util.List.of("-rf", "json", "-rff", "/run/.x.json.partial"),
                command.subList(prepend - 4, prepend));
    }

    // ---------------------------------------------------------------- fork rounds, with a fake JMH

    private static final Benchmark PLAIN = new Benchmark("p.A.run", Map.of(), java.util.List.of(), 2);
    /** A lesson asking for more forks than quick's 3: 2 per round. */
    private static final Benchmark MANY_FORKS = new Benchmark("p.B.run", Map.of(), java.util.List.of(), 6);

    /**
     * A java that records its arguments, one line per invocation, and writes a JMH JSON with one row per
     * benchmark not excluded, each fork's single value being the invocation's number; the invocation
     * numbered {@code failing} exits 1 without JSON.
     */
    private Jdk fakeJdk(Path record, int failing) throws Exception {
        return fakeJdk(record, failing, 0, project.resolve("never"));
    }

    /** As above; the invocation numbered {@code blocking} waits until {@code release} exists, then exits 1. */
    private Jdk fakeJdk(Path record, int failing, int blocking, Path release) throws Exception {
        Path bin = Files.createDirectories(project.resolve("fake-jdk/bin"));
        String script = """
                #!/bin/bash
                echo "$*" >> 'RECORD'
                n=$(wc -l < 'RECORD')
                out=""; forks=1; prev=""
                for a in "$@"; do
                  if [ "$prev" = "-rff" ]; then out="$a"; fi
                  if [ "$prev" = "-f" ]; then forks="$a"; fi
                  prev="$a"
                done
                echo "fake JMH invocation $n"
                if [ "$n" = "FAILING" ]; then exit 1; fi
                if [ "$n" = "BLOCKING" ]; then
                  for ((w=0; w<1200; w++)); do [ -e 'RELEASE' ] && break; sleep 0.05; done
                  exit 1
                fi
                rows=""
                for name in p.A.run p.B.run; do
                  case "$*" in *"\\Q$name\\E"*) continue;; esac
                  data=""
                  for ((k=0; k<forks; k++)); do data="$data${data:+,}[$n.0]"; done
                  row="{\\\"jmhVersion\\\":\\\"1.37\\\",\\\"benchmark\\\":\\\"$name\\\",\\\"mode\\\":\\\"avgt\\\",\\\"forks\\\":$forks,"
                  row="$row\\\"primaryMetric\\\":{\\\"score\\\":$n.0,\\\"scoreError\\\":\\\"NaN\\\",\\\"scorePercentiles\\\":{\\\"0.0\\\":$n.0,\\\"100.0\\\":$n.0},"
                  row="$row\\\"scoreUnit\\\":\\\"ms/op\\\",\\\"rawData\\\":[$data]},\\\"secondaryMetrics\\\":{}}"
                  rows="$rows${rows:+,}$row"
                done
                printf '[%s]\n' "$rows" > "$out"
                """.replace("RECORD", record.toString()).replace("FAILING", Integer.toString(failing))
                .replace("BLOCKING", Integer.toString(blocking)).replace("RELEASE", release.toString());
        Path launcher = Files.writeString(bin.resolve("java"), script);
        assertTrue(launcher.toFile().setExecutable(true));
        return new Jdk(project.resolve("fake-jdk"), "17.0.99", 17);
    }

    private RunMain.Plan plan(Jdk jdk, String... args) throws Exception {
        RunOptions options = RunOptions.parse(java.util.List.of(args));
        JmhArgs jmhArgs = JmhArgs.parse(options.jmhArgs());
        ForkPlan forks = ForkPlan.of(options.forkOrder(), options.preset(), jmhArgs);
        BenchmarkSelection selection = BenchmarkSelection.forJdk(java.util.List.of(PLAIN, MANY_FORKS),
                name -> java.util.Optional.empty(), false, "JDK 17", forks::forksPerInvocation);
        return new RunMain.Plan(options, jmhArgs, Pair.of(java.util.List.of(jdk), options.flagSetsOrDefault()),
                Map.of(jdk, selection), java.util.Optional.empty(), forks, jmhArgs.argsWithoutForks());
    }

    private java.util.List<RunMain.PairResult> runPairs(RunMain.Plan plan, Path runDir) throws Exception {
        RunMain main = new RunMain(project, project.resolve("benchmarks.jar"), Map.of("JMH_IGNORE_LOCK", "true"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return main.runPairs(plan, Files.createDirectories(runDir));
    }

    @Test
    void forkRoundsAlternateThePairsWithOneForkPerInvocationAndJoinIntoOneJsonPerPair() throws Exception {
        Path record = project.resolve("record.txt");
        // The 5th invocation (round 2, first pair, p.A.run) fails: the other rounds are still run and joined.
        RunMain.Plan plan = plan(fakeJdk(record, 5), "--preset", "quick", "--no-gc", "--jvm-args", "-Dpair=1",
                "--jvm-args", "-Dpair=2");
        Path runDir = project.resolve("results/runs/r");
        java.util.List<RunMain.PairResult> results = runPairs(plan, runDir);

        java.util.List<String> invocations = Files.readAllLines(record);
        assertEquals(12, invocations.size(), "3 rounds x 2 pairs x 2 groups");
        for (int i = 0; i < invocations.size(); i++) {
            String line = invocations.get(i);
            String pair = (i / 2) % 2 == 0 ? "-Dpair=1" : "-Dpair=2";
            assertTrue(line.contains(pair), "round by round, the pairs alternate: " + i + ": " + line);
            boolean plain = i % 2 == 0;
            assertTrue(line.contains(plain ? " -f 1 " : " -f 2 "), "one fork per round; p.B.run's own @Fork(6)"
                    + " is 2 per round: " + line);
            assertTrue(line.contains(plain ? "\\Qp.B.run\\E" : "\\Qp.A.run\\E"), "grouped apart: " + line);
        }
        String console = out.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("=== round 1/3: jdk-17.0.99-Dpair=1: "), console);
        assertTrue(console.indexOf("=== round 3/3: jdk-17.0.99-Dpair=2: ") > console.indexOf(
                "=== round 2/3: jdk-17.0.99-Dpair=2: "), console);

        assertEquals(2, results.size());
        RunMain.PairResult first = results.get(0);
        assertEquals(java.util.List.of("round 2/3: JMH exited with 1 (see results/runs/r/jdk-17.0.99-Dpair=1.log)",
                "round 2/3: JMH wrote no JSON for invocation 1"), first.problems());
        assertTrue(first.missing().isEmpty(), "every row has a result from some round: " + first.missing());
        assertEquals(java.util.List.of(), results.get(1).problems());

        tools.jackson.databind.ObjectMapper mapper = new tools.jackson.databind.ObjectMapper();
        var rows = mapper.readTree(first.json().orElseThrow().toFile());
        assertEquals(2, rows.size());
        assertEquals("p.A.run", rows.get(0).get("benchmark").asString());
        assertEquals(2, rows.get(0).get("forks").asInt(), "round 2 failed for it");
        assertEquals("[[1.0],[9.0]]", rows.get(0).get("primaryMetric").get("rawData").toString());
        assertEquals(5.0, rows.get(0).get("primaryMetric").get("score").asDouble(), 0);
        assertEquals(6, rows.get(1).get("forks").asInt());
        assertEquals("[[2.0],[2.0],[6.0],[6.0],[10.0],[10.0]]",
                rows.get(1).get("primaryMetric").get("rawData").toString());
        var second = mapper.readTree(results.get(1).json().orElseThrow().toFile());
        assertEquals("[[3.0],[7.0],[11.0]]", second.get(0).get("primaryMetric").get("rawData").toString());

        var sidecar = mapper.readTree(RunMetadata.sidecarOf(first.json().orElseThrow()).toFile());
        assertEquals("rounds", sidecar.get("forkOrder").asString());
        assertEquals(3, sidecar.get("rounds").asInt());
        // Which round each fork ran in (round 2 failed for p.A.run; p.B.run's @Fork(6) is 2 forks per round), and the
        // quick preset's sequential plan with its first look, which stopped the run: the fake lessons have no claims.
        assertEquals("[1,3]", sidecar.get("forkRounds").get(0).get("rounds").toString());
        assertEquals("[1,1,2,2,3,3]", sidecar.get("forkRounds").get(1).get("rounds").toString());
        assertEquals("quick", sidecar.get("sequentialPlan").get("preset").asString());
        assertEquals(3, sidecar.get("sequentialPlan").get("looks").size());
        assertEquals("every claim is decided", sidecar.get("looks").get(0).get("stop").asString());
        assertEquals(6, sidecar.get("jmhCommands").size(), "every invocation of the pair");
        assertTrue(sidecar.get("jmhCommands").get(1).asString().contains("-Dpair=1"));
        assertTrue(java.time.Instant.parse(sidecar.get("start").asString())
                .isBefore(java.time.Instant.parse(sidecar.get("end").asString())));
        assertEquals(java.util.Set.of("p.A.run", "p.B.run"), new java.util.TreeSet<>(
                sidecar.get("unitSeconds").propertyNames()));
        String log = Files.readString(runDir.resolve("jdk-17.0.99-Dpair=1.log"));
        assertEquals(6, log.lines().filter(l -> l.startsWith("$ ")).count(), "every round's invocations: " + log);
        assertTrue(log.contains("fake JMH invocation 9"), log);
        try (var files = Files.list(runDir)) {
            assertEquals(java.util.List.of(), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".partial")).toList(), "no partial file left");
        }
    }

    @Test
    void anInterruptKeepsEachPairsFinishedRoundsJoinedIntoItsJson() throws Exception {
        Path record = project.resolve("record.txt");
        Path release = project.resolve("release");
        // Invocation 7 is round 2 of the second pair: it hangs there, as JMH would when Ctrl-C comes. By then the
        // first pair has finished rounds 1 and 2, the second pair round 1.
        RunMain.Plan plan = plan(fakeJdk(record, 0, 7, release), "--preset", "quick", "--no-gc", "--jvm-args",
                "-Dpair=1", "--jvm-args", "-Dpair=2");
        Path runDir = project.resolve("results/runs/i");
        java.util.concurrent.CompletableFuture<java.util.List<RunMain.PairResult>> running =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return runPairs(plan, runDir);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        try {
            for (int polls = 0; !Files.exists(record) || Files.readAllLines(record).size() < 7; polls++) {
                assertTrue(polls < 2400, "the fake JMH never reached invocation 7");
                Thread.sleep(25);
            }
            Runnable hook = ChildProcesses.interruptAction();
            assertTrue(hook != null, "a run in rounds leaves the hook something to keep");
            hook.run(); // what the shutdown hook does once it has stopped JMH

            tools.jackson.databind.ObjectMapper mapper = new tools.jackson.databind.ObjectMapper();
            var first = mapper.readTree(runDir.resolve("jdk-17.0.99-Dpair=1.json").toFile());
            assertEquals("[[1.0],[5.0]]", first.get(0).get("primaryMetric").get("rawData").toString(),
                    "the first pair's rounds 1 and 2");
            assertEquals(2, first.get(0).get("forks").asInt());
            assertEquals("[[2.0],[2.0],[6.0],[6.0]]", first.get(1).get("primaryMetric").get("rawData").toString());
            var second = mapper.readTree(runDir.resolve("jdk-17.0.99-Dpair=2.json").toFile());
            assertEquals("[[3.0]]", second.get(0).get("primaryMetric").get("rawData").toString(),
                    "the second pair's round 1; its round 2 was in progress");
            for (String pair : java.util.List.of("jdk-17.0.99-Dpair=1", "jdk-17.0.99-Dpair=2")) {
                var sidecar = mapper.readTree(runDir.resolve(pair + ".run.json").toFile());
                assertEquals("rounds", sidecar.get("forkOrder").asString(), pair);
            }
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("kept results/runs/i/jdk-17.0.99-Dpair=1.json: 2 of"
                    + " 3 rounds"), err.toString(StandardCharsets.UTF_8));
        } finally {
            Files.writeString(release, "go");
        }
        // In a real interrupt the JVM ends here. The test's runner goes on; the rounds that come too late change
        // nothing that was kept, and leave no partial file.
        java.util.List<RunMain.PairResult> results = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
        var first = new tools.jackson.databind.ObjectMapper().readTree(results.get(0).json().orElseThrow().toFile());
        assertEquals("[[1.0],[5.0]]", first.get(0).get("primaryMetric").get("rawData").toString());
        assertEquals(null, ChildProcesses.interruptAction(), "nothing left to keep once the run has ended");
        try (var files = Files.list(runDir)) {
            assertEquals(java.util.List.of(), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".partial")).toList(), "no partial file left");
        }
    }

    @Test
    void consecutiveOrderGivesJmhEveryForkInOneInvocationAndALessonItsOwnLargerFork() throws Exception {
        Path record = project.resolve("record.txt");
        RunMain.Plan plan = plan(fakeJdk(record, 0), "--preset", "quick", "--no-gc", "--fork-order", "consecutive");
        java.util.List<RunMain.PairResult> results = runPairs(plan, project.resolve("results/runs/c"));
        java.util.List<String> invocations = Files.readAllLines(record);
        assertEquals(2, invocations.size(), invocations.toString());
        assertTrue(invocations.get(0).contains(" -f 3 "), invocations.get(0));
        assertTrue(invocations.get(1).contains(" -f 6 "), invocations.get(1));
        var rows = new tools.jackson.databind.ObjectMapper().readTree(results.get(0).json().orElseThrow().toFile());
        assertEquals(3, rows.get(0).get("forks").asInt());
        assertEquals(6, rows.get(1).get("forks").asInt());
        var sidecar = new tools.jackson.databind.ObjectMapper().readTree(
                RunMetadata.sidecarOf(results.get(0).json().orElseThrow()).toFile());
        assertEquals("consecutive", sidecar.get("forkOrder").asString());
        assertEquals(1, sidecar.get("rounds").asInt());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("=== 1/1 jdk-17.0.99: "), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void smokeAndAUsersForkCountIgnoreALessonsOwnForks() throws Exception {
        Path record = project.resolve("record.txt");
        Jdk jdk = fakeJdk(record, 0);
        runPairs(plan(jdk, "--preset", "smoke", "--no-gc"), project.resolve("results/runs/s"));
        java.util.List<String> invocations = Files.readAllLines(record);
        assertEquals(1, invocations.size(), "one group, one invocation: " + invocations);
        assertTrue(invocations.get(0).contains(" -f 1 "), invocations.get(0));

        Files.delete(record);
        RunMain.Plan plan = plan(jdk, "--preset", "full", "--no-gc", "--", "-f", "4");
        assertEquals(4, plan.forkPlan().rounds());
        runPairs(plan, project.resolve("results/runs/u"));
        invocations = Files.readAllLines(record);
        assertEquals(4, invocations.size(), "4 rounds of one invocation, -f 1 for both: " + invocations);
        assertTrue(invocations.stream().allMatch(l -> l.contains(" -f 1 ") && !l.contains(" -f 4")), invocations.toString());
    }

    @Test
    void theCommandIsShownAsAShellWouldTakeIt() {
        assertEquals("java -jar b.jar '^\\Qa.B.c\\E$' -jvmArgsPrepend '-Xmx1g -Dx=1' 'it'\\''s'",
                RunMain.shellQuoted(java.util.List.of("java", "-jar", "b.jar", "^\\Qa.B.c\\E$",
                        "-jvmArgsPrepend", "-Xmx1g -Dx=1", "it's")));
    }

    private static java.util.List<BenchmarkSelection.Benchmark> readList() throws Exception {
        try (var in = RunMainTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            return BenchmarkSelection.read(in);
        }
    }

    /** One list of report JVM flags: RunMain reads it from the jar, run-benchmarks.sh from the source tree. */
    @Test
    void theReportsJvmFlagsComeFromOneFileThatTheScriptReadsToo() throws IOException {
        List<String> flags = RunMain.reportJvmFlags();
        assertTrue(flags.contains("-XX:TieredStopAtLevel=1"), flags.toString());
        assertTrue(flags.contains("-XX:+UseSerialGC"), flags.toString());
        assertTrue(flags.stream().allMatch(f -> f.startsWith("-") && !f.contains(" ")), "one flag a line: " + flags);
        Path source = Path.of("src", "main", "resources").resolve(RunMain.REPORT_JVM_FLAGS);
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(lines, flags);
        String script = Files.readString(Path.of("run-benchmarks.sh"), StandardCharsets.UTF_8);
        assertTrue(script.contains("< src/main/resources/" + RunMain.REPORT_JVM_FLAGS), "run-benchmarks.sh reads "
                + source);
    }
}
