package perfmastery.load;

import perfmastery.cpu.Threads;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

/**
 * The open-loop probe: its percentiles against known distributions, its fixed schedule, its timing from
 * the intended send time (the correction a closed loop lacks), its bound, and its thread's end. No
 * assertion rests on how fast anything ran: the only times asserted are lower bounds that a sleep
 * guarantees.
 */
class OpenLoopProbeTest {

    private static final long MICRO = 1_000;
    private static final long MILLI = 1_000_000;
    /** HdrHistogram with 3 significant digits: a value is reported within 0.1 % of what was recorded. */
    private static final double PRECISION = 0.001;

    private final AtomicReference<OpenLoopProbe> probe = new AtomicReference<>();

    @AfterEach
    void closeTheProbe() throws Exception {
        if (probe.get() != null) {
            probe.get().close();
        }
        assertEquals(List.of(), Threads.liveNamed(OpenLoopProbe.THREAD_NAME), "the sender stopped");
    }

    @Test
    void percentilesOfAUniformDistribution() {
        Histogram histogram = new Histogram(3);
        for (long micros = 1; micros <= 100_000; micros++) {
            histogram.recordValue(micros * MICRO);
        }
        OpenLoopProbe.IterationResult result = OpenLoopProbe.IterationResult.of(histogram, 0, null);
        assertEquals(100_000, result.checks());
        assertEquals(50_000, result.percentileMicros(50), 50_000 * PRECISION);
        assertEquals(99_000, result.percentileMicros(99), 99_000 * PRECISION);
        assertEquals(99_900, result.percentileMicros(99.9), 99_900 * PRECISION);
        assertEquals(100_000, result.maxMicros(), 100_000 * PRECISION);
    }

    @Test
    void percentilesOfATwoValuedDistributionThroughTheProbe() throws Exception {
        OpenLoopProbe.IterationResult empty = OpenLoopProbe.IterationResult.of(new Histogram(3), 0, null);
        assertEquals(0, empty.checks());
        assertTrue(Double.isNaN(empty.percentileMicros(99)), "no checks, no percentile");
        assertEquals(List.of("openLoopChecks"), List.copyOf(RecordedGauges.during(empty::recordGauges).keySet()),
                "no percentile gauge without checks: the report says NOT MEASURED");

        // Each check the schedule sends fails, so only the known values below are timed.
        OpenLoopProbe quiet = start(1, Integer.MAX_VALUE, intended -> quietProbe().failed(new Exception("not timed")));
        quiet.startIteration();
        for (int i = 0; i < 99_000; i++) {
            quiet.record(100 * MICRO);
        }
        for (int i = 0; i < 1_000; i++) {
            quiet.record(10 * MILLI);
        }
        OpenLoopProbe.IterationResult result = quiet.finishIteration(10, TimeUnit.SECONDS);
        assertEquals(100_000, result.checks(), "the failed first check is counted apart, not timed");
        assertEquals(100, result.percentileMicros(50), 100 * PRECISION);
        assertEquals(100, result.percentileMicros(99), 100 * PRECISION, "99 % of the checks took 100 us");
        assertEquals(10_000, result.percentileMicros(99.9), 10_000 * PRECISION, "the slowest 1 % took 10 ms");

        Map<String, Result<?>> gauges = RecordedGauges.during(result::recordGauges);
        assertEquals(100_000, RecordedGauges.score(gauges, "openLoopChecks"));
        assertEquals(100, RecordedGauges.score(gauges, "openLoopP50Us"), 100 * PRECISION);
        assertEquals(100, RecordedGauges.score(gauges, "openLoopP99Us"), 100 * PRECISION);
        assertEquals(10_000, RecordedGauges.score(gauges, "openLoopP999Us"), 10_000 * PRECISION);
        assertEquals("us", gauges.get("openLoopP99Us").getScoreUnit());
    }

    private OpenLoopProbe quietProbe() {
        return probe.get();
    }

    @Test
    void checksAreDueOnAFixedScheduleAndEveryOneIsAnswered() throws Exception {
        List<Long> intendedTimes = new ArrayList<>();
        OpenLoopProbe started = start(1_000, Integer.MAX_VALUE, intended -> {
            synchronized (intendedTimes) {
                intendedTimes.add(intended);
            }
            quietProbe().answered(intended);
        });
        started.startIteration();
        waitFor(() -> started.sent(), 50);
        OpenLoopProbe.IterationResult result = started.finishIteration(10, TimeUnit.SECONDS);
        synchronized (intendedTimes) {
            assertEquals(intendedTimes.size(), result.checks(), "every check sent was answered and timed");
            for (int i = 1; i < intendedTimes.size(); i++) {
                assertEquals(started.intervalNanos(), intendedTimes.get(i) - intendedTimes.get(i - 1),
                        "check " + i + " is due one interval after the one before, whatever happened meanwhile");
            }
        }
        assertEquals(1_000_000, started.intervalNanos(), "1,000 checks a second");
        assertEquals(0, result.errors());
    }

