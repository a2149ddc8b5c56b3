package perfmastery.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A short measurement of the host, taken once at the start of a run and written into every sidecar
 * ({@code *.run.json}, under {@value #KEY}): the host properties that change a lesson's figures although
 * the lesson is the same. Two runs of the same commit on two machines of "the same kind" can disagree
 * because one host pays far more for the first touch of a memory page, runs a loop slower, has a coarser
 * timer, or lends its CPUs to other guests (steal). The report shows these beside the runs and warns when
 * two runs' hosts differ ({@code perfmastery.report.HostSection}).
 *
 * <ul>
 * <li><b>first touch</b>: a fresh direct buffer of {@value #PROBE_BYTES} bytes is zeroed by the JDK as it is
 * allocated, page by page into memory no one touched before (each page a fault); then the same bytes are
 * written again (no fault; the loop's first pass is not timed, as it runs before the JIT compiles it).
 * Both per 4 KiB page, the median of {@value #REPEATS}.</li>
 * <li><b>CPU loop</b>: {@value #LOOP_STEPS} steps of a xorshift generator, the fastest of five runs
 * (the first ones run before the JIT has compiled it).</li>
 * <li><b>timer</b>: the smallest step {@code System.nanoTime()} is seen to take, and the mean cost of one
 * call, over {@value #TIMER_CALLS} calls back to back.</li>
 * <li><b>steal</b>: the share of all CPU time the hypervisor gave other guests (the {@code steal} column of
 * {@code /proc/stat}), since boot when the run starts, and over the run itself when a sidecar is
 * written.</li>
 * </ul>
 * It takes well under a second on an ordinary host; every figure is null where it cannot be read (no
 * {@code /proc} on macOS). These are host figures, not measurements of a lesson.
 */
public final class HostProbe {

    /** The sidecar's field. */
    public static final String KEY = "host";
    static final int PAGE = 4096;
    static final int PROBE_BYTES = 4 * 1024 * 1024;
    static final int REPEATS = 3;
    static final int LOOP_STEPS = 2_000_000;
    /** fib(27) by plain recursion: 635,621 calls, about a millisecond. */
    static final int CALL_DEPTH = 27;
    static final int TIMER_CALLS = 100_000;

    private final Map<String, Object> atStart;
    private final long[] stealAtStart;

    private HostProbe(Map<String, Object> atStart, long[] stealAtStart) {
        this.atStart = atStart;
        this.stealAtStart = stealAtStart;
    }

    /** Measures the host now. */
    public static HostProbe measure() {
        Map<String, Object> host = new LinkedHashMap<>();
        double[] touch = firstAndSecondTouch();
        host.put("firstTouchMicrosPerPage", touch == null ? null : round(touch[0]));
        host.put("secondTouchMicrosPerPage", touch == null ? null : round(touch[1]));
        host.put("cpuLoopMillis", round(cpuLoopMillis()));
        host.put("cpuLoop", LOOP_STEPS + " xorshift steps, the fastest of " + (REPEATS + 2));
        host.put("callLoopMillis", round(callLoopMillis()));
        host.put("callLoop", "recursive fib(" + CALL_DEPTH + "), " + calls(CALL_DEPTH) + " calls, the fastest of "
                + (REPEATS + 2));
        long[] timer = timer();
        host.put("timerGranularityNanos", timer[0]);
        host.put("timerCallNanos", round(timer[1] / (double) TIMER_CALLS));
        long[] steal = stealTicks();
        host.put("stealShareSinceBoot", steal == null ? null : round(share(new long[2], steal)));
        return new HostProbe(host, steal);
    }

    /** What the sidecar holds: the figures taken at the start, and the steal share from then until now. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>(atStart);
        long[] now = stealTicks();
        json.put("stealShareDuringRun", stealAtStart == null || now == null ? null : round(share(stealAtStart, now)));
        return json;
    }

    /** One line for the console. */
    public String summary() {
        return String.format(Locale.ROOT, "first touch %s µs/page (second %s), CPU loop %s ms, call loop %s ms,"
                        + " timer step %s ns, steal since boot %s", atStart.get("firstTouchMicrosPerPage"),
                atStart.get("secondTouchMicrosPerPage"), atStart.get("cpuLoopMillis"), atStart.get("callLoopMillis"),
                atStart.get("timerGranularityNanos"), percent((Double) atStart.get("stealShareSinceBoot")));
    }

    private static String percent(Double share) {
        return share == null ? "unknown" : String.format(Locale.ROOT, "%.2f %%", share * 100);
    }

    /** Microseconds per page of the first and of a second write of fresh memory; null when it fails. */
    static double[] firstAndSecondTouch() {
        int pages = PROBE_BYTES / PAGE;
        byte[] zeros = new byte[PAGE];
        double[] first = new double[REPEATS];
        double[] second = new double[REPEATS];
        List<ByteBuffer> keep = new ArrayList<>();
        try {
            for (int r = 0; r < REPEATS; r++) {
                long t0 = System.nanoTime();
                ByteBuffer buffer = ByteBuffer.allocateDirect(PROBE_BYTES); // zeroed: every page touched first here
                long t1 = System.nanoTime();
                overwrite(buffer, zeros, pages); // the first pass warms the loop itself (interpreted at first)
                long t2 = System.nanoTime();
                overwrite(buffer, zeros, pages);
                long t3 = System.nanoTime();
                keep.add(buffer); // held until all are measured, so no repeat reuses another's freed pages
                first[r] = (t1 - t0) / 1e3 / pages;
                second[r] = (t3 - t2) / 1e3 / pages;
            }
        } catch (OutOfMemoryError | RuntimeException e) {
            return null;
        }
        keep.clear();
        return new double[] {median(first), median(second)};
    }

    private static void overwrite(ByteBuffer buffer, byte[] zeros, int pages) {
        for (int page = 0; page < pages; page++) {
            buffer.put(page * PAGE, zeros);
        }
    }

    private static volatile long sink;

    static double cpuLoopMillis() {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < REPEATS + 2; r++) {
            long t0 = System.nanoTime();
            sink = xorshift(sink | 1, LOOP_STEPS);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }

    /**
     * The fastest of a few recursive fib(27): call-heavy code (a call and a return per step, a deep stack). A
     * host can run it much slower than the xorshift loop suggests: one host of the reference's kind ran
     * FibonacciBenchmark.recursive 2.2x slower while its xorshift loop was 1.23x slower.
     */
    static double callLoopMillis() {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < REPEATS + 2; r++) {
            long t0 = System.nanoTime();
            sink += fib(CALL_DEPTH);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }

    static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /** The calls fib(n) makes: 2 fib(n+1) - 1. */
    static long calls(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n + 1; i++) {
            long next = a + b;
            a = b;
            b = next;
        }
        return 2 * a - 1;
    }

    static long xorshift(long x, int steps) {
        for (int i = 0; i < steps; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** The smallest positive step seen between two calls, and the nanoseconds all calls took. */
    static long[] timer() {
        long smallest = Long.MAX_VALUE;
        long start = System.nanoTime();
        long last = start;
        for (int i = 0; i < TIMER_CALLS; i++) {
            long now = System.nanoTime();
            if (now > last) {
                smallest = Math.min(smallest, now - last);
            }
            last = now;
        }
        return new long[] {smallest == Long.MAX_VALUE ? 0 : smallest, last - start};
    }

    /** The steal ticks and all ticks of the machine's {@code cpu} line in /proc/stat, or null. */
    static long[] stealTicks() {
        try {
            return stealTicks(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {steal, total} from a {@code cpu  user nice system idle iowait irq softirq steal ...} line. */
    static long[] stealTicks(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (!fields[0].equals("cpu") || fields.length < 9) {
            throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
        }
        long total = 0;
        // guest and guest_nice (fields 9, 10) are already counted in user and nice.
        for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {Long.parseLong(fields[8]), total};
    }

    /** The share of CPU time stolen between two readings; 0 when no time passed. */
    static double share(long[] before, long[] after) {
        long total = after[1] - before[1];
        return total <= 0 ? 0 : (after[0] - before[0]) / (double) total;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double round(double value) {
        if (!Double.isFinite(value)) {
            return value;
        }
        double scale = Math.pow(10, Math.max(0, 3 - (int) Math.floor(Math.log10(Math.max(Math.abs(value), 1e-9)))));
        return Math.round(value * scale) / scale;
    }
}
