package perfmastery.io;

import perfmastery.support.AuxCounterMean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

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

    /** Descriptors that other threads of the test JVM may open or close while a check counts. */
    private static final double STRAY_DESCRIPTORS = 3;

    @Test
    void bothVariantsDeliverHalfOfEveryTransferAndOnlyNaiveLeaksOneDescriptorEach() throws IOException {
        assumeTrue(AbortedTransferBenchmark.openDescriptors().isPresent(), "needs /proc/self/fd");
        AbortedTransferBenchmark benchmark = new AbortedTransferBenchmark();
        benchmark.writeSource();
        Path folder = benchmark.folder();
        AbortedTransferBenchmark.Descriptors descriptors = new AbortedTransferBenchmark.Descriptors();
        try {
            long expected = AbortedTransferBenchmark.TRANSFERS_PER_INVOCATION * halfChecksum(benchmark.source());
            // The count is process-wide: a Cleaner may close a descriptor that an earlier test let go
            // while this one counts (CI saw 191 left of 192). Collect first, and allow a few strays.
            System.gc();
            descriptors.start(1.0);
            long baseline = AbortedTransferBenchmark.openDescriptors().getAsLong();

            descriptors.resetIteration();
            for (int invocation = 0; invocation < 3; invocation++) {
                descriptors.countBefore();
                assertEquals(expected, benchmark.naive(descriptors));
                assertEquals(baseline + AbortedTransferBenchmark.TRANSFERS_PER_INVOCATION,
                        AbortedTransferBenchmark.openDescriptors().getAsLong(), STRAY_DESCRIPTORS,
                        "one source left open per transfer");
                descriptors.countAfterAndCloseLeaks();
                assertEquals(baseline, AbortedTransferBenchmark.openDescriptors().getAsLong(), STRAY_DESCRIPTORS,
                        "the invocation teardown closed what naive leaked");
            }
            assertEquals(1.0, descriptors.fdsLeftPerTransfer, 0.02);

            descriptors.resetIteration();
            for (int invocation = 0; invocation < 3; invocation++) {
                descriptors.countBefore();
                assertEquals(expected, benchmark.tryWithResources(descriptors));
                descriptors.countAfterAndCloseLeaks();
            }
            assertEquals(0.0, descriptors.fdsLeftPerTransfer, 0.02);
            assertEquals(baseline, AbortedTransferBenchmark.openDescriptors().getAsLong(), STRAY_DESCRIPTORS);
        } finally {
            descriptors.closeAll();
            benchmark.deleteSource();
        }
        assertFalse(Files.exists(folder), "teardown deletes the run's folder");
    }

    @Test
    void theShareMakesJmhsSumTheMeanPerIterationRatio() throws IOException {
        assumeTrue(AbortedTransferBenchmark.openDescriptors().isPresent(), "needs /proc/self/fd");
        AbortedTransferBenchmark benchmark = new AbortedTransferBenchmark();
        benchmark.writeSource();
        AbortedTransferBenchmark.Descriptors descriptors = new AbortedTransferBenchmark.Descriptors();
        try {
            int iterations = 3;
            int forks = 2;
            descriptors.start(AuxCounterMean.weight(iterations, forks, 1));
            double jsonScore = 0;
            for (int i = 0; i < iterations * forks; i++) {
                descriptors.resetIteration();
                descriptors.countBefore();
                benchmark.naive(descriptors);
                descriptors.countAfterAndCloseLeaks();
                jsonScore += descriptors.fdsLeftPerTransfer; // JMH's SUM over iterations and forks
            }
            assertEquals(1.0, jsonScore, 1e-12);
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
