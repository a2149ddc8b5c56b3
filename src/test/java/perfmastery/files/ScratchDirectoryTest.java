package perfmastery.files;

import perfmastery.io.FileCopyBenchmark;
import perfmastery.io.JsonParsingBenchmark;
import perfmastery.io.ScratchHolder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.files.ScratchDirectory.FreeSpace;
import perfmastery.files.ScratchDirectory.InsufficientSpaceException;
import perfmastery.files.ScratchDirectory.Liveness;

class ScratchDirectoryTest {

    private static final FreeSpace PLENTY = folder -> Long.MAX_VALUE;

    @TempDir
    Path parent;

    @Test
    void makesOneFolderNamedByPidAndDeletesItOnClose() throws IOException {
        ScratchDirectory scratch = ScratchDirectory.create(parent, "Lesson", PLENTY, Liveness.PROCESS_HANDLE);
        Path folder = scratch.folder();
        assertEquals(parent, folder.getParent());
        assertTrue(folder.getFileName().toString().startsWith(ProcessHandle.current().pid() + "-Lesson-"));
        Files.write(scratch.resolve("a.bin"), new byte[100]);
        Files.createDirectories(scratch.resolve("sub/deeper"));
        Files.write(scratch.resolve("sub/deeper/b.bin"), new byte[10]);
        scratch.close();
        assertFalse(Files.exists(folder));
        scratch.close(); // twice is harmless
    }

    @Test
    void theDefaultParentIsUnderTheTemporaryFolder() {
        assertEquals(Paths.get(System.getProperty("java.io.tmpdir"), "jvm-perf-mastery-io"),
                ScratchDirectory.defaultParent());
    }

    @Test
    void deletesFoldersOfDeadOwnersOnlyAndLeavesOtherNamesAlone() throws IOException {
        Path dead = Files.createDirectories(parent.resolve("111-FileCopyBenchmark-1"));
        Files.write(dead.resolve("source.bin"), new byte[1000]);
        Path alive = Files.createDirectories(parent.resolve("222-FileCopyBenchmark-2"));
        Path notOurs = Files.createDirectories(parent.resolve("someone-elses"));
        Path aFile = Files.write(parent.resolve("333-a-file"), new byte[1]);

        List<Path> deleted = ScratchDirectory.deleteStale(parent, (pid, created) -> pid == 222);

        assertEquals(List.of(dead), deleted);
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(alive));
        assertTrue(Files.exists(notOurs));
        assertTrue(Files.exists(aFile));
    }

    @Test
    void createCleansStaleFoldersFirst() throws IOException {
        Path stale = Files.createDirectories(parent.resolve("999999999-JsonParsingBenchmark-7"));
        try (ScratchDirectory scratch = ScratchDirectory.create(parent, "Lesson", PLENTY, (pid, created) -> false)) {
            assertFalse(Files.exists(stale));
            assertTrue(Files.isDirectory(scratch.folder()));
        }
    }

    @Test
    void processHandleLivenessKnowsThisProcessAndAReusedPid() throws Exception {
        long self = ProcessHandle.current().pid();
        assertTrue(Liveness.PROCESS_HANDLE.ownerAlive(self, Instant.now()));
        // This process started long after 1970: a folder that old was made by an earlier owner of the pid.
        assertFalse(Liveness.PROCESS_HANDLE.ownerAlive(self, Instant.EPOCH));

        Process finished = new ProcessBuilder(javaBinary(), "-version").redirectErrorStream(true).start();
        finished.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, finished.waitFor());
        assertFalse(Liveness.PROCESS_HANDLE.ownerAlive(finished.pid(), Instant.now()));
    }

    /**
     * The real thing: a JVM makes its folder and is killed with SIGKILL (no teardown, no shutdown hook);
     * its folder stays; the next start deletes it.
     */
    @Test
    void aFolderLeftBySigkillIsDeletedAtTheNextStart() throws Exception {
        String classPath = Paths.get("target", "test-classes") + java.io.File.pathSeparator
                + Paths.get("target", "classes");
        Process holder = new ProcessBuilder(javaBinary(), "-cp", classPath, ScratchHolder.class.getName(),
                parent.toString()).redirectErrorStream(true).start();
        Path left;
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = lines.readLine();
            assertTrue(line != null && line.startsWith("folder "), "the holder said: " + line);
            left = Paths.get(line.substring("folder ".length()));
            assertTrue(Files.exists(left.resolve("held.bin")));
        } finally {
            holder.destroyForcibly(); // SIGKILL on Linux and macOS
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(left), "SIGKILL runs no cleanup, so the folder is still there");

        try (ScratchDirectory next = ScratchDirectory.create(parent, "Next", PLENTY, Liveness.PROCESS_HANDLE)) {
            assertFalse(Files.exists(left), "the next start deleted the killed run's folder");
            assertTrue(Files.isDirectory(next.folder()));
        }
    }

    @Test
    void tooLittleSpaceIsOneClearLine() throws IOException {
        long usable = 100L << 20;
        try (ScratchDirectory scratch = ScratchDirectory.create(parent, "Lesson", folder -> usable,
                Liveness.PROCESS_HANDLE)) {
            InsufficientSpaceException failure = assertThrows(InsufficientSpaceException.class,
                    () -> scratch.requireSpace(128L << 20, "FileCopyBenchmark size=67108864 (source and copy)"));
            String message = failure.getMessage();
            assertFalse(message.contains("\n"), message);
            assertTrue(message.contains("FileCopyBenchmark size=67108864"), message);
            assertTrue(message.contains("needs 192.0 MiB"), message);
            assertTrue(message.contains("128.0 MiB of files"), message);
            assertTrue(message.contains("only 100.0 MiB is usable"), message);
            assertTrue(message.contains("-p") && message.contains("java.io.tmpdir"), message);
            assertEquals(List.of(), listFiles(scratch.folder()), "no file was started");
        }
    }

    @Test
    void enoughSpaceIncludingHeadroomPasses() throws IOException {
        long bytes = 128L << 20;
        try (ScratchDirectory scratch = ScratchDirectory.create(parent, "Lesson",
                folder -> bytes + ScratchDirectory.HEADROOM_BYTES, Liveness.PROCESS_HANDLE)) {
            scratch.requireSpace(bytes, "exactly enough");
            assertThrows(InsufficientSpaceException.class, () -> scratch.requireSpace(bytes + 1, "one byte more"));
        }
    }

    @Test
    void theRealFileStoreReportsSomeSpace() throws IOException {
        assertTrue(FreeSpace.FILE_STORE.usableBytes(parent) > 0);
    }

    private static List<Path> listFiles(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.collect(java.util.stream.Collectors.toList());
        }
    }

    static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
