package perfmastery.cpu;

import perfmastery.process.AppClassArchive;
import perfmastery.process.ChildJvm;
import perfmastery.process.TrivialChildMain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The archive of a child JVM's classes, made from the built jar (the JVM archives classes from jars only,
 * so this cannot run from the test class folders): made by one training run, used by the child (which says
 * where its main class came from), and run through JMH as {@code childJvmAotCache}.
 */
class WorkerStartupArchiveIT {

    @TempDir
    Path work;

    @Test
    void theArchiveIsMadeAndTheChildLoadsItsClassesFromIt() throws Exception {
        assumeTrue(AppClassArchive.defaultCdsArchivePresent(), "this JDK has no CDS archive to build on");
        String jar = jar().toString();
        int feature = Runtime.version().feature();
        Path folder;
        try (AppClassArchive archive = AppClassArchive.train(jar, TrivialChildMain.class, WorkerStartupBenchmark.trivialTask(7), "7")) {
            folder = archive.file().getParent();
            assertEquals(feature >= 25 ? AppClassArchive.Kind.AOT_CACHE : AppClassArchive.Kind.APP_CDS, archive.kind());
            assertTrue(Files.size(archive.file()) > 0, "a non-empty archive at " + archive.file());

            // The child says where its main class came from: the archive, not the jar.
            List<String> options = new ArrayList<>(archive.useOptions());
            options.add("-Xlog:class+load=info");
            ChildRun run = runChild(jar, options, "7");
            assertEquals(WorkerStartupBenchmark.trivialTask(7), run.exit(), "the child ran the task: " + run.output());
            assertTrue(run.output().lines().anyMatch(line -> line.contains(TrivialChildMain.class.getName() + " source: shared objects file")),
                    "TrivialChildMain loaded from the archive:\n" + run.output());

            // Without the archive the same child loads it from the jar: the check above tells the two apart.
            ChildRun plain = runChild(jar, List.of("-Xlog:class+load=info"), "7");
            assertEquals(WorkerStartupBenchmark.trivialTask(7), plain.exit());
            assertTrue(plain.output().lines().anyMatch(line -> line.contains(TrivialChildMain.class.getName() + " source: file:")),
                    plain.output());
        }
        assertTrue(!Files.exists(folder), "the archive's folder is deleted on close");
    }

    @Test
    void aTrainingRunThatFailsSaysSoAndLeavesNoFolder() throws Exception {
        Set<Path> before = archiveFolders();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AppClassArchive.train(jar().toString(), TrivialChildMain.class, 0, "not-a-number"));
        assertTrue(e.getMessage().startsWith("the training run for "), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0"), e.getMessage());
        assertEquals(before, archiveFolders(), "the failed training's folder is deleted");
    }

    @Test
    void bothChildJvmVariantsRunThroughJmhAndTheArchiveIsGoneAfterwards() throws Exception {
        assumeTrue(AppClassArchive.defaultCdsArchivePresent(), "this JDK has no CDS archive to build on");
        Path json = work.resolve("startup.json");
        Path log = work.resolve("jmh.log");
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Other JMH runs on a shared machine hold JMH's lock; this run's times are not read.
                "-Djmh.ignoreLock=true",
                "-jar", jar().toString(),
                "perfmastery.cpu.WorkerStartupBenchmark.childJvm",
                "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms", "-rf", "json", "-rff", json.toString());
        Set<Path> before = allArchiveFolders();
        Process jmh = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(jmh.waitFor(10, TimeUnit.MINUTES), "JMH finished");
        } finally {
            jmh.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, jmh.exitValue(), output);
        assertTrue(output.contains("the child JVM starts from "), output);

        Map<String, JsonNode> byMethod = new HashMap<>();
        for (JsonNode row : JsonMapper.builder().build().readTree(json.toFile())) {
            String benchmark = row.get("benchmark").stringValue();
            byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), row);
        }
        assertEquals(Set.of("childJvm", "childJvmAotCache"), byMethod.keySet(), output);
        for (JsonNode row : byMethod.values()) {
            assertTrue(row.get("primaryMetric").get("score").doubleValue() > 0, row.toString());
        }
        assertEquals(before, allArchiveFolders(), "the fork that made the archive deleted it at teardown");
    }

    private static Set<Path> archiveFolders() throws IOException {
        return folders(AppClassArchive.DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-*");
    }

    private static Set<Path> allArchiveFolders() throws IOException {
        return folders(AppClassArchive.DIRECTORY_PREFIX + "*");
    }

    private static Set<Path> folders(String glob) throws IOException {
        Set<Path> folders = new HashSet<>();
        try (var stream = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), glob)) {
            stream.forEach(folders::add);
        }
        return folders;
    }

    private record ChildRun(int exit, String output) {
    }

    private static ChildRun runChild(String classPath, List<String> options, String input) throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(classPath, options, TrivialChildMain.class, input))
                .redirectErrorStream(true).start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child ended");
            return new ChildRun(child.exitValue(), output);
        } finally {
            child.destroyForcibly();
        }
    }

    private static Path jar() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        Path path = Paths.get(jar);
        assertTrue(Files.isRegularFile(path), "no jar at " + path);
        return path;
    }
}
