package perfmastery.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import perfmastery.runner.BenchmarkSelection.Benchmark;

/**
 * {@code --compare-with <jar | git ref>}: base and head as a run dimension, like the JDKs. The head's runner drives
 * both sides; the base jar serves only as a JMH benchmarks jar ({@code java -jar base.jar <regex> ...}), so a base
 * with an older runner, or any JMH jar, works. Both sides run the same selection on one JDK and one flag set, in
 * the same rounds, the order alternating (ABBA: base, head; head, base; ...), so what a round shares cancels when
 * the gate pairs them ({@code perfmastery.report.RegressionGate}). Given a git ref, the base jar is built from
 * that commit in a temporary {@code git worktree} with the Maven wrapper ({@code ./mvnw -q -B package
 * -DskipTests}), copied out, and the worktree is removed.
 *
 * <p>Every problem with the base is found before any benchmark starts, each one line and exit 2: a jar that is
 * not a JMH jar (no META-INF/BenchmarkList), two jars with no benchmark in common, a ref that does not exist, a
 * ref that does not build, and uncommitted changes when a ref is asked for (the head would not be a commit).
 */
final class CompareWith {

    static final String BASE = "base";
    static final String HEAD = "head";

    /** The base: its jar and its benchmark list. */
    record Base(Path jar, List<Benchmark> benchmarks, String description) {
    }

    private CompareWith() {
    }

    /**
     * The plan of a --compare-with run: its one pair as two sides, base and head, the base with its own selection
     * (the same regexes over the base's benchmark list).
     */
    static RunMain.Plan plan(RunMain.Plan plan, List<Benchmark> headSelected, Path callerDir, Path projectDir,
                             java.io.PrintStream out) throws UsageError {
        RunOptions options = plan.options();
        if (plan.pairs().size() != 1) {
            throw new UsageError("--compare-with runs base and head on one JDK and one flag set: give at most one"
                    + " --jdk and one --jvm-args");
        }
        Base base = resolve(options.compareWith(), callerDir, projectDir, out);
        List<Benchmark> baseSelected;
        try {
            baseSelected = BenchmarkSelection.matching(base.benchmarks(), plan.jmhArgs().includes(),
                    plan.jmhArgs().excludes());
        } catch (UsageError e) {
            throw new UsageError("--compare-with " + options.compareWith() + ": the base has no benchmark in common"
                    + " with this selection (" + e.getMessage() + ")");
        }
        checkCommon(baseSelected, headSelected, base.jar());
        Pair pair = plan.pairs().get(0);
        Jdk jdk = pair.jdk();
        java.util.Map<Jdk, BenchmarkSelection> baseSelections = java.util.Map.of(jdk, BenchmarkSelection.forJdk(
                baseSelected, plan.jmhArgs()::param, jdk.hasVirtualThreads(), "JDK " + jdk.version(),
                plan.forkPlan()::forksPerInvocation));
        out.println("Comparing with the base " + base.description() + ": rows are matched by benchmark, mode, params"
                + " and threads; a row on one side only is listed, never gated");
        return new RunMain.Plan(options, plan.jmhArgs(), List.of(pair.asSide(BASE, base.jar()), pair.asSide(HEAD, null)),
                plan.selections(), plan.asyncLibrary(), plan.forkPlan(), plan.userArgs(), baseSelections);
    }

    /** The base named by {@code spec}: an existing file is a jar, anything else a git ref of {@code projectDir}. */
    static Base resolve(String spec, Path callerDir, Path projectDir, java.io.PrintStream out) throws UsageError {
        Path asFile = callerDir.resolve(spec).normalize();
        if (Files.isRegularFile(asFile)) {
            return new Base(asFile, benchmarkList(asFile), "jar " + spec);
        }
        if (spec.endsWith(".jar")) {
            throw new UsageError("--compare-with " + spec + ": no such jar");
        }
        String commit = RunMetadata.git(projectDir, "rev-parse", "--verify", "--quiet", spec + "^{commit}");
        if (commit == null || commit.isBlank()) {
            throw new UsageError("--compare-with " + spec + ": neither a jar nor a git ref of " + projectDir
                    + " (git rev-parse finds no such commit)");
        }
        String status = RunMetadata.git(projectDir, "status", "--porcelain", "--untracked-files=no");
        if (status == null) {
            throw new UsageError("--compare-with " + spec + ": git status failed in " + projectDir);
        }
        if (!status.isBlank()) {
            throw new UsageError("--compare-with " + spec + ": the worktree has uncommitted changes, so the head would"
                    + " not be a commit; commit or stash them first");
        }
        Path jar = build(spec, commit, projectDir, out);
        return new Base(jar, benchmarkList(jar), "git ref " + spec + " (commit " + commit.substring(0,
                Math.min(12, commit.length())) + ")");
    }

