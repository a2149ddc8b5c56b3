package perfmastery.load;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;

import perfmastery.support.Gauges;

/**
 * Health checks sent on a fixed schedule, a constant arrival rate as wrk2 sends them, each timed from its
 * <em>intended</em> send time into an HdrHistogram: the open-loop latency that a closed-loop probe hides.
 *
 * <h2>Why open loop</h2>
 * A closed-loop probe (JMH's own {@code SampleTime} loop) sends its next check only when the previous one
 * is answered. While the server is stalled it sends nothing, so a stall of 25 ms is one slow sample,
 * however many checks real clients would have sent meanwhile: the probe coordinates with the system it
 * measures and omits the samples that would show the queue (coordinated omission, Gil Tene's term). Here
 * check i is due at {@code start + i x interval} whatever happened to the others; a check sent late
 * (the sender was descheduled, or waited for a free slot) is still timed from the moment it was due.
 * A stall of 25 ms then shows as 25 ms / interval checks waiting 25 ms down to 0, the weight it has for
 * clients arriving at that rate.
 *
 * <h2>How</h2>
 * One dedicated platform thread ({@value #THREAD_NAME}) sends; it never waits for an answer. Whoever
 * receives an answer calls {@link #answered(long)} with the check's intended time (or {@link #failed}),
 * from any thread: the {@link Recorder} takes values from concurrent writers without locks. Sending runs
 * only between {@link #startIteration()} and {@link #finishIteration}, which waits (bounded) until every
 * check sent in the iteration is answered, so each iteration's histogram holds exactly its own checks,
 * the slowest included. Between iterations the thread waits; {@link #close()} stops it.
 *
 * <p>Bounds: at most {@code maxOutstanding} checks unanswered at once (beyond that the sender waits for
 * an answer, and the checks it then sends late are still timed from their intended times, as wrk2 does
 * with its fixed connections), and no sending after {@link #MAX_LOAD_NANOS} from the start, so the
 * thread stops by itself even if no teardown ever comes.
 */
public final class OpenLoopProbe implements AutoCloseable, OpenLoopHttpClient.Outcome {

    /** Sends one check without waiting for its answer. The answer's receiver calls answered or failed. */
    @FunctionalInterface
    public interface Check {
        void send(long intendedNanos) throws Exception;
    }

    public static final String THREAD_NAME = "open-loop-probe";
    static final long MAX_LOAD_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final long intervalNanos;
    private final int maxOutstanding;
    private final Check check;
    private final long deadline;
    /** Three significant digits: a percentile is exact to 0.1 %. Auto-resizing: no highest value to guess. */
    private final Recorder recorder = new Recorder(3);
    /** How late each check left the sender: the part of its latency that is the sender's own delay. */
    private final SingleWriterRecorder sendLag = new SingleWriterRecorder(3);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean capped;

    // Guarded by this.
    private boolean sending;
    private boolean closed;
    private long generation;
    private long scheduleStart;
    private long sent;

