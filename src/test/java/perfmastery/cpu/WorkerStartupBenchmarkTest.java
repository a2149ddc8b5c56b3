package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

class WorkerStartupBenchmarkTest {

    private static final int EXPECTED = (42 * 31 + 7) & 0x7F;

    private static WorkerStartupBenchmark prepared() throws Exception {
        WorkerStartupBenchmark benchmark = new WorkerStartupBenchmark();
        benchmark.prepare();
        return benchmark;
    }

    @Test
    void taskIsAnExitStatus() {
        assertEquals(29, EXPECTED);
        for (int input = -1000; input <= 1000; input++) {
            int result = WorkerStartupBenchmark.trivialTask(input);
            assertTrue(result >= 0 && result <= 127, "exit status range");
        }
    }

    @Test
    void threadAndPoolVariantsReturnTheTasksResult() throws Exception {
        WorkerStartupBenchmark benchmark = prepared();
        try {
            assertEquals(EXPECTED, benchmark.platformThread());
            assertEquals(EXPECTED, benchmark.pooledExecutor());
        } finally {
            benchmark.tearDown();
        }
        assertEquals(List.of(), Threads.liveNamed("pooled-worker"));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadReturnsTheTasksResult() throws Exception {
        WorkerStartupBenchmark benchmark = prepared();
        try {
            assertEquals(EXPECTED, benchmark.virtualThread());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadSaysWhyOnOldJdks() throws Exception {
        WorkerStartupBenchmark benchmark = prepared();
        try {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::virtualThread);
            assertTrue(e.getMessage().contains("needs JDK 21+"), e.getMessage());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void childProcessRunsTrueToSuccess() throws Exception {
        WorkerStartupBenchmark benchmark = prepared();
        try {
            assertEquals(0, benchmark.childProcess());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void childJvmRunsTheTrivialMainAndReturnsItsResult() throws Exception {
        WorkerStartupBenchmark benchmark = prepared();
        try {
            assertEquals(EXPECTED, benchmark.childJvm());
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
