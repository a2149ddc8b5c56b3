package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perfmastery.report.ReportMainTest.csv;
import static perfmastery.report.ReportMainTest.fixture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The defects issue 10 found on real JMH files of other suites and on edited copies, each replayed on a
 * fixture edited the same way (src/test/resources/perfmastery/report/README.md says how each was made).
 */
class ReportInputDefectsTest {

    @TempDir
    Path dir;

    private int outputs;

    private ReportMainTest.Result report(Object... args) {
        Path out = dir.resolve("out" + ++outputs);
        return reportInto(out, args);
    }

    private static ReportMainTest.Result reportInto(Path out, Object... args) {
        List<String> all = new ArrayList<>(List.of("--out", out.toString()));
        for (Object a : args) {
            all.add(a.toString());
        }
        return ReportMainTest.runRaw(out, all.toArray(String[]::new));
    }

    private static void noStackTrace(ReportMainTest.Result r) {
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("Error:"), r.err());
    }

    private static List<List<String>> primaryRows(ReportMainTest.Result r) throws Exception {
        return csv(r.file("comparison.csv")).stream().skip(1).filter(row -> row.get(3).equals("primary")).toList();
    }

    // ------------------------------------------------------------------ 1. mixed units

    @Test
    void throughputInOpsPerSecondIsConvertedToOpsPerMillisecondNotCalled1000xFaster() throws Exception {
        // One repository's two commits wrote the same benchmarks in ops/ms and ops/s: 232 false regressions.
        ReportMainTest.Result r = report("--baseline", fixture("fib-thrpt-jdk17.json"), "--fail-on", "regressions",
                fixture("units-ops-s-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        List<List<String>> rows = primaryRows(r);
        assertEquals(8, rows.size());
        for (List<String> row : rows) {
            assertEquals(1.0, Double.parseDouble(row.get(6)), 1e-5, row.toString());
            assertEquals("≈", row.get(9), row.toString());
            assertEquals("ops/ms (b: ops/s, converted)", row.get(10), row.toString());
        }
        assertEquals("unit", csv(r.file("comparison.csv")).get(0).get(10));
        assertTrue(r.file("report.md").contains("| ops/ms (b: ops/s, converted) |"), r.file("report.md"));
    }

    @Test
    void timeInMicrosecondsIsConvertedToNanoseconds() throws Exception {
        for (boolean reversed : new boolean[] {false, true}) {
            Path ns = fixture("fib-jdk17.json");
            Path us = fixture("units-us-jdk17.json");
            ReportMainTest.Result r = reversed ? report(us, ns) : report(ns, us);
            assertEquals(0, r.exit(), r.err());
            for (List<String> row : primaryRows(r)) {
                assertEquals(1.0, Double.parseDouble(row.get(6)), 1e-5, row.toString());
                assertEquals("≈", row.get(9), row.toString());
                assertEquals(reversed ? "us/op (b: ns/op, converted)" : "ns/op (b: us/op, converted)", row.get(10));
            }
        }
    }

    @Test
    void unitsThatDoNotConvertGiveNoVerdictAndNeverFailTheGate() throws Exception {
        ReportMainTest.Result r = report("--baseline", fixture("fib-1fork-jdk17.json"), "--fail-on", "regressions",
                fixture("units-custom-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        List<List<String>> rows = primaryRows(r);
        assertEquals(8, rows.size());
        for (List<String> row : rows) {
            assertEquals(List.of("", "", "", "units-differ", "ns/op vs B/op (do not convert)"), row.subList(6, 11),
                    row.toString());
        }
        assertTrue(r.file("report.md").contains("FibonacciBenchmark.memoized (n=20) avgt: units ns/op (a) and B/op (b)"
                + " do not convert into each other: no ratio, no verdict"), r.file("report.md"));
        assertTrue(r.file("report.md").contains("over 0 rows"), "no ratio enters the geometric mean");
        assertTrue(r.out().contains("regression gate: 0 regression(s), 0 undecided"), r.out());
    }

    @Test
    void rowsOfOneLessonInDifferentUnitsAreConvertedOrFlagged() throws Exception {
        // memoized was written in us/op (its own @OutputTimeUnit), iterative n=20 in a unit that does not convert.
        ReportMainTest.Result mixed = report(fixture("units-mixed-lesson-jdk17.json"));
        ReportMainTest.Result plain = report(fixture("fib-1fork-jdk17.json"));
        assertEquals(0, mixed.exit(), mixed.err());
        assertTrue(mixed.err().contains("perfmastery.cpu.FibonacciBenchmark (avgt): 2 row(s) in us/op converted to"
                + " ns/op"), mixed.err());
        assertTrue(mixed.err().contains("1 row(s) in B/op cannot be converted to ns/op"), mixed.err());
        String mixedMd = mixed.file("report.md");
        String plainMd = plain.file("report.md");
        List<String> memoMixed = mixedMd.lines().filter(l -> l.startsWith("| memoized |")).toList();
        List<String> memoPlain = plainMd.lines().filter(l -> l.startsWith("| memoized |")).toList();
        assertEquals(2, memoMixed.size());
        assertEquals(memoPlain, memoMixed, "converted back to ns/op: the same score and factor as the original");
        assertTrue(mixedMd.contains("| iterative | 4.994 ± 0.8081 | B/op | n/a (B/op vs ns/op) |"), mixedMd);
        String chart = mixed.file("charts/lesson-1-fibonaccibenchmark-avgt.svg");
        assertFalse(chart.contains("iterative n=20"), "a row in another unit is not drawn on the lesson's axis");
        assertTrue(chart.contains("iterative n=30") && chart.contains("memoized n=20"));
    }

    // ------------------------------------------------------------------ 2. infinite and huge scores

    @Test
    void infiniteAndHugeScoresWarnAndStayOutOfTheCharts() throws Exception {
        // "+INF", 1.7e308 and a literal 1e400 used to run out of memory drawing a log axis to infinity.
        Path huge = fixture("huge-scores-jdk17.json");
        ReportMainTest.Result r = report(huge, fixture("fib-1fork-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        noStackTrace(r);
        assertTrue(r.err().contains("3 score(s) are not finite or beyond 1.000e+100 (result 1 "
                + "FibonacciBenchmark.fastDoubling n=20 avgt: +inf; result 3 FibonacciBenchmark.iterative n=20 avgt:"
                + " 1.700e+308; result 5 FibonacciBenchmark.memoized n=20 avgt: +inf)"), r.err());
        String chart = r.file("charts/lesson-1-fibonaccibenchmark-avgt.svg");
        ReportMainTest.parseXml(r.dir().resolve("charts/lesson-1-fibonaccibenchmark-avgt.svg"));
        for (String left : List.of("fastDoubling n=20", "iterative n=20", "memoized n=20")) {
            assertFalse(chart.contains(left), left);
        }
        assertTrue(chart.contains("recursive n=20") && chart.contains("memoized n=30"));
        assertFalse(chart.contains("NaN") || chart.contains("Infinity"));
        String md = r.file("report.md");
        assertTrue(md.contains("| iterative | 1.700e+308 ± 0.8081 | ns/op | n/a |"), md);
        ReportMainTest.parseXml(r.dir().resolve("charts/compare-1.svg"));
    }

    // ------------------------------------------------------------------ 3. one simple name, two packages

    @Test
    void twoClassesWithOneSimpleNameGetTwoChartsAndUniqueIds() throws Exception {
        Path file = fixture("two-packages-jdk17.json");
        ReportMainTest.Result r = report(file, file);
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        List<String> charts = new ArrayList<>();
        Matcher m = Pattern.compile("\\]\\((charts/lesson-[^)]+)\\)").matcher(md);
        while (m.find()) {
            charts.add(m.group(1));
        }
        assertEquals(4, charts.size(), charts.toString());
        assertEquals(4, new HashSet<>(charts).size(), "one chart per class and mode: " + charts);
        for (String chart : charts) {
            assertTrue(Files.exists(r.dir().resolve(chart)), chart);
        }
        assertTrue(charts.contains("charts/lesson-1-org.example.copy.fibonaccibenchmark-avgt.svg"), charts.toString());
        assertTrue(md.contains("### perfmastery.cpu.FibonacciBenchmark (avgt)"), md);
        assertTrue(md.contains("### org.example.copy.FibonacciBenchmark (avgt)"), md);
        assertTrue(md.contains("| org.example.copy.FibonacciBenchmark.memoized | avgt | n=20 |"), md);
        String copyChart = r.file("charts/lesson-1-org.example.copy.fibonaccibenchmark-avgt.svg");
        assertTrue(copyChart.contains("org.example.copy.FibonacciBenchmark (avgt)"), "its own variants, titled so");
        List<String> ids = new ArrayList<>();
        Matcher id = Pattern.compile("\\bid=['\"]([^'\"]+)['\"]").matcher(r.file("report.html"));
        while (id.find()) {
            ids.add(id.group(1));
        }
        assertFalse(ids.isEmpty());
        assertEquals(ids.size(), new HashSet<>(ids).size(), "SVG ids repeat in report.html: " + ids);
        assertEquals(16, primaryRows(r).size(), "the two classes' rows are compared apart");
    }

    // ------------------------------------------------------------------ 4. a very large integer literal

    @Test
    void aVeryLargeIntegerLiteralIsBadInputInOneLine() {
        Path file = fixture("broken/huge-integer.json");
        ReportMainTest.Result r = report(fixture("fib-1fork-jdk17.json"), file);
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(file.toString()), r.err());
        assertTrue(r.err().contains("result 1 primaryMetric.score holds an integer of 401 digits"), r.err());
        assertTrue(r.err().length() < 400, "the literal is not repeated: " + r.err());
        noStackTrace(r);
    }

    // ------------------------------------------------------------------ 5. keys and duplicate rows

    @Test
    void paramsThatCollideWhenJoinedStayApart() throws Exception {
        Path file = fixture("params-collide-jdk17.json");
        ReportMainTest.Result r = report(file, file);
        assertEquals(0, r.exit(), r.err());
        List<List<String>> rows = primaryRows(r);
        assertEquals(List.of("a=1\\;b\\=2", "a=1;b=2"), rows.stream().map(row -> row.get(2)).toList());
        for (List<String> row : rows) {
            assertEquals(1.0, Double.parseDouble(row.get(6)), 0.0, "each row against its own copy: " + row);
        }
        assertFalse(r.err().contains("appear more than once"), r.err());
    }

    @Test
    void aFileHoldingARowTwiceWarnsAndKeepsTheFirstCopy() throws Exception {
        // Two runs appended to one file: n=30 of fib-1fork-jdk17.json, then n=30 of fib-jdk17-rerun.json.
        ReportMainTest.Result r = report(fixture("fib-1fork-jdk17.json"), fixture("duplicate-rows-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("4 benchmark row(s) appear more than once (FibonacciBenchmark.fastDoubling n=30"
                + " avgt at results 1, 5;"), r.err());
        assertTrue(r.err().contains("keeps the first copy of each (the lowest result number)"), r.err());
        String md = r.file("report.md");
        String lesson = md.substring(md.indexOf("### FibonacciBenchmark (avgt) on JDK 17.0.15 (duplicate-rows"));
        lesson = lesson.substring(0, lesson.indexOf("!["));
        assertEquals(1, lesson.lines().filter(l -> l.startsWith("| recursive |")).count(), lesson);
        assertTrue(lesson.contains("| recursive | 2231000 ± 50930 | ns/op | baseline |"), "the first copy: " + lesson);
        for (List<String> row : primaryRows(r)) {
            if (row.get(2).equals("n=30")) {
                assertEquals(1.0, Double.parseDouble(row.get(6)), 0.0, "the first copy is fib-1fork's row: " + row);
            }
        }
    }

    @Test
    void keysEscapeWhatJoinsThem() {
        Metric m = new Metric(Metric.PRIMARY, 1, 0, "ns/op", null, new java.util.TreeMap<>(), null);
        Row joined = new Row("a.B.c", "avgt", 1, 1, 1, 1, new java.util.TreeMap<>(java.util.Map.of("a", "1;b=2")), m,
                java.util.Map.of());
        Row apart = new Row("a.B.c", "avgt", 1, 1, 1, 1, new java.util.TreeMap<>(java.util.Map.of("a", "1", "b", "2")),
                m, java.util.Map.of());
        Row pipe = new Row("a.B.c", "avgt", 1, 1, 1, 1, new java.util.TreeMap<>(java.util.Map.of("a", "1|avgt")), m,
                java.util.Map.of());
        assertFalse(joined.key().equals(apart.key()), joined.key());
        assertEquals("a.B.c|avgt|a=1;b=2|1", apart.key(), "ordinary keys (bootstrap seeds) are as before");
        assertEquals("a.B.c|avgt|a=1\\|avgt|1", pipe.key());
    }

    // ------------------------------------------------------------------ 6. promised warnings

    @Test
    void missingRawDataAndMetricsOnlySomeRowsHaveAreWarned() throws Exception {
        ReportMainTest.Result noRaw = report(fixture("fib-norawdata-jdk17.json"));
        assertEquals(0, noRaw.exit(), noRaw.err());
        assertTrue(noRaw.err().contains("fib-norawdata-jdk17.json: 8 of 8 row(s) have no rawData"), noRaw.err());
        ReportMainTest.Result partial = report(fixture("partial-gc-jdk17.json"));
        assertTrue(partial.err().contains("partial-gc-jdk17.json: perfmastery.cpu.FibonacciBenchmark (avgt): metrics"
                + " only some rows have: gc.alloc.rate (4 of 8 rows), gc.alloc.rate.norm (4 of 8 rows), gc.count"
                + " (4 of 8 rows)"), partial.err());
        ReportMainTest.Result real = report(fixture("fib-1fork-jdk17.json"));
        assertFalse(real.err().contains("only some rows") || real.err().contains("no rawData"),
                "gc.time is written only where a GC ran; not a warning: " + real.err());

        SyntheticJmh withGc = new SyntheticJmh("17.0.15");
        withGc.row("org.example.App.parse", "avgt", "", SyntheticJmh.around(100, 2, 3, 0.01))
                .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(64, 2, 3, 0));
        SyntheticJmh withoutGc = new SyntheticJmh("25.0.1");
        withoutGc.row("org.example.App.parse", "avgt", "", SyntheticJmh.around(100, 2, 3, 0.01));
        ReportMainTest.Result runs = report(withGc.write(dir.resolve("gc.json")), withoutGc.write(dir.resolve("no.json")));
        assertTrue(runs.file("report.md").contains("allocation (gc.alloc.rate.norm, from -prof gc) is in JDK 17.0.15"
                + " only: not compared"), runs.file("report.md"));
    }

    // ------------------------------------------------------------------ 7. names without a package or class

    @Test
    void benchmarkNamesWithoutAPackageOrAClass() throws Exception {
        // n=20 rows are named "FibonacciBenchmark.memoized", n=30 rows plain "memoized".
        Path file = fixture("no-package-jdk17.json");
        ReportMainTest.Result r = report(file, file);
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("### FibonacciBenchmark (avgt) on"), md);
        assertTrue(md.contains("### (no class) (avgt) on"), md);
        assertFalse(md.contains("###  ("), md);
        assertTrue(md.contains("benchmarks without a class in their name, mode avgt"), md);
        assertTrue(md.contains("| memoized | avgt | n=30 |"), "no leading dot: " + md);
        assertTrue(md.contains("| FibonacciBenchmark.memoized | avgt | n=20 |"), md);
        try (Stream<Path> charts = Files.list(r.dir().resolve("charts"))) {
            List<String> names = charts.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("lesson-1-no-class-avgt.svg"), names.toString());
            assertTrue(names.contains("lesson-1-fibonaccibenchmark-avgt.svg"), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.contains("--")), names.toString());
        }
    }

    // ------------------------------------------------------------------ 9. smaller things

    @Test
    void chartsOfAnEarlierReportAreRemovedAndNothingElse() throws Exception {
        Path out = dir.resolve("reused");
        assertEquals(0, reportInto(out, fixture("two-packages-jdk17.json"), fixture("fib-1fork-jdk17.json")).exit());
        Path charts = out.resolve("charts");
        Path stale = charts.resolve("lesson-1-org.example.copy.fibonaccibenchmark-avgt.svg");
        assertTrue(Files.exists(stale));
        Files.writeString(charts.resolve("notes.txt"), "mine");
        Files.writeString(charts.resolve("my-plot.svg"), "<svg/>");
        Files.writeString(out.resolve("jdk-17.json"), "[]");
        ReportMainTest.Result again = reportInto(out, fixture("fib-1fork-jdk17.json"));
        assertEquals(0, again.exit(), again.err());
        try (Stream<Path> files = Files.list(charts)) {
            assertEquals(Set.of("lesson-1-fibonaccibenchmark-avgt.svg", "notes.txt", "my-plot.svg"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
        assertTrue(Files.exists(out.resolve("jdk-17.json")), "files outside charts/ are never touched");
    }

    @Test
    void aFileWithoutJmhVersionSaysUnknown() throws Exception {
        ReportMainTest.Result r = report(fixture("fib-1fork-jdk17.json"), fixture("no-jmhversion-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("JMH versions differ: 1.37 vs unknown (no-jmhversion-jdk17.json has no jmhVersion)"), md);
        assertFalse(md.contains("differ:  vs") || md.contains("differ: 1.37 vs ."), md);
    }

    @Test
    void theNonFiniteWarningNamesTheFileOnce() {
        Path file = fixture("nonfinite-jdk17.json");
        ReportMainTest.Result r = report(file);
        assertEquals(0, r.exit(), r.err());
        String line = r.err().lines().filter(l -> l.contains("not finite, \"NaN\"")).findFirst().orElseThrow();
        assertEquals(line.indexOf(file.toString()), line.lastIndexOf(file.toString()), line);
        assertTrue(line.contains("(first: result 1 secondaryMetrics."), line);
    }

    @Test
    void intellijsAgentWithItsChangingPortIsNotPartOfLabelsOrFlags() throws Exception {
        Path first = fixture("idea-agent-jdk17.json");
        Path second = dir.resolve("idea-agent-next-run.json");
        Files.writeString(second, Files.readString(first).replace("idea_rt.jar=41235", "idea_rt.jar=39871"));
        ReportMainTest.Result r = report(first, second);
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertFalse(md.contains("javaagent") || md.contains("idea\\_rt"), md);
        assertFalse(md.contains("JVM flags differ"), md);
        assertTrue(md.contains("JVM flags -Dfile.encoding=UTF-8;"), "other flags stay: " + md);
        assertTrue(md.contains("## Run comparison 1: JDK 17.0.15 (idea-agent-jdk17.json) vs JDK 17.0.15"
                + " (idea-agent-next-run.json)"), md);
    }

    // ------------------------------------------------------------------ every file: 0 or 2, never a trace

    static Stream<String> everyFixture() throws Exception {
        Path root = fixture("fib-jdk17.json").getParent();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".json")).map(p -> root.relativize(p).toString())
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("everyFixture")
    void everyFixtureGivesExit0Or2AndNeverAStackTrace(String name) {
        int expected = name.startsWith("broken") ? 2 : 0;
        Path file = fixture(name);
        Path other = fixture("fib-1fork-jdk17.json");
        List<ReportMainTest.Result> results = List.of(report(file), report(other, file),
                report("--baseline", other, "--fail-on", "regressions", file));
        for (ReportMainTest.Result r : results) {
            if (r == results.get(2) && r.exit() == 1) {
                // The gate's own answer (real runs differ), and nothing else exits 1.
                assertTrue(r.err().contains("report: --fail-on regressions: "), r.err());
            } else {
                assertEquals(expected, r.exit(), name + ": " + r.err());
            }
            noStackTrace(r);
            if (expected == 2) {
                assertEquals(1, r.err().lines().count(), r.err());
            }
        }
    }
}
