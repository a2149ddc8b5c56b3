package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.Result;

import perfmastery.support.GaugeProfiler;

class AbortedTransferBenchmarkTest {

    /** The checksum a consumer computes over the first half of the source, the same for every transfer. */
    private static long halfChecksum(Path source) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        long checksum = 0;
        for (int i = 0; i < AbortedTransferBenchmark.CONSUMER_LIMIT_BYTES; i++) {
            checksum = checksum * 31 + bytes[i];
        }
        return checksum;
    }

    /**
     * Descriptors that other threads of the test JVM may open or close while the lesson's own process-wide count
     * runs (an earlier test's HTTP client closed 4 at once in CI): over 192 transfers, 8 strays move the figure by
     * 0.04, still far from the 1 against 0 the checks tell apart.
     */
    private static final double STRAY_DESCRIPTORS = 8;

    private interface Variant {
        long run(AbortedTransferBenchmark benchmark, AbortedTransferBenchmark.Descriptors descriptors)
                throws IOException;
    }

    /**
     * Runs {@code batches} invocations of a variant with nothing in between, as JMH's timed loop does, and
     * checks after each that the invocation itself closed everything it opened: the closes are paid in
     * the timed method by both variants, no untimed fixture does them.
     */
    private static double leftPerTransfer(Variant variant, int batches) throws IOException {
        AbortedTransferBenchmark benchmark = new AbortedTransferBenchmark();
        benchmark.writeSource();
        Path folder = benchmark.folder();
        AbortedTransferBenchmark.Descriptors descriptors = new AbortedTransferBenchmark.Descriptors();
        try {
            long expected = AbortedTransferBenchmark.TRANSFERS_PER_INVOCATION * halfChecksum(benchmark.source());
            // The count is process-wide: a Cleaner may close a descriptor that an earlier test let go
            // while this one counts. Collect first, and allow a few strays.
            System.gc();
            descriptors.checkProcfs();
            descriptors.resetIteration();
            for (int batch = 0; batch < batches; batch++) {
                assertEquals(expected, variant.run(benchmark, descriptors), "half of every transfer was delivered");
                // Counted on the run's own folder, not process-wide: other tests' clients close theirs meanwhile.
                assertEquals(0, openInto(folder), "the timed method closed every descriptor its batch opened");
            }
            return descriptors.leftPerTransferThisIteration();
        } finally {
            descriptors.closeAll();
            benchmark.deleteSource();
            assertFalse(Files.exists(folder), "teardown deletes the run's folder");
        }
    }

    /** This process's open descriptors on files under {@code folder} (the links of /proc/self/fd). */
    private static long openInto(Path folder) throws IOException {
        long open = 0;
        try (java.util.stream.Stream<Path> fds = Files.list(java.nio.file.Paths.get("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(folder.toRealPath())) {
                        open++;
                    }
                } catch (IOException gone) {
                    // closed while listed (the listing's own descriptor, or another thread's)
                }
            }
        }
        return open;
    }

    @Test
    void naiveIsCountedAsLeavingOneDescriptorPerTransferBeforeItsTimedMethodClosesThem() throws IOException {
        assumeTrue(AbortedTransferBenchmark.openDescriptors().isPresent(), "needs /proc/self/fd");
        assertEquals(1.0, leftPerTransfer(AbortedTransferBenchmark::naive, 3), STRAY_DESCRIPTORS / 192);
    }

    @Test
    void tryWithResourcesLeavesNothing() throws IOException {
        assumeTrue(AbortedTransferBenchmark.openDescriptors().isPresent(), "needs /proc/self/fd");
        assertEquals(0.0, leftPerTransfer(AbortedTransferBenchmark::tryWithResources, 3), STRAY_DESCRIPTORS / 192);
    }

    /** No per-invocation fixture: nothing outside the timed method does work for one variant only. */
    @Test
    void noFixtureRunsPerInvocation() {
        List<String> perInvocation = new ArrayList<>();
        for (Class<?> type : List.of(AbortedTransferBenchmark.class, AbortedTransferBenchmark.Descriptors.class)) {
            for (Method method : type.getDeclaredMethods()) {
                Setup setup = method.getAnnotation(Setup.class);
                TearDown tearDown = method.getAnnotation(TearDown.class);
                if ((setup != null && setup.value() == Level.Invocation)
                        || (tearDown != null && tearDown.value() == Level.Invocation)) {
                    perInvocation.add(type.getSimpleName() + "." + method.getName());
                }
            }
        }
        assertEquals(List.of(), perInvocation);
    }

    /** The iteration teardown records the iteration's true ratio as a gauge, not a share of it. */
    @Test
    void theIterationTeardownRecordsTheTrueRatioOfEachIteration() throws IOException {
        assumeTrue(AbortedTransferBenchmark.openDescriptors().isPresent(), "needs /proc/self/fd");
        AbortedTransferBenchmark benchmark = new AbortedTransferBenchmark();
        benchmark.writeSource();
        AbortedTransferBenchmark.Descriptors descriptors = new AbortedTransferBenchmark.Descriptors();
        GaugeProfiler profiler = new GaugeProfiler();
        try {
            descriptors.checkProcfs();
            for (int iteration = 0; iteration < 3; iteration++) {
                profiler.beforeIteration(null, null);
                descriptors.resetIteration();
                benchmark.naive(descriptors);
                benchmark.naive(descriptors);
                descriptors.recordIteration();
                Collection<? extends Result> recorded = profiler.afterIteration(null, null, null);
                assertEquals(1, recorded.size(), recorded.toString());
                Result gauge = recorded.iterator().next();
                assertEquals("fdsLeftPerTransfer", gauge.getLabel());
                assertEquals(1.0, gauge.getScore(), STRAY_DESCRIPTORS / 128, "iteration " + iteration);
            }
            profiler.beforeIteration(null, null);
            descriptors.resetIteration();
            descriptors.recordIteration();
            assertTrue(profiler.afterIteration(null, null, null).isEmpty(), "no transfer, no figure");
        } finally {
            descriptors.closeAll();
            benchmark.deleteSource();
        }
    }

    @Test
    void theConsumerTakesExactlyHalfThenGoesAway() {
        AbortedTransferBenchmark.GoneAwayConsumer consumer = new AbortedTransferBenchmark.GoneAwayConsumer(10);
        assertThrows(AbortedTransferBenchmark.ConsumerGoneException.class,
                () -> consumer.write(new byte[16], 0, 16));
        assertEquals(10, consumer.received());
    }
}
