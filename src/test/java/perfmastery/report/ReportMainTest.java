package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The report end to end, on real fixtures of this suite and on generated JSON. */
class ReportMainTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err, Path dir) {
        String file(String name) throws Exception {
            return Files.readString(dir.resolve(name));
        }
    }

    static Path fixture(String name) {
        try {
            return Path.of(ReportMainTest.class.getResource("/perfmastery/report/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Result report(String outName, Object... args) {
        Path out = dir.resolve(outName);
        List<String> all = new ArrayList<>(List.of("--out", out.toString()));
        for (Object a : args) {
            all.add(a instanceof Path p ? p.toString() : a.toString());
        }
        return runRaw(out, all.toArray(String[]::new));
    }

    static Result runRaw(Path out, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int exit = ReportMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8), out);
    }

    /** comparison.csv or claims.csv as rows of cells: the report's own RFC 4180 reader. */
    static List<List<String>> csv(String text) {
        return FindingsDoc.parse(text);
    }

    @Test
    void fibonacciJdk17Against25() throws Exception {
        Result r = report("out", fixture("fib-jdk17.json"), fixture("fib-jdk25.json"));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("### FibonacciBenchmark (avgt) on JDK 17.0.15"), md);
        assertTrue(md.contains("### FibonacciBenchmark (avgt) on JDK 25.0.3"));
        assertTrue(md.contains("## Run comparison 1: JDK 17.0.15 vs JDK 25.0.3"));
        assertTrue(md.contains("| memoized | "));
        assertTrue(md.contains("x faster |"));
        assertTrue(md.contains("geometric mean"));
        assertTrue(md.contains("JVM flags differ"));
        assertTrue(md.contains("![FibonacciBenchmark on JDK 17.0.15"));
        assertEquals("benchmark,mode,params,metric,run_a,run_b,ratio,ci_low,ci_high,verdict,unit,note",
                r.file("comparison.csv").lines().findFirst().orElseThrow());
        List<List<String>> claims = csv(r.file("claims.csv"));
        assertEquals(List.of("run", "lesson", "claim", "kind", "verdict", "measured", "ci_low", "ci_high", "reason",
                "unit"),
                claims.get(0));
        // The quiet JDK 25 run confirms the memoized claim; the noisy JDK 17 run (load 5-12) cannot tell.
        assertEquals(List.of("JDK 25.0.3", "MECHANISM", "CONFIRMED"), pick(claims, "memoized-1000x-at-30", 1));
        assertEquals(List.of("JDK 17.0.15", "MECHANISM", "INCONCLUSIVE"), pick(claims, "memoized-1000x-at-30", 0));
        // Fibonacci's claims follow from call counts: mechanism checks, in their own table (issue 19).
        assertTrue(md.contains("### Mechanism checks"), md);
        for (String chart : List.of("charts/lesson-1-fibonaccibenchmark-avgt.svg",
                "charts/lesson-2-fibonaccibenchmark-avgt.svg", "charts/compare-1.svg")) {
            assertTrue(Files.exists(r.dir().resolve(chart)), chart);
            assertTrue(md.contains("](" + chart + ")"), chart);
        }
        System.out.println("[report] JDK 17 vs 25 claims:\n" + r.file("claims.csv"));
    }

    /** Run, kind and verdict of a claim's {@code index}-th row in claims.csv. */
    private static List<String> pick(List<List<String>> claims, String id, int index) {
        List<List<String>> rows = claims.stream().filter(c -> c.get(2).equals(id)).toList();
        List<String> row = rows.get(index);
        return List.of(row.get(0), row.get(3), row.get(4));
    }

    @Test
    void ratiosIntervalsAndVerdictsMatchOwnComputationFromRawData() throws Exception {
        Path a = fixture("fib-jdk17.json");
        Path b = fixture("fib-jdk25.json");
        Result r = report("out", a, b);
        assertEquals(0, r.exit(), r.err());
        JsonMapper mapper = JsonMapper.builder().build();
        JsonNode ja = mapper.readTree(a.toFile());
        JsonNode jb = mapper.readTree(b.toFile());
        int checked = 0;
        for (List<String> row : csv(r.file("comparison.csv"))) {
            if (!row.get(3).equals("primary")) {
                continue;
            }
            double[][] ra = raw(ja, row.get(0), row.get(2));
            double[][] rb = raw(jb, row.get(0), row.get(2));
            double own = ClaimCheckerTest.forkMeanOfMeans(ra) / ClaimCheckerTest.forkMeanOfMeans(rb);
            double ratio = Double.parseDouble(row.get(6));
            double low = Double.parseDouble(row.get(7));
            double high = Double.parseDouble(row.get(8));
            assertEquals(own, ratio, own * 1e-5, row.toString());
            double[] ownInterval = ownPooledInterval(ja, ra, jb, rb, row.get(0) + "|" + row.get(2));
            assertEquals(ownInterval[0], low, ownInterval[0] * 1e-5, row + " own " + Arrays.toString(ownInterval));
            assertEquals(ownInterval[1], high, ownInterval[1] * 1e-5, row + " own " + Arrays.toString(ownInterval));
            assertTrue(low <= ratio && ratio <= high, row.toString());
            String verdict = low > 1 && ratio >= 1.03 ? "faster" : high < 1 && ratio <= 0.97 ? "slower" : "≈";
            assertEquals(verdict, row.get(9), row.toString());
            checked++;
        }
        assertEquals(8, checked);
    }

    private static double[][] raw(JsonNode results, String benchmark, String params) {
        for (JsonNode row : results) {
            String p = row.path("params").propertyStream()
                    .map(e -> e.getKey() + "=" + e.getValue().asString()).sorted().reduce((x, y) -> x + ";" + y)
                    .orElse("");
            if (row.get("benchmark").asString().equals(benchmark) && p.equals(params)) {
                JsonNode raw = row.get("primaryMetric").get("rawData");
                double[][] out = new double[raw.size()][];
                for (int f = 0; f < raw.size(); f++) {
                    out[f] = raw.get(f).valueStream().mapToDouble(JsonNode::doubleValue).toArray();
                }
                return out;
            }
        }
        throw new AssertionError("no row " + benchmark + " " + params);
    }

    /**
     * The documented method, written again here from the JSON: the variance of the log fork means pooled over
     * every row of each file (one lesson, one mode) except the rows set apart by the 1 % F test, a row's own when
     * larger (with its own df), a row set apart with its own variance and df, Welch-Satterthwaite df between the two files, and a
     * 95 % t interval of log(a/b).
     */
    private static double[] ownPooledInterval(JsonNode fileA, double[][] a, JsonNode fileB, double[][] b, String key) {
        double[] poolA = pooled(fileA).get(key);
        double[] poolB = pooled(fileB).get(key);
        // A row's own variance when larger than its pool's, then with its own df (issue 19), else the pool's with its df.
        boolean ownA = logForkVariance(a) > poolA[0];
        boolean ownB = logForkVariance(b) > poolB[0];
        double va = (ownA ? logForkVariance(a) : poolA[0]) / a.length;
        double vb = (ownB ? logForkVariance(b) : poolB[0]) / b.length;
        double dfA = ownA ? a.length - 1 : poolA[1];
        double dfB = ownB ? b.length - 1 : poolB[1];
        double df = (va + vb) * (va + vb) / (va * va / dfA + vb * vb / dfB);
        double half = org.apache.commons.statistics.distribution.TDistribution.of(df)
                .inverseCumulativeProbability(0.975) * Math.sqrt(va + vb);
        double ratio = ClaimCheckerTest.forkMeanOfMeans(a) / ClaimCheckerTest.forkMeanOfMeans(b);
        return new double[] {ratio * Math.exp(-half), ratio * Math.exp(half)};
    }

    /**
     * Per row ("benchmark|params"): {variance, df} of the pool it uses. Rows are taken out one at a time, the one
     * whose variance is most significantly above the rest's pool first (one-sided F test, p below 1 %).
     */
    private static Map<String, double[]> pooled(JsonNode file) {
        Map<String, double[]> own = new LinkedHashMap<>();
        for (JsonNode row : file) {
            JsonNode raw = row.get("primaryMetric").get("rawData");
            double[][] forks = new double[raw.size()][];
            for (int f = 0; f < raw.size(); f++) {
                forks[f] = raw.get(f).valueStream().mapToDouble(JsonNode::doubleValue).toArray();
            }
            String params = row.path("params").propertyStream()
                    .map(e -> e.getKey() + "=" + e.getValue().asString()).sorted().reduce((x, y) -> x + ";" + y)
                    .orElse("");
            own.put(row.get("benchmark").asString() + "|" + params,
                    new double[] {logForkVariance(forks), forks.length - 1});
        }
        Map<String, double[]> result = new LinkedHashMap<>();
        Map<String, double[]> in = new LinkedHashMap<>(own);
        while (true) {
            String worst = null;
            double worstP = 0.01;
            for (var e : in.entrySet()) {
                double sum = 0;
                double df = 0;
                for (var o : in.entrySet()) {
                    if (!o.getKey().equals(e.getKey())) {
                        sum += o.getValue()[1] * o.getValue()[0];
                        df += o.getValue()[1];
                    }
                }
                if (df == 0 || sum == 0 || e.getValue()[0] <= sum / df) {
                    continue;
                }
                double p = org.apache.commons.statistics.distribution.FDistribution.of(e.getValue()[1], df)
                        .survivalProbability(e.getValue()[0] / (sum / df));
                if (p < worstP) {
                    worstP = p;
                    worst = e.getKey();
                }
            }
            if (worst == null) {
                break;
            }
            result.put(worst, in.remove(worst));
        }
        double sum = 0;
        double df = 0;
        for (double[] v : in.values()) {
            sum += v[1] * v[0];
            df += v[1];
        }
        for (String key : in.keySet()) {
            result.put(key, new double[] {sum / df, df});
        }
        return result;
    }

    private static double logForkVariance(double[][] forks) {
        double[] logs = Arrays.stream(forks).mapToDouble(f -> Math.log(Arrays.stream(f).average().orElseThrow()))
                .toArray();
        double mean = Arrays.stream(logs).average().orElseThrow();
        return Arrays.stream(logs).map(x -> (x - mean) * (x - mean)).sum() / (logs.length - 1);
    }

    @Test
    void sameFileTwiceFindsNoDifference() throws Exception {
        Result r = report("out", fixture("fib-jdk17.json"), fixture("fib-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        for (List<String> row : csv(r.file("comparison.csv")).subList(1, 17)) {
            assertEquals("≈", row.get(9), row.toString());
            assertEquals(1.0, Double.parseDouble(row.get(6)), 0.0, row.toString());
        }
        assertTrue(r.file("report.md").contains("JDK 17.0.15 (fib-jdk17.json) #1 vs JDK 17.0.15 (fib-jdk17.json) #2"));
    }

    @Test
    void twoRunsOnTheSameJdkFindNoSignificantDifference() throws Exception {
        Result r = report("out", fixture("fib-jdk17.json"), fixture("fib-jdk17-rerun.json"));
        assertEquals(0, r.exit(), r.err());
        List<List<String>> rows = csv(r.file("comparison.csv"));
        assertEquals(17, rows.size());
        for (List<String> row : rows.subList(1, rows.size())) {
            assertTrue(Stream.of("≈").anyMatch(row.get(9)::equals), row.toString());
        }
    }

    @Test
    void sameInputGivesByteIdenticalOutput() throws Exception {
        Object[] files = {fixture("fib-jdk17.json"), fixture("fib-jdk25.json"), fixture("fib-sample-jdk17.json")};
        Result first = report("one", files);
        Result second = report("two", files);
        assertEquals(0, first.exit());
        for (String name : List.of("report.md", "report.html", "comparison.csv", "claims.csv",
                "charts/compare-1.svg", "charts/lesson-1-fibonaccibenchmark-avgt.svg")) {
            assertArrayEquals(Files.readAllBytes(first.dir().resolve(name)),
                    Files.readAllBytes(second.dir().resolve(name)), name);
        }
    }

    @Test
    void svgAndHtmlParseAsXml() throws Exception {
        Result r = report("out", fixture("fib-jdk17.json"), fixture("fib-jdk25.json"), fixture("fib-sample-jdk17.json"));
        assertEquals(0, r.exit());
        List<Path> files = new ArrayList<>();
        try (Stream<Path> charts = Files.list(r.dir().resolve("charts"))) {
            charts.forEach(files::add);
        }
        assertTrue(files.size() >= 4, files.toString());
        files.add(r.dir().resolve("report.html"));
        for (Path file : files) {
            parseXml(file);
        }
        String html = r.file("report.html");
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "the HTML works offline");
        assertTrue(html.contains("<svg"), "charts are inlined");
    }

    static void parseXml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.newDocumentBuilder().parse(file.toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing.json", "broken/empty.json", "broken/truncated.json", "broken/not-jmh.json",
            "broken/wrong-types.json"})
    void badInputGetsOneLineNamingTheFileAndExit2(String name) throws Exception {
        Path file = name.equals("missing.json") ? dir.resolve("missing.json") : fixture(name);
        Result r = report("out", fixture("fib-jdk17.json"), file);
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(file.toString()), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(r.dir().resolve("report.md")));
        System.out.println("[report] " + name + " -> " + r.err().strip());
    }

    @Test
    void usageMistakesExit2() {
        assertEquals(2, runRaw(dir, new String[0]).exit());
        assertEquals(2, runRaw(dir, "--bogus", "x.json").exit());
        assertEquals(2, runRaw(dir, "--fail-on", "everything", "x.json").exit());
        assertEquals(2, runRaw(dir, "--out").exit());
        Result noBaseline = runRaw(dir, "--fail-on", "regressions", fixture("fib-jdk17.json").toString());
        assertEquals(2, noBaseline.exit());
        assertTrue(noBaseline.err().contains("--baseline"));
    }

    @Test
    void softProblemsWarnAndGoOn() throws Exception {
        Result r = report("out", fixture("nonfinite-jdk17.json"), fixture("fib-stackprof-jdk17.json"),
                fixture("fib-norawdata-jdk17.json"), fixture("fib-1fork-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(r.err().contains("\"NaN\"/\"+INF\"/\"-INF\""), r.err());
        assertTrue(r.err().contains("text-only profiler rows (unit \"---\", e.g. stack)"), r.err());
        assertTrue(md.contains("cannot tell: no rawData"), "rawData=false: no interval, no verdict");
        assertTrue(md.contains("cannot tell: 1 fork: no fork-to-fork variance (run 2+ forks)"), "one fork per side");
        assertTrue(md.contains("No interval, so no verdict, where the note says"));
        int compared = 0;
        for (List<String> row : csv(r.file("comparison.csv")).subList(1, 5)) {
            if (row.get(3).equals("primary") && !row.get(9).startsWith("only-")) {
                assertEquals("≈", row.get(9), row.toString());
                assertTrue(row.get(11).startsWith("cannot tell: "), row.toString());
                compared++;
            }
        }
        assertTrue(compared > 0);
        assertFalse(md.contains("| stack"), "text-only rows are not tables' columns");
        parseXml(r.dir().resolve("report.html"));
    }

    @Test
    void sampleModeHasPercentilesAndThroughputIsHigherIsBetter() throws Exception {
        Result r = report("out", fixture("fib-sample-jdk17.json"), fixture("fib-thrpt-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("| p50 | p99 | p99.9 |"), md);
        assertTrue(md.contains("FibonacciBenchmark (thrpt)"));
        assertTrue(md.contains("higher is better"));
        // Recursive is the slowest in every mode: in thrpt it must read as the others being faster.
        String thrpt = md.substring(md.indexOf("FibonacciBenchmark (thrpt)"));
        assertTrue(thrpt.contains("| memoized | ") && !thrpt.substring(0, thrpt.indexOf("![")).contains("x slower"), thrpt);
    }

    @Test
    void jsonOfOtherSuitesWorksWithoutClaims() throws Exception {
        Path other = fixture("other-suite-jdk25.json");
        Result r = report("out", other, other);
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("### Bar (avgt) on JDK 25.0.3"), md);
        assertTrue(md.contains("| Bar.memoized | avgt | n=20 |"));
        assertTrue(md.contains("No benchmark class of these runs states a @Claim"));
        assertEquals("run,lesson,claim,kind,verdict,measured,ci_low,ci_high,reason,unit\n", r.file("claims.csv"));
    }

    @Test
    void textFromFilesIsEscapedInHtmlSvgAndMarkdown() throws Exception {
        SyntheticJmh json = new SyntheticJmh("17.0.15", "-Dx=<b>&amp;");
        String cls = "org.example.<script>alert(1)</script>&Co";
        json.row(cls + ".slow", "avgt", "size=<64>&\"'", SyntheticJmh.around(100, 2, 3, 0.01));
        json.row(cls + ".fast", "avgt", "size=<64>&\"'", SyntheticJmh.around(10, 2, 3, 0.01));
        Path a = json.write(dir.resolve("hostile-a.json"));
        Path b = json.write(dir.resolve("hostile-b.json"));
        Result r = report("out", a, b);
        assertEquals(0, r.exit(), r.err());
        String html = r.file("report.html");
        assertFalse(html.contains("<script>"), "escaped in HTML");
        assertFalse(r.file("report.md").contains("<script>"), "escaped in Markdown");
        parseXml(r.dir().resolve("report.html"));
        try (Stream<Path> charts = Files.list(r.dir().resolve("charts"))) {
            for (Path chart : charts.toList()) {
                parseXml(chart);
                assertFalse(Files.readString(chart).contains("<script>"), chart.toString());
            }
        }
    }

    @Test
    void failOnClaimsExits1OnlyWhenAClaimIsRefuted() throws Exception {
        SyntheticJmh failing = new SyntheticJmh("17.0.15");
        failing.row("perfmastery.report.ClaimLessons.Failing.slow", "avgt", "", SyntheticJmh.around(200, 3, 3, 0.01));
        failing.row("perfmastery.report.ClaimLessons.Failing.fast", "avgt", "", SyntheticJmh.around(100, 3, 3, 0.01));
        Path file = failing.write(dir.resolve("failing.json"));
        Result r = report("out", "--fail-on", "claims", file);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("1 claim(s) REFUTED"), r.err());
        assertTrue(r.file("claims.csv").contains("too-bold,GUIDE,REFUTED,2,"), r.file("claims.csv"));
        assertEquals(0, report("plain", file).exit(), "without --fail-on the verdict is only reported");

        SyntheticJmh oneFork = new SyntheticJmh("17.0.15");
        oneFork.row("perfmastery.report.ClaimLessons.Failing.slow", "avgt", "", SyntheticJmh.around(200, 1, 3, 0.01));
        oneFork.row("perfmastery.report.ClaimLessons.Failing.fast", "avgt", "", SyntheticJmh.around(100, 1, 3, 0.01));
        Result inconclusive = report("one", "--fail-on", "claims", oneFork.write(dir.resolve("one.json")));
        assertEquals(0, inconclusive.exit(), "INCONCLUSIVE is not a failure");
        assertTrue(inconclusive.file("claims.csv").contains("too-bold,GUIDE,INCONCLUSIVE,2,,,"),
                inconclusive.file("claims.csv"));

        SyntheticJmh holding = new SyntheticJmh("17.0.15");
        holding.row("perfmastery.report.ClaimLessons.Failing.slow", "avgt", "", SyntheticJmh.around(2000, 3, 3, 0.01));
        holding.row("perfmastery.report.ClaimLessons.Failing.fast", "avgt", "", SyntheticJmh.around(100, 3, 3, 0.01));
        assertEquals(0, report("ok", "--fail-on", "claims", holding.write(dir.resolve("holding.json"))).exit());
    }

    @Test
    void failOnClaimsOnTheRealFixtures() throws Exception {
        // On JDK 25 the memoized claim holds; the noisy JDK 17 run (2 forks at load 5-12) cannot tell either way.
        // (recursive-grows-exponentially is INCONCLUSIVE on JDK 25: memoized n=20's two forks are 0.33 log apart,
        // 18x the other rows' variance, so that row is set apart and its interval rests on its own 1 df.)
        Result jdk25 = report("jdk25", "--fail-on", "claims", fixture("fib-jdk25.json"));
        assertEquals(0, jdk25.exit());
        assertTrue(jdk25.file("claims.csv").contains("memoized-1000x-at-30,MECHANISM,CONFIRMED"));
        assertTrue(jdk25.file("claims.csv").contains("recursive-grows-exponentially,MECHANISM,INCONCLUSIVE"));
        Result jdk17 = report("jdk17", "--fail-on", "claims", fixture("fib-jdk17.json"));
        assertEquals(0, jdk17.exit(), jdk17.err());
        assertTrue(jdk17.file("claims.csv").contains("recursive-grows-exponentially,MECHANISM,INCONCLUSIVE"));
        assertTrue(jdk17.file("claims.csv").contains("memoized-1000x-at-30,MECHANISM,INCONCLUSIVE"));
        assertTrue(jdk17.file("claims.csv").contains("straddles the factor 1000"));
    }

    @Test
    void claimsOnTheScoreReadTheOtherWayRoundInThroughputMode() throws Exception {
        // FibonacciBenchmark's claims are written for AverageTime: "memoized at least 1000x faster" holds in
        // throughput too, as memoized's ops/ms over recursive's, not as a refutation.
        Result r = report("thrpt", fixture("fib-thrpt-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        List<List<String>> claims = csv(r.file("claims.csv"));
        for (List<String> claim : claims.subList(1, claims.size())) {
            assertNotEquals("REFUTED", claim.get(4), claim.toString());
            assertTrue(Double.parseDouble(claim.get(5)) > 100, claim.toString());
        }
    }

    @Test
    void failOnRegressionsAgainstABaseline() throws Exception {
        SyntheticJmh before = new SyntheticJmh("17.0.15");
        before.row("org.example.App.parse", "avgt", "size=10", SyntheticJmh.around(100, 3, 4, 0.01))
                .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(64, 3, 4, 0));
        before.row("org.example.App.render", "thrpt", "", SyntheticJmh.around(50, 3, 4, 0.01));
        SyntheticJmh slower = new SyntheticJmh("17.0.15");
        slower.row("org.example.App.parse", "avgt", "size=10", SyntheticJmh.around(200, 3, 4, 0.01))
                .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(64, 3, 4, 0));
        slower.row("org.example.App.render", "thrpt", "", SyntheticJmh.around(100, 3, 4, 0.01));
        Path baseline = before.write(dir.resolve("baseline.json"));
        Path current = slower.write(dir.resolve("current.json"));
        Result r = report("out", "--fail-on", "regressions", "--baseline", baseline, current);
        assertEquals(perfmastery.runner.ExitCode.REGRESSION, r.exit(), r.err());
        assertTrue(r.file("report.md").contains("## Regression gate") && r.file("report.md").contains("NOT interleaved"),
                r.file("report.md"));
        List<List<String>> rows = csv(r.file("comparison.csv"));
        assertEquals(List.of("org.example.App.parse", "avgt", "size=10", "primary"), rows.get(1).subList(0, 4));
        assertEquals(0.5, Double.parseDouble(rows.get(1).get(6)), 1e-9);
        assertEquals("slower", rows.get(1).get(9));
        assertEquals("≈", rows.get(2).get(9), "same allocation");
        assertEquals(2.0, Double.parseDouble(rows.get(3).get(6)), 1e-9, "thrpt: b/a");
        assertEquals("faster", rows.get(3).get(9));

        Result same = report("same", "--fail-on", "regressions", "--baseline", baseline, baseline);
        assertEquals(0, same.exit(), same.err());

        SyntheticJmh moreAlloc = new SyntheticJmh("17.0.15");
        moreAlloc.row("org.example.App.parse", "avgt", "size=10", SyntheticJmh.around(100, 3, 4, 0.01))
                .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(128, 3, 4, 0));
        Result alloc = report("alloc", "--fail-on", "regressions", "--baseline", baseline,
                moreAlloc.write(dir.resolve("alloc.json")));
        assertEquals(perfmastery.runner.ExitCode.REGRESSION, alloc.exit(), alloc.err());
        assertTrue(alloc.file("comparison.csv").contains(",gc.alloc.rate.norm,") 
                && alloc.file("comparison.csv").contains("more-alloc"), alloc.file("comparison.csv"));
    }

    @Test
    void eventCountersShowTheMeanPerIterationNotJmhsSum() throws Exception {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row("org.example.Cache.lookup", "avgt", "", SyntheticJmh.around(100, 2, 3, 0.01))
                .secondary("hits", "#", new double[][] {{10, 12, 14}, {8, 10, 12}})
                .secondary("gc.time", "ms", new double[][] {{1, 1, 1}, {1, 1, 1}});
        json.row("org.example.Cache.miss", "avgt", "", SyntheticJmh.around(300, 2, 3, 0.01));
        Result r = report("out", json.write(dir.resolve("events.json")));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("| 11.00 # |"), md);
        assertTrue(md.contains("hits, gc.time: the lesson's own metrics") || md.contains("hits: the lesson's own metrics"),
                md);
        String miss = md.lines().filter(l -> l.startsWith("| miss |")).findFirst().orElseThrow();
        assertTrue(miss.contains("x slower |") && miss.endsWith("| n/a |"), "a metric only some rows have: " + miss);
    }

    @Test
    void rowsOnOneSideOnlyAreSaidAndExplained() throws Exception {
        SyntheticJmh jdk17 = new SyntheticJmh("17.0.15");
        jdk17.row("org.example.Pool.platformThreads", "thrpt", "", SyntheticJmh.around(100, 2, 3, 0.01));
        SyntheticJmh jdk21 = new SyntheticJmh("21.0.5");
        jdk21.row("org.example.Pool.platformThreads", "thrpt", "", SyntheticJmh.around(100, 2, 3, 0.01));
        jdk21.row("org.example.Pool.virtualThreads", "thrpt", "", SyntheticJmh.around(300, 2, 3, 0.01));
        Result r = report("out", jdk17.write(dir.resolve("a.json")), jdk21.write(dir.resolve("b.json")));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.file("report.md").contains("Pool.virtualThreads was not run in JDK 17.0.15: needs JDK 21+"),
                r.file("report.md"));
        assertTrue(r.file("comparison.csv").contains("org.example.Pool.virtualThreads,thrpt,,primary,JDK 17.0.15,"
                + "JDK 21.0.5,,,,only-b"), r.file("comparison.csv"));
    }

    @Test
    void labelsComeFromJdkVmAndFlagsBeforeFileNames() {
        Run plain = new Run(Path.of("a.json"), "", "1.37", "17.0.15", "OpenJDK 64-Bit Server VM", "", List.of(),
                List.of(), List.of());
        Run zgc = new Run(Path.of("b.json"), "", "1.37", "17.0.15", "OpenJDK 64-Bit Server VM", "",
                List.of("-XX:+UseZGC"), List.of(), List.of());
        Run jdk25 = new Run(Path.of("c.json"), "", "1.37", "25.0.3", "OpenJDK 64-Bit Server VM", "", List.of(),
                List.of(), List.of());
        List<Run> labelled = ReportMain.label(List.of(plain, zgc, jdk25));
        assertEquals("JDK 17.0.15", labelled.get(0).label().strip());
        assertEquals("JDK 17.0.15 -XX:+UseZGC", labelled.get(1).label());
        assertEquals("JDK 25.0.3", labelled.get(2).label());
        assertNotEquals(labelled.get(0).label(), labelled.get(1).label());
    }

    @Test
    void tenFilesOfTwoHundredRows() throws Exception {
        Path speed = Path.of("target", "report-speed");
        Files.createDirectories(speed);
        List<String> args = new ArrayList<>(List.of("--out", speed.resolve("report").toString()));
        for (int file = 0; file < 10; file++) {
            args.add(ReportSpeedInputs.tenByTwoHundred(file).write(speed.resolve("run" + file + ".json")).toString());
        }
        long start = System.nanoTime();
        Result r = runRaw(speed, args.toArray(String[]::new));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, r.exit(), r.err());
        System.out.println("[report] 10 files x 200 rows: full report in " + millis + " ms (in a warm test JVM;"
                + " time it with JVM start and load average: scripts/report-speed.sh)");
    }
}
