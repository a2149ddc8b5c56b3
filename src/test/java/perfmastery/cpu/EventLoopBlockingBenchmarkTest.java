package perfmastery.cpu;

import perfmastery.load.OpenLoopProbe;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.results.Result;

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
        benchmark.inFlight = 1;
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
    @CsvSource({"fib,inline,1", "fib,workerPool,1", "fib,threadPerRequest,1",
            "pbkdf2,inline,1", "pbkdf2,workerPool,1", "pbkdf2,threadPerRequest,1",
            "fib,inline,4", "fib,workerPool,4", "fib,threadPerRequest,4",
            "fib,workerPool,16", "fib,threadPerRequest,16"})
    void everyStrategyAnswersHealthAndCompletesTheRightHeavyResults(String task, String strategy, int inFlight)
            throws Exception {
        runUnderLoad(task, strategy, inFlight);
    }

    @ParameterizedTest
    @CsvSource({"fib,virtualThread,1", "pbkdf2,virtualThread,1", "fib,virtualThread,4", "fib,virtualThread,16"})
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadStrategyToo(String task, String strategy, int inFlight) throws Exception {
        runUnderLoad(task, strategy, inFlight);
    }

    private static EventLoopBlockingBenchmark started(String task, String strategy, int inFlight) throws Exception {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = task;
        benchmark.strategy = strategy;
        benchmark.inFlight = inFlight;
        benchmark.setUp();
        return benchmark;
    }

    private static void runUnderLoad(String task, String strategy, int inFlight) throws Exception {
        EventLoopBlockingBenchmark benchmark = started(task, strategy, inFlight);
        try {
            long expected = task.equals("fib") ? 9_227_465L
                    : ByteBuffer.wrap(referencePbkdf2(new String(benchmark.password).getBytes(StandardCharsets.UTF_8),
                            benchmark.salt, benchmark.pbkdf2Iterations, 32)).getLong();
            // Waits for progress, bounded; not a timing assertion. More completions than requests in flight:
            // every request in flight has been answered and replaced at least once.
            for (int polls = 0; benchmark.completedHeavyRequests() < inFlight + 2L; polls++) {
                assertEquals("ok", benchmark.health());
                assertTrue(polls < 12_000, "fewer than " + (inFlight + 2) + " heavy requests completed in two minutes");
                // A request thread posts its answer before it ends, and the loop may start its successor first.
                assertTrue(benchmark.liveRequestThreads() <= 2 * inFlight,
                        "request threads are bounded by the requests in flight (and those just leaving)");
                Thread.sleep(10);
            }
            assertEquals("ok", benchmark.health());
            assertEquals(expected, benchmark.lastHeavyResult());

            // One iteration as JMH runs it: the open-loop schedule, then the gauges.
            benchmark.startIteration();
            long completedBefore = benchmark.completedHeavyRequests();
            for (int polls = 0; benchmark.openLoopChecksSent() < 1_000
                    || benchmark.completedHeavyRequests() <= completedBefore; polls++) {
                assertTrue(polls < 12_000, "the iteration saw no open-loop checks or no heavy completion in two minutes");
                Thread.sleep(10);
            }
            Map<String, Result<?>> gauges = RecordedGauges.during(benchmark::endIteration);
            double checks = RecordedGauges.score(gauges, "openLoopChecks");
            assertTrue(checks >= 1_000, checks + " open-loop checks answered");
            double p50 = RecordedGauges.score(gauges, "openLoopP50Us");
            double p99 = RecordedGauges.score(gauges, "openLoopP99Us");
            double p999 = RecordedGauges.score(gauges, "openLoopP999Us");
            assertTrue(0 <= p50 && p50 <= p99 && p99 <= p999, p50 + " <= " + p99 + " <= " + p999);
            // The inline open-loop claim's figure: the same iteration's p99 in units of the task's time alone.
            assertTrue(benchmark.heavyTaskAloneMicros() > 0, "the setup measured the heavy task alone");
            assertEquals(p99 / benchmark.heavyTaskAloneMicros(), RecordedGauges.score(gauges, "openLoopP99PerTask"),
                    1e-9 * Math.max(1, p99 / benchmark.heavyTaskAloneMicros()));
            assertEquals("tasks", gauges.get("openLoopP99PerTask").getScoreUnit());
            assertTrue(RecordedGauges.score(gauges, "heavyCompletedPerSecond") > 0, "heavy requests completed in the iteration");
            assertEquals("requests/s", gauges.get("heavyCompletedPerSecond").getScoreUnit());
            assertEquals(expected, benchmark.lastHeavyResult(), "still the right answer under the probe's load");
        } finally {
            benchmark.tearDown();
        }
        assertEquals(List.of(), Threads.liveNamed("event-loop", "heavy-worker", "heavy-request", OpenLoopProbe.THREAD_NAME));
    }

    @Test
    void theWorkerPoolHasAsManyWorkersAsCores() throws Exception {
        EventLoopBlockingBenchmark benchmark = started("fib", "workerPool", 16);
        try {
            assertEquals(Runtime.getRuntime().availableProcessors(), benchmark.workers);
            // The pool makes its threads as requests arrive: 16 in flight make all of them, and no more.
            for (int polls = 0; workerThreads() < benchmark.workers; polls++) {
                assertTrue(polls < 6_000, "the pool made " + workerThreads() + " workers in a minute");
                Thread.sleep(10);
            }
            benchmark.completedHeavyRequests();
            assertEquals(benchmark.workers, workerThreads());
        } finally {
            benchmark.tearDown();
        }
    }

    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("heavy-worker") && t.isAlive()).count();
    }

    @Test
    void inFlightOutOfRangeIsOneClearErrorAndStartsNothing() throws Exception {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "fib";
        benchmark.strategy = "workerPool";
        benchmark.inFlight = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, benchmark::setUp);
        assertEquals("inFlight must be an integer in 1..1000 (heavy requests in flight at once), not 0", e.getMessage());
        assertEquals(List.of(), Threads.liveNamed("event-loop", "heavy-worker", OpenLoopProbe.THREAD_NAME));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadSetupSaysWhyOnOldJdks() {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "fib";
        benchmark.strategy = "virtualThread";
        benchmark.inFlight = 1;
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::setUp);
        assertTrue(e.getMessage().contains(VirtualThreads.UNAVAILABLE_REASON), e.getMessage());
    }

    @Test
    void unknownParamsSayWhatIsAccepted() {
        EventLoopBlockingBenchmark benchmark = new EventLoopBlockingBenchmark();
        benchmark.task = "fib";
        benchmark.strategy = "forkJoin";
        benchmark.inFlight = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, benchmark::setUp);
        assertEquals("unknown strategy 'forkJoin': use one of inline, workerPool, threadPerRequest, virtualThread",
                e.getMessage());
    }
}
