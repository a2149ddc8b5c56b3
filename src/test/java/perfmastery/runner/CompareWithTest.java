package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --compare-with's bad inputs (each one line, exit 2, before any benchmark) and its round order. */
class CompareWithTest {

    /** One BenchmarkList line of a benchmark named {@code cls.method} (as JMH 1.37 writes it). */
    static String listLine(String cls, String method) {
        String generated = cls.substring(0, cls.lastIndexOf('.')) + ".jmh_generated."
                + cls.substring(cls.lastIndexOf('.') + 1) + "_" + method + "_jmhTest";
        return "JMH S " + cls.length() + " " + cls + " S " + generated.length() + " " + generated + " S "
                + method.length() + " " + method + " S 11 AverageTime E A 1 1 1 E I 1 3 T 3 1 s E I 1 5 T 3 1 s E I 1 2 E E"
                + " E E E E U 12 MICROSECONDS I 2 64 E \n";
    }

    static Path jar(Path file, String benchmarkList) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            if (benchmarkList != null) {
                zip.putNextEntry(new ZipEntry("META-INF/BenchmarkList"));
                zip.write(benchmarkList.getBytes(StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void aJarWithoutABenchmarkListIsNotAJmhJar() throws Exception {
        Path plain = jar(dir.resolve("plain.jar"), null);
        UsageError e = assertThrows(UsageError.class, () -> CompareWith.resolve("plain.jar", dir, dir, QUIET));
        assertEquals("--compare-with " + plain + " is not a JMH benchmarks jar (no META-INF/BenchmarkList)",
                e.getMessage());
        Files.writeString(dir.resolve("text.jar"), "not a zip");
        assertTrue(assertThrows(UsageError.class, () -> CompareWith.resolve("text.jar", dir, dir, QUIET)).getMessage()
                .contains("is not a JMH benchmarks jar"));
        assertEquals("--compare-with gone.jar: no such jar",
                assertThrows(UsageError.class, () -> CompareWith.resolve("gone.jar", dir, dir, QUIET)).getMessage());
    }

    @Test
    void aJarIsReadAndTwoJarsWithNoBenchmarkInCommonAreRefused() throws Exception {
        Path base = jar(dir.resolve("base.jar"), listLine("p.A", "run"));
        Path head = jar(dir.resolve("head.jar"), listLine("p.B", "run") + listLine("p.A", "run"));
        CompareWith.Base resolved = CompareWith.resolve("base.jar", dir, dir, QUIET);
        assertEquals(List.of("p.A.run"), resolved.benchmarks().stream().map(BenchmarkSelection.Benchmark::name).toList());
        List<BenchmarkSelection.Benchmark> headList = CompareWith.benchmarkList(head);
        CompareWith.checkCommon(resolved.benchmarks(), headList, base);
        Path other = jar(dir.resolve("other.jar"), listLine("q.C", "run"));
        UsageError e = assertThrows(UsageError.class, () -> CompareWith.checkCommon(CompareWith.benchmarkList(other),
                headList, other));
        assertTrue(e.getMessage().contains("no benchmark in common"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static String git(Path repo, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=t",
                "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.strip();
    }

    private Path repoWithWrapper(String wrapper) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        try {
            git(repo, "init", "-q");
        } catch (IOException e) {
            assumeTrue(false, "no git on this machine");
        }
        Path mvnw = repo.resolve("mvnw");
        Files.writeString(mvnw, wrapper);
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(repo.resolve("README"), "one\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "first");
        return repo;
    }

    @Test
    void aRefThatDoesNotExistOrDoesNotBuildOrADirtyTreeIsBadInput() throws Exception {
        Path repo = repoWithWrapper("#!/bin/sh\necho '[ERROR] BUILD FAILURE: it does not compile'\nexit 1\n");
        UsageError missing = assertThrows(UsageError.class,
                () -> CompareWith.resolve("no-such-branch", dir, repo, QUIET));
        assertTrue(missing.getMessage().startsWith("--compare-with no-such-branch: neither a jar nor a git ref"),
                missing.getMessage());

        UsageError broken = assertThrows(UsageError.class, () -> CompareWith.resolve("HEAD", dir, repo, QUIET));
        assertEquals("--compare-with HEAD does not build (./mvnw package exited with 1): [ERROR] BUILD FAILURE: it does"
                + " not compile", broken.getMessage());
        assertFalse(git(repo, "worktree", "list").contains("compare-with-"), "the temporary worktree is removed");

        Files.writeString(repo.resolve("README"), "changed\n");
        UsageError dirty = assertThrows(UsageError.class, () -> CompareWith.resolve("HEAD", dir, repo, QUIET));
        assertTrue(dirty.getMessage().contains("uncommitted changes"), dirty.getMessage());
    }

    @Test
    void aRefThatBuildsGivesItsJarAndLeavesNoWorktree() throws Exception {
        Path repo = repoWithWrapper("#!/bin/sh\nmkdir -p target\ncp base.jar target/benchmarks.jar\n");
        jar(repo.resolve("base.jar"), listLine("p.A", "run"));
        git(repo, "add", "base.jar");
        git(repo, "commit", "-q", "-m", "a jar to 'build'");
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        CompareWith.Base base = CompareWith.resolve("HEAD", dir, repo, new PrintStream(said, true, StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(base.jar()), base.toString());
        assertEquals(List.of("p.A.run"), base.benchmarks().stream().map(BenchmarkSelection.Benchmark::name).toList());
        assertTrue(base.description().startsWith("git ref HEAD (commit "), base.description());
        assertFalse(git(repo, "worktree", "list").contains("compare-with-"), "the temporary worktree is removed");
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("Building the base HEAD"));
    }

    @Test
    void theSidesAlternateRoundByRoundAbba() {
        List<String> sides = List.of("base", "head");
        StringBuilder order = new StringBuilder();
        for (int round = 1; round <= 4; round++) {
            for (String side : CompareWith.roundOrder(sides, round, true)) {
                order.append(side.charAt(0));
            }
        }
        assertEquals("bhhbbhhb", order.toString());
        assertEquals(sides, CompareWith.roundOrder(sides, 2, false), "an ordinary run keeps its order");
    }

    @Test
    void theRunIdComesFromTheEnvironmentOrIsFresh() {
        assertEquals("mine", RunMetadata.runId(Map.of("PERFMASTERY_RUN_ID", "mine", "GITHUB_RUN_ID", "9")));
        assertEquals("github-9-2", RunMetadata.runId(Map.of("GITHUB_RUN_ID", "9", "GITHUB_RUN_ATTEMPT", "2")));
        assertFalse(RunMetadata.runId(Map.of()).equals(RunMetadata.runId(Map.of())), "two invocations, two ids");
    }

    @Test
    void compareWithOptionsAreChecked() throws Exception {
        assertEquals("base.jar", RunOptions.parse(List.of("--compare-with", "base.jar")).compareWith());
        assertEquals("7.5%", RunOptions.parse(List.of("--compare-with", "main", "--margin", "7.5%")).margin());
        assertTrue(assertThrows(UsageError.class, () -> RunOptions.parse(List.of("--compare-with", "x", "--margin",
                "5"))).getMessage().contains("percentage"));
        assertTrue(assertThrows(UsageError.class, () -> RunOptions.parse(List.of("--margin", "5%"))).getMessage()
                .contains("--compare-with"));
        assertTrue(assertThrows(UsageError.class, () -> RunOptions.parse(List.of("--compare-with", "x", "--shard",
                "1/2"))).getMessage().contains("cannot be sharded"));
    }
}
