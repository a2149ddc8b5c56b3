package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reader of the report sees first (issue 10, second half): the findings table first, param variants
 * pivoted into one table per lesson and remaining params, anchors that resolve, chart labels that stay unique
 * and uncut, and charts whose size does not grow with a 10,000-row comparison.
 */
class ReportPageTest {

    @TempDir
    Path dir;

    private ReportMainTest.Result report(String out, Object... args) {
        List<String> all = new ArrayList<>(List.of("--out", dir.resolve(out).toString()));
        for (Object a : args) {
            all.add(a.toString());
        }
        return ReportMainTest.runRaw(dir.resolve(out), all.toArray(String[]::new));
    }

    private ReportMainTest.Result fibAndEventLoop() {
        Path el17 = ParamVariantFixture.write(dir.resolve("jdk-17.json"), "17.0.15");
        Path el25 = ParamVariantFixture.write(dir.resolve("jdk-25.json"), "25.0.3");
        return report("out", el17, el25);
    }

    /** The table lines of a markdown text: each table as its lines (header first). */
    static List<List<String>> mdTables(String md) {
        List<List<String>> tables = new ArrayList<>();
        List<String> current = null;
        for (String line : md.split("\n")) {
            if (line.startsWith("|")) {
                if (current == null) {
                    current = new ArrayList<>();
                    tables.add(current);
                }
                current.add(line);
            } else {
                current = null;
            }
        }
        return tables;
    }

    // ------------------------------------------------------------------ findings first

    @Test
    void theFindingsTableIsTheFirstTableInMarkdownAndHtml() throws Exception {
        ReportMainTest.Result r = report("fib", ReportMainTest.fixture("fib-jdk17.json"),
                ReportMainTest.fixture("fib-jdk25.json"));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        // First the verdict counts per run, then the findings table.
        assertTrue(mdTables(md).get(0).get(0).startsWith("| run | guide's claims | ✔ CONFIRMED | ✘ REFUTED |"),
                mdTables(md).get(0).get(0));
        assertEquals("| JDK 17.0.15 | 0 | 0 | 0 | 0 | 0 | 3 | 0 | 0 | 3 | 0 |", mdTables(md).get(0).get(2),
                mdTables(md).get(0).get(2));
        List<String> first = mdTables(md).get(1);
        assertEquals("| lesson | claim | needs | JDK 17.0.15 | measured (95 % interval) | JDK 25.0.3 |"
                + " measured (95 % interval) |", first.get(0));
        assertTrue(md.indexOf("## Findings") < md.indexOf("## Lessons"), "findings come before the lessons");
        // One row per claim, both runs side by side: the quiet JDK 25 run confirms what the loaded 17 cannot tell.
        String memo = first.stream().filter(l -> l.contains("at least 1000x faster than recursive at n=30"))
                .findFirst().orElseThrow();
        assertTrue(memo.matches("\\| \\[FibonacciBenchmark\\]\\(#fibonaccibenchmark-avgt\\) \\| .* \\| ≥ 1000x"
                + " \\| \\? INCONCLUSIVE \\| 5686x \\(4.17 to 7755000\\) \\| ✔ CONFIRMED \\| 27070x \\(21270 to 34460\\) \\|"),
                memo);
        // Fibonacci's three claims are mechanism checks (true by construction): with no guide claim in these runs,
        // the findings open with the mechanism table.
        assertEquals(2 + 3, first.size(), "header, separator and the 3 mechanism checks of FibonacciBenchmark");
        String html = r.file("report.html");
        int table = html.indexOf("<table");
        assertTrue(html.startsWith("<table id=\"" + Findings.COUNTS_ID + "\">", table), html.substring(table, table + 60));
        table = html.indexOf("<table", table + 1);
        // No guide claim in these runs: the mechanism checks' table follows the counts.
        assertTrue(html.startsWith("<table id=\"mechanism-table\">", table), html.substring(table, table + 60));
        // Verdicts are coloured in the HTML and carry their mark in the text.
        assertTrue(html.contains("<td class=\"v v-confirmed\">&#10004; CONFIRMED</td>"), "a coloured verdict cell");
        // Then the JDK-vs-JDK summary: the lesson's geometric mean with an interval.
        assertTrue(md.contains("### JDK 17.0.15 vs JDK 25.0.3"), md);
        assertTrue(md.contains("| [FibonacciBenchmark (avgt)](#fibonaccibenchmark-avgt) | 8 | 1.57 | "), md);
    }

