package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-benchmarks.sh itself, after package: each bad input gets exit 2 and one line, and no benchmark
 * starts (none of these reaches JMH, so the test takes seconds).
 */
class RunBenchmarksScriptIT {

    private static final Path SCRIPT = Paths.get("run-benchmarks.sh").toAbsolutePath();

    @TempDir
    static Path scratch;

    @BeforeAll
    static void theJarIsBuilt() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        assertTrue(Files.isRegularFile(Paths.get(jar)), "no jar at " + jar);
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable");
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result script(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(scratch.toFile());
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Path stdout = Files.createTempFile(scratch, "out", ".txt");
        Path stderr = Files.createTempFile(scratch, "err", ".txt");
        Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "run-benchmarks.sh " + String.join(" ", args) + " hangs");
        return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    private static void assertBadInput(Map<String, String> env, String expected, String... args)
            throws IOException, InterruptedException {
        Result result = script(env, args);
        String shown = String.join(" ", args) + " -> " + result;
        assertEquals(2, result.exitCode(), shown);
        assertEquals(1, result.stderr().lines().count(), "one line: " + shown);
        assertTrue(result.stderr().startsWith("run-benchmarks.sh: "), shown);
        assertTrue(result.stderr().contains(expected), shown);
        assertFalse(result.stdout().contains("# Benchmark:"), "no benchmark ran: " + shown);
        assertFalse(result.stderr().contains("Exception"), "no stack trace: " + shown);
    }

    private static void assertBadInput(String expected, String... args) throws IOException, InterruptedException {
        assertBadInput(Map.of(), expected, args);
    }

    @Test
    void badInputGetsExit2AndOneLine() throws IOException, InterruptedException {
        assertBadInput("unknown option --bogus", "--bogus");
        assertBadInput("unknown preset 'medium'", "--preset", "medium");
        assertBadInput("unknown profile 'perfnorm'", "--profile", "perfnorm");
        assertBadInput("is not a JDK: it has no bin/java", "--jdk", scratch.toString());
        assertBadInput("no benchmark matches 'NoSuchBenchmark'", "--preset", "smoke", "--", "NoSuchBenchmark");
        assertBadInput("-foe", "--", "Fibonacci", "-foe", "true");
        assertBadInput("benchmark regexes go after --", "Fibonacci");
        assertBadInput("refuses --jvm-args \"-XX:+UseSerialGc\": Unrecognized VM option 'UseSerialGc'",
                "--jvm-args", "-XX:+UseSerialGc", "--", "Fibonacci");
    }

    @Test
    void noJavaAtAll() throws IOException, InterruptedException {
        Path bin = Files.createDirectories(scratch.resolve("no-java-bin"));
        for (String tool : List.of("dirname")) {
            Path found = List.of(Paths.get("/usr/bin", tool), Paths.get("/bin", tool)).stream()
                    .filter(Files::isExecutable).findFirst().orElseThrow();
            Files.deleteIfExists(bin.resolve(tool));
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        assertBadInput(Map.of("JAVA_HOME", "", "PATH", bin.toString()),
                "no Java found: install a JDK 17+ or set JAVA_HOME");
    }

    @Test
    void aJavaOlderThan17() throws IOException, InterruptedException {
        Path oldJdk = fakeJdk("jdk11", "11", "11.0.2");
        assertBadInput(Map.of("JAVA_HOME", oldJdk.toString()), "needs JDK 17 or newer");
        assertBadInput("needs JDK 17 or newer", "--jdk", oldJdk.toString());
        // relative to where the user stands, not to the project folder the script moves to
        assertBadInput("needs JDK 17 or newer", "--jdk", "jdk11");
    }

    private static Path fakeJdk(String name, String specification, String version) throws IOException {
        Path home = scratch.resolve(name);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "echo '    java.specification.version = " + specification + "' >&2\n"
                + "echo '    java.version = " + version + "' >&2\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    @Test
    void helpIsNotAnError() throws IOException, InterruptedException {
        Result result = script(Map.of(), "--help");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("--jvm-args"), result.stdout());
    }

    /**
     * The report subcommand starts the report's JVM from the script itself: file names are where the user stands,
     * the report's own exit codes and messages come through.
     */
    @Test
    void theReportSubcommandReadsAndWritesWhereTheUserStands() throws IOException, InterruptedException {
        Files.copy(Paths.get("results", "reference", "jdk-17.0.15.json"), scratch.resolve("in.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Result result = script(Map.of(), "report", "--out", "report-here", "in.json");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().startsWith("report: wrote "), result.toString());
        assertTrue(Files.isRegularFile(scratch.resolve("report-here").resolve("report.html")), result.toString());
        assertTrue(Files.isRegularFile(scratch.resolve("report-here").resolve("claims.csv")), result.toString());

        Result bad = script(Map.of(), "report", "--bogus", "in.json");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertEquals(1, bad.stderr().lines().count(), "one line: " + bad);
        assertTrue(bad.stderr().startsWith("report: unknown option --bogus"), bad.toString());
    }
}
