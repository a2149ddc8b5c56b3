package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import perfmastery.io.JsonParsingBenchmark.Totals;

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

    @Test
    void sizesAreByteCountsWithOneLineErrors() {
        assertEquals(16_777_216, JsonParsingBenchmark.parseSize("16777216"));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> JsonParsingBenchmark.parseSize("16MiB"));
        assertTrue(failure.getMessage().contains("1048576"), failure.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonParsingBenchmark.parseSize("0"));
    }
}