    @Test
    void aStalledAnswerDelaysEveryCheckDueDuringTheStall() throws Exception {
        // Check 10 stalls the sender for 50 ms, as a stuck server stalls a client's connection. A closed loop
        // would time one slow check; timed from their intended send times, the 40 checks due during the
        // stall's first 40 ms each waited at least 10 ms.
        OpenLoopProbe started = start(1_000, Integer.MAX_VALUE, new OpenLoopProbe.Check() {
            private int sent;

            @Override
            public void send(long intended) throws InterruptedException {
                if (sent++ == 10) {
                    Thread.sleep(50);
                }
                quietProbe().answered(intended);
            }
        });
        started.startIteration();
        waitFor(() -> started.sent(), 100);
        OpenLoopProbe.IterationResult result = started.finishIteration(10, TimeUnit.SECONDS);
        Histogram latencies = result.histogram();
        long atLeast10Ms = latencies.getCountBetweenValues(10 * MILLI, latencies.getMaxValue());
        assertTrue(atLeast10Ms >= 40, atLeast10Ms + " checks waited 10 ms or more; the stall delayed at least 40");
        assertTrue(latencies.getMaxValue() >= 50 * MILLI * (1 - PRECISION), "the stalled check itself waited 50 ms");
        // Checks 11 to 49 left the stalled sender at least 10 ms late: the send lag says whose wait it was.
        Histogram sendLag = result.sendLag();
        long sentAtLeast10MsLate = sendLag.getCountBetweenValues(10 * MILLI, Math.max(sendLag.getMaxValue(), 10 * MILLI));
        assertTrue(sentAtLeast10MsLate >= 39, sentAtLeast10MsLate + " checks left 10 ms late or more");
        double lagP99 = RecordedGauges.score(RecordedGauges.during(result::recordGauges), "openLoopSendLagP99Us");
        assertTrue(lagP99 >= 10_000 * (1 - PRECISION), "the send lag's p99 shows the stall: " + lagP99);
    }

    @Test
    void theSenderStopsAtItsBoundOfUnansweredChecksAndResumesOnAnswers() throws Exception {
        List<Long> unanswered = new ArrayList<>();
        OpenLoopProbe started = start(1_000, 5, intended -> {
            synchronized (unanswered) {
                unanswered.add(intended);
            }
        });
        started.startIteration();
        waitFor(() -> started.sent(), 5);
        Thread.sleep(30);
        assertEquals(5, started.sent(), "no sixth check while five are unanswered");
        answerAll(unanswered);
        waitFor(() -> started.sent(), 10);
        answerAll(unanswered);
        OpenLoopProbe.IterationResult result;
        // Answer whatever is sent until the sender has stopped, then everything is accounted for.
        Thread answerer = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                answerAll(unanswered);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        answerer.start();
        try {
            result = started.finishIteration(10, TimeUnit.SECONDS);
        } finally {
            answerer.interrupt();
            answerer.join();
        }
        assertEquals(started.sent(), result.checks());
        assertTrue(result.checks() >= 10);
    }

    private void answerAll(List<Long> unanswered) {
        synchronized (unanswered) {
            for (long intended : unanswered) {
                quietProbe().answered(intended);
            }
            unanswered.clear();
        }
    }

    @Test
    void nothingIsSentOutsideAnIterationAndCloseStopsTheThread() throws Exception {
        List<Long> sends = new ArrayList<>();
        OpenLoopProbe started = start(1_000, Integer.MAX_VALUE, intended -> {
            synchronized (sends) {
                sends.add(intended);
            }
            quietProbe().answered(intended);
        });
        Thread.sleep(20);
        assertEquals(0, sendCount(sends), "no iteration, no checks");
        started.startIteration();
        waitFor(() -> started.sent(), 5);
        OpenLoopProbe.IterationResult result = started.finishIteration(10, TimeUnit.SECONDS);
        int afterFinish = sendCount(sends);
        assertEquals(afterFinish, result.checks());
        Thread.sleep(20);
        assertEquals(afterFinish, sendCount(sends), "no check after the iteration's end");
        assertTrue(started.isRunning(), "the thread waits for the next iteration");
        started.close();
        assertFalse(started.isRunning());
        assertThrows(IllegalStateException.class, started::startIteration, "a closed probe starts nothing");
    }

    private static int sendCount(List<Long> sends) {
        synchronized (sends) {
            return sends.size();
        }
    }

    @Test
    void unansweredChecksFailTheIterationWithACount() throws Exception {
        OpenLoopProbe started = start(1_000, Integer.MAX_VALUE, intended -> { });
        started.startIteration();
        waitFor(() -> started.sent(), 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> started.finishIteration(0, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("open-loop checks were not answered within 0 s"), e.getMessage());
        assertThrows(IllegalStateException.class, started::startIteration,
                "the next iteration refuses to start over unanswered checks");
    }

    @Test
    void aFailedSendIsCountedNotTimed() throws Exception {
        OpenLoopProbe started = start(1_000, Integer.MAX_VALUE, intended -> {
            throw new java.io.IOException("connection refused");
        });
        started.startIteration();
        waitFor(() -> started.sent(), 3);
        OpenLoopProbe.IterationResult result = started.finishIteration(10, TimeUnit.SECONDS);
        assertEquals(0, result.checks());
        assertTrue(result.errors() >= 3);
        assertEquals("connection refused", result.firstError().getMessage());
    }

    @Test
    void aRateBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> OpenLoopProbe.start(0, 1, intended -> { }));
    }

    private OpenLoopProbe start(int perSecond, int maxOutstanding, OpenLoopProbe.Check check) throws Exception {
        if (probe.get() != null) {
            probe.get().close();
        }
        OpenLoopProbe started = OpenLoopProbe.start(perSecond, maxOutstanding, check);
        probe.set(started);
        return started;
    }

    /** Polls (bounded, a minute) until the count reaches {@code atLeast}; not a timing assertion. */
    private static void waitFor(LongSupplier count, long atLeast) throws InterruptedException {
        for (int polls = 0; count.getAsLong() < atLeast; polls++) {
            assertTrue(polls < 60_000, "the count stayed at " + count.getAsLong() + " for a minute");
            Thread.sleep(1);
        }
    }
}
