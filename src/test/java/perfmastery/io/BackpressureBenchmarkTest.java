package perfmastery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.Result;

import perfmastery.support.GaugeProfiler;

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
    void theThroughputTiesAllowTheEquivalenceMargin() {
        for (perfmastery.support.Claim claim : BackpressureBenchmark.class.getAnnotationsByType(perfmastery.support.Claim.class)) {
            if (claim.id().endsWith("-costs-no-throughput")) {
                assertEquals(0.9, claim.factor(), claim.id() + ": equal in principle, so a 10 % margin, not a tie at 1");
                assertTrue(claim.basis().contains("10 %"), claim.id() + " states its margin's principle");
                assertTrue(claim.text().contains("within 10 %"), claim.id());
            }
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

    /** Each iteration's teardown records that iteration's own peak (not a share, not a running sum). */
    @Test
    void eachIterationRecordsItsOwnPeakAsAGauge() throws InterruptedException {
        BackpressureBenchmark benchmark = new BackpressureBenchmark();
        benchmark.messages = 2048;
        benchmark.startConsumers();
        GaugeProfiler profiler = new GaugeProfiler();
        try {
            BackpressureBenchmark.Consumed consumed = new BackpressureBenchmark.Consumed();
            BackpressureBenchmark.InFlight inFlight = new BackpressureBenchmark.InFlight();
            for (String name : new String[] {"unboundedQueue", "boundedQueue", "unboundedQueue"}) {
                profiler.beforeIteration(null, null);
                consumed.reset();
                inFlight.reset();
                variant(name).run(benchmark, consumed, inFlight);
                variant(name).run(benchmark, consumed, inFlight);
                inFlight.recordPeak();
                Collection<? extends Result> recorded = profiler.afterIteration(null, null, null);
                assertEquals(1, recorded.size(), recorded.toString());
                Result gauge = recorded.iterator().next();
                assertEquals("peakInFlight", gauge.getLabel());
                assertEquals("messages", gauge.getScoreUnit());
                assertEquals(inFlight.iterationPeak(), gauge.getScore(), 0.0);
                if (name.equals("boundedQueue")) {
                    // Right after an unbounded iteration: the reset forgot its peak.
                    assertTrue(gauge.getScore() >= 1 && gauge.getScore() <= BackpressureBenchmark.CAPACITY + 1,
                            "bounded peak " + gauge.getScore());
                } else {
                    // Unwarmed code here; IoGaugesIT checks "at least half a burst" under JMH.
                    assertTrue(gauge.getScore() > BackpressureBenchmark.CAPACITY + 1
                            && gauge.getScore() <= benchmark.messages, "unbounded peak " + gauge.getScore());
                }
            }
        } finally {
            benchmark.stopConsumers();
        }
    }

    @Test
    void aLowerBurstNeverLowersTheIterationsPeak() {
        BackpressureBenchmark.InFlight inFlight = new BackpressureBenchmark.InFlight();
        inFlight.reset();
        inFlight.record(247);
        inFlight.record(257);
        inFlight.record(256);
        assertEquals(257, inFlight.iterationPeak());
        inFlight.reset();
        assertEquals(0, inFlight.iterationPeak());
    }
}
