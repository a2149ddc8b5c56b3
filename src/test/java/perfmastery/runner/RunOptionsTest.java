package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;

import perfmastery.runner.RunOptions.Command;

class RunOptionsTest {

    private static RunOptions parse(String... args) throws UsageError {
        return RunOptions.parse(List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(UsageError.class, () -> parse(args)).getMessage();
    }

    @Test
    void noArgumentsRunsTheWholeSuiteQuickWithGcOnTheCurrentJava() throws UsageError {
        RunOptions options = parse();
        assertEquals(Command.RUN, options.command());
        assertEquals(Preset.QUICK, options.preset());
        assertEquals(List.of(), options.jdks());
        assertEquals(List.of(List.of()), options.flagSetsOrDefault());
        assertEquals(List.of("gc"), options.profilers());
        assertEquals(List.of(), options.jmhArgs());
    }

    @Test
    void everyOptionAndItsRepeats() throws UsageError {
        RunOptions options = parse("--preset", "smoke", "--jdk", "/a", "--jdk=/b",
                "--jvm-args", "-XX:+UseSerialGC -Xmx1g", "--jvm-args", "-XX:+UseParallelGC",
                "--profile", "async", "--profile=jfr", "--profile", "stack", "--profile", "async");
        assertEquals(Preset.SMOKE, options.preset());
        assertEquals(List.of(Paths.get("/a"), Paths.get("/b")), options.jdks());
        assertEquals(List.of(List.of("-XX:+UseSerialGC", "-Xmx1g"), List.of("-XX:+UseParallelGC")),
                options.jvmArgSets());
        assertEquals(List.of("gc", "async", "jfr", "stack"), options.profilers());
    }

    @Test
    void noGcDropsTheDefaultProfiler() throws UsageError {
        assertEquals(List.of(), parse("--no-gc").profilers());
        assertEquals(List.of("async"), parse("--no-gc", "--profile", "async").profilers());
        assertTrue(error("--no-gc", "--profile", "gc").contains("contradict"));
    }

    @Test
    void everythingAfterDoubleDashGoesToJmhUnchanged() throws UsageError {
        RunOptions options = parse("--preset", "full", "--", "Fib.*", "-p", "n=10,20", "--preset", "-f", "2", "--");
        assertEquals(Preset.FULL, options.preset());
        assertEquals(List.of("Fib.*", "-p", "n=10,20", "--preset", "-f", "2", "--"), options.jmhArgs());
    }

    @Test
    void subcommandsTakeTheRestAsTheirArguments() throws UsageError {
        assertEquals(Command.LIST, parse("list").command());
        RunOptions report = parse("report", "--out", "x", "a.json");
        assertEquals(Command.REPORT, report.command());
        assertEquals(List.of("--out", "x", "a.json"), report.commandArgs());
        assertEquals(Command.HEAP_COMPARE, parse("heap-compare", "--preset").command());
        assertEquals(Command.FOOTPRINT, parse("footprint").command());
        assertEquals(Command.HELP, parse("--help").command());
        assertEquals(Command.HELP, parse("--preset", "smoke", "-h").command());
    }

    @Test
    void badInputSaysWhatWasWrongOnOneLine() {
        assertEquals("unknown option --fork: see ./run-benchmarks.sh --help (JMH options go after --)",
                error("--fork"));
        assertEquals("unknown preset 'medium': use smoke, quick or full", error("--preset", "medium"));
        assertEquals("unknown profile 'perfasm': use gc, async, jfr or stack", error("--profile", "perfasm"));
        assertTrue(error("--preset").startsWith("--preset needs a value"));
        assertTrue(error("--jdk").startsWith("--jdk needs a value"));
        assertTrue(error("--preset", "smoke", "--preset", "full").contains("twice"));
        assertTrue(error("Fibonacci").contains("./run-benchmarks.sh -- Fibonacci"));
        assertTrue(error("--jvm-args", "Xmx1g").contains("starting with '-'"));
        assertTrue(error("--jvm-args", "-Dx=\"a").contains("quotes"));
        for (String message : List.of(error("--fork"), error("--preset", "x"), error("Fibonacci"))) {
            assertTrue(!message.contains("\n"), message);
        }
    }

    @Test
    void forkOrderIsRoundsUnlessAskedConsecutive() throws UsageError {
        assertEquals(RunOptions.ForkOrder.ROUNDS, parse().forkOrder());
        assertEquals(RunOptions.ForkOrder.CONSECUTIVE, parse("--fork-order", "consecutive").forkOrder());
        assertEquals(RunOptions.ForkOrder.ROUNDS, parse("--fork-order=rounds").forkOrder());
        assertEquals("unknown fork order 'random': use rounds or consecutive", error("--fork-order", "random"));
        assertTrue(error("--fork-order").startsWith("--fork-order needs a value: rounds or consecutive"));
        assertTrue(error("--fork-order", "rounds", "--fork-order", "rounds").contains("twice"));
    }

    @Test
    void anEmptyFlagSetIsARunWithoutExtraFlags() throws UsageError {
        assertEquals(List.of(List.of(), List.of("-XX:+UseZGC")),
                parse("--jvm-args", "", "--jvm-args", "-XX:+UseZGC").flagSetsOrDefault());
    }
}
