package perfmastery.cpu;

import perfmastery.load.DelayedAnswerServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import perfmastery.cpu.IoBoundOffloadBenchmark.Variant;
import perfmastery.support.VirtualThreads;

class IoBoundOffloadBenchmarkTest {

    private static final String[] THREAD_PREFIXES = {"io-cores-pool-", "io-large-pool-", "io-async-"};

    @AfterEach
    void nothingLeftBehind() throws InterruptedException {
        assertEquals(List.of(), liveServers(), "a delayed-answer server JVM outlived its test");
        assertEquals(List.of(), Threads.liveNamed(THREAD_PREFIXES), "a variant's thread outlived its test");
    }

    /** Server JVMs this JVM started that are still running. */
    private static List<String> liveServers() throws InterruptedException {
        List<ProcessHandle> servers = ProcessHandle.current().children()
                .filter(child -> child.info().commandLine().orElse("").contains(DelayedAnswerServer.class.getName()))
                .collect(Collectors.toList());
        for (ProcessHandle server : servers) {
            try {
                server.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // reported below
            }
        }
        return servers.stream().filter(ProcessHandle::isAlive).map(p -> "pid " + p.pid()).collect(Collectors.toList());
    }

    private static IoBoundOffloadBenchmark prepared(Variant variant, int requests) throws Exception {
        IoBoundOffloadBenchmark benchmark = new IoBoundOffloadBenchmark();
        benchmark.requests = requests;
        benchmark.prepare(variant);
        return benchmark;
    }

    private static long run(IoBoundOffloadBenchmark benchmark) throws Exception {
        return switch (benchmark.variant()) {
            case CORES_POOL -> benchmark.coresPool();
            case LARGE_POOL -> benchmark.largePool();
            case VIRTUAL_THREAD_PER_REQUEST -> benchmark.virtualThreadPerRequest();
            case ASYNC_CHAIN -> benchmark.asyncChain();
        };
    }

    /** The sum of the right answers, computed here from the ids alone. */
    private static long expectedSum(IoBoundOffloadBenchmark benchmark) {
        long sum = 0;
        for (int i = 0; i < benchmark.requests; i++) {
            sum += DelayedAnswerServer.answer(benchmark.firstId + i, benchmark.salt);
        }
        return sum;
    }

    private static boolean runnableHere(Variant variant) {
        return variant != Variant.VIRTUAL_THREAD_PER_REQUEST || VirtualThreads.isAvailable();
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyVariantGetsEveryAnswerRight(Variant variant) throws Exception {
        assumeTrue(runnableHere(variant), "virtual threads need JDK 21+; virtualThreadSaysWhyOnOldJdks covers this JDK");
        IoBoundOffloadBenchmark benchmark = prepared(variant, 60);
        Process server = benchmark.serverProcess();
        try {
            benchmark.startIteration();
            assertEquals(expectedSum(benchmark), run(benchmark));
            int peak = benchmark.peakInFlight();
            assertTrue(peak >= 1 && peak <= benchmark.maxInFlight(variant),
                    "peak in flight " + peak + " for " + variant + ", at most " + benchmark.maxInFlight(variant));
            if (variant == Variant.CORES_POOL) {
                assertTrue(peak <= IoBoundOffloadBenchmark.cores(), "a pool of P threads has at most P waits in flight");
            }
            assertEquals(expectedSum(benchmark), run(benchmark), "a second operation on the same trial");
        } finally {
            benchmark.tearDown();
        }
        assertFalse(server.isAlive(), "the server JVM is stopped by the teardown");
    }

    @Test
    void theAnswerDependsOnIdAndSalt() {
        assertNotEquals(DelayedAnswerServer.answer(1, 7), DelayedAnswerServer.answer(2, 7));
        assertNotEquals(DelayedAnswerServer.answer(1, 7), DelayedAnswerServer.answer(1, 8));
        assertNotEquals(1L, DelayedAnswerServer.answer(1, 0));
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"CORES_POOL", "ASYNC_CHAIN"})
    void aWrongAnswerFailsTheOperation(Variant variant) throws Exception {
        IoBoundOffloadBenchmark benchmark = prepared(variant, 4);
        try {
            benchmark.salt++; // the client now expects other answers than the server gives
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(benchmark));
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aDeadServerFailsTheOperationAndTheTeardownStillCleansUp(Variant variant) throws Exception {
        assumeTrue(runnableHere(variant), "virtual threads need JDK 21+");
        IoBoundOffloadBenchmark benchmark = prepared(variant, 20);
        try {
            Process server = benchmark.serverProcess();
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(benchmark));
            assertTrue(e.getMessage().startsWith("request "), e.getMessage());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadSaysWhyOnOldJdks() {
        IoBoundOffloadBenchmark benchmark = new IoBoundOffloadBenchmark();
        benchmark.requests = 10;
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> benchmark.prepare(Variant.VIRTUAL_THREAD_PER_REQUEST));
        assertTrue(e.getMessage().contains("needs JDK 21+"), e.getMessage());
    }

    @Test
    void tooManyRequestsForTheDescriptorLimitIsOneClearLineBeforeAnythingStarts() {
        IoBoundOffloadBenchmark benchmark = new IoBoundOffloadBenchmark();
        benchmark.requests = Integer.MAX_VALUE - IoBoundOffloadBenchmark.DESCRIPTOR_MARGIN;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> benchmark.prepare(Variant.ASYNC_CHAIN));
        assertTrue(e.getMessage().contains("ulimit -n"), e.getMessage());
        assertEquals(null, benchmark.serverProcess());
    }

    @Test
    void noRequestsIsRefused() {
        IoBoundOffloadBenchmark benchmark = new IoBoundOffloadBenchmark();
        benchmark.requests = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> benchmark.prepare(Variant.CORES_POOL));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void aServerThatCannotStartSaysSoAndLeavesNoProcess() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DelayedAnswerServer.Child.start(0, 1));
        assertTrue(e.getMessage().contains("did not start"), e.getMessage());
    }

    @Test
    void variantsAreFoundByMethodName() {
        assertEquals(Variant.ASYNC_CHAIN, Variant.ofBenchmark(IoBoundOffloadBenchmark.class.getName() + ".asyncChain"));
        assertEquals(Variant.VIRTUAL_THREAD_PER_REQUEST,
                Variant.ofBenchmark(IoBoundOffloadBenchmark.class.getName() + ".virtualThreadPerRequest"));
        assertTrue(Variant.VIRTUAL_THREAD_PER_REQUEST.method.toLowerCase().contains("virtual"),
                "the runner leaves a method out on JDK 17 by the word 'virtual' in its name");
        for (Variant variant : Variant.values()) {
            assertNotNull(assertDoesNotThrowMethod(variant.method));
        }
    }

    private static java.lang.reflect.Method assertDoesNotThrowMethod(String name) {
        try {
            return IoBoundOffloadBenchmark.class.getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("no benchmark method " + name, e);
        }
    }
}