    @Test
    void mechanismChecksComeAfterTheGuidesClaimsInTheirOwnTable() throws Exception {
        // WorkerMessagingBenchmark has guide claims (p50, NOT MEASURED in avgt) and mechanism checks (B/op).
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        double[] bytes = {16, 1_100_000, 2_200_000};
        String[] methods = {"sharedMemory", "copied", "serializedIpc"};
        for (int i = 0; i < methods.length; i++) {
            json.row("perfmastery.cpu.WorkerMessagingBenchmark." + methods[i], "avgt", "payloadBytes=1048576",
                    SyntheticJmh.around(1000 * (i + 1), 2, 4, 0.02))
                    .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(bytes[i], 2, 4, 0.001));
        }
        ReportMainTest.Result r = report("mech", json.write(dir.resolve("messaging.json")));
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        int guide = md.indexOf("### The guide's claims");
        int mechanism = md.indexOf("### Mechanism checks");
        assertTrue(guide > 0 && mechanism > guide, md.substring(0, Math.min(md.length(), 3000)));
        assertTrue(mdTables(md).get(2).stream().anyMatch(l -> l.contains("allocates at least the payload")
                && l.contains("| ✔ CONFIRMED |")), mdTables(md).get(2).toString().substring(0, 500));
        String html = r.file("report.html");
        assertTrue(html.indexOf("id=\"" + Findings.TABLE_ID + "\"") < html.indexOf("id=\"mechanism-table\""));
    }

    // ------------------------------------------------------------------ anchors

    @Test
    void everyLinkOfTheReportLandsOnAHeadingInMarkdownAndHtml() throws Exception {
        ReportMainTest.Result r = fibAndEventLoop();
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        Set<String> slugs = githubSlugs(md);
        Matcher link = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(md);
        int links = 0;
        while (link.find()) {
            links++;
            assertTrue(slugs.contains(link.group(1)), "#" + link.group(1) + " is no heading of report.md: " + slugs);
        }
        assertTrue(links >= 4, links + " links");
        String html = r.file("report.html");
        Set<String> ids = new HashSet<>();
        Matcher id = Pattern.compile("\\bid=\"([^\"]+)\"").matcher(html);
        while (id.find()) {
            assertTrue(ids.add(id.group(1)), "id repeats: " + id.group(1));
        }
        Matcher href = Pattern.compile("href=\"#([^\"]+)\"").matcher(html);
        int hrefs = 0;
        while (href.find()) {
            hrefs++;
            assertTrue(ids.contains(href.group(1)), "#" + href.group(1) + " is no id of report.html");
        }
        assertEquals(links, hrefs, "the same links in both");
    }

    /**
     * The anchors GitHub gives the headings of a markdown text, computed independently of the report's code:
     * the rendered text (backslash escapes and entities undone), lower case, punctuation dropped, spaces to
     * hyphens, repeats numbered -1, -2 (github-slugger).
     */
    static Set<String> githubSlugs(String md) {
        Map<String, Integer> seen = new HashMap<>();
        Set<String> out = new HashSet<>();
        for (String line : md.split("\n")) {
            Matcher h = Pattern.compile("^#{1,6} (.*)$").matcher(line);
            if (!h.matches()) {
                continue;
            }
            String text = h.group(1).replaceAll("\\\\(.)", "$1").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&").toLowerCase(java.util.Locale.ROOT);
            StringBuilder slug = new StringBuilder();
            for (char c : text.toCharArray()) {
                if (c == ' ') {
                    slug.append('-');
                } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                    slug.append(c);
                }
            }
            String base = slug.toString();
            String s = base;
            while (seen.containsKey(s)) {
                int n = seen.merge(base, 1, Integer::sum);
                s = base + "-" + n;
            }
            seen.put(s, 0);
            out.add(s);
        }
        return out;
    }

    // ------------------------------------------------------------------ param variants

    @Test
    void paramVariantsAreOneTablePerLessonAndRemainingParams() throws Exception {
        ReportMainTest.Result r = fibAndEventLoop();
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("variants: the values of strategy, baseline strategy=inline"), md);
        String section = md.substring(md.indexOf("#### EventLoopBlockingBenchmark (sample) on JDK 25.0.3"));
        section = section.substring(0, section.indexOf("![")); // up to the chart
        List<List<String>> tables = mdTables(section);
        assertEquals(2, tables.size(), "one table per task, not one per strategy: " + section);
        for (List<String> table : tables) {
            // The guide claims compare gauges this fixture lacks; the closed-loop p99 mechanism checks set the column.
            assertEquals("| strategy | score ± 99.9 % error | unit | vs inline | p50 | p99 | p99.9 | p99 vs inline |",
                    table.get(0));
            List<String> variants = table.subList(2, table.size()).stream()
                    .map(l -> l.substring(2, l.indexOf(" |"))).toList();
            assertEquals(List.of("inline", "workerPool", "threadPerRequest", "virtualThread"), variants);
            assertTrue(table.get(2).endsWith("| baseline | 8.000 | " + table.get(2).split(" \\| ")[5]
                    + " | " + table.get(2).split(" \\| ")[6] + " | baseline |"), table.get(2));
            for (String row : table.subList(3, table.size())) {
                assertTrue(row.matches(".*\\| [0-9.]+x lower \\|$"), "p99 against inline: " + row);
            }
        }
        assertTrue(section.contains("task=fib") && section.contains("task=pbkdf2"));
        assertFalse(md.contains("no baseline row"), md);
        // JDK 17 has no virtual-thread rows: its tables hold three variants.
        String on17 = md.substring(md.indexOf("#### EventLoopBlockingBenchmark (sample) on JDK 17.0.15"),
                md.indexOf("#### EventLoopBlockingBenchmark (sample) on JDK 25.0.3"));
        assertEquals(2 + 3, mdTables(on17).get(0).size());
        // The chart shows the claims' metric, p99, with the variants as its rows.
        String chart = r.file("charts/lesson-2-eventloopblockingbenchmark-sample.svg");
        assertTrue(chart.contains("p99, us/op"), ChartsTest.texts(chart).toString());
        assertTrue(chart.contains(">strategy=virtualThread task=pbkdf2<"), ChartsTest.texts(chart).toString());
        // And the findings show the virtual-thread claim side by side: not measured on 17, confirmed on 25 (a
        // mechanism check since issue 19, so in the findings' mechanism table).
        String virtual = mdTables(md).stream().flatMap(List::stream)
                .filter(l -> l.contains("a virtual thread per request")).findFirst().orElseThrow();
        assertTrue(virtual.contains("| – NOT MEASURED |  | ✔ CONFIRMED | "), virtual);
        String bound = mdTables(md).stream().flatMap(List::stream).filter(l -> l.contains("20 ms or more"))
                .findFirst().orElseThrow();
        assertTrue(bound.contains("| ≥ 20000 us/op | ✔ CONFIRMED |"), bound);
    }

    @Test
    void theVariantAxisComesFromTheClaimsNamesBeforeNumbers() {
        Row blocking32 = row("health", "server", "blocking", "heavy", "32");
        Row offloaded36 = row("health", "server", "offloaded", "heavy", "36");
        var http = LessonSection.variantAxis(
                new ClaimChecker(new ArrayList<>()).claimsOf("perfmastery.cpu.HttpHealthUnderLoadBenchmark"),
                List.of(blocking32, offloaded36, row("health", "server", "blocking", "heavy", "36"),
                        row("health", "server", "offloaded", "heavy", "32")));
        // Two claims vary heavy (a size), one varies server (the variants): the names win.
        assertEquals(new LessonSection.VariantAxis("server", "blocking"), http);
        var fib = LessonSection.variantAxis(
                new ClaimChecker(new ArrayList<>()).claimsOf("perfmastery.cpu.FibonacciBenchmark"),
                List.of(row("recursive", "n", "20"), row("memoized", "n", "20")));
        assertEquals(new LessonSection.VariantAxis(null, "recursive"), fib);
        // No claims (another suite): one method with a named param is pivoted on it, first value the baseline.
        var other = LessonSection.variantAxis(List.of(),
                List.of(row("run", "impl", "array", "size", "10"), row("run", "impl", "list", "size", "10")));
        assertEquals(new LessonSection.VariantAxis("impl", "array"), other);
        var methods = LessonSection.variantAxis(List.of(), List.of(row("a", "size", "1"), row("b", "size", "1")));
        assertEquals(new LessonSection.VariantAxis(null, "a"), methods);
    }

    private static Row row(String method, String... params) {
        java.util.TreeMap<String, String> p = new java.util.TreeMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        Metric m = new Metric("primary", 1, 0.1, "us/op", null, java.util.Collections.emptyNavigableMap(), null);
        return new Row("x.Lesson." + method, "sample", 1, 2, 1, 3, p, m, Map.of());
    }

    // ------------------------------------------------------------------ charts that fit

    @Test
    void labelsThatDifferOnlyInALaterParamStayApartAndFit() {
        List<List<String>> labels = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            labels.add(List.of("org.example.very.long.packagename.SomeRatherLongBenchmarkClassName.aMethodWithALongName",
                    "payloadBytes=1048576", "strategy=threadPerRequestWithALongSuffix", "mode=m" + i, "avgt"));
        }
        java.awt.FontMetrics metrics = ChartLabels.metrics(new java.awt.Font(java.awt.Font.SANS_SERIF,
                java.awt.Font.PLAIN, 11));
        ChartLabels.Result fitted = ChartLabels.compact(labels, metrics, 300);
        assertEquals(6, new HashSet<>(fitted.joined()).size(), fitted.joined().toString());
        assertTrue(fitted.common().contains("payloadBytes=1048576"), "the shared part is said once");
        assertEquals("mode=m0", fitted.joined().get(0));
        // Without the shared part to take out, long labels wrap and lose middles, but stay unique and fit.
        List<List<String>> distinct = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            distinct.add(List.of("org.example.very.long.packagename.SomeRatherLongBenchmarkClassName" + i
                    + ".aMethodWithAVeryLongNameThatGoesOnAndOn", "x=" + "abcdefghij".repeat(5) + i, "y=" + i));
        }
        ChartLabels.Result wrapped = ChartLabels.compact(distinct, metrics, 300);
        assertEquals(6, new HashSet<>(wrapped.joined()).size(), wrapped.joined().toString());
        for (List<String> lines : wrapped.lines()) {
            assertTrue(lines.size() <= ChartLabels.MAX_LINES, lines.toString());
            for (String line : lines) {
                assertTrue(metrics.stringWidth(line) <= 300, line + " is " + metrics.stringWidth(line) + " px");
            }
        }
        assertTrue(wrapped.joined().get(3).contains("y=3"), wrapped.joined().get(3));
        // Labels that are equal stay apart too.
        ChartLabels.Result same = ChartLabels.compact(List.of(List.of("a"), List.of("a")), metrics, 300);
        assertEquals(List.of("a", "a #2"), same.joined());
        // A row made only of what every row shares keeps its own name.
        assertEquals(List.of("a", "x=1"), ChartLabels.compact(List.of(List.of("a"), List.of("a", "x=1")), metrics, 300)
                .joined());
    }

    @Test
    void aTenThousandRowComparisonMakesASmallChartOfTheRowsThatChangedMost() {
        int n = 10_000;
        List<List<String>> labels = new ArrayList<>();
        double[] ratios = new double[n];
        double[] lows = new double[n];
        double[] highs = new double[n];
        for (int i = 0; i < n; i++) {
            labels.add(List.of("Lesson" + (i / 500), "variant" + (i % 10), "size=" + (i % 500), "avgt"));
            ratios[i] = 1 + 0.0001 * (i % 97);
            lows[i] = ratios[i] * 0.98;
            highs[i] = ratios[i] * 1.02;
        }
        ratios[1234] = 3;
        ratios[8765] = 0.2;
        String svg = Charts.comparisonChart("compare-1", "a vs b", labels, ratios, lows, highs);
        assertTrue(svg.length() < 200_000, svg.length() + " characters");
        assertTrue(svg.contains("the 50 of 10000 rows that changed most"), ChartsTest.texts(svg).toString());
        List<String> texts = ChartsTest.texts(svg);
        assertTrue(texts.stream().anyMatch(t -> t.contains("Lesson2") && t.contains("size=234")), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.contains("Lesson17") && t.contains("size=265")), texts.toString());
        List<Integer> picked = Charts.mostChanged(ratios, 50);
        assertEquals(50, picked.size());
        assertTrue(picked.contains(1234) && picked.contains(8765));
    }

    @Test
    void whiskersAreAFixedNumberOfPixelsAndTallChartsHaveNoBlankMargins() {
        int n = 120;
        List<List<String>> labels = new ArrayList<>();
        double[] values = new double[n];
        double[] lows = new double[n];
        double[] highs = new double[n];
        for (int i = 0; i < n; i++) {
            labels.add(List.of("variant" + i));
            values[i] = 100 + i;
            lows[i] = values[i] * 0.9;
            highs[i] = values[i] * 1.1;
        }
        String svg = Charts.lessonChart("lesson-tall", "Tall", labels, values, lows, highs, "ns/op");
        // At most 50 rows are drawn, and the chart says so.
        assertTrue(svg.contains("the first 50 of 120 rows"), ChartsTest.texts(svg).toString());
        Matcher h = Pattern.compile("<svg[^>]*? height='(\\d+)'").matcher(svg);
        assertTrue(h.find());
        int height = Integer.parseInt(h.group(1));
        assertTrue(height <= 50 * 22 + 8 + 130, "height " + height + " for 50 rows of 22 px");
        // Each whisker: a line and two caps of WHISKER_CAP pixels, however tall the chart.
        Matcher line = Pattern.compile("<line x1='([\\d.]+)' y1='([\\d.]+)' x2='([\\d.]+)' y2='([\\d.]+)'")
                .matcher(svg);
        int caps = 0;
        while (line.find()) {
            double dy = Math.abs(Double.parseDouble(line.group(4)) - Double.parseDouble(line.group(2)));
            if (line.group(1).equals(line.group(3)) && Math.abs(dy - Charts.WHISKER_CAP) < 0.02) {
                caps++;
            }
        }
        assertEquals(2 * 50, caps, "two caps per drawn row");
    }

    @Test
    void tickLabelsAtTheRightEdgeAreNotCut() {
        String svg = ChartsTest.lessonChart("edge", "Edge", List.of("a", "b"), new double[] {99_000, 100_000},
                new double[] {0, 0}, "ns/op");
        java.awt.FontMetrics metrics = ChartLabels.metrics(new java.awt.Font(java.awt.Font.SANS_SERIF,
                java.awt.Font.PLAIN, 11));
        Matcher text = Pattern.compile("<text x='([\\d.]+)'[^>]*>([^<]*)</text>").matcher(svg);
        int checked = 0;
        while (text.find()) {
            double x = Double.parseDouble(text.group(1));
            assertTrue(x + metrics.stringWidth(text.group(2)) <= Charts.WIDTH,
                    "\"" + text.group(2) + "\" at x=" + x + " runs past " + Charts.WIDTH);
            checked++;
        }
        assertTrue(checked > 3, checked + " texts");
        assertTrue(svg.contains(">100,000<") || svg.contains(">120,000<") || svg.contains(">110,000<"),
                ChartsTest.texts(svg).toString());
    }
}
