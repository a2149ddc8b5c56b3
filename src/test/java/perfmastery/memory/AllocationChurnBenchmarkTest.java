package perfmastery.memory;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

class AllocationChurnBenchmarkTest {

    /** The checksum written out plainly: byte i of request r is (byte) (r + i); every 8th byte is summed. */
    private static long expected(int size, long requestId) {
        long checksum = 0;
        for (int i = 0; i < size; i += 8) {
            checksum = checksum * 31 + (byte) ((byte) requestId + i);
        }
        return checksum;
    }

    private static AllocationChurnBenchmark.Response response(int size) {
        AllocationChurnBenchmark.Response response = new AllocationChurnBenchmark.Response();
        response.size = size;
        response.setUp();
        return response;
    }

    @Test
    void churnAndReuseRenderTheSameResponsesAtEverySize() {
        AllocationChurnBenchmark benchmark = new AllocationChurnBenchmark();
        benchmark.setUp();
        for (int size : new int[] {8, 1024, 65536, 1048576}) {
            AllocationChurnBenchmark.Response churned = response(size);
            AllocationChurnBenchmark.Response reused = response(size);
            try {
                for (long request = 1; request <= 300; request++) {
                    long expected = expected(size, request);
                    assertEquals(expected, benchmark.churn(churned), "churn size=" + size + " request " + request);
                    assertEquals(expected, benchmark.reuse(reused), "reuse size=" + size + " request " + request);
                }
            } finally {
                churned.tearDown();
                reused.tearDown();
            }
        }
    }

    @Test
    void reuseRendersIntoOneBufferPerThread() {
        AllocationChurnBenchmark.Response response = response(1024);
        try {
            byte[] first = response.workerBuffer();
            assertSame(first, response.workerBuffer());
            assertEquals(1024, first.length);
        } finally {
            response.tearDown();
        }
        AllocationChurnBenchmark.Response other = response(1024);
        AllocationChurnBenchmark.Response third = response(1024);
        try {
            assertNotSame(other.workerBuffer(), third.workerBuffer(), "each state has its own ThreadLocal");
        } finally {
            other.tearDown();
            third.tearDown();
        }
    }

    @Test
    void theEscapeAnalysisPairComputesTheSame() {
        AllocationChurnBenchmark escaping = new AllocationChurnBenchmark();
        AllocationChurnBenchmark replaced = new AllocationChurnBenchmark();
        escaping.setUp();
        replaced.setUp();
        for (int call = 0; call < 1000; call++) {
            long expected = 64 * 31 + 1000 + call;
            assertEquals(expected, escaping.smallEscaping());
            assertEquals(expected, replaced.smallScalarReplaced());
        }
        assertNotNull(escaping.lastSpan(), "smallEscaping publishes its span, so it must be on the heap");
        assertEquals(64, escaping.lastSpan().length());
    }

    @Test
    void iterationTeardownRecordsGcTimePerRequestOfThatIteration() throws Exception {
        AllocationChurnBenchmark benchmark = new AllocationChurnBenchmark();
        benchmark.setUp();
        AllocationChurnBenchmark.Response response = response(65536);
        try {
            for (int i = 0; i < 5; i++) {
                benchmark.churn(response);
            }
            response.startIteration();
            for (int i = 0; i < 20; i++) {
                benchmark.churn(response);
            }
            assertTrue(Garbage.collectWithALiveSet() > 0);
            Map<String, Result<?>> gauges = RecordedGauges.during(response::endIteration);
            double pause = RecordedGauges.score(gauges, "gcPauseNanosPerOp");
            double pauseMillis = pause * 20 / 1_000_000;
            assertTrue(pauseMillis >= 1, "System.gc() paused at least 1 ms: " + pause + " ns per request");
            assertEquals(Math.rint(pauseMillis), pauseMillis, 1e-6,
                    "whole milliseconds over exactly the iteration's 20 requests, not the trial's 25");
            assertEquals(pause + RecordedGauges.score(gauges, "gcConcurrentNanosPerOp"),
                    RecordedGauges.score(gauges, "gcNanosPerOp"), 1e-9);
        } finally {
            response.tearDown();
        }
    }
}
