package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import perfmastery.runner.BenchmarkSelection.Benchmark;
import perfmastery.runner.RunOptions.ForkOrder;

class ForkPlanTest {

    private static final Benchmark TWO = new Benchmark("p.A.run", Map.of(), List.of(), 2);
    private static final Benchmark SIX = new Benchmark("p.B.run", Map.of(), List.of(), 6);
    private static final Benchmark SEVEN = new Benchmark("p.C.run", Map.of(), List.of(), 7);
    private static final Benchmark NONE = new Benchmark("p.D.run", Map.of(), List.of());

    private static ForkPlan plan(ForkOrder order, Preset preset, String... jmhArgs) throws UsageError {
        return ForkPlan.of(order, preset, JmhArgs.parse(List.of(jmhArgs)));
    }

    @Test
    void quickRunsThreeRoundsOfOneForkAndALessonsLargerForkAsMoreForksPerRound() throws UsageError {
        ForkPlan quick = plan(ForkOrder.ROUNDS, Preset.QUICK);
        assertTrue(quick.inRounds());
        assertEquals(3, quick.rounds());
        assertEquals(1, quick.forksPerInvocation(TWO));
        assertEquals(1, quick.forksPerInvocation(NONE));
        assertEquals(2, quick.forksPerInvocation(SIX));
        assertEquals(3, quick.forksPerInvocation(SEVEN), "ceil(7/3): at least the lesson's own count");
        assertEquals(9, quick.totalForks(SEVEN));
        assertEquals(ForkOrder.ROUNDS, quick.effectiveOrder());
    }

    @Test
    void consecutiveIsOneInvocationWithTheLargerOfBoth() throws UsageError {
        ForkPlan full = plan(ForkOrder.CONSECUTIVE, Preset.FULL);
        assertFalse(full.inRounds());
        assertEquals(1, full.rounds());
        assertEquals(3, full.forksPerInvocation(TWO));
        assertEquals(6, full.forksPerInvocation(SIX));
        assertEquals(ForkOrder.CONSECUTIVE, full.effectiveOrder());
    }

    @Test
    void smokeAndAUsersForkCountOverrideTheLessonsOwn() throws UsageError {
        ForkPlan smoke = plan(ForkOrder.ROUNDS, Preset.SMOKE);
        assertFalse(smoke.inRounds());
        assertEquals(1, smoke.forksPerInvocation(SIX));
        ForkPlan user = plan(ForkOrder.ROUNDS, Preset.QUICK, "Fib", "-f", "4");
        assertEquals(4, user.rounds());
        assertEquals(1, user.forksPerInvocation(SEVEN));
        ForkPlan userConsecutive = plan(ForkOrder.CONSECUTIVE, Preset.QUICK, "-f", "2");
        assertEquals(2, userConsecutive.forksPerInvocation(SEVEN));
        ForkPlan noFork = plan(ForkOrder.ROUNDS, Preset.FULL, "-f", "0");
        assertFalse(noFork.inRounds(), "-f 0 runs in the host JVM, once");
        assertEquals(0, noFork.forksPerInvocation(SIX));
    }

    @Test
    void theUsersForkOptionIsTakenOutOfTheirArguments() throws UsageError {
        assertEquals(List.of("Fib", "-p", "n=1"), JmhArgs.parse(List.of("Fib", "-f", "2", "-p", "n=1")).argsWithoutForks());
        assertEquals(List.of("Fib"), JmhArgs.parse(List.of("-f3", "Fib")).argsWithoutForks());
        assertEquals(List.of("Fib", "-wi", "2"), JmhArgs.parse(List.of("Fib", "-wi", "2")).argsWithoutForks());
        assertThrows(UsageError.class, () -> JmhArgs.parse(List.of("-f", "x")));
    }
}
