package perfmastery.process;

import perfmastery.cpu.Threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.process.WorkerFootprint.Kind;
import perfmastery.process.WorkerFootprint.Measurement;

class WorkerFootprintTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), Threads.liveNamed(WorkerFootprint.THREAD_NAME_PREFIX), "a worker thread outlived its test");
        assertEquals(List.of(), liveChildren(), "a child process outlived its test");
    }

    private static List<String> liveChildren() throws InterruptedException {
        List<ProcessHandle> children = ProcessHandle.current().children().collect(Collectors.toList());
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // reported below
            }
        }
        return children.stream().filter(ProcessHandle::isAlive)
                .map(child -> child.pid() + " " + child.info().commandLine().orElse("?")).collect(Collectors.toList());
    }

    @Test
    void aParkedPlatformThreadCostsSomeHeapAndNoChildren() throws Exception {
        // 500 threads: hundreds of bytes each is 100+ KB of signal, above the test JVM's own heap noise.
        Measurement row = WorkerFootprint.measure(Kind.PLATFORM_THREAD, 500);
        assertEquals(500, row.workers());
        // A Thread object, its holder and its name: hundreds of bytes, not nothing and not a stack.
        assertTrue(row.heapPerWorker() > 0 && row.heapPerWorker() < 64 * KIB, "heap per thread " + row.heapPerWorker());
        assertTrue(row.childrenRssBytes().isEmpty() && row.childrenPssBytes().isEmpty());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void aParkedVirtualThreadCostsSomeHeap() throws Exception {
        // 2,000 of them: at about 1.5 KiB each, 3 MB of signal against the tens of KB by which the test JVM's
        // own heap after a GC moves from one reading to the next (50 read -1,260 B per thread once).
        Measurement row = WorkerFootprint.measure(Kind.VIRTUAL_THREAD, 2000);
        // The VirtualThread object, its continuation and the heap chunk that holds its parked frames.
        assertTrue(row.heapPerWorker() > 0 && row.heapPerWorker() < 64 * KIB, "heap per virtual thread " + row.heapPerWorker());
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsAreSkippedWithTheReasonOnOldJdks() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> WorkerFootprint.measure(Kind.VIRTUAL_THREAD, 1));
        assertTrue(e.getMessage().contains("needs JDK 21+"), e.getMessage());
        Output output = run("--kinds", "virtualThread");
        assertEquals(0, output.status(), output.err());
        assertTrue(output.out().contains("virtualThread: skipped: needs JDK 21+"), output.out());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aChildProcessCostsItsOwnResidentMemory() throws Exception {
        Measurement row = WorkerFootprint.measure(Kind.CHILD_PROCESS, 2);
        long rss = row.childrenRssBytes().orElseThrow() / 2;
        long pss = row.childrenPssBytes().orElseThrow() / 2;
        // cat maps libc and a few pages of its own: hundreds of KiB to a few MiB.
        assertTrue(rss > 64 * KIB && rss < 256 * MIB, "cat's RSS " + rss);
        assertTrue(pss > 0 && pss <= rss, "cat's PSS " + pss + " at most its RSS " + rss);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aChildJvmCostsMegabytes() throws Exception {
        Measurement row = WorkerFootprint.measure(Kind.CHILD_JVM, 1);
        long rss = row.childrenRssBytes().orElseThrow();
        long pss = row.childrenPssBytes().orElseThrow();
        // A JVM maps libjvm, the CDS archive, a heap and its JIT's code cache: MiBs, never a few KiB.
        assertTrue(rss > 4 * MIB && rss < 2048 * MIB, "child JVM's RSS " + rss);
        assertTrue(pss > 0 && pss <= rss, "child JVM's PSS " + pss + " at most its RSS " + rss);
        assertTrue(row.rssTotalBytes().isPresent());
    }

    @Test
    void aChildThatDoesNotEchoIsStoppedAndReported() {
        // /bin/true exits at once: it never echoes the probe.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkerFootprint.ParkedProcesses.start(List.of("/bin/true"), 3));
        assertTrue(e.getMessage().contains("did not echo"), e.getMessage());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theProgramPrintsNmtThreadFiguresWhenStartedWithNmt(@TempDir Path work) throws Exception {
        List<String> command = new ArrayList<>(ChildJvm.command(
                List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary"),
                WorkerFootprint.class, "--kinds", "platformThread", "--threads", "20"));
        Path log = work.resolve("out.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the program finished");
        } finally {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(!output.contains("NMT is off") && !output.contains("not pre-touched"), output);
        String row = output.lines().filter(line -> line.startsWith("platformThread")).findFirst().orElseThrow(
                () -> new AssertionError("no platformThread row in\n" + output));
        // kind, workers, then "<number> <unit>" columns ("n/a" for PSS); the last two are NMT's
        String[] words = row.trim().split("\\s+");
        int n = words.length;
        assertEquals("20", words[1], row);
        long committed = bytes(words[n - 4], words[n - 3]);
        long reserved = bytes(words[n - 2], words[n - 1]);
        // Every platform thread commits at least a page of stack, and reserves far more than it commits.
        assertTrue(committed >= 4 * KIB && committed < 4 * MIB, "NMT committed per thread " + committed + " in " + row);
        assertTrue(reserved >= 128 * KIB && reserved > committed, "stack reserved per thread " + reserved + " in " + row);
    }

    private static long bytes(String number, String unit) {
        double value = Double.parseDouble(number.replace(",", ""));
        return Math.round(switch (unit) {
            case "B" -> value;
            case "KiB" -> value * KIB;
            case "MiB" -> value * MIB;
            default -> throw new AssertionError("unit " + unit);
        });
    }

    @Test
    void badArgumentsAreOneLineAndStatusTwo() {
        for (String[] args : new String[][] {{"--threads", "ten"}, {"--threads", "0"}, {"--kinds", "fibers"},
                {"--threads"}, {"--frobnicate", "1"}, {"--frobnicate"}, {"loose"}}) {
            Output output = run(args);
            assertEquals(2, output.status(), String.join(" ", args));
            assertEquals("", output.out());
            assertEquals(1, output.err().lines().count(), output.err());
            assertTrue(output.err().startsWith("WorkerFootprint: ") && output.err().contains("usage:"), output.err());
        }
        assertTrue(run("--frobnicate").err().contains("unknown option '--frobnicate'"), "an unknown option last is named so");
        assertTrue(run("--threads").err().contains("--threads needs a value"));
        assertTrue(run("loose").err().contains("unexpected argument 'loose'"));
        Output help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("usage:"));
    }

    @Test
    void bytesReadForPeople() {
        assertEquals("292 B", WorkerFootprint.bytes(292));
        assertEquals("-584 B", WorkerFootprint.bytes(-584));
        assertEquals("12.3 KiB", WorkerFootprint.bytes(12.3 * 1024));
        assertEquals("40.0 MiB", WorkerFootprint.bytes(40 * 1024 * 1024));
    }

    @Test
    void nmtSummariesOfJdk17And25AreRead() {
        String jdk17 = """
                -                    Thread (reserved=19506KB, committed=802KB)
                                            (thread #19)
                                            (stack: reserved=19456KB, committed=752KB)
                                            (malloc=29KB #114)
                """;
        String jdk25 = """
                -                    Thread (reserved=18490KB, committed=786KB)
                                            (stack: reserved=18432KB, committed=728KB, peak=728KB)
                                            (malloc=39KB tag=Thread #109) (peak=46KB #107)
                """;
        assertEquals(new ProcMemory.NmtThreads(19506 * KIB, 802 * KIB, 19456 * KIB, 752 * KIB),
                ProcMemory.parseNmtThreads(jdk17));
        assertEquals(new ProcMemory.NmtThreads(18490 * KIB, 786 * KIB, 18432 * KIB, 728 * KIB),
                ProcMemory.parseNmtThreads(jdk25));
        assertEquals(null, ProcMemory.parseNmtThreads("Native memory tracking is not enabled"));
    }

    @Test
    void procStatusFieldsAreReadInBytes() {
        List<String> status = List.of("Name:\tjava", "VmHWM:\t  52000 kB", "VmRSS:\t   48128 kB", "Threads:\t19");
        assertEquals(OptionalLong.of(48128 * KIB), ProcMemory.kibField(status, "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcMemory.kibField(status, "Pss:"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void thisJvmHasAResidentSetSize() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")));
        long rss = ProcMemory.ownRssBytes().orElseThrow();
        assertTrue(rss > MIB, "RSS " + rss);
    }

    private record Output(int status, String out, String err) {
    }

    private static Output run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = WorkerFootprint.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
