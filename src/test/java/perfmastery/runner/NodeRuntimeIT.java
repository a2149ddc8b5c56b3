package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-benchmarks.sh --runtime node end to end (smoke, one Fibonacci row): without node on the PATH one line and
 * the JVM part alone; with node a node-VERSION.json beside the JDK's and the report's Node column and section.
 */
class NodeRuntimeIT {

    private static final Path SCRIPT = Paths.get("run-benchmarks.sh").toAbsolutePath();
    private static final Pattern RUN_FOLDER = Pattern.compile("Files written under (\\S+):");

    @TempDir
    Path scratch;

    record Result(int exitCode, String stdout, Path runDir) {
    }

    private Result script(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--preset", "smoke", "--runtime",
                "node", "--", "FibonacciBenchmark.iterative", "-p", "n=20"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(scratch.toFile());
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        // Other JMH runs on a shared CI machine must not make this one wait or fail: it checks wiring, not figures.
        builder.environment().put("JMH_IGNORE_LOCK", "true");
        Path out = scratch.resolve("out.txt");
        Process process = builder.redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "run-benchmarks.sh --runtime node hangs");
        String stdout = Files.readString(out);
        Matcher folder = RUN_FOLDER.matcher(stdout);
        assertTrue(folder.find(), stdout);
        return new Result(process.exitValue(), stdout, SCRIPT.getParent().resolve(folder.group(1)));
    }

    @Test
    void withoutNodeOneLineAndTheJvmPartRuns() throws IOException, InterruptedException {
        // The PATH's tools (the script uses sed, head, dirname) as links in one folder, all but node.
        Path bin = Files.createDirectories(scratch.resolve("bin-without-node"));
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path folder = Paths.get(dir.isEmpty() ? "." : dir);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (var tools = Files.list(folder)) {
                for (Path tool : tools.toList()) {
                    Path link = bin.resolve(tool.getFileName().toString());
                    if (!tool.getFileName().toString().equals(NodeRuntime.NAME) && Files.isExecutable(tool)
                            && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, tool.toAbsolutePath());
                    }
                }
            }
        }
        Result result = script(Map.of("PATH", bin.toString()));
        assertEquals(0, result.exitCode(), result.stdout());
        assertEquals(1, result.stdout().lines()
                .filter(l -> l.equals("run-benchmarks.sh: node is not on the PATH: the Node runtime is skipped,"
                        + " the JVM part runs")).count(), result.stdout());
        try (var files = Files.list(result.runDir())) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("jdk-") && n.endsWith(".json")), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("node-")), names.toString());
        }
    }

    @Test
    void withNodeItsRunSitsBesideTheJdkInTheReport() throws IOException, InterruptedException {
        assumeTrue(NodeRuntime.onPath(System.getenv()).isPresent(), "node is not on the PATH: skipped");
        Result result = script(Map.of());
        assertEquals(0, result.exitCode(), result.stdout());
        try (var files = Files.list(result.runDir())) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().matches("node-[0-9.]+\\.json")));
        }
        String md = Files.readString(result.runDir().resolve("report.md"));
        assertTrue(md.contains("## JVM against Node"), md);
        assertTrue(Pattern.compile("\\| lesson \\| claim \\| needs \\| JDK [0-9.]+ \\| measured \\(95 % interval\\) \\|"
                + " Node [0-9.]+ \\| measured \\(95 % interval\\) \\|").matcher(md).find(), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| iterative (n=20) | avgt |")), md);
    }
}
