package perfmastery.io;

import perfmastery.support.AuxCounterMean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackpressureBenchmarkTest {

    private static final int BURSTS = 3;

    private interface Variant {
        long run(BackpressureBenchmark benchmark, BackpressureBenchmark.Consumed consumed,
                 BackpressureBenchmark.InFlight inFlight) throws InterruptedException;
    }

    private static Variant variant(String name) {
        switch (name) {
            case "unboundedQueue":
                return BackpressureBenchmark::unboundedQueue;
            case "boundedQueue":
                return BackpressureBenchmark::boundedQueue;
            case "flowPublisher":
                return BackpressureBenchmark::flowPublisher;
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** What the consumer must add up after {@code count} messages: every byte of message i is (byte) i. */
    private static long expectedChecksum(long count) {
        long sum = 0;
        for (long i = 0; i < count; i++) {
            sum += (long) (byte) i * BackpressureBenchmark.MESSAGE_BYTES;
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(strings = {"unboundedQueue", "boundedQueue", "flowPublisher"})
    void everyMessageIsConsumedOnceInOrderAndTheBoundHolds(String name) throws InterruptedException {
        BackpressureBenchmark benchmark = new BackpressureBenchmark();
        benchmark.messages = 8192;
        benchmark.startConsumers();
        try {
            BackpressureBenchmark.Consumed consumed = new BackpressureBenchmark.Consumed();
            BackpressureBenchmark.InFlight inFlight = new BackpressureBenchmark.InFlight();
            consumed.reset();
            inFlight.reset();
            long checksum = 0;
            for (int burst = 1; burst <= BURSTS; burst++) {
                checksum = variant(name).run(benchmark, consumed, inFlight);
                assertEquals(expectedChecksum((long) burst * benchmark.messages), checksum,
                        name + ": the consumer handled every message of burst " + burst);
                assertEquals((long) burst * benchmark.messages, benchmark.pipe(name).consumer().handled());
            }
            assertEquals((long) BURSTS * benchmark.messages, consumed.messagesConsumed);
            long peak = inFlight.iterationPeak();
            assertEquals(peak, inFlight.peakInFlight, 0.0, "with a share of 1 the counter is the peak itself");
            if (name.equals("unboundedQueue")) {
                // The producer makes a message 20-50x faster than the consumer handles one.
                assertTrue(peak > BackpressureBenchmark.CAPACITY + 1, name + " peak " + peak);
            } else {
                assertTrue(peak >= 1 && peak <= BackpressureBenchmark.CAPACITY + 1, name + " peak " + peak);
            }
        } finally {
            benchmark.stopConsumers();
        }
    }

    @Test
    void consumerThreadsStopAtTearDown() throws InterruptedException {
        BackpressureBenchmark benchmark = new BackpressureBenchmark();
        benchmark.messages = 16;
        benchmark.startConsumers();
        benchmark.stopConsumers();
        Set<String> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toSet());
        assertFalse(alive.contains("unbounded-consumer"), alive.toString());
        assertFalse(alive.contains("bounded-consumer"), alive.toString());
        assertFalse(alive.contains("flow-consumer"), alive.toString());
    }

    @Test
    void theCounterReportsAShareOfTheIterationPeakSoJmhsSumIsTheMeanPeak() {
        double share = AuxCounterMean.weight(5, 3, 1);
        assertEquals(1.0 / 15, share, 1e-15);
        double sum = 0;
        long[] peaks = {257, 250, 257, 240, 257, 257, 257, 256, 257, 257, 200, 257, 257, 257, 257};
        for (long iterationPeak : peaks) {
            BackpressureBenchmark.InFlight inFlight = new BackpressureBenchmark.InFlight();
            inFlight.useShare(share);
            inFlight.reset();
            inFlight.record(iterationPeak - 10);
            inFlight.record(iterationPeak);
            inFlight.record(iterationPeak - 1); // a lower burst never lowers the peak
            sum += inFlight.peakInFlight; // what JMH does with an EVENTS counter
        }
        double mean = java.util.Arrays.stream(peaks).average().orElseThrow();
        assertEquals(mean, sum, 1e-9);
        assertTrue(sum <= BackpressureBenchmark.CAPACITY + 1);
        assertEquals(1.0, AuxCounterMean.weight(0, 0, 0), "-f 0 counts as one fork");
    }
}
