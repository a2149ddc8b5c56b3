package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import perfmastery.support.Claim;

/**
 * The CPU lessons' claims keep the thresholds their stated principle gives. That every claim names rows the
 * lesson makes and states a basis is checked for all lessons at once by
 * {@code perfmastery.report.LessonClaimsTest}.
 */
class CpuClaimsTest {

    private static Claim claim(Class<?> lesson, String id) {
        return Arrays.stream(lesson.getAnnotationsByType(Claim.class)).filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(lesson.getSimpleName() + " has no claim " + id));
    }

    /** Calls made by the recursive fib(n): 2F(n+1) - 1. */
    private static double recursiveCalls(int n) {
        return 2.0 * FibonacciBenchmark.iterative(n + 1) - 1;
    }

    private static double powerOfTenAtOrBelow(double x) {
        return Math.pow(10, Math.floor(Math.log10(x)));
    }

    @Test
    void claimsTrueByConstructionAreMechanismChecks() {
        for (String id : List.of("memoized-1000x-at-30", "recursive-grows-exponentially", "recursive-100x-from-n20-to-n30")) {
            assertEquals(Claim.Kind.MECHANISM, claim(FibonacciBenchmark.class, id).kind(), id);
        }
        for (String id : List.of("virtual-10x-cores-pool-at-1000", "async-10x-cores-pool-at-1000")) {
            assertEquals(Claim.Kind.MECHANISM, claim(IoBoundOffloadBenchmark.class, id).kind(), id);
        }
        for (String id : List.of("child-jvm-100x-platform", "archived-child-jvm-still-100x-platform")) {
            assertEquals(Claim.Kind.MECHANISM, claim(WorkerStartupBenchmark.class, id).kind(), id);
        }
        assertEquals(Claim.Kind.MECHANISM, claim(WorkerMessagingBenchmark.class, "copied-beats-ipc-at-1MiB").kind());
        for (String id : List.of("workerPool-p99-100x", "threadPerRequest-p99-100x", "virtualThread-p99-100x")) {
            assertEquals(Claim.Kind.MECHANISM, claim(EventLoopBlockingBenchmark.class, id).kind(), id);
        }
    }

    @Test
    void claimsThatDependOnTheCoresSaySoInTheirText() {
        int marked = 0;
        for (Class<?> lesson : List.of(EventLoopBlockingBenchmark.class, HttpHealthUnderLoadBenchmark.class,
                IoBoundOffloadBenchmark.class)) {
            for (Claim claim : lesson.getAnnotationsByType(Claim.class)) {
                if (claim.dependsOnCores()) {
                    marked++;
                    assertTrue(claim.text().contains("2 cores"), claim.id() + ": the text names the cores it was"
                            + " reasoned on: " + claim.text());
                }
            }
        }
        assertEquals(9, marked, "the open-loop, oversubscribed and throughput claims of the event loop, the"
                + " offloaded HTTP claims and the cores-sized pool's");
    }

    @Test
    void fibonacciFactorsAreThePowerOfTenTheirCallCountsGive() {
        double perCallAllowance = 5;
        assertEquals(powerOfTenAtOrBelow(recursiveCalls(30) / (2 * 30 - 1) / perCallAllowance),
                claim(FibonacciBenchmark.class, "memoized-1000x-at-30").factor());
        assertEquals(powerOfTenAtOrBelow(recursiveCalls(20) / (2 * 20 - 1) / perCallAllowance),
                claim(FibonacciBenchmark.class, "recursive-grows-exponentially").factor());
        assertEquals(powerOfTenAtOrBelow(recursiveCalls(30) / recursiveCalls(20)),
                claim(FibonacciBenchmark.class, "recursive-100x-from-n20-to-n30").factor());
    }

    /** The cores the event-loop claims' bases reason with: the machine the suite was written on. */
    private static final int BASIS_CORES = 2;

    @Test
    void eventLoopClaimsSitAtTheLoadsTheirBasesAssume() {
        for (String id : List.of("workerPool-p99-100x", "threadPerRequest-p99-100x", "virtualThread-p99-100x",
                "workerPool-open-loop-p99-100x")) {
            assertEquals(List.of("inFlight=1"), List.of(claim(EventLoopBlockingBenchmark.class, id).params()),
                    id + ": a free core for the loop needs one heavy request in flight");
        }
        Claim threads = claim(EventLoopBlockingBenchmark.class, "threadPerRequest-oversubscribed-open-loop-p99-2x-pool");
        Claim virtual = claim(EventLoopBlockingBenchmark.class, "virtualThread-oversubscribed-open-loop-p99-as-pool");
        for (Claim oversubscribed : List.of(threads, virtual)) {
            assertEquals(List.of("inFlight=" + 8 * BASIS_CORES), List.of(oversubscribed.params()), oversubscribed.id());
            assertEquals("openLoopP99Us", oversubscribed.metric(), oversubscribed.id());
            assertTrue(oversubscribed.baseline().contains("strategy=workerPool"), oversubscribed.id());
        }
        // Eight runnable threads per core against one: the claim asks a quarter of that.
        assertEquals(8.0 / 4, threads.factor());
        assertTrue(threads.factor() < (8.0 * BASIS_CORES + 1) / (BASIS_CORES + 1),
                "below the fair-share ratio 1/(P+1) over 1/(8P+1)");
        assertTrue(virtual.factor() < 1, "the same competition as the pool is an upper limit: a factor below 1");

        Claim throughput = claim(EventLoopBlockingBenchmark.class, "workerPool-heavy-throughput-uses-the-cores");
        assertEquals(List.of("inFlight=" + 2 * BASIS_CORES, "inFlight=" + 8 * BASIS_CORES), List.of(throughput.params()));
        assertTrue(throughput.factor() > 1 && throughput.factor() < BASIS_CORES,
                "more than one core's work, less than P cores' (the loop and the probes need some)");
    }

    @Test
    void inlineOpenLoopBoundIsTheP99OfAUniformWaitAtTenPercentBusy() {
        Claim claim = claim(EventLoopBlockingBenchmark.class, "inline-open-loop-p99-at-least-0.9-task");
        // A check that lands in a task (a share f of them) waits uniform on [0, T]: the p99 is T(1 - 0.01/f).
        double busyShare = 0.10;
        assertEquals(1 - 0.01 / busyShare, claim.bound(), 1e-12);
        assertEquals("openLoopP99PerTask", claim.metric(), "in tasks, so the bound holds on a machine of any speed");
        assertEquals(Claim.Relation.HIGHER, claim.relation());
        assertTrue(claim.baseline().isEmpty(), "a bound claim");
        assertTrue(claim.variant().contains("strategy=inline"));
        assertEquals(0, claim.params().length, "queued heavy requests only lengthen the wait: every inFlight");
    }

    @Test
    void openLoopHttpClaimTestsThePremiseOfTheClosedLoopRatio() {
        Claim closed = claim(HttpHealthUnderLoadBenchmark.class, "offloaded-health-p99-10x-lower-at-36");
        Claim open = claim(HttpHealthUnderLoadBenchmark.class, "offloaded-open-loop-p99-at-most-4ms");
        assertEquals("openLoopP99Us", open.metric(), "the open-loop p99, in the gauge's microseconds");
        assertTrue(open.baseline().isEmpty(), "a bound claim, not a ratio to blocking");
        assertEquals(Claim.Relation.LOWER, open.relation());
        double fib36Micros = 40_000;
        assertEquals(fib36Micros / closed.factor(), open.bound(), 1e-9,
                "the closed-loop ratio's premise: fib(36)'s 40 ms against at most 4 ms offloaded");
        assertEquals("health[server=offloaded]", open.variant(), "however heavy the task: every heavy");
        assertEquals(0, open.params().length);
        assertTrue(closed.basis().contains("at most 4 ms") && open.basis().contains("at most 4 ms"));
    }

    @Test
    void archivedChildJvmClaimsKeepTheOrderOfMagnitudeAndAskForASpeedUp() {
        Claim faster = claim(WorkerStartupBenchmark.class, "archived-child-jvm-1.1x-faster");
        Claim still = claim(WorkerStartupBenchmark.class, "archived-child-jvm-still-100x-platform");
        assertEquals("childJvm", faster.baseline());
        assertTrue(faster.factor() > 1, "faster, by a stated share");
        assertEquals(claim(WorkerStartupBenchmark.class, "child-jvm-100x-platform").factor(), still.factor(),
                "the archive shortens a JVM's start, it does not change its order of magnitude");
    }

    @Test
    void httpGrowthFactorIsHalfTheTaskRatio() {
        Claim grows = claim(HttpHealthUnderLoadBenchmark.class, "blocking-health-p99-grows-with-the-task");
        assertTrue(grows.variant().contains("heavy=36") && grows.baseline().contains("heavy=32"), grows.variant());
        double taskRatio = recursiveCalls(36) / recursiveCalls(32);
        assertEquals(taskRatio / 2, grows.factor(), 0.05, "half of fib(36)'s calls over fib(32)'s");
        Claim flat = claim(HttpHealthUnderLoadBenchmark.class, "offloaded-health-p99-flat");
        assertTrue(flat.factor() < 1, "a flat curve is an upper limit: a factor below 1");
        assertTrue(1 / flat.factor() < grows.factor(),
                "offloaded may grow less than blocking must, or the two claims would not tell them apart");
    }
}
