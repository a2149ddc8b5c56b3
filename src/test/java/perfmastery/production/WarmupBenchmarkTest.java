package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.Result;

import perfmastery.process.ChildJvm;
import perfmastery.process.FirstRequestsChildMain;
import perfmastery.support.RecordedGauges;

/**
 * Every variant answers its requests right (the child's first response and the checksum over all of them,
 * the warm handler's the same), the gauge holds the requests' own time, and the children end.
 */
class WarmupBenchmarkTest {

    private static WarmupBenchmark.Requests requests(int count) {
        WarmupBenchmark.Requests requests = new WarmupBenchmark.Requests();
        requests.requests = count;
        requests.setUp();
        return requests;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100})
    void aFreshJvmAnswersItsFirstRequestsRight(int count) throws Exception {
        WarmupBenchmark benchmark = new WarmupBenchmark();
        benchmark.prepare(List.of());
        try {
            assertEquals(OrderRequestHandler.expectedResponse(0), benchmark.firstRequestsInFreshJvm(requests(count)));
            Map<String, Result<?>> gauges = RecordedGauges.during(benchmark::finishIteration);
            WarmupBenchmark.ChildRun run = benchmark.lastChildRun();
            assertEquals(OrderRequestHandler.expectedChecksum(count), run.checksum(), "every response of the child right");
            assertTrue(run.requestsNanos() > 0);
            assertEquals(run.requestsNanos() / 1_000.0, RecordedGauges.score(gauges, WarmupBenchmark.REQUESTS_GAUGE), 1e-9,
                    "the gauge is the child's own time of its requests");
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100})
    void theWarmHandlerAnswersTheSameRequestsRight(int count) throws Exception {
        WarmupBenchmark benchmark = new WarmupBenchmark();
        benchmark.prepare(List.of());
        assertTrue(benchmark.prepareSteadyState() > 0, "warmed by some requests");
        OrderRequestHandler.Responses responses = benchmark.steadyStateRequests(requests(count));
        assertEquals(OrderRequestHandler.expectedResponse(0), responses.firstBody());
        assertEquals(OrderRequestHandler.expectedChecksum(count), responses.checksum());
        long nanos = benchmark.steadyNanos();
        Map<String, Result<?>> gauges = RecordedGauges.during(benchmark::finishIteration);
        assertEquals(nanos / 1_000.0, RecordedGauges.score(gauges, WarmupBenchmark.REQUESTS_GAUGE), 1e-9);
    }

    @Test
    void theWarmUpStopsAtItsCountOrItsTime() {
        OrderRequestHandler handler = new OrderRequestHandler();
        assertEquals(32, WarmupBenchmark.warmUp(handler, 32, TimeUnit.SECONDS.toNanos(60)), "whole batches of 16");
        assertEquals(0, WarmupBenchmark.warmUp(handler, 1_000_000, 0), "no time, no requests");
    }

    @Test
    void anInterpreterOnlyJvmWarmsUpOnlyTheLazySetUp() {
        assertTrue(WarmupBenchmark.interpretedOnly("interpreted mode, sharing"));
        assertFalse(WarmupBenchmark.interpretedOnly("mixed mode, sharing"));
        assertEquals(WarmupBenchmark.WARM_UP_REQUESTS, WarmupBenchmark.warmUpRequests(), "the tests run in mixed mode");
    }

    @Test
    void childrenInheritTheForksCompilationAndCollectorFlagsOnly() {
        List<String> fork = List.of("-Xms256m", "-Xint", "-XX:TieredStopAtLevel=1", "-XX:-TieredCompilation",
                "-XX:+UseSerialGC", "-Djmh.something=1", "-XX:+AlwaysPreTouch", "-Xcomp", "-XX:+UseZGC");
        assertEquals(List.of("-Xint", "-XX:TieredStopAtLevel=1", "-XX:-TieredCompilation", "-XX:+UseSerialGC",
                "-Xcomp", "-XX:+UseZGC"), WarmupBenchmark.inheritedFlags(fork));
        assertEquals(List.of(), WarmupBenchmark.inheritedFlags(List.of("-Xmx1g")));
    }

    @Test
    void aChildUnderAFlagSetRunsWithIt() throws Exception {
        WarmupBenchmark benchmark = new WarmupBenchmark();
        benchmark.prepare(List.of("-XX:TieredStopAtLevel=1", "-Xms64m"));
        assertEquals(List.of("-XX:TieredStopAtLevel=1"), benchmark.childOptions());
        try {
            assertEquals(OrderRequestHandler.expectedResponse(0), benchmark.firstRequestsInFreshJvm(requests(1)));
            benchmark.finishIteration();
            assertEquals(OrderRequestHandler.expectedChecksum(1), benchmark.lastChildRun().checksum());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void wrongChildOutputIsOneClearLine() {
        String first = OrderRequestHandler.expectedResponse(0);
        String good = FirstRequestsChildMain.NANOS_KEY + "1234" + FirstRequestsChildMain.CHECKSUM_KEY
                + OrderRequestHandler.expectedChecksum(2);
        assertEquals(1234, WarmupBenchmark.ChildRun.parse(first, good, 2).requestsNanos());
        assertTrue(assertThrows(IllegalStateException.class, () -> WarmupBenchmark.ChildRun.parse(first, good, 3))
                .getMessage().startsWith("the child JVM's 3 responses have checksum "));
        assertTrue(assertThrows(IllegalStateException.class, () -> WarmupBenchmark.ChildRun.parse("{}", good, 2))
                .getMessage().startsWith("the child JVM answered its first request with {}"));
        assertTrue(assertThrows(IllegalStateException.class, () -> WarmupBenchmark.ChildRun.parse(first, null, 2))
                .getMessage().startsWith("the child JVM printed less than its two lines"));
        assertTrue(assertThrows(IllegalStateException.class, () -> WarmupBenchmark.ChildRun.parse(first, "nonsense", 2))
                .getMessage().startsWith("the child JVM's timing line is not understood"));
    }

    @Test
    void theChildSaysHowToCallItAndExits2() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(List.of(), FirstRequestsChildMain.class, "zero"))
                .redirectErrorStream(true).start();
        try {
            String said = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, child.exitValue());
            assertEquals("usage: FirstRequestsChildMain <requests, at least 1>", said);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void theArchivedVariantNeedsItsArchive() {
        WarmupBenchmark benchmark = new WarmupBenchmark();
        benchmark.prepare(List.of());
        assertNull(benchmark.archive());
        assertThrows(IllegalStateException.class, benchmark::firstResponseFromArchive);
    }
}
