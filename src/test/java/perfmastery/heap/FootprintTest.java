package perfmastery.heap;

import perfmastery.memory.CacheBoundsBenchmark;
import perfmastery.memory.ClosureRetentionBenchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FootprintTest {

    @Test
    void printsTheLayoutsOfTheLessonsObjects() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Footprint.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("ClosureRetentionBenchmark: the captured closure"), text);
        assertTrue(text.contains("retained per closure: leaky 1,000,"), text);
        assertTrue(text.contains("LinkedHashMap$Entry"), text);
        assertTrue(text.contains("java.lang.Integer object internals"), text);
    }

    @Test
    void oneCacheEntryFitsTheBenchmarksBound() {
        Footprint.EntrySizes sizes = Footprint.entrySizes();
        for (double perEntry : new double[] {sizes.lruLinkedHashMap(), sizes.caffeine()}) {
            assertTrue(perEntry > CacheBoundsBenchmark.VALUE_BYTES && perEntry <= 1280, "per entry " + perEntry);
        }
    }

    @Test
    void argumentsAreRefusedInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Footprint.run(new String[] {"--verbose"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
    }
}
