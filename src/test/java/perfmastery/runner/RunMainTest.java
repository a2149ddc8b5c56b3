package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RunMain's answers to bad input, as return codes: every one is found before anything is run or written. */
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
        var all = BenchmarkSelection.matching(readList(), jmhArgs.includes(), jmhArgs.excludes());
        BenchmarkSelection selection = BenchmarkSelection.forJdk(all, jmhArgs::param, true, "JDK 25");
        Pair pair = Pair.of(java.util.List.of(jdk25), options.flagSetsOrDefault()).get(0);
        RunMain.Plan plan = new RunMain.Plan(options, jmhArgs, java.util.List.of(pair), Map.of(jdk25, selection),
                java.util.Optional.empty());
        RunMain main = new RunMain(project, Path.of("/p/target/benchmarks.jar"), Map.of(), System.out, System.err);
        java.util.List<String> command = main.jmhCommand(plan, pair, selection, selection.groups().get(0),
                Path.of("/run/.x.json.partial"), Path.of("/run"));
        String joined = String.join(" ", command);
        assertTrue(joined.startsWith("/jdk25/bin/java --sun-misc-unsafe-memory-access=allow"
                + " --enable-native-access=ALL-UNNAMED -jar /p/target/benchmarks.jar"), joined);
        assertTrue(joined.contains(" -wi 1 -w 200ms -i 1 -r 200ms Fibonacci -f 2 "), "the user's -f wins: " + joined);
        assertFalse(command.contains("-foe") || command.contains("-jvmArgsAppend"), joined);
        assertTrue(joined.contains("-prof gc -prof jfr:dir=/run/jfr/jdk-25.0.3-UseSerialGC"), joined);
        int prepend = command.indexOf("-jvmArgsPrepend");
        // The launcher flags are on the host's command line, which forks inherit: given once, not twice.
        assertEquals("-Djdk.attach.allowAttachSelf=true -XX:+EnableDynamicAgentLoading -XX:+UseSerialGC",
                command.get(prepend + 1));
        assertEquals(java.util.List.of("-rf", "json", "-rff", "/run/.x.json.partial"),
                command.subList(prepend - 4, prepend));
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
}
