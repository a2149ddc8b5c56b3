package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import perfmastery.io.JsonParsingBenchmark.Totals;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

class JsonParsingBenchmarkTest {

    /** The three defaults and a few odd sizes. */
    @ParameterizedTest
    @ValueSource(strings = {"1", "1024", "5000", "1048576", "16777216"})
    void allThreeVariantsComputeTheTotalsTheGeneratorCounted(String size) {
        JsonParsingBenchmark benchmark = new JsonParsingBenchmark();
        benchmark.size = size;
        benchmark.makePayload();
        int bytes = Integer.parseInt(size);
        assertTrue(benchmark.payloadBytes().length >= bytes, "at least size bytes");
        Totals expected = JsonParsingBenchmark.generate(bytes).expected();
        assertTrue(expected.records() >= 1);
        assertEquals(expected, benchmark.treeModel(), "treeModel");
        assertEquals(expected, benchmark.dataBinding(), "dataBinding");
        assertEquals(expected, benchmark.streaming(), "streaming");
        // The same object twice: no state leaks from one parse into the next.
        assertEquals(expected, benchmark.streaming(), "streaming again");
    }

    @Test
    void thePayloadIsDeterministicValidJsonWithEveryField() {
        byte[] first = JsonParsingBenchmark.payload(4096);
        assertArrayEquals(first, JsonParsingBenchmark.payload(4096));
        String json = new String(first, StandardCharsets.UTF_8);
        assertTrue(json.startsWith("[{\"id\":0,\"name\":\"item-0-"), json);
        assertTrue(json.endsWith("]}]"), json);
        for (String field : new String[] {"quantity", "priceCents", "active", "tags"}) {
            assertTrue(json.contains("\"" + field + "\":"), field);
        }
        Totals totals = JsonParsingBenchmark.generate(4096).expected();
        assertTrue(totals.active() > 0 && totals.active() < totals.records());
        assertTrue(totals.tags() > 0);
    }

    /**
     * Both sides of the memory claim's basis, on real parses of 1 MiB (16 MiB would only take longer),
     * read from the JVM's count of the bytes this thread allocated: the tree allocates more than the
     * document, the streaming parse less than 16 KiB, even with a recycler pool that recycles nothing.
     */
    @Test
    void theTreeAllocatesMoreThanTheDocumentAndStreamingLessThan16KiB() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "needs the JVM's per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        JsonParsingBenchmark benchmark = new JsonParsingBenchmark();
        benchmark.size = "1048576";
        benchmark.makePayload();
        int documentBytes = benchmark.payloadBytes().length;
        Totals expected = JsonParsingBenchmark.generate(1048576).expected();

        assertTrue(allocatedPerParse(threads, benchmark::treeModel, expected) > documentBytes, "tree");
        double streaming = allocatedPerParse(threads, benchmark::streaming, expected);
        assertTrue(streaming < 16 * 1024, "streaming with the default pool: " + streaming);

        benchmark.useMapper(JsonMapper.builder(JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build()).build());
        double fresh = allocatedPerParse(threads, benchmark::streaming, expected);
        assertTrue(fresh < 16 * 1024, "streaming with fresh buffers every parse: " + fresh);
    }

    private static double allocatedPerParse(com.sun.management.ThreadMXBean threads, Supplier<Totals> parse,
                                            Totals expected) {
        for (int warmup = 0; warmup < 3; warmup++) {
            assertEquals(expected, parse.get());
        }
        int parses = 3;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < parses; i++) {
            parse.get();
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / (double) parses;
    }

    @Test
    void sizesAreByteCountsWithOneLineErrors() {
        assertEquals(16_777_216, JsonParsingBenchmark.parseSize("16777216"));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> JsonParsingBenchmark.parseSize("16MiB"));
        assertTrue(failure.getMessage().contains("1048576"), failure.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonParsingBenchmark.parseSize("0"));
    }
}
