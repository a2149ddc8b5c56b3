package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * The report as a reader meets it: report.html of a real run (the JDK 17 and 25 Fibonacci fixtures, each joined
 * with the param-variant EventLoopBlocking lesson of {@link ParamVariantFixture}, one file per JDK as a run
 * writes it) opened in Debian's headless Chromium at 1280 and 800 px. A script injected into a copy of the
 * page checks, after load:
 * <ul>
 * <li>every chart loaded: every {@code <img>} has a natural width, every inlined SVG has a size and content;</li>
 * <li>nothing overflows the page: the document is no wider than the window, and no element outside a table's
 * own scroll box reaches past its right edge;</li>
 * <li>the first table is the verdict counts per run, and the findings table follows;</li>
 * <li>every {@code #anchor} link lands on an element;</li>
 * <li>on the reference report, the first screen at 1400 x 900: a title naming the runs, the counts at the top,
 * the claims table starting on the screen at the page's width with claim texts of at most 4 lines, no column of
 * "not run" cells, and every verdict cell coloured.</li>
 * </ul>
 * It writes its result as JSON into {@code <pre id="check">}, which {@code --dump-dom} hands back. A screenshot
 * is kept as {@code target/report-screenshot.png} for people to look at. Without {@code /usr/bin/chromium} the
 * test is skipped with a notice ({@code apt-get install -y chromium}); {@code -Dchromium=PATH} names another.
 */
class ReportBrowserIT {

    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    Path work;

    static Path chromium() {
        String configured = System.getProperty("chromium", System.getenv("CHROMIUM"));
        for (String candidate : configured != null ? List.of(configured)
                : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void theReportOpensOnTheFindingsAndFitsThePage() throws Exception {
        Path chromium = chromium();
        if (chromium == null) {
            System.err.println("[browser check] SKIPPED: no Chromium at /usr/bin/chromium (Debian: apt-get install -y"
                    + " chromium; or -Dchromium=PATH): report.html was not checked in a browser");
        }
        Assumptions.assumeTrue(chromium != null, "no Chromium at /usr/bin/chromium (apt-get install -y chromium)");

        Path jdk17 = joined("jdk-17.0.15.json", "fib-jdk17.json", "17.0.15");
        Path jdk25 = joined("jdk-25.0.3.json", "fib-jdk25.json", "25.0.3");
        Path out = work.resolve("report");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReportMain.run(new String[] {"--out", out.toString(), jdk17.toString(), jdk25.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        String html = Files.readString(out.resolve("report.html"));
        int charts = count(html, "<figure>");
        assertTrue(charts >= 5, charts + " charts");

        Path page = out.resolve("check.html");
        Files.writeString(page, html.replace("</body>", CHECK_SCRIPT + "</body>"));
        for (int width : new int[] {1280, 800}) {
            JsonNode r = check(chromium, page, width);
            String where = width + " px: " + r;
            assertEquals(0, r.get("brokenImages").size(), where);
            assertEquals(charts, r.get("charts").asInt(), where);
            assertEquals(0, r.get("emptyCharts").size(), where);
            assertTrue(r.get("scrollWidth").asInt() <= r.get("clientWidth").asInt(), where);
            assertEquals(0, r.get("overflowing").size(), where);
            assertEquals(Findings.COUNTS_ID, r.get("firstTableId").asString(), where);
            assertEquals(0, r.get("brokenLinks").size(), where);
            assertTrue(r.get("links").asInt() >= 5, where);
        }
        Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        run(chromium, List.of("--window-size=1280,2400", "--screenshot=" + screenshot,
                out.resolve("report.html").toUri().toString()));
        assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
        System.out.println("[browser check] report.html passed at 1280 and 800 px; screenshot: " + screenshot);
    }

    /** The committed reference report, a full run of every lesson on two JDKs and eight collector runs. */
    @Test
    void theReferenceReportOpensOnTheFindingsAndFitsThePage() throws Exception {
        Path chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "no Chromium at /usr/bin/chromium (apt-get install -y chromium)");
        Path reference = Path.of("results", "reference", "report.html");
        Assumptions.assumeTrue(Files.isRegularFile(reference), "no " + reference);
        String html = Files.readString(reference);
        int charts = count(html, "<figure>");
        assertTrue(charts >= 14, charts + " charts: one per lesson at least");
        Path page = work.resolve("reference-check.html");
        Files.writeString(page, html.replace("</body>", CHECK_SCRIPT + "</body>"));
        for (int width : new int[] {1280, 800}) {
            JsonNode r = check(chromium, page, width);
            String where = "results/reference/report.html at " + width + " px: " + r;
            assertEquals(0, r.get("brokenImages").size(), where);
            assertEquals(charts, r.get("charts").asInt(), where);
            assertEquals(0, r.get("emptyCharts").size(), where);
            assertTrue(r.get("scrollWidth").asInt() <= r.get("clientWidth").asInt(), where);
            assertEquals(0, r.get("overflowing").size(), where);
            assertEquals(Findings.COUNTS_ID, r.get("firstTableId").asString(), where);
            assertEquals(0, r.get("brokenLinks").size(), where);
        }
        // The first screen at 1400 x 900 answers "what did these runs say about the guide?".
        JsonNode first = check(chromium, page, 1400, 900);
        String where = "results/reference/report.html's first screen at 1400 x 900: " + first;
        assertTrue(first.get("title").asString().startsWith("Report: JDK"), where);
        assertTrue(first.get("countsTop").asInt() >= 0 && first.get("countsTop").asInt() < 300, where);
        assertTrue(first.get("findingsTop").asInt() > first.get("countsTop").asInt()
                && first.get("findingsTop").asInt() < 700, "the claims table starts on the first screen: " + where);
        assertTrue(first.get("findingsWidth").asInt() >= 0.95 * first.get("bodyWidth").asInt(),
                "the claims table uses the page's width: " + where);
        assertTrue(first.get("findingsWidth").asInt() <= first.get("bodyWidth").asInt(), "and no more: " + where);
        assertTrue(first.get("maxClaimLines").asInt() <= 4, "claim texts wrap to at most 4 lines: " + where);
        assertEquals(0, first.get("notRunColumns").asInt(), "no column of 'not run' cells: " + where);
        assertTrue(first.get("verdictCells").asInt() >= 80, where);
        assertEquals(0, first.get("uncolouredVerdicts").asInt(), "every verdict is coloured: " + where);
        System.out.println("[browser check] results/reference/report.html passed at 1280 and 800 px, and its first"
                + " screen at 1400 px");
    }

    /** A fixture's rows and the EventLoopBlocking lesson's, in one file: one run of two lessons. */
    private Path joined(String name, String fixture, String jdk) throws IOException {
        JsonMapper mapper = JsonMapper.builder().build();
        ArrayNode rows = (ArrayNode) mapper.readTree(Files.readString(ReportMainTest.fixture(fixture)));
        Path eventLoop = ParamVariantFixture.write(work.resolve("eventloop-" + name), jdk);
        for (JsonNode row : mapper.readTree(Files.readString(eventLoop))) {
            rows.add(row);
        }
        Path file = work.resolve(name);
        Files.writeString(file, mapper.writeValueAsString(rows));
        return file;
    }

    private JsonNode check(Path chromium, Path page, int width) throws Exception {
        return check(chromium, page, width, 2000);
    }

    private JsonNode check(Path chromium, Path page, int width, int height) throws Exception {
        String dom = run(chromium, List.of("--window-size=" + width + "," + height, "--virtual-time-budget=5000",
                "--dump-dom", page.toUri().toString()));
        Matcher m = Pattern.compile("<pre id=\"check\"[^>]*>(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find() && !m.group(1).isBlank(), "the check script wrote nothing at " + width + " px: "
                + dom.substring(0, Math.min(dom.length(), 500)));
        String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&amp;", "&");
        return JsonMapper.builder().build().readTree(json);
    }

    /** Runs Chromium headless with a profile of its own; kills it (and its children) on timeout. */
    private String run(Path chromium, List<String> args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--user-data-dir=" + profile));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(work.resolve("chromium-stderr.txt").toFile()).start();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(stdout);
            } catch (IOException e) {
                // the process was killed: what was read is all there is
            }
        });
        reader.start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("Chromium took more than " + TIMEOUT_SECONDS + " s: " + command);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        assertEquals(0, p.exitValue(), "chromium: " + Files.readString(work.resolve("chromium-stderr.txt")));
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Runs after load; writes its findings into <pre id="check"> as JSON. */
    static final String CHECK_SCRIPT = """
            <pre id="check" style="white-space:pre-wrap;overflow-wrap:anywhere"></pre>
            <script>
            window.addEventListener('load', function () {
              var root = document.documentElement;
              var r = {clientWidth: root.clientWidth, scrollWidth: root.scrollWidth};
              var images = Array.prototype.slice.call(document.images);
              r.images = images.length;
              r.brokenImages = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                  .map(function (i) { return i.src; });
              var svgs = Array.prototype.slice.call(document.querySelectorAll('figure > svg'));
              r.charts = svgs.length;
              r.emptyCharts = svgs.filter(function (s) {
                var b = s.getBoundingClientRect();
                return !(b.width > 0 && b.height > 0) || s.querySelectorAll('rect, line, path, text').length === 0;
              }).map(function (s) { return s.outerHTML.substring(0, 80); });
              var over = [];
              document.querySelectorAll('body *').forEach(function (e) {
                if (e.closest('div.table') && !e.matches('div.table')) { return; } // scrolls in its own box
                var b = e.getBoundingClientRect();
                if (b.width > 0 && (b.right > root.clientWidth + 0.5 || b.left < -0.5)) {
                  over.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(b.left) + '..' + Math.round(b.right));
                }
              });
              r.overflowing = over.slice(0, 20);
              var first = document.querySelector('table');
              r.firstTableId = first ? first.id : null;
              var links = Array.prototype.slice.call(document.querySelectorAll('a[href^="#"]'));
              r.links = links.length;
              r.brokenLinks = links.filter(function (a) {
                return !document.getElementById(decodeURIComponent(a.getAttribute('href').substring(1)));
              }).map(function (a) { return a.getAttribute('href'); });
              // The first screen: the counts and the findings table, their place, width, wrapping and colours.
              var counts = document.getElementById('verdict-counts');
              var findings = document.getElementById('findings-table');
              r.title = document.title;
              r.countsTop = counts ? Math.round(counts.getBoundingClientRect().top) : -1;
              r.findingsTop = findings ? Math.round(findings.getBoundingClientRect().top) : -1;
              r.findingsWidth = findings ? Math.round(findings.getBoundingClientRect().width) : 0;
              r.bodyWidth = Math.round(document.body.getBoundingClientRect().width);
              r.maxClaimLines = 0;
              r.notRunColumns = 0;
              r.verdictCells = 0;
              r.uncolouredVerdicts = 0;
              if (findings) {
                var rows = Array.prototype.slice.call(findings.querySelectorAll('tr')).slice(1);
                rows.forEach(function (tr) {
                  var claim = tr.children[1];
                  var lh = parseFloat(getComputedStyle(claim).lineHeight) || 16;
                  r.maxClaimLines = Math.max(r.maxClaimLines, Math.round((claim.getBoundingClientRect().height - 6) / lh));
                });
                var columns = rows.length ? rows[0].children.length : 0;
                for (var c = 3; c < columns; c++) {
                  var notRun = rows.filter(function (tr) { return tr.children[c].textContent === 'not run'; }).length;
                  if (notRun * 2 > rows.length) { r.notRunColumns++; }
                }
                findings.querySelectorAll('td.v').forEach(function (td) {
                  r.verdictCells++;
                  var bg = getComputedStyle(td).backgroundColor;
                  if (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent') { r.uncolouredVerdicts++; }
                });
              }
              document.getElementById('check').textContent = JSON.stringify(r);
            });
            </script>
            """;
}
