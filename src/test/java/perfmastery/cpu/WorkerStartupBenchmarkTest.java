package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerStartupBenchmarkTest {

    /** Two inputs whose results differ, so a variant that ignored its task could not pass. */
    private static final int[] INPUTS = {42, 43};

    private static WorkerStartupBenchmark prepared(int input) throws Exception {
        WorkerStartupBenchmark benchmark = new WorkerStartupBenchmark();
        benchmark.prepare(input);
        return benchmark;
    }

    @Test
    void theTaskIsAnExitStatusThatFollowsItsInput() {
        assertEquals(29, WorkerStartupBenchmark.trivialTask(42), "(42 * 31 + 7) mod 128");
        assertNotEquals(WorkerStartupBenchmark.trivialTask(INPUTS[0]), WorkerStartupBenchmark.trivialTask(INPUTS[1]));
        Set<Integer> seen = new HashSet<>();
        for (int input = -1000; input <= 1000; input++) {
            int result = WorkerStartupBenchmark.trivialTask(input);
            assertTrue(result >= 0 && result <= 127, "an exit status is 0..127 (128 and up mean a signal): " + result);
            seen.add(result);
        }
        assertEquals(128, seen.size(), "every status is reachable: the task is not a constant");
    }

    @Test
    void theDefaultSetupRunsTheTaskOn42() throws Exception {
        WorkerStartupBenchmark benchmark = new WorkerStartupBenchmark();
        benchmark.prepare();
        try {
            assertEquals(WorkerStartupBenchmark.trivialTask(42), benchmark.platformThread());
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {42, 43})
    void threadAndPoolVariantsReturnTheTasksResult(int input) throws Exception {
        WorkerStartupBenchmark benchmark = prepared(input);
        try {
            assertEquals(WorkerStartupBenchmark.trivialTask(input), benchmark.platformThread());
            assertEquals(WorkerStartupBenchmark.trivialTask(input), benchmark.pooledExecutor());
        } finally {
            benchmark.tearDown();
        }
        assertEquals(List.of(), Threads.liveNamed("pooled-worker"));
    }

    @ParameterizedTest
    @ValueSource(ints = {42, 43})
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadReturnsTheTasksResult(int input) throws Exception {
        WorkerStartupBenchmark benchmark = prepared(input);
        try {
            assertEquals(WorkerStartupBenchmark.trivialTask(input), benchmark.virtualThread());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadSaysWhyOnOldJdks() throws Exception {
        WorkerStartupBenchmark benchmark = prepared(42);
        try {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::virtualThread);
            assertTrue(e.getMessage().contains("needs JDK 21+"), e.getMessage());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void childProcessRunsTrueToSuccess() throws Exception {
        WorkerStartupBenchmark benchmark = prepared(42);
        try {
            assertEquals(0, benchmark.childProcess());
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {42, 43})
    void childJvmRunsTheTrivialMainAndReturnsItsResult(int input) throws Exception {
        WorkerStartupBenchmark benchmark = prepared(input);
        try {
            assertEquals(WorkerStartupBenchmark.trivialTask(input), benchmark.childJvm());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void childJvmCommandIsThisJavaAndClassPath() {
        List<String> command = ChildJvm.command(List.of("-Xmx16m"), TrivialChildMain.class, "7");
        assertEquals(ChildJvm.javaBinary().toString(), command.get(0));
        assertEquals(List.of("-Xmx16m", "-cp"), command.subList(1, 3));
        assertEquals(List.of(TrivialChildMain.class.getName(), "7"), command.subList(4, 6));
    }
}
