package perfmastery.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeapCompareTest {

    private static final long HEAP = 4L << 30;

    /** Runs the command, returning {exit status, stdout, stderr}. */
    private static Object[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = HeapCompare.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Object[] {status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void parsesScenarioRequestsAndDumpInAnyOrder(@TempDir Path dir) throws Exception {
        HeapCompare.Options options = HeapCompare.parse(new String[] {"--requests", "7", "scoped", "--dump", dir.toString()}, HEAP);
        assertEquals(new HeapCompare.Options(HeapCompare.Scenario.SCOPED, 7, dir), options);
        assertEquals(new HeapCompare.Options(HeapCompare.Scenario.LEAKY, HeapCompare.DEFAULT_REQUESTS, null),
                HeapCompare.parse(new String[0], HEAP));
    }

    @Test
    void badInputGetsOneLineAndExitStatus2(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[][] mistakes = {
            {"leaky", "scoped"}, {"--requests"}, {"--requests", "many"}, {"--requests", "0"}, {"--dump"},
            {"--dump", file.toString()}, {"sideways"}, {"--requests", "100000"},
        };
        for (String[] args : mistakes) {
            Object[] result = run(args);
            assertEquals(2, result[0], String.join(" ", args));
            String err = (String) result[2];
            assertTrue(err.startsWith("heap-compare: "), err);
            assertEquals(1, err.lines().count(), "one line for " + String.join(" ", args) + ": " + err);
            assertFalse(err.contains("Exception"), err);
        }
        assertThrows(HeapCompare.UsageException.class,
                () -> HeapCompare.parse(new String[] {"--requests", "3000"}, 4_000_000_000L));
    }

    @Test
    void helpIsNotAnError() {
        Object[] result = run("--help");
        assertEquals(0, result[0]);
        assertTrue(((String) result[1]).contains("usage: heap-compare"));
    }

    @Test
    void leakyScenarioShowsTheCapturedArraysClassOnTop() throws IOException {
        HeapCompare.Comparison comparison = HeapCompare.compare(new HeapCompare.Options(HeapCompare.Scenario.LEAKY, 20, null));
        ClassHistogram.Growth top = comparison.growth().get(0);
        assertEquals("[B", top.className());
        assertTrue(top.bytes() >= 20L * HeapCompare.payloadBytes(), "byte[] grew by " + top.bytes());
        assertTrue(top.instances() >= 20, "byte[] instances grew by " + top.instances());
        assertTrue(comparison.dumps().isEmpty());
    }

    @Test
    void scopedScenarioShowsNoGrowthAboveNoise() throws IOException {
        HeapCompare.Comparison comparison = HeapCompare.compare(new HeapCompare.Options(HeapCompare.Scenario.SCOPED, 20, null));
        // Noise: whatever the JVM allocates meanwhile. The leak would be 20 payloads of 1 MB; no class grows by one.
        for (ClassHistogram.Growth growth : comparison.growth()) {
            assertTrue(growth.bytes() < HeapCompare.payloadBytes(), growth + " grew by a payload or more");
        }
    }

    @Test
    void printsTheComparisonAndWritesDumpsWithoutOverwriting(@TempDir Path dir) throws IOException {
        Object[] first = run("leaky", "--requests", "3", "--dump", dir.toString());
        Object[] second = run("leaky", "--requests", "3", "--dump", dir.toString());
        assertEquals(0, first[0], (String) first[2]);
        assertEquals(0, second[0], (String) second[2]);
        String out = (String) first[1];
        assertTrue(out.contains("leaky closures, 3 requests"), out);
        assertTrue(out.contains("byte[]"), out);
        assertTrue(out.contains("heap dump: "), out);
        List<Path> dumps;
        try (Stream<Path> files = Files.list(dir)) {
            dumps = files.sorted().collect(Collectors.toList());
        }
        assertEquals(4, dumps.size(), "two runs, two dumps each, none overwritten: " + dumps);
        for (Path dump : dumps) {
            assertTrue(dump.getFileName().toString().endsWith(".hprof"));
            assertTrue(Files.size(dump) > 3L * HeapCompare.payloadBytes(), dump + " holds the live heap");
        }
        assertNotEquals(dumps.get(0), dumps.get(1));
    }

    @Test
    void dumpNamesNeverRepeat(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("same.hprof"));
        Path dump = HeapCompare.dump(dir, "same");
        assertEquals("same-2.hprof", dump.getFileName().toString());
        assertTrue(Files.size(dump) > 0);
    }
}
