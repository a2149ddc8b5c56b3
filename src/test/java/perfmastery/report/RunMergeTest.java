package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.runner.RunMetadata;

/**
 * Sidecars in the report and the merge of one run identity's files: built from synthetic JMH JSON with
 * sidecars written by the runner's own {@link RunMetadata}, named as scripts/ci-report.sh names them
 * ({@code <job>--jdk-X.json} beside {@code <job>--jdk-X.run.json}).
 */
class RunMergeTest {

    private static final String PKG = "perfmastery.report.ClaimLessons.";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String OTHER_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
    private static final String[] RUNNER_17 = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
        "-Djmh.ignoreLock=true"};
    private static final String[] RUNNER_25 = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-Djmh.ignoreLock=true"};

    @TempDir
    Path dir;

    /** What a sidecar says; each test changes what it is about. */
    record Meta(String cpu, int cores, long memoryBytes, String host, String commit, boolean dirty, String shard,
                List<String> userFlags, double load1) {
        static Meta quiet(String shard) {
            return new Meta("AMD EPYC 7763", 4, 16L * 1024 * 1024 * 1024 - 123_456_789, "runner-1", COMMIT, false,
                    shard, List.of(), 0.4);
        }

        Meta withHost(String newHost) {
            return new Meta(cpu, cores, memoryBytes, newHost, commit, dirty, shard, userFlags, load1);
        }

        Meta withCpu(String newCpu) {
            return new Meta(newCpu, cores, memoryBytes, host, commit, dirty, shard, userFlags, load1);
        }

        Meta withCommit(String newCommit) {
            return new Meta(cpu, cores, memoryBytes, host, newCommit, dirty, shard, userFlags, load1);
        }

        Meta withDirty() {
            return new Meta(cpu, cores, memoryBytes, host, commit, true, shard, userFlags, load1);
        }

        Meta withFlags(String... flags) {
            return new Meta(cpu, cores, memoryBytes, host, commit, dirty, shard, List.of(flags), load1);
        }

        Meta withLoad(double newLoad1) {
            return new Meta(cpu, cores, memoryBytes, host, commit, dirty, shard, userFlags, newLoad1);
        }
    }

    /** Writes {@code json} as {@code name} and its sidecar beside it, as the runner writes it. */
    static Path withSidecar(SyntheticJmh json, Path file, String jdk, Meta meta) throws Exception {
        json.write(file);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpuModel", meta.cpu());
        machine.put("cores", meta.cores());
        machine.put("memoryBytes", meta.memoryBytes());
        machine.put("kernel", "Linux 6.8.0");
        machine.put("os", "Ubuntu 24.04 LTS");
        machine.put("arch", "amd64");
        machine.put("container", null);
        machine.put("virtualMachine", "a hypervisor (name not readable)");
        machine.put("hostname", meta.host());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("commit", meta.commit());
        source.put("dirty", meta.dirty());
        Instant start = Instant.parse("2026-11-27T17:00:00Z");
        RunMetadata.write(file, RunMetadata.content(machine, source, "quick = -f 2 -wi 2 -w 500ms -i 4 -r 500ms", jdk,
                meta.userFlags(), List.of("java -jar target/benchmarks.jar ..."), start, start.plusSeconds(90),
                new double[] {meta.load1(), 0.3, 0.2}, new double[] {meta.load1(), 0.35, 0.2}, meta.shard(),
                Map.of(), null, null, 0));
        return file;
    }

    private static double[][] tight(double mean) {
        return SyntheticJmh.around(mean, 3, 4, 0.01);
    }

    /** Shard 1's lesson: fast is 4x faster than slow (claim fast-2x-large). */
    static SyntheticJmh ratioLesson(String jdk, double scale, String... jvmArgs) {
        SyntheticJmh json = new SyntheticJmh(jdk, jvmArgs);
        for (String size : List.of("1024", "4096")) {
            json.row(PKG + "Ratio.slow", "avgt", "size=" + size, tight(400 * scale));
            json.row(PKG + "Ratio.fast", "avgt", "size=" + size, tight(100 * scale));
        }
        return json;
    }

    /** Shard 2's lesson: best is 3x faster than every other method (claim best-fastest). */
    static SyntheticJmh fastestLesson(String jdk, double scale, String... jvmArgs) {
        SyntheticJmh json = new SyntheticJmh(jdk, jvmArgs);
        json.row(PKG + "Fastest.best", "avgt", "", tight(100 * scale));
        json.row(PKG + "Fastest.other", "avgt", "", tight(300 * scale));
        json.row(PKG + "Fastest.another", "avgt", "", tight(400 * scale));
        return json;
    }

    private ReportMainTest.Result report(String out, Object... args) {
        List<String> all = new ArrayList<>(List.of("--out", dir.resolve(out).toString()));
        for (Object a : args) {
            all.add(a.toString());
        }
        return ReportMainTest.runRaw(dir.resolve(out), all.toArray(String[]::new));
    }

    private static List<String> claimRows(ReportMainTest.Result r) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<String> row : ReportMainTest.csv(r.file("claims.csv")).subList(1,
                ReportMainTest.csv(r.file("claims.csv")).size())) {
            if (row.size() > 4) {
                out.add(row.get(0) + " " + row.get(2) + " " + row.get(4));
            }
        }
        return out;
    }

    private static String inputs(ReportMainTest.Result r) throws Exception {
        String md = r.file("report.md");
        return md.substring(md.indexOf("Inputs"), md.indexOf("Claims: "));
    }

    @Test
    void shardsOfOneRunMergeIntoOneRun() throws Exception {
        Path one = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("jdk17-shard1--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("1/2"));
        // Another CI runner of the same kind: the host name is not part of the identity.
        Path two = withSidecar(fastestLesson("17.0.15", 1, RUNNER_17), dir.resolve("jdk17-shard2--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("2/2").withHost("runner-2"));
        ReportMainTest.Result r = report("out", one, two);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(1 run(s), 0 comparison(s)"), r.out());
        String md = r.file("report.md");
        assertTrue(md.contains("### Ratio (avgt) on JDK 17.0.15\n"), md);
        assertTrue(md.contains("### Fastest (avgt) on JDK 17.0.15\n"), "one label, no file name: " + md);
        String inputs = inputs(r);
        assertTrue(inputs.contains("- JDK 17.0.15: 2 files merged into one run (jdk17-shard1--jdk-17.0.15.json,"
                + " jdk17-shard2--jdk-17.0.15.json)"), inputs);
        assertTrue(inputs.contains("; 7 rows;"), "4 + 3 rows: " + inputs);
        assertTrue(inputs.contains("machine AMD EPYC 7763, 4 cores, 16 GiB"), inputs);
        assertTrue(inputs.contains("commit 0123456789ab;"), inputs);
        assertTrue(inputs.contains("jdk17-shard1--jdk-17.0.15.json (4 rows): preset quick = -f 2"), inputs);
        assertTrue(inputs.contains("shard 2/2, host runner-2, 2026-11-27 17:00:00 to 17:01:30 UTC, load average"
                + " (1/5/15 min) 0.40/0.30/0.20 before, 0.40/0.35/0.20 after"), inputs);
        assertEquals(List.of("JDK 17.0.15 fast-2x-large CONFIRMED", "JDK 17.0.15 best-fastest CONFIRMED"),
                claimRows(r), "the claims see both shards' lessons in one run");
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    void twoJdksStayTwoRunsAndTheirLabelsNameNoRunnerFlags() throws Exception {
        List<Object> files = new ArrayList<>();
        for (String jdk : List.of("17.0.15", "25.0.3")) {
            String[] runner = jdk.startsWith("17") ? RUNNER_17 : RUNNER_25;
            String feature = jdk.substring(0, 2);
            files.add(withSidecar(ratioLesson(jdk, 1, runner), dir.resolve("jdk" + feature + "-shard1--jdk-" + jdk
                    + ".json"), jdk, Meta.quiet("1/2")));
            files.add(withSidecar(fastestLesson(jdk, 1, runner), dir.resolve("jdk" + feature + "-shard2--jdk-" + jdk
                    + ".json"), jdk, Meta.quiet("2/2")));
        }
        ReportMainTest.Result r = report("out", files.toArray());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(2 run(s), 1 comparison(s)"), r.out());
        String md = r.file("report.md");
        assertTrue(md.contains("## Run comparison 1: JDK 17.0.15 vs JDK 25.0.3\n"), md);
        assertEquals(7, ReportMainTest.csv(r.file("comparison.csv")).size() - 1, "the 7 rows of each side, compared");
        assertFalse(md.contains("JVM flags differ"), "the runner's flags differ by JDK, the user's do not");
        String inputs = inputs(r);
        assertTrue(inputs.contains("JVM flags (none); runner flags -Djdk.attach.allowAttachSelf=true"
                + " -XX:+EnableDynamicAgentLoading --sun-misc-unsafe-memory-access=allow"
                + " --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true;"), inputs);
        assertEquals(4, claimRows(r).size(), claimRows(r).toString());
    }

    @Test
    void aRowTwiceUnderOneIdentityMakesTwoRunsThatAreCompared() throws Exception {
        Path one = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("jdk17-shard1--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("1/2"));
        SyntheticJmh overlapping = fastestLesson("17.0.15", 1, RUNNER_17);
        overlapping.row(PKG + "Ratio.fast", "avgt", "size=4096", tight(100));
        Path two = withSidecar(overlapping, dir.resolve("jdk17-shard2--jdk-17.0.15.json"), "17.0.15",
                Meta.quiet("2/2").withHost("runner-2"));
        // Before/after and A/A are the commonest comparisons: two runs, not an error (issue 20).
        for (String name : List.of("default", "allowed")) {
            ReportMainTest.Result kept = name.equals("default") ? report(name, one, two)
                    : report(name, "--allow-duplicate-rows", one, two);
            assertEquals(0, kept.exit(), kept.err());
            assertTrue(kept.out().contains("(2 run(s), 1 comparison(s)"), kept.out());
            assertTrue(kept.err().contains("both hold Ratio.fast (size=4096) avgt under one run identity"
                    + " (JDK 17.0.15, ") && kept.err().contains("they are two runs, compared and not merged"),
                    kept.err());
            assertTrue(kept.file("report.md").contains("## Run comparison 1: JDK 17.0.15"
                    + " (jdk17-shard1--jdk-17.0.15.json) vs JDK 17.0.15 (jdk17-shard2--jdk-17.0.15.json)"),
                    kept.file("report.md"));
        }
    }

    /** The sidecar of {@code json} with a run id, as the runner writes it since issue 20. */
    static Path withRunId(Path json, String runId) throws Exception {
        Path sidecar = RunMetadata.sidecarOf(json);
        Files.writeString(sidecar, Files.readString(sidecar).replaceFirst("\\{", "{\n  \"runId\" : \"" + runId + "\","));
        return json;
    }

    @Test
    void onlyThePartsOfOneInvocationMergeAndTwoInvocationsAreComparedAndGated() throws Exception {
        List<Object> files = new ArrayList<>();
        for (String run : List.of("r1", "r2")) {
            files.add(withRunId(withSidecar(ratioLesson("17.0.15", 1, RUNNER_17),
                    dir.resolve(run + "-shard1--jdk-17.0.15.json"), "17.0.15", Meta.quiet("1/2")), run));
            files.add(withRunId(withSidecar(fastestLesson("17.0.15", 1, RUNNER_17),
                    dir.resolve(run + "-shard2--jdk-17.0.15.json"), "17.0.15", Meta.quiet("2/2")), run));
        }
        ReportMainTest.Result r = report("runs", files.toArray());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(2 run(s), 1 comparison(s)"), r.out());
        assertTrue(inputs(r).contains("2 files merged into one run (r1-shard1--jdk-17.0.15.json,"
                + " r1-shard2--jdk-17.0.15.json)"), inputs(r));
        assertTrue(r.err().contains("they come from different invocations (run ids r1 and r2), so they are compared,"
                + " not merged; they share an identity"), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("## Regression gate") && md.contains("NOT interleaved"), md);
        assertTrue(md.indexOf("## Regression gate") < md.indexOf("## Run comparison 1"), "the gate's table opens");
    }

    @Test
    void aThirdFileJoinsTheRunItSharesNoRowWith() throws Exception {
        // Two shards run twice (a rerun collected beside the first): with --allow-duplicate-rows, two whole runs.
        List<Object> files = new ArrayList<>(List.of("--allow-duplicate-rows"));
        for (String attempt : List.of("a", "b")) {
            files.add(withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve(attempt + "-shard1--jdk-17.0.15.json"),
                    "17.0.15", Meta.quiet("1/2")));
            files.add(withSidecar(fastestLesson("17.0.15", 1, RUNNER_17),
                    dir.resolve(attempt + "-shard2--jdk-17.0.15.json"), "17.0.15", Meta.quiet("2/2")));
        }
        ReportMainTest.Result r = report("out", files.toArray());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(2 run(s), 1 comparison(s)"), r.out());
        String inputs = inputs(r);
        assertTrue(inputs.contains("2 files merged into one run (a-shard1--jdk-17.0.15.json, a-shard2--jdk-17.0.15.json)")
                && inputs.contains("2 files merged into one run (b-shard1--jdk-17.0.15.json, b-shard2--jdk-17.0.15.json)"),
                inputs);
        assertEquals(7, ReportMainTest.csv(r.file("comparison.csv")).size() - 1);
    }

    @Test
    void differentMachinesOrCommitsAreNotMergedAndSaySo() throws Exception {
        Path one = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("m1--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("1/2"));
        Path otherCpu = withSidecar(fastestLesson("17.0.15", 1, RUNNER_17), dir.resolve("m2--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("2/2").withCpu("Intel Xeon Platinum 8370C"));
        ReportMainTest.Result machines = report("machines", one, otherCpu);
        assertEquals(0, machines.exit(), machines.err());
        assertTrue(machines.out().contains("(2 run(s), 1 comparison(s)"), machines.out());
        assertTrue(machines.err().contains("m1--jdk-17.0.15.json and m2--jdk-17.0.15.json (both JDK 17.0.15 with the"
                + " same JVM flags) are kept as separate runs: different machines (AMD EPYC 7763, 4 cores, 16 GiB vs"
                + " Intel Xeon Platinum 8370C, 4 cores, 16 GiB)"), machines.err());
        assertTrue(machines.file("report.md").contains("the runs come from different machines: AMD EPYC 7763, 4 cores,"
                + " 16 GiB vs Intel Xeon Platinum 8370C, 4 cores, 16 GiB"), "the comparison warns too");

        Path otherCommit = withSidecar(fastestLesson("17.0.15", 1, RUNNER_17), dir.resolve("c2--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("2/2").withCommit(OTHER_COMMIT));
        ReportMainTest.Result commits = report("commits", one, otherCommit);
        assertEquals(0, commits.exit(), commits.err());
        assertTrue(commits.out().contains("(2 run(s), 1 comparison(s)"), commits.out());
        assertTrue(commits.err().contains("are kept as separate runs: different commits (0123456789ab vs"
                + " fedcba987654)"), commits.err());
        assertTrue(commits.file("report.md").contains("the runs come from different commits: 0123456789ab vs"
                + " fedcba987654"), commits.file("report.md"));

        Path dirty = withSidecar(fastestLesson("17.0.15", 1, RUNNER_17), dir.resolve("d2--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("2/2").withDirty());
        ReportMainTest.Result dirtyTree = report("dirty", one, dirty);
        assertTrue(dirtyTree.out().contains("(2 run(s), 1 comparison(s)"), dirtyTree.out());
        assertTrue(dirtyTree.err().contains("kept as separate runs: one tree had uncommitted changes"
                + " (d2--jdk-17.0.15.json is dirty)"), dirtyTree.err());
        assertTrue(dirtyTree.file("report.md").contains("was made from a tree with uncommitted changes (commit"
                + " 0123456789ab, dirty)"), dirtyTree.file("report.md"));
        assertTrue(inputs(dirtyTree).contains("commit 0123456789ab (dirty: uncommitted changes)"), inputs(dirtyTree));

        // Two shards of one dirty tree are one run, with a warning that the files cannot prove the same code.
        Path dirtyOne = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("d1--jdk-17.0.15.json"),
                "17.0.15", Meta.quiet("1/2").withDirty());
        ReportMainTest.Result bothDirty = report("both-dirty", dirtyOne, dirty);
        assertTrue(bothDirty.out().contains("(1 run(s), 0 comparison(s)"), bothDirty.out());
        assertTrue(bothDirty.err().contains("are merged into one run, but their tree had uncommitted changes"),
                bothDirty.err());

        // Different user flags are different runs, and that needs no warning beyond the labels.
        Path serial = withSidecar(fastestLesson("17.0.15", 1, concat(RUNNER_17, "-XX:+UseSerialGC")),
                dir.resolve("s2--jdk-17.0.15-UseSerialGC.json"), "17.0.15",
                Meta.quiet("2/2").withFlags("-XX:+UseSerialGC"));
        ReportMainTest.Result flags = report("flags", one, serial);
        assertTrue(flags.out().contains("(2 run(s), 1 comparison(s)"), flags.out());
        assertFalse(flags.err().contains("kept as separate runs"), flags.err());
        assertTrue(flags.file("report.md").contains("## Run comparison 1: JDK 17.0.15 vs JDK 17.0.15 -XX:+UseSerialGC"),
                flags.file("report.md"));
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void filesWithoutSidecarsAreMergedOnlyWithMerge() throws Exception {
        Path one = ratioLesson("17.0.15", 1, RUNNER_17).write(dir.resolve("one.json"));
        Path two = fastestLesson("17.0.15", 1, RUNNER_17).write(dir.resolve("two.json"));
        ReportMainTest.Result apart = report("apart", one, two);
        assertEquals(0, apart.exit(), apart.err());
        assertTrue(apart.out().contains("(2 run(s), 1 comparison(s)"), apart.out());
        assertTrue(apart.err().contains("one.json and two.json (both JDK 17.0.15 with the same JVM flags) are kept as"
                + " separate runs: they have no sidecars (.run.json)") && apart.err().contains("pass --merge"),
                apart.err());

        ReportMainTest.Result merged = report("merged", "--merge", one, two);
        assertEquals(0, merged.exit(), merged.err());
        assertTrue(merged.out().contains("(1 run(s), 0 comparison(s)"), merged.out());
        assertTrue(inputs(merged).contains("- JDK 17.0.15: 2 files merged into one run (one.json, two.json); JDK"
                + " 17.0.15, OpenJDK 64-Bit Server VM 17.0.15+1; JMH 1.37; JVM flags -Djdk.attach.allowAttachSelf=true"
                + " -XX:+EnableDynamicAgentLoading -Djmh.ignoreLock=true; 7 rows\n"), inputs(merged));
        assertEquals(List.of("JDK 17.0.15 fast-2x-large CONFIRMED", "JDK 17.0.15 best-fastest CONFIRMED"),
                claimRows(merged));

        // --merge does not merge what holds the same row: two runs, compared, as with sidecars.
        ReportMainTest.Result twice = report("twice", "--merge", one, ratioLesson("17.0.15", 1.1, RUNNER_17)
                .write(dir.resolve("rerun.json")));
        assertEquals(0, twice.exit(), twice.err());
        assertTrue(twice.err().contains("no sidecar") && twice.err().contains("they are two runs, compared and not"
                + " merged"), twice.err());

        // A file with a sidecar and one without are never one run.
        Path sided = withSidecar(fastestLesson("17.0.15", 1, RUNNER_17), dir.resolve("sided.json"), "17.0.15",
                Meta.quiet(null));
        ReportMainTest.Result mixed = report("mixed", "--merge", one, sided);
        assertTrue(mixed.out().contains("(2 run(s), 1 comparison(s)"), mixed.out());
        assertTrue(mixed.file("report.md").contains("has a sidecar (.run.json): whether both ran on one machine and"
                + " one commit cannot be told"), mixed.file("report.md"));
    }

    @Test
    void theSameFileTwiceStaysTwoRuns() throws Exception {
        Path one = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("jdk-17.0.15.json"), "17.0.15",
                Meta.quiet(null));
        ReportMainTest.Result r = report("out", one, one);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(2 run(s), 1 comparison(s)"), r.out());
    }

    @Test
    void aLoadedMachineIsWarnedAbout() throws Exception {
        Path quiet = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("quiet.json"), "17.0.15",
                Meta.quiet(null).withLoad(2.0));
        ReportMainTest.Result atHalf = report("half", quiet);
        assertFalse(atHalf.err().contains("load average"), "a load of half the 4 cores is not above half: "
                + atHalf.err());
        Path loaded = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("loaded.json"), "17.0.15",
                Meta.quiet(null).withLoad(2.5));
        ReportMainTest.Result r = report("loaded", loaded);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("loaded.json: the 1-minute load average was 2.50 before the run (2.50 after, with"
                + " the run's own threads), above half of the machine's 4 cores: figures from a loaded machine are not"
                + " measurements"), r.err());
        assertTrue(r.file("report.md").contains("figures from a loaded machine are not measurements"));
    }

    @Test
    void otherProcessesCpuDecidesOverTheLoadAverageWhichCountsTheRunsOwnThreads() {
        // A quiet 2-core machine running a lesson with a worker pool: load 1.5, but other processes used 0.05 cores.
        assertNull(sidecar(2, 1.5, 0.05).loadWarning("quiet.json"));
        String busy = sidecar(2, 0.4, 1.3).loadWarning("busy.json");
        assertTrue(busy != null && busy.startsWith("busy.json: other processes kept 1.30 of the machine's 2 cores busy"),
                busy);
        // Without the CPU figure (an older sidecar): the load before the run decides, never the load after it.
        assertNull(sidecar(2, 0.7, null).loadWarning("old.json"));
        assertTrue(sidecar(2, 1.2, null).loadWarning("old.json").contains("1.20 before the run"));
        // Right after another run of the same invocation, the load before is that run's own: no warning.
        Sidecar first = sidecar(2, 0.3, null);
        Sidecar second = new Sidecar(Path.of("y.run.json"), "cpu", 2, 1L << 30, "Linux", "os", "amd64", null, null,
                "host", "abc", false, "quick", "25.0.3", List.of(), List.of(), "2026-11-27T18:31:12Z",
                "2026-11-27T18:44:00Z", List.of(1.47, 0.0, 0.0), List.of(1.1, 0.0, 0.0), null, null);
        Sidecar earlier = new Sidecar(Path.of("z.run.json"), "cpu", 2, 1L << 30, "Linux", "os", "amd64", null, null,
                "host", "abc", false, "quick", "17.0.15", List.of(), List.of(), "2026-11-27T18:19:27Z",
                "2026-11-27T18:31:11Z", List.of(0.74, 0.0, 0.0), List.of(1.47, 0.0, 0.0), null, null);
        assertTrue(second.followsAnother(List.of(earlier, second)));
        assertFalse(earlier.followsAnother(List.of(earlier, second)));
        assertNull(second.loadWarning("jdk-25.json", true));
        assertTrue(second.loadWarning("jdk-25.json", false) != null);
        assertFalse(first.followsAnother(List.of(first)), "a sidecar without times follows nothing");
    }

    private static Sidecar sidecar(int cores, double load1, Double otherCores) {
        return new Sidecar(Path.of("x.run.json"), "cpu", cores, 1L << 30, "Linux", "os", "amd64", null, null, "host",
                "abc", false, "quick", "17.0.15", List.of(), List.of(), "s", "e", List.of(load1, 0.0, 0.0),
                List.of(load1 + 1, 0.0, 0.0), null, otherCores);
    }

    @Test
    void aBrokenSidecarIsOneWarningNeverACrash() throws Exception {
        Path json = ratioLesson("17.0.15", 1, RUNNER_17).write(dir.resolve("jdk-17.0.15.json"));
        Path sidecar = RunMetadata.sidecarOf(json);
        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("{\"format\": \"jvm-perf-mastery run metadata 1\", \"machine\": ", "not valid JSON");
        broken.put("[1, 2, 3]", "not a run sidecar");
        broken.put("{\"format\": \"jvm-perf-mastery run metadata 1\", \"machine\": {\"cores\": \"two\"}}",
                "field cores should be a whole number");
        broken.put("{\"format\": \"jvm-perf-mastery run metadata 1\", \"loadAverageBefore\": [1, 2]}",
                "field loadAverageBefore should be [1, 5, 15 minute load averages]");
        broken.put("{\"format\": \"jvm-perf-mastery run metadata 1\", \"jdkVersion\": \"21.0.5\"}",
                "the sidecar is of JDK 21.0.5 but jdk-17.0.15.json of JDK 17.0.15");
        int n = 0;
        for (var entry : broken.entrySet()) {
            Files.writeString(sidecar, entry.getKey());
            ReportMainTest.Result r = report("out" + n++, json);
            assertEquals(0, r.exit(), entry.getKey() + " -> " + r.err());
            List<String> about = r.err().lines().filter(l -> l.contains(sidecar.toString())).toList();
            assertEquals(1, about.size(), r.err());
            assertTrue(about.get(0).contains(entry.getValue()) && about.get(0).contains("ignored"), about.get(0));
            assertTrue(inputs(r).contains("; JVM flags -Djdk.attach.allowAttachSelf=true"), "reported as without one");
        }
        // A sidecar with nulls where the runner could not read a value is a sidecar, not a problem.
        Files.writeString(sidecar, "{\"format\": \"jvm-perf-mastery run metadata 1\", \"machine\": {\"cpuModel\": null,"
                + " \"cores\": 2, \"memoryBytes\": null}, \"source\": {\"commit\": null, \"dirty\": null},"
                + " \"jvmFlags\": [], \"loadAverageBefore\": null}");
        ReportMainTest.Result nulls = report("nulls", json);
        assertEquals(0, nulls.exit(), nulls.err());
        assertFalse(nulls.err().contains(sidecar.toString()), nulls.err());
        assertTrue(inputs(nulls).contains("machine ?, 2 cores, ? GiB"), inputs(nulls));
        assertTrue(inputs(nulls).contains("commit ?"), inputs(nulls));
    }

    @Test
    void userFlagsAndRunnerFlagsAreShownApartAndOnce() throws Exception {
        // A fork inherits the JMH process's flags, and a lesson may append the attach flags again.
        SyntheticJmh json = new SyntheticJmh("17.0.15", "-Djdk.attach.allowAttachSelf=true",
                "-XX:+EnableDynamicAgentLoading", "-XX:+UseSerialGC", "-Djmh.ignoreLock=true",
                "-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading");
        json.row(PKG + "Ratio.slow", "avgt", "size=1024", tight(400));
        json.row(PKG + "Ratio.fast", "avgt", "size=1024", tight(100));
        Path file = withSidecar(json, dir.resolve("jdk-17.0.15-UseSerialGC.json"), "17.0.15",
                Meta.quiet(null).withFlags("-XX:+UseSerialGC"));
        ReportMainTest.Result r = report("out", file);
        assertEquals(0, r.exit(), r.err());
        assertTrue(inputs(r).contains("; JVM flags -XX:+UseSerialGC; runner flags -Djmh.ignoreLock=true"
                + " -Djdk.attach.allowAttachSelf=true -XX:+EnableDynamicAgentLoading;"), inputs(r));
    }

    @Test
    void aRunsJvmArgumentsAreThoseEveryRowShares() throws Exception {
        // One lesson appends its own heap flags (@Fork(jvmArgsAppend)): they are its rows', not the run's.
        SyntheticJmh plain = new SyntheticJmh("17.0.15", "-Da=1", "-XX:-UseFoo", "-XX:+UseFoo");
        plain.row(PKG + "Ratio.slow", "avgt", "size=1024", tight(400));
        Path one = withSidecar(plain, dir.resolve("plain.json"), "17.0.15", Meta.quiet("1/2"));
        SyntheticJmh heap = new SyntheticJmh("17.0.15", "-Da=1", "-XX:-UseFoo", "-XX:+UseFoo", "-Xmx1g");
        heap.row(PKG + "Fastest.best", "avgt", "", tight(100));
        Path two = withSidecar(heap, dir.resolve("heap.json"), "17.0.15", Meta.quiet("2/2"));
        List<String> warnings = new ArrayList<>();
        Run merged = RunMerge.merge(List.of(
                JmhJsonReader.read(one).withSidecar(Sidecar.readFor(one, "17.0.15", warnings)),
                JmhJsonReader.read(two).withSidecar(Sidecar.readFor(two, "17.0.15", warnings))), false, false, "")
                .runs().get(0);
        assertEquals(List.of(), warnings);
        assertEquals(List.of("-Da=1", "-XX:-UseFoo", "-XX:+UseFoo"), JmhJsonReader.read(one).jvmArgs(),
                "each once, in order");
        assertEquals(List.of("-Da=1", "-XX:-UseFoo", "-XX:+UseFoo", "-Xmx1g"), JmhJsonReader.read(two).jvmArgs());
        assertEquals(2, merged.parts().size());
        assertEquals(List.of("-Da=1", "-XX:-UseFoo", "-XX:+UseFoo"), merged.jvmArgs());
        SyntheticJmh twice = new SyntheticJmh("17.0.15", "-XX:+UseFoo", "-XX:-UseFoo", "-XX:+UseFoo");
        twice.row(PKG + "Ratio.slow", "avgt", "size=1024", tight(400));
        assertEquals(List.of("-XX:-UseFoo", "-XX:+UseFoo"), JmhJsonReader.read(twice.write(dir.resolve("t.json")))
                .jvmArgs(), "the last occurrence is kept: the flag that wins still wins");
    }

    @Test
    void sidecarsGivenAsArgumentsAreReadBesideTheirJson() throws Exception {
        Path one = withSidecar(ratioLesson("17.0.15", 1, RUNNER_17), dir.resolve("jdk-17.0.15.json"), "17.0.15",
                Meta.quiet(null));
        ReportMainTest.Result r = report("out", one, RunMetadata.sidecarOf(one));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(1 run(s), 0 comparison(s)"), r.out());
        ReportMainTest.Result alone = report("alone", RunMetadata.sidecarOf(one));
        assertEquals(2, alone.exit(), "a sidecar alone is not JMH results: " + alone.err());
    }

    /**
     * The files of one CI run as scripts/ci-report.sh keeps them (OUT/results/{@code <job>--jdk-X.json} with
     * sidecars): two JDKs, two shards each. {@code slowerJdk25} makes JDK 25's second shard 1.5x slower.
     */
    static List<Path> ciResults(Path results, String commit, double slowerJdk25) throws Exception {
        Files.createDirectories(results);
        List<Path> files = new ArrayList<>();
        for (String jdk : List.of("17.0.15", "25.0.3")) {
            String[] runner = jdk.startsWith("17") ? RUNNER_17 : RUNNER_25;
            String job = "jdk" + jdk.substring(0, 2);
            Meta meta = Meta.quiet("1/2").withCommit(commit);
            files.add(withSidecar(ratioLesson(jdk, 1, runner), results.resolve(job + "-shard1--jdk-" + jdk + ".json"),
                    jdk, meta));
            files.add(withSidecar(fastestLesson(jdk, jdk.startsWith("25") ? slowerJdk25 : 1, runner),
                    results.resolve(job + "-shard2--jdk-" + jdk + ".json"), jdk,
                    Meta.quiet("2/2").withCommit(commit).withHost("runner-7")));
        }
        return files;
    }

    @Test
    void theGateComparesEachJdkWithTheBaselinesRunOfTheSameJdk() throws Exception {
        List<Path> main = ciResults(dir.resolve("baseline").resolve("results"), OTHER_COMMIT, 1);
        List<Path> pr = ciResults(dir.resolve("merged").resolve("results"), COMMIT, 1.5);
        List<Object> args = new ArrayList<>(List.of("--fail-on", "regressions"));
        for (Path base : main) {
            args.add("--baseline");
            args.add(base);
        }
        args.addAll(pr);
        ReportMainTest.Result r = report("gate", args.toArray());
        assertEquals(perfmastery.runner.ExitCode.REGRESSION, r.exit(), r.err());
        assertTrue(r.out().contains("(2 run(s), 2 comparison(s)"), r.out());
        String md = r.file("report.md");
        assertTrue(md.contains("## Run comparison 1: JDK 17.0.15 commit fedcba9 vs JDK 17.0.15 commit 0123456\n"), md);
        assertTrue(md.contains("## Run comparison 2: JDK 25.0.3 commit fedcba9 vs JDK 25.0.3 commit 0123456\n"), md);
        assertTrue(md.contains("- baseline JDK 17.0.15 commit fedcba9: 2 files merged into one run"), md);
        assertTrue(md.contains("the runs come from different commits: fedcba987654 vs 0123456789ab"), md);
        List<List<String>> rows = ReportMainTest.csv(r.file("comparison.csv"));
        assertEquals(14, rows.size() - 1, "7 rows per JDK, each against its own JDK's baseline");
        List<String> slower = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            assertEquals(row.get(4).replace("17.0.15", "X").replace("25.0.3", "X"),
                    row.get(5).replace("17.0.15", "X").replace("25.0.3", "X").replace("0123456", "fedcba9"),
                    "same JDK on both sides: " + row);
            if (row.get(9).equals("slower")) {
                slower.add(row.get(5) + " " + row.get(0).substring(row.get(0).lastIndexOf('.') + 1));
            }
        }
        assertEquals(List.of("JDK 25.0.3 commit 0123456 best", "JDK 25.0.3 commit 0123456 other",
                "JDK 25.0.3 commit 0123456 another"), slower);
        assertTrue(r.err().contains("--fail-on regressions: 3 row(s) slower or allocating more than the baseline by"
                + " more than the 5 % margin"), r.err());

        // The same results against themselves: no regression; one JDK missing from the baseline: said, not gated.
        ReportMainTest.Result jdk17Only = report("jdk17-only", "--fail-on", "regressions", "--baseline", main.get(0),
                "--baseline", main.get(1), "--baseline", withSidecar(ratioLesson("21.0.5", 1, RUNNER_25),
                        dir.resolve("jdk21-shard1--jdk-21.0.5.json"), "21.0.5", Meta.quiet("1/2").withCommit(OTHER_COMMIT)),
                main.get(0), main.get(1), main.get(2), main.get(3));
        assertEquals(0, jdk17Only.exit(), jdk17Only.err());
        assertTrue(jdk17Only.out().contains("(2 run(s), 1 comparison(s)"), jdk17Only.out());
        assertTrue(jdk17Only.err().contains("JDK 25.0.3 has no baseline run of the same JDK and JVM flags: not compared"),
                jdk17Only.err());
    }
}
