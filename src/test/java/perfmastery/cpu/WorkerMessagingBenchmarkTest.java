package perfmastery.cpu;

import perfmastery.process.ChecksumChildMain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerMessagingBenchmarkTest {

    /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) bit by bit: a reference independent of java.util.zip. */
    static long referenceCrc32c(byte[] bytes) {
        int crc = 0xFFFFFFFF;
        for (byte b : bytes) {
            crc ^= b & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc >>> 1) ^ ((crc & 1) != 0 ? 0x82F63B78 : 0);
            }
        }
        return ~crc & 0xFFFFFFFFL;
    }

    @Test
    void theChecksumIsCrc32c() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // The check value of CRC-32C (RFC 3720, iSCSI).
        assertEquals(0xE3069283L, referenceCrc32c(check));
        assertEquals(0xE3069283L, ChecksumChildMain.checksum(check, 0, check.length));
        byte[] framed = {9, 9, '1', '2', '3', '4', '5', '6', '7', '8', '9', 9};
        assertEquals(0xE3069283L, ChecksumChildMain.checksum(framed, 2, 9), "offset and length are honoured");
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 1_048_576})
    void everyVariantReadsThePayloadAndAnswersTheSameChecksum(int payloadBytes) throws Exception {
        WorkerMessagingBenchmark benchmark = new WorkerMessagingBenchmark();
        benchmark.payloadBytes = payloadBytes;
        benchmark.setUp();
        Process child = benchmark.child();
        try {
            byte[] payload = benchmark.payload;
            assertEquals(payloadBytes, payload.length);
            assertTrue(Arrays.stream(new int[] {payload[0], payload[1], payload[2], payload[3]}).distinct().count() > 1,
                    "the payload is random bytes, not zeros");
            byte[] original = payload.clone();
            long expected = referenceCrc32c(payload);
            assertAllAnswer(expected, benchmark);

            // A changed byte changes every variant's answer: each worker reads what it is given, now.
            payload[payloadBytes / 2] ^= 0x5A;
            long changed = referenceCrc32c(payload);
            assertNotEquals(expected, changed);
            assertAllAnswer(changed, benchmark);
            payload[payloadBytes / 2] ^= 0x5A;

            assertAllAnswer(expected, benchmark);
            assertArrayEquals(original, payload, "no variant changed the payload");
        } finally {
            benchmark.tearDown();
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertFalse(child.isAlive(), "the checksum child is gone after teardown");
        assertEquals(0, child.exitValue(), "the checksum child exits cleanly when its stdin closes");
        assertEquals(List.of(), Threads.liveNamed("message-worker"));
    }

    private static void assertAllAnswer(long expected, WorkerMessagingBenchmark benchmark) throws Exception {
        assertEquals(expected, benchmark.sharedMemory(), "sharedMemory");
        assertEquals(expected, benchmark.copied(), "copied");
        for (int i = 0; i < 3; i++) {
            assertEquals(expected, benchmark.serializedIpc(), "serializedIpc, message " + i);
        }
    }

    @Test
    void aChildThatCannotStartLeavesNothingBehind() {
        WorkerMessagingBenchmark benchmark = new WorkerMessagingBenchmark();
        benchmark.payloadBytes = 1024;
        String classPath = System.getProperty("java.class.path");
        System.setProperty("java.class.path", "");
        try {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    benchmark::setUp);
            assertTrue(e.getMessage().startsWith("cannot start a child JVM"), e.getMessage());
        } finally {
            System.setProperty("java.class.path", classPath);
        }
        assertEquals(null, benchmark.child());
        try {
            assertEquals(List.of(), Threads.liveNamed("message-worker"), "setup's failure stopped the worker");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