    /** The benchmarks of a JMH jar, from its META-INF/BenchmarkList. */
    static List<Benchmark> benchmarkList(Path jar) throws UsageError {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("META-INF/BenchmarkList");
            if (entry == null) {
                throw new UsageError("--compare-with " + jar + " is not a JMH benchmarks jar (no META-INF/BenchmarkList)");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return BenchmarkSelection.read(in);
            }
        } catch (IOException | RuntimeException e) {
            throw new UsageError("--compare-with " + jar + " is not a JMH benchmarks jar (" + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    /** Fails when the two selections share no benchmark (method): then nothing could be compared. */
    static void checkCommon(List<Benchmark> base, List<Benchmark> head, Path baseJar) throws UsageError {
        Set<String> names = new HashSet<>();
        for (Benchmark b : head) {
            names.add(b.name());
        }
        for (Benchmark b : base) {
            if (names.contains(b.name())) {
                return;
            }
        }
        throw new UsageError("--compare-with " + baseJar + ": the base and the head have no benchmark in common in"
                + " this selection, so there is nothing to compare");
    }

    /**
     * Builds {@code ref}'s jar in a temporary worktree, copies it into a temporary folder (deleted when the runner
     * exits) and removes the worktree, also when the build fails.
     */
    static Path build(String ref, String commit, Path projectDir, java.io.PrintStream out) throws UsageError {
        Path tree = null;
        Path log = null;
        try {
            Path holder = Files.createTempDirectory("compare-with-");
            holder.toFile().deleteOnExit();
            tree = holder.resolve("tree");
            log = holder.resolve("build.log");
            log.toFile().deleteOnExit();
            if (RunMetadata.git(projectDir, "worktree", "add", "--detach", tree.toString(), commit) == null) {
                throw new UsageError("--compare-with " + ref + ": git worktree add failed for commit " + commit);
            }
            out.println("Building the base " + ref + " (" + commit.substring(0, Math.min(12, commit.length()))
                    + ") in " + tree + " (./mvnw -q -B package -DskipTests)");
            List<String> command = new ArrayList<>(List.of("./mvnw", "-q", "-B", "package", "-DskipTests"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(tree.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
            Process process = builder.start();
            process.getOutputStream().close();
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new UsageError("--compare-with " + ref + ": interrupted while building the base");
            }
            Path built = tree.resolve("target").resolve("benchmarks.jar");
            if (code != 0 || !Files.isRegularFile(built)) {
                throw new UsageError("--compare-with " + ref + " does not build (./mvnw package exited with " + code
                        + (code == 0 ? " but made no target/benchmarks.jar" : "") + "): " + lastLine(log));
            }
            Path jar = holder.resolve("base-benchmarks.jar");
            Files.copy(built, jar);
            jar.toFile().deleteOnExit();
            return jar;
        } catch (IOException e) {
            throw new UsageError("--compare-with " + ref + ": cannot build the base (" + e.getMessage() + ")");
        } finally {
            if (tree != null) {
                RunMetadata.git(projectDir, "worktree", "remove", "--force", tree.toString());
                deleteQuietly(tree);
            }
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "(no output)";
        } catch (IOException e) {
            return "(no build log)";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary folder left behind is not worth failing the run for
        }
    }

    /** The order of the sides in a round: ABBA, base first in odd rounds and head first in even ones. */
    static <T> List<T> roundOrder(List<T> runs, int round, boolean compare) {
        if (!compare || round % 2 == 1) {
            return runs;
        }
        List<T> reversed = new ArrayList<>(runs);
        Collections.reverse(reversed);
        return reversed;
    }
}
