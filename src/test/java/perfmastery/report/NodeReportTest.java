package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node driver's JSON in the report: the run is labelled "Node 20.x" (not a JDK), each claim gets a Node
 * column, and "JVM against Node" holds each lesson's rows on both runtimes with Node ÷ JDK and its interval.
 * The fixture node-driver-fixture.json was made by node/driver.mjs (--preset smoke --forks 3, Fibonacci's recursive
 * and memoized, ClosureRetention) on a loaded machine: its figures are test data, not measurements.
 */
class NodeReportTest {

    @TempDir
    Path dir;

    private ReportMainTest.Result report(Path... files) {
        Path out = dir.resolve("report");
        String[] args = new String[files.length + 2];
        args[0] = "--out";
        args[1] = out.toString();
        for (int i = 0; i < files.length; i++) {
            args[i + 2] = files[i].toString();
        }
        return ReportMainTest.runRaw(out, args);
    }

    @Test
    void aNodeRunIsLabelledNodeAndGetsItsOwnClaimColumnAndTheSection() throws Exception {
        Run node = JmhJsonReader.read(ReportMainTest.fixture("node-driver-fixture.json"));
        String version = node.jdkVersion();
        assertTrue(version.startsWith("20.") || version.matches("\\d+\\..*"), version);
        assertTrue(NodeSection.isNode(node));
        assertEquals(List.of("JDK 17.0.15", "Node " + version), ReportMain.label(List.of(
                JmhJsonReader.read(ReportMainTest.fixture("fib-jdk17.json")), node)).stream().map(Run::label).toList());

        ReportMainTest.Result result = report(ReportMainTest.fixture("fib-jdk17.json"),
                ReportMainTest.fixture("node-driver-fixture.json"));
        assertEquals(0, result.exit(), result.err());
        String md = result.file("report.md");
        assertTrue(md.contains("| lesson | claim | needs | JDK 17.0.15 | measured (95 % interval) | Node " + version
                + " | measured (95 % interval) |"), "a Node column beside the JDK's in the claims tables");
        List<List<String>> claims = ReportMainTest.csv(result.file("claims.csv"));
        List<String> header = claims.get(0);
        int run = header.indexOf("run");
        int claim = header.indexOf("claim");
        int status = header.indexOf("verdict");
        List<List<String>> onNode = claims.stream().filter(r -> r.get(run).equals("Node " + version)).toList();
        List<String> memoized = onNode.stream().filter(r -> r.get(claim).equals("memoized-1000x-at-30")).findFirst()
                .orElseThrow();
        assertEquals("CONFIRMED", memoized.get(status), "the fixture's memoized is 5733x to 30580x recursive at n=30");
        List<String> leak = onNode.stream().filter(r -> r.get(claim).equals("leaky-retains-its-payload")).findFirst()
                .orElseThrow();
        assertEquals("CONFIRMED", leak.get(status), "each leaked closure keeps its 1,000,000-byte payload on Node too");

        String section = md.substring(md.indexOf("## JVM against Node"), md.indexOf("## Claims"));
        assertTrue(section.contains("### FibonacciBenchmark: JDK 17.0.15 against Node " + version), section);
        String memoizedRow = section.lines().filter(l -> l.startsWith("| memoized (n=30) | avgt |")).findFirst()
                .orElseThrow();
        assertTrue(memoizedRow.matches("\\| memoized \\(n=30\\) \\| avgt \\| 471\\.2 ns/op \\| [0-9.]+ ns/op \\| "
                + "[0-9.]+ \\([0-9.]+ to [0-9.]+\\) \\| 264\\.0 \\| [0-9.]+ \\| .*"), memoizedRow);
        assertTrue(section.contains("Not measured on Node in this run"), section);
        assertTrue(section.contains("fastDoubling (n=20)"), section);
        assertTrue(md.contains("Node " + version + ": node-driver-fixture.json; Node " + version), md);
    }

    @Test
    void withoutANodeRunThereIsNoSection() {
        ReportMainTest.Result result = report(ReportMainTest.fixture("fib-jdk17.json"));
        assertEquals(0, result.exit(), result.err());
        assertFalse(assertDoesNotThrowRead(result).contains("JVM against Node"));
    }

    private static String assertDoesNotThrowRead(ReportMainTest.Result result) {
        try {
            return result.file("report.md");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nodeOverJdkInvertsTheComparisonsRatioAndItsInterval() {
        // RunComparison's ratio is JDK ÷ Node for time (above 1: Node better); the section shows Node ÷ JDK.
        assertEquals("4.00 (2.00 to 8.00)", NodeSection.inverted(new Estimate(0.25, 0.125, 0.5, "")));
        assertEquals("0.50 (no interval)", NodeSection.inverted(Estimate.point(2, "1 fork")));
        assertEquals("n/a", NodeSection.inverted(null));
    }

    /** The driver run briefly here, its JSON straight into the report (skipped without node on the PATH). */
    @Test
    void aJsonTheDriverWritesNowReadsIntoTheReport() throws Exception {
        Path node = perfmastery.runner.NodeRuntime.onPath(System.getenv()).orElse(null);
        assumeTrue(node != null, "node is not on the PATH: the driver-to-report test is skipped");
        Path nodeDir = Paths.get("node").toAbsolutePath();
        assumeTrue(perfmastery.runner.NodeRuntime.ensureInstalled(nodeDir, System.getenv(), System.out) == null,
                "node/node_modules could not be installed");
        Path json = dir.resolve("node.json");
        Process driver = new ProcessBuilder(node.toString(), "driver.mjs", "--preset", "smoke", "--forks", "2",
                "--include", "FibonacciBenchmark.iterative", "-p", "n=20", "--out", json.toString())
                .directory(nodeDir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("driver.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(driver.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.log")));
        Run run = JmhJsonReader.read(json);
        assertEquals(1, run.rows().size());
        Row row = run.rows().get(0);
        assertEquals("perfmastery.cpu.FibonacciBenchmark.iterative", row.benchmark());
        assertEquals(2, row.primary().forks().length, "rawData per fork");
        assertTrue(row.secondary().containsKey("gc.alloc.rate.norm"));
        ReportMainTest.Result result = report(ReportMainTest.fixture("fib-jdk17.json"), json);
        assertEquals(0, result.exit(), result.err());
        String md = result.file("report.md");
        String label = "Node " + run.jdkVersion();
        assertTrue(md.contains("### FibonacciBenchmark: JDK 17.0.15 against " + label), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| iterative (n=20) | avgt |")), md);
    }
}
