package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/ci-report.sh itself, after package, on input shaped as scripts/ci-local.sh leaves it (one folder per
 * job, {@code jdk17-shard1/jdk-17.0.15.json} with its sidecar): the shards of each JDK merge into one run, and
 * with {@code --baseline-dir} each JDK's merged run is compared with the baseline's merged run of the same JDK, for
 * history only: that comparison never sets the exit code (the gate is --compare-with's, docs/gate.md).
 * No benchmark runs: the JSON is synthetic.
 */
class CiReportScriptIT {

    private static final Path SCRIPT = Paths.get("scripts", "ci-report.sh").toAbsolutePath();
    private static final String MAIN = "fedcba9876543210fedcba9876543210fedcba98";
    private static final String PR = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    @BeforeAll
    static void theJarIsBuilt() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        assertTrue(Files.isRegularFile(Paths.get(jar)), "no jar at " + jar);
    }

    record Result(int exit, String out, String err) {
    }

    private Result ciReport(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "ci-report.sh " + String.join(" ", args) + " hangs");
        } finally {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** What each matrix job uploads: SHARDS/jdkN-shardK/jdk-X.json and jdk-X.run.json. */
    private Path shards(String name, String commit, double slowerJdk25) throws Exception {
        Path shards = dir.resolve(name);
        for (String jdk : List.of("17.0.15", "25.0.3")) {
            String feature = jdk.substring(0, 2);
            String[] runner = feature.equals("17")
                    ? new String[] {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"}
                    : new String[] {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
                        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"};
            Path one = Files.createDirectories(shards.resolve("jdk" + feature + "-shard1"));
            Path two = Files.createDirectories(shards.resolve("jdk" + feature + "-shard2"));
            RunMergeTest.withSidecar(RunMergeTest.ratioLesson(jdk, 1, runner), one.resolve("jdk-" + jdk + ".json"), jdk,
                    RunMergeTest.Meta.quiet("1/2").withCommit(commit));
            RunMergeTest.withSidecar(RunMergeTest.fastestLesson(jdk, feature.equals("25") ? slowerJdk25 : 1, runner),
                    two.resolve("jdk-" + jdk + ".json"), jdk,
                    RunMergeTest.Meta.quiet("2/2").withCommit(commit).withHost("runner-2"));
        }
        return shards;
    }

    @Test
    void eachJdksMergedRunIsGatedAgainstTheBaselinesRunOfTheSameJdk() throws Exception {
        Path main = dir.resolve("main-report");
        Result first = ciReport(shards("main-shards", MAIN, 1).toString(), main.toString());
        assertEquals(0, first.exit(), first.out() + first.err());
        assertTrue(first.out().contains("(2 run(s), 1 comparison(s)"), "two JDKs, each of two shards: " + first.out());
        try (var kept = Files.list(main.resolve("results"))) {
            assertEquals(List.of("jdk17-shard1--jdk-17.0.15.json", "jdk17-shard1--jdk-17.0.15.run.json",
                    "jdk17-shard2--jdk-17.0.15.json", "jdk17-shard2--jdk-17.0.15.run.json",
                    "jdk25-shard1--jdk-25.0.3.json", "jdk25-shard1--jdk-25.0.3.run.json",
                    "jdk25-shard2--jdk-25.0.3.json", "jdk25-shard2--jdk-25.0.3.run.json"),
                    kept.map(f -> f.getFileName().toString()).sorted().toList());
        }
        String md = Files.readString(main.resolve("report.md"));
        assertTrue(md.contains("- JDK 17.0.15: 2 files merged into one run (jdk17-shard1--jdk-17.0.15.json,"
                + " jdk17-shard2--jdk-17.0.15.json)"), md);

        Path pr = dir.resolve("pr-report");
        Result gate = ciReport(shards("pr-shards", PR, 1.5).toString(), pr.toString(), "--baseline-dir",
                main.resolve("results").toString());
        assertEquals(0, gate.exit(), "JDK 25's second shard is 1.5x slower, but history never gates: " + gate.out()
                + gate.err());
        String gateMd = Files.readString(pr.resolve("history").resolve("report.md"));
        assertTrue(gateMd.contains("## Run comparison 1: JDK 17.0.15 commit fedcba9 vs JDK 17.0.15 commit 0123456\n"),
                gateMd);
        assertTrue(gateMd.contains("## Run comparison 2: JDK 25.0.3 commit fedcba9 vs JDK 25.0.3 commit 0123456\n"),
                gateMd);
        List<List<String>> rows = ReportMainTest.csv(Files.readString(pr.resolve("history").resolve("comparison.csv")));
        assertEquals(14, rows.size() - 1, "7 rows per JDK, each against its own JDK's baseline");
        for (List<String> row : rows.subList(1, rows.size())) {
            boolean jdk25 = row.get(5).startsWith("JDK 25");
            assertEquals(row.get(4).startsWith("JDK 25"), jdk25, "same JDK on both sides: " + row);
            boolean fastest = row.get(0).contains("Fastest");
            assertEquals(jdk25 && fastest ? "slower" : "≈", row.get(9), row.toString());
        }

        Result quiet = ciReport(shards("pr2-shards", PR, 1).toString(), dir.resolve("pr2-report").toString(),
                "--baseline-dir", main.resolve("results").toString());
        assertEquals(0, quiet.exit(), "no regression: " + quiet.out() + quiet.err());
    }
}
