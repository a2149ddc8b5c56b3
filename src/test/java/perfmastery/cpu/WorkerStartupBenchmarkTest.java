package perfmastery.cpu;

import perfmastery.process.AppClassArchive;
import perfmastery.process.ChildJvm;
import perfmastery.process.TrivialChildMain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    @ParameterizedTest
    @ValueSource(ints = {42, 43})
    void childJvmFromItsClassArchiveReturnsTheTasksResult(int input) throws Exception {
        assumeTrue(AppClassArchive.defaultCdsArchivePresent(), "this JDK has no CDS archive to build on");
        assumeTrue(onlyJars(ChildJvm.classPath()), "the test runs from class folders: WorkerStartupArchiveIT runs it from the jar");
        WorkerStartupBenchmark benchmark = prepared(input);
        Path folder;
        try {
            benchmark.prepareArchive();
            folder = benchmark.archive().file().getParent();
            assertEquals(WorkerStartupBenchmark.trivialTask(input), benchmark.childJvmAotCache());
        } finally {
            benchmark.tearDown();
        }
        assertFalse(Files.exists(folder), "the archive's folder is deleted at teardown");
    }

    @Test
    void aClassPathWithAFolderIsOneClearErrorBeforeAnyTraining() throws Exception {
        String classPath = ChildJvm.classPath();
        assumeTrue(!onlyJars(classPath), "the test JVM runs from jars only");
        WorkerStartupBenchmark benchmark = prepared(42);
        try {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::prepareArchive);
            assertTrue(e.getMessage().startsWith("an archive of classes needs a class path of jars only, and "), e.getMessage());
            assertTrue(e.getMessage().endsWith("is a directory: run from the benchmarks jar (java -jar target/benchmarks.jar)"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, benchmark::childJvmAotCache, "no archive, no archived child");
        } finally {
            benchmark.tearDown();
        }
    }

    private static boolean onlyJars(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator)).noneMatch(entry -> Files.isDirectory(Path.of(entry)));
    }

    @Test
    void theArchiveKindFollowsTheJdk() {
        assertEquals(AppClassArchive.Kind.APP_CDS, AppClassArchive.Kind.forFeature(17));
        assertEquals(AppClassArchive.Kind.APP_CDS, AppClassArchive.Kind.forFeature(24));
        assertEquals(AppClassArchive.Kind.AOT_CACHE, AppClassArchive.Kind.forFeature(25));
        assertEquals(List.of("-XX:AOTCacheOutput=/x/app.aot"), AppClassArchive.Kind.AOT_CACHE.trainingOptions(Path.of("/x/app.aot")));
        assertEquals(List.of("-XX:ArchiveClassesAtExit=/x/app.jsa"), AppClassArchive.Kind.APP_CDS.trainingOptions(Path.of("/x/app.jsa")));
        assertEquals(List.of("-XX:AOTMode=on", "-XX:AOTCache=/x/app.aot"), AppClassArchive.Kind.AOT_CACHE.useOptions(Path.of("/x/app.aot")));
        assertEquals(List.of("-Xshare:on", "-XX:SharedArchiveFile=/x/app.jsa"), AppClassArchive.Kind.APP_CDS.useOptions(Path.of("/x/app.jsa")));
    }

    @Test
    void childJvmCommandIsThisJavaAndClassPath() {
        List<String> command = ChildJvm.command(List.of("-Xmx16m"), TrivialChildMain.class, "7");
        assertEquals(ChildJvm.javaBinary().toString(), command.get(0));
        assertEquals(List.of("-Xmx16m", "-cp"), command.subList(1, 3));
        assertEquals(List.of(TrivialChildMain.class.getName(), "7"), command.subList(4, 6));
    }
}
