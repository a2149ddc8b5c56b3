package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerMessagingBenchmarkTest {

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 1_048_576})
    void everyVariantAnswersWithThePayloadsBytes(int payloadBytes) throws Exception {
        WorkerMessagingBenchmark benchmark = new WorkerMessagingBenchmark();
        benchmark.payloadBytes = payloadBytes;
        benchmark.setUp();
        Process child = benchmark.child();
        try {
            byte[] payload = benchmark.payload;
            assertEquals(payloadBytes, payload.length);
            assertTrue(new java.util.HashSet<>(List.of(payload[0], payload[1], payload[2], payload[3])).size() > 1,
                    "the payload is random bytes, not zeros");
            byte[] expected = payload.clone();

            ByteBuffer shared = benchmark.sharedMemory();
            assertTrue(shared.isReadOnly());
            assertArrayEquals(expected, bytesOf(shared));

            byte[] copied = benchmark.copied();
            assertNotSame(payload, copied, "the copied variant answers with a copy");
            assertArrayEquals(expected, copied);

            for (int i = 0; i < 3; i++) {
                byte[] echoed = benchmark.serializedIpc();
                assertNotSame(payload, echoed);
                assertArrayEquals(expected, echoed);
            }
            assertArrayEquals(expected, payload, "no variant changed the payload");
            assertSame(payload, benchmark.payload);
        } finally {
            benchmark.tearDown();
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertFalse(child.isAlive(), "the echo child is gone after teardown");
        assertEquals(0, child.exitValue(), "the echo child exits cleanly when its stdin closes");
        assertEquals(List.of(), Threads.liveNamed("message-worker"));
    }
}
