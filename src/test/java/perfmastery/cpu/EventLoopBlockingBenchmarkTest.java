package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import perfmastery.support.VirtualThreads;

class EventLoopBlockingBenchmarkTest {

    /** PBKDF2 (RFC 8018, section 5.2) written out over HMAC-SHA256: a reference independent of SecretKeyFactory. */
    static byte[] referencePbkdf2(byte[] password, byte[] salt, int iterations, int keyBytes) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password, "HmacSHA256"));
        byte[] key = new byte[keyBytes];
        for (int block = 1, offset = 0; offset < keyBytes; block++) {
            mac.update(salt);
            byte[] u = mac.doFinal(ByteBuffer.allocate(4).putInt(block).array());
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < t.length; j++) {
                    t[j] ^= u[j];
                }
            }
            int n = Math.min(t.length, keyBytes - offset);
            System.arraycopy(t, 0, key, offset, n);
            offset += n;
        }
        return key;
    }

    @Test
    void referencePbkdf2MatchesRfc7914Vector() throws Exception {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, first 32 of its 64 bytes.
        byte[] expected = HexFormat.of().parseHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        assertArrayEquals(expected, referencePbkdf2("passwd".getBytes(StandardCharsets.US_ASCII),
                "salt".getBytes(StandardCharsets.US_ASCII), 1, 32));
        assertArrayEquals(expected, EventLoopBlockingBenchmark.pbkdf2("passwd".toCharArray(),
                "salt".getBytes(StandardCharsets.US_ASCII), 1));
    }

    @Test
    void pbkdf2OfTheLessonMatchesTheReference() throws Exception {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "pbkdf2";
        benchmark.strategy = "inline";
        benchmark.setUp();
        try {
            byte[] reference = referencePbkdf2(new String(benchmark.password).getBytes(StandardCharsets.UTF_8),
                    benchmark.salt, benchmark.pbkdf2Iterations, 32);
            assertArrayEquals(reference, EventLoopBlockingBenchmark.pbkdf2(benchmark.password, benchmark.salt,
                    benchmark.pbkdf2Iterations));
            assertEquals(ByteBuffer.wrap(reference).getLong(), benchmark.computeHeavy());
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @CsvSource({"fib,inline", "fib,workerPool", "fib,threadPerRequest",
            "pbkdf2,inline", "pbkdf2,workerPool", "pbkdf2,threadPerRequest"})
    void everyStrategyAnswersHealthAndCompletesTheRightHeavyResults(String task, String strategy) throws Exception {
        runUnderLoad(task, strategy);
    }

    @ParameterizedTest
    @CsvSource({"fib,virtualThread", "pbkdf2,virtualThread"})
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadStrategyToo(String task, String strategy) throws Exception {
        runUnderLoad(task, strategy);
    }

    private static void runUnderLoad(String task, String strategy) throws Exception {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = task;
        benchmark.strategy = strategy;
        benchmark.setUp();
        long expected;
        try {
            expected = task.equals("fib") ? 9_227_465L
                    : ByteBuffer.wrap(referencePbkdf2(new String(benchmark.password).getBytes(StandardCharsets.UTF_8),
                            benchmark.salt, benchmark.pbkdf2Iterations, 32)).getLong();
            // Waits for progress, bounded; not a timing assertion.
            for (int polls = 0; benchmark.completedHeavyRequests() < 3; polls++) {
                assertEquals("ok", benchmark.health());
                assertTrue(polls < 6_000, "no heavy request completed in a minute");
                Thread.sleep(10);
            }
            assertEquals("ok", benchmark.health());
            assertEquals(expected, benchmark.lastHeavyResult());
            benchmark.checkLoadIsRunning();
        } finally {
            benchmark.tearDown();
        }
        assertEquals(java.util.List.of(), Threads.liveNamed("event-loop", "heavy-worker", "heavy-request"));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadSetupSaysWhyOnOldJdks() {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "fib";
        benchmark.strategy = "virtualThread";
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::setUp);
        assertTrue(e.getMessage().contains(VirtualThreads.UNAVAILABLE_REASON), e.getMessage());
    }

    @Test
    void unknownParamsSayWhatIsAccepted() {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "fib";
        benchmark.strategy = "forkJoin";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, benchmark::setUp);
        assertEquals("unknown strategy 'forkJoin': use one of inline, workerPool, threadPerRequest, virtualThread",
                e.getMessage());
    }
}