    private OpenLoopProbe(int checksPerSecond, int maxOutstanding, Check check) {
        if (checksPerSecond < 1 || maxOutstanding < 1) {
            throw new IllegalArgumentException("an open-loop probe needs a rate and a bound of at least 1, not "
                    + checksPerSecond + "/s and " + maxOutstanding);
        }
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / checksPerSecond;
        this.maxOutstanding = maxOutstanding;
        this.check = check;
        this.deadline = System.nanoTime() + MAX_LOAD_NANOS;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    /** A probe whose thread is started and waits for the first {@link #startIteration()}. */
    public static OpenLoopProbe start(int checksPerSecond, int maxOutstanding, Check check) {
        OpenLoopProbe probe = new OpenLoopProbe(checksPerSecond, maxOutstanding, check);
        probe.thread.start();
        return probe;
    }

    long intervalNanos() {
        return intervalNanos;
    }

    private void run() {
        long myGeneration = -1;
        long index = 0;
        while (true) {
            long intended;
            synchronized (this) {
                while (!closed && !sending) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                if (generation != myGeneration) {
                    myGeneration = generation;
                    index = 0;
                }
                intended = scheduleStart + index * intervalNanos;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                capped = true;
                synchronized (this) {
                    sending = false;
                }
                continue;
            }
            if (intended - now > 0) {
                LockSupport.parkNanos(intended - now);
                continue;
            }
            boolean full;
            synchronized (this) {
                if (!sending || generation != myGeneration) {
                    continue;
                }
                full = sent - answered.get() >= maxOutstanding;
                if (!full) {
                    sent++;
                }
            }
            if (full) {
                // Wait for an answer; this check stays due at its intended time and is timed from it.
                LockSupport.parkNanos(intervalNanos);
                continue;
            }
            index++;
            sendLag.recordValue(Math.max(0, System.nanoTime() - intended));
            try {
                check.send(intended);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** The answer to the check due at {@code intendedNanos} is in: its latency counts from then. */
    @Override
    public void answered(long intendedNanos) {
        record(System.nanoTime() - intendedNanos);
        answered.incrementAndGet();
    }

    /** A check failed (no answer, or a wrong one): counted, not timed. */
    @Override
    public void failed(Throwable error) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, error);
        answered.incrementAndGet();
    }

    /** Records one latency (tests feed known distributions through here). */
    void record(long latencyNanos) {
        recorder.recordValue(Math.max(0, latencyNanos));
    }

    /** Starts a schedule at now: check i is due at now + i x interval. */
    public synchronized void startIteration() {
        if (closed) {
            throw new IllegalStateException("the open-loop probe is closed");
        }
        if (sending) {
            throw new IllegalStateException("the open-loop probe is already sending");
        }
        if (sent != answered.get()) {
            throw new IllegalStateException((sent - answered.get()) + " open-loop checks of the last iteration are still unanswered");
        }
        generation++;
        sent = 0;
        answered.set(0);
        errors.set(0);
        firstError.set(null);
        recorder.reset();
        sendLag.reset();
        scheduleStart = System.nanoTime();
        sending = true;
        notifyAll();
    }

    /** Checks sent so far in this iteration. */
    public synchronized long sent() {
        return sent;
    }

    /**
     * Stops sending, waits until every check sent in the iteration is answered (at most {@code timeout}),
     * and returns the iteration's figures.
     */
    public IterationResult finishIteration(long timeout, TimeUnit unit) throws InterruptedException {
        long sentThisIteration;
        synchronized (this) {
            sending = false;
            sentThisIteration = sent;
        }
        long waitUntil = System.nanoTime() + unit.toNanos(timeout);
        while (answered.get() < sentThisIteration) {
            if (System.nanoTime() - waitUntil >= 0) {
                throw new IllegalStateException((sentThisIteration - answered.get()) + " of " + sentThisIteration
                        + " open-loop checks were not answered within " + unit.toSeconds(timeout) + " s");
            }
            Thread.sleep(1);
        }
        if (capped) {
            throw new IllegalStateException("the open-loop probe stopped at its cap ("
                    + TimeUnit.NANOSECONDS.toMinutes(MAX_LOAD_NANOS) + " min): shorten the run");
        }
        return new IterationResult(recorder.getIntervalHistogram(), sendLag.getIntervalHistogram(), errors.get(),
                firstError.get());
    }

    /** Stops the thread, whatever state it is in. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            sending = false;
            notifyAll();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (thread.isAlive()) {
            throw new IllegalStateException(THREAD_NAME + " did not stop within 10 s");
        }
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * One iteration's open-loop figures: the histogram of the answered checks' latencies (nanoseconds, from
     * each check's intended send time), that of how late each left the sender, and the failed checks.
     */
    public record IterationResult(Histogram histogram, Histogram sendLag, long errors, Throwable firstError) {

        static IterationResult of(Histogram histogram, long errors, Throwable firstError) {
            return new IterationResult(histogram, new Histogram(3), errors, firstError);
        }

        /** Answered checks, the samples the percentiles rest on. */
        public long checks() {
            return histogram.getTotalCount();
        }

        /** The latency that {@code percentile} % of the checks did not exceed, in microseconds; NaN without checks. */
        public double percentileMicros(double percentile) {
            return checks() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1_000.0;
        }

        double maxMicros() {
            return checks() == 0 ? Double.NaN : histogram.getMaxValue() / 1_000.0;
        }

        /**
         * Hands the iteration's figures to JMH as gauges: {@code openLoopP50Us}, {@code openLoopP99Us},
         * {@code openLoopP999Us} (microseconds) and {@code openLoopChecks}, the sample count they rest on:
         * p99.9 is set by the slowest 0.1 % of the checks, 10 of 10,000 but only 1 of 1,000, where it is
         * nearly the maximum. And {@code openLoopSendLagP99Us}, the p99 of how late the checks left the
         * sender: the sender shares the cores with the load, and when it waits for one its checks leave late
         * and the delay counts in their latency, as it would for a client on the same host (one on another
         * machine would not pay it). A send lag near the latency says the sender, not the server, waited. No
         * percentile is recorded for an iteration without answered checks: the report then says NOT
         * MEASURED.
         */
        public void recordGauges() {
            Gauges.record("openLoopChecks", checks(), "#");
            if (checks() > 0) {
                Gauges.record("openLoopP50Us", percentileMicros(50), "us");
                Gauges.record("openLoopP99Us", percentileMicros(99), "us");
                Gauges.record("openLoopP999Us", percentileMicros(99.9), "us");
            }
            if (sendLag.getTotalCount() > 0) {
                Gauges.record("openLoopSendLagP99Us", sendLag.getValueAtPercentile(99) / 1_000.0, "us");
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d checks, %d errors, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                    checks(), errors, percentileMicros(50), percentileMicros(99), percentileMicros(99.9), maxMicros());
        }
    }
}
