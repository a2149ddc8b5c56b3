package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node runtime in the runner: how it is asked for, the driver's command, the one line when node is missing,
 * and the Node suite's own tests ({@code node --test} in node/), run from here so that {@code ./mvnw verify}
 * stays the one test command; skipped, saying so, where node is not installed.
 */
class NodeRuntimeTest {

    private static final Path NODE_DIR = Paths.get("node").toAbsolutePath();

    @TempDir
    Path scratch;

    @Test
    void runtimeNodeAndJdkNodeBothAskForTheNodeRuntime() throws UsageError {
        RunOptions runtime = RunOptions.parse(List.of("--runtime", "node", "--jdk", "/jdk25"));
        assertEquals(List.of(Paths.get("node"), Paths.get("/jdk25")), runtime.jdks());
        assertTrue(NodeRuntime.names(runtime.jdks().get(0)));
        RunOptions jdkEntry = RunOptions.parse(List.of("--jdk", "/jdk17", "--jdk=node"));
        assertTrue(NodeRuntime.names(jdkEntry.jdks().get(1)));
        UsageError wrong = assertThrows(UsageError.class, () -> RunOptions.parse(List.of("--runtime", "deno")));
        assertEquals("unknown runtime 'deno': use --runtime node (JDKs go to --jdk DIR)", wrong.getMessage());
    }

    @Test
    void withoutNodeOnThePathOneLineAndNoRuntime() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Optional<NodeRuntime> node = NodeRuntime.prepare(Paths.get("").toAbsolutePath(),
                Map.of("PATH", scratch.toString()), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(node.isEmpty());
        assertEquals("run-benchmarks.sh: node is not on the PATH: the Node runtime is skipped, the JVM part runs\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theDriverGetsThePresetTheRoundsForksAndTheSelection() throws UsageError {
        NodeRuntime node = new NodeRuntime(Path.of("/p/node"), Path.of("/usr/bin/node"), "20.20.2");
        JmhArgs args = JmhArgs.parse(List.of("-p", "n=25", "Fibonacci", "-e", "memoized"));
        assertEquals(List.of("/usr/bin/node", "/p/node/driver.mjs", "--preset", "quick", "--forks", "1", "--out",
                "/run/x.json", "--include", "Fibonacci", "--exclude", "memoized", "-p", "n=25"),
                node.command(Preset.QUICK, 1, args, Path.of("/run/x.json")));
        assertEquals("node-20.20.2", node.label());
    }

    /** node --test over node/test: every Node variant's result, the driver's JSON and its failed-fork handling. */
    @Test
    void theNodeSuitesOwnTestsPass() throws Exception {
        Optional<Path> node = NodeRuntime.onPath(System.getenv());
        assumeTrue(node.isPresent(), "node is not on the PATH: the Node lessons' tests (node --test in node/) are"
                + " skipped; install Node 20+ to run them");
        ByteArrayOutputStream install = new ByteArrayOutputStream();
        String problem = NodeRuntime.ensureInstalled(NODE_DIR, System.getenv(),
                new PrintStream(install, true, StandardCharsets.UTF_8));
        assertEquals(null, problem, "npm ci in node/: " + install);
        Path log = scratch.resolve("node-test.log");
        Process process = new ProcessBuilder(node.get().toString(), "--test", "test" + File.separator)
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), "node --test failed:\n" + output);
        assertTrue(output.contains("# fail 0"), output);
    }
}
