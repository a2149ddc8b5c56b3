package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

import perfmastery.support.Claim;

/**
 * Turns the runs into the report's content: lesson tables and charts per run, run comparisons, claim
 * verdicts, the method, and the two CSV files. Writing files is {@link ReportMain}'s job.
 */
final class ReportBuilder {

    static final String METHOD = "Lesson tables show JMH's own score ± scoreError, where scoreError is JMH's 99.9 %"
            + " confidence half-width (Student t over all measured iterations of all forks, as if they were independent)."
            + " The lesson charts show the metric of the lesson's claims (the score, a percentile, a gauge) as the mean of"
            + " fork means with its 95 % interval over forks, the figures the claims use, and switch to a log scale when"
            + " bars differ by more than 20x. A lesson's own metrics (gauges, counters) show their mean per measured iteration from rawData."
            + " Run comparisons and claims treat forks as the independent unit: each row's metric is reduced to its fork"
            + " means (the mean of each fork's measured iterations; in sample mode each iteration's mean, or for p50/p99"
            + " each iteration's percentile, from rawDataHistogram), and its figure is the mean of the fork means. Rows"
            + " whose values are all above 0 are handled on the log scale (relative spread), others on the linear"
            + " scale. The fork-to-fork variance is pooled over the rows of the same run, class, mode and metric (they"
            + " ran on the same JVM build, flags and machine), with df = Σ(F−1); a row whose own variance is larger"
            + " keeps its own. The 95 % interval of a mean is Student t with the pooled df; of a ratio of two rows"
            + " (same run or two runs), log ratio ± t·√(s_a²/F_a + s_b²/F_b), with Welch–Satterthwaite df when the two"
            + " pools differ (t quantiles: Apache Commons Statistics). A side whose mean is 0 bounds the ratio by the"
            + " two sides' own 97.5 % intervals. When no row of a pool has two forks there is no fork-to-fork"
            + " variance and no interval; without rawData there is no interval either (JMH's scoreError treats"
            + " iterations as independent). Ratios are normalised so that above 1 means run b is better: a/b for time"
            + " modes (avgt, sample, ss), b/a for throughput. A comparison's verdict is faster or slower only when the"
            + " interval excludes 1 and the ratio is at least 3 % away from 1; otherwise ≈, and its note says why"
            + " (no interval and why, the interval includes 1, a small effect). Allocation (gc.alloc.rate.norm, B/op)"
            + " is compared the same way as a/b (more-alloc, less-alloc), and is ≈ when both sides allocate under"
            + " 1 B/op. The summary row is the geometric mean of the ratios of the rows both runs have. The findings'"
            + " geometric mean per lesson has a 95 % interval: exp(mean log ratio ± t·√(Σ(v_a,i + v_b,i))/n), each row's"
            + " variances as for its own ratio (the rows ran in forks of their own, so their errors are independent), with"
            + " Welch–Satterthwaite df over the pools the variances come from. A claim's pair"
            + " is CONFIRMED when its interval clears the claimed factor (lower end at least the factor) or bound"
            + " (upper end at most a LOWER bound, lower end at least a HIGHER bound), REFUTED when the interval lies"
            + " wholly on the other side, INCONCLUSIVE when it straddles it or there is no interval. A claim is"
            + " CONFIRMED when every pair is, REFUTED when any pair is, else INCONCLUSIVE; the weakest pair is quoted."
            + " NOT MEASURED: no row matched, or the run is outside the claim's scope (e.g. a collector that is not"
            + " generational).";

    record Output(String markdown, Page page, String comparisonCsv, String claimsCsv,
                  List<ClaimChecker.Verdict> verdicts, List<RunComparison.Result> comparisons, List<String> warnings,
                  GateSection.Gate gate) {
    }

    /** The HTML page and its charts (each chart's SVG by file, charts/x.svg), written straight into its file. */
    record Page(Doc doc, String title, Map<String, String> charts) {
        void writeTo(Appendable out) throws java.io.IOException {
            doc.writeHtml(out, title, charts);
        }
    }

    private final Doc doc = new Doc();
    /** Each chart's drawing, by file, in the order the text shows them; started as soon as it is known. */
    private final Map<String, FutureTask<String>> chartTasks = new LinkedHashMap<>();
    private ExecutorService chartThread;
    private final List<String> warnings = new ArrayList<>();
    private final ClaimChecker claims = new ClaimChecker(warnings);
    private double gateMargin = RegressionGate.DEFAULT_MARGIN;

    /** The regression gate's margin ({@code --margin}), {@link RegressionGate#DEFAULT_MARGIN} unless set. */
    ReportBuilder gateMargin(double margin) {
        this.gateMargin = margin;
        return this;
    }
    private final PlanSection plans = new PlanSection();

    /**
     * @param runs     the FILE arguments, labelled
     * @param baseline the --baseline run, labelled, or null
     */
    Output build(List<Run> runs, Run baseline) {
        return build(runs, baseline == null ? List.of() : List.of(baseline), List.of());
    }

    /**
     * @param runs          the FILE arguments, merged into runs ({@link RunMerge}) and labelled
     * @param baselines     the --baseline runs, merged and labelled; empty without --baseline
     * @param inputWarnings what reading and merging the files found beyond each run's own warnings
     */
    Output build(List<Run> givenRuns, List<Run> baselines, List<String> inputWarnings) {
        // Charts are drawn on a thread of their own while this one writes the text (the main thread is the
        // report's critical path, and JFreeChart's drawing is a quarter of its work); this one helps at the end.
        chartThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "report-charts");
            t.setDaemon(true);
            return t;
        });
        try {
            return buildWithCharts(givenRuns, baselines, inputWarnings);
        } finally {
            chartThread.shutdownNow();
        }
    }

    private Output buildWithCharts(List<Run> givenRuns, List<Run> baselines, List<String> inputWarnings) {
        List<Run> runs = givenRuns.stream().map(plans::prepare).toList();
        warnings.addAll(inputWarnings);
        for (Run run : runs) {
            warnings.addAll(run.warnings());
        }
        for (Run baseline : baselines) {
            warnings.addAll(baseline.warnings());
        }
        List<RunComparison.Result> comparisons = new ArrayList<>();
        if (!baselines.isEmpty()) {
            // One baseline run: every run against it. Several (one per JDK or flag set): each run against its own.
            for (Run run : runs) {
                Run baseline = RunMerge.baselineFor(run, baselines);
                if (baseline == null) {
                    warnings.add(run.label() + " has no baseline run of the same JDK and JVM flags: not compared");
                } else {
                    comparisons.add(RunComparison.compare(baseline, run));
                }
            }
        } else {
            for (int i = 1; i < runs.size(); i++) {
                comparisons.add(RunComparison.compare(runs.get(0), runs.get(i)));
            }
        }
        List<ClaimChecker.Verdict> verdicts = new ArrayList<>();
        List<List<ClaimChecker.Verdict>> perRun = new ArrayList<>();
        for (Run run : runs) {
            List<ClaimChecker.Verdict> v = plans.check(claims, run);
            perRun.add(v);
            verdicts.addAll(v);
        }

        String title = ReportTitle.of(runs, Findings.fewLessons(runs, verdicts));
        doc.heading(1, title);
        List<String> inputs = new ArrayList<>();
        for (Run baseline : baselines) {
            inputs.add("baseline " + describe(baseline));
        }
        for (Run run : runs) {
            inputs.add(describe(run));
        }
        doc.paragraph("Inputs (column labels come from the JDK, VM and JVM flags; the file name only breaks ties;"
                + " the files of one run identity, the same JDK, VM, flags, machine and commit, are one run):");
        doc.bullets(inputs);
        doc.paragraph("Claims: " + count(verdicts, ClaimChecker.CONFIRMED) + " confirmed, "
                + count(verdicts, ClaimChecker.REFUTED) + " refuted, "
                + count(verdicts, ClaimChecker.INCONCLUSIVE) + " inconclusive, "
                + count(verdicts, ClaimChecker.NOT_MEASURED) + " not measured. Comparisons: " + comparisons.size()
                + ". How the numbers are made: see Method at the end.");
        HostSection.write(doc, java.util.stream.Stream.concat(baselines.stream(), runs.stream()).toList(), verdicts, warnings);

        LessonSection lessons = new LessonSection(doc, claims, this::chart);
        lessons.write(runs);
        for (int i = 0; i < comparisons.size(); i++) {
            comparison(i + 1, comparisons.get(i));
        }
        NodeSection.write(doc, runs, verdicts);
        claimsSection(perRun);
        plans.write(doc);
        // Warnings come last in the text but include those found while building (malformed claims).
        List<String> allWarnings = new ArrayList<>(new LinkedHashSet<>(warnings));
        doc.heading(2, "Warnings");
        if (allWarnings.isEmpty()) {
            doc.paragraph("None.");
        } else {
            doc.bullets(allWarnings);
        }
        doc.heading(2, "Method");
        doc.paragraph(METHOD);
        // The findings go first, right under the title: they link to the lesson sections made above.
        doc.insert(1, Findings.build(runs, verdicts, comparisons, lessons::keyOf));
        GateSection.Gate gate = GateSection.of(comparisons, !baselines.isEmpty(), gateMargin);
        doc.insert(1, gate.doc());
        String markdown = doc.toMarkdown();
        String comparisonCsv = comparisonCsv(comparisons);
        String claimsCsv = claimsCsv(verdicts);
        Map<String, String> charts = drawnCharts();
        return new Output(markdown, new Page(doc, title, charts), comparisonCsv, claimsCsv, verdicts,
                comparisons, allWarnings, gate);
    }

    /**
     * Every chart's SVG, by file. The chart thread works from the first chart on; this thread takes the ones it
     * has not started, from the last back (FutureTask runs each once, whichever thread comes first), then waits.
     */
    private Map<String, String> drawnCharts() {
        List<FutureTask<String>> tasks = new ArrayList<>(chartTasks.values());
        for (int i = tasks.size() - 1; i >= 0; i--) {
            tasks.get(i).run();
        }
        Map<String, String> charts = new LinkedHashMap<>();
        for (Map.Entry<String, FutureTask<String>> e : chartTasks.entrySet()) {
            try {
                charts.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("chart " + e.getKey() + " failed", cause);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while drawing " + e.getKey(), ex);
            }
        }
        return charts;
    }

    private static long count(List<ClaimChecker.Verdict> verdicts, String status) {
        return verdicts.stream().filter(v -> v.status().equals(status)).count();
    }

    /**
     * One input run: its files, JDK and VM, JMH, the user's JVM flags and the runner's (each once), rows; from
     * the sidecars the machine, the commit, and per file the preset, shard, times and load average.
     */
    static String describe(Run run) {
        StringBuilder out = new StringBuilder(run.label()).append(": ");
        if (run.parts().size() > 1) {
            out.append(run.parts().size()).append(" files merged into one run (")
                    .append(String.join(", ", run.parts().stream().map(Run.Part::fileName).toList())).append(")");
        } else {
            out.append(run.fileName());
        }
        out.append(NodeSection.isNode(run) ? "; Node " : "; JDK ").append(orUnknown(run.jdkVersion())).append(", ").append(orUnknown(run.vmName()))
                .append(" ").append(orUnknown(run.vmVersion())).append("; JMH ").append(orUnknown(run.jmhVersion()));
        Sidecar sidecar = run.sidecar();
        if (run.userFlags() != null) {
            out.append("; JVM flags ").append(run.userFlags().isEmpty() ? "(none)" : String.join(" ", run.userFlags()))
                    .append("; runner flags ").append(run.runnerFlags().isEmpty() ? "(none)"
                            : String.join(" ", run.runnerFlags()));
        } else {
            out.append("; JVM flags ").append(RunComparison.flags(run));
        }
        out.append("; ").append(run.rows().size()).append(" rows");
        if (sidecar != null) {
            out.append("; machine ").append(sidecar.machineText())
                    .append("; ").append(sidecar.commitText());
        }
        for (Run.Part part : run.parts()) {
            Sidecar s = part.sidecar();
            if (s == null) {
                continue;
            }
            out.append("; ").append(run.parts().size() > 1 ? part.fileName() + " (" + part.rows() + " rows): " : "")
                    .append("preset ").append(orUnknown(s.preset()))
                    .append(s.shard() == null ? "" : ", shard " + s.shard())
                    .append(s.hostname() == null ? "" : ", host " + s.hostname())
                    .append(", ").append(s.timesText()).append(", ").append(s.loadText());
        }
        return out.toString();
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "?" : s;
    }

    // ---------------------------------------------------------------- lesson tables

    private void chart(String id, String alt, java.util.function.Supplier<String> svg) {
        String file = "charts/" + id + ".svg";
        FutureTask<String> task = new FutureTask<>(svg::get);
        chartTasks.put(file, task);
        chartThread.execute(task);
        doc.add(new Doc.Chart(file, alt));
    }

    /** "412x faster" / "3.1x slower", from the mode's direction. */
    static String speedWords(Row base, Row row) {
        if (!row.primary().unit().equals(base.primary().unit())) {
            return "n/a (" + row.primary().unit() + " vs " + base.primary().unit() + ")";
        }
        if (!Plottable.value(row.primary().score()) || !Plottable.value(base.primary().score())) {
            return "n/a";
        }
        double f = row.higherIsBetter() ? row.primary().score() / base.primary().score()
                : base.primary().score() / row.primary().score();
        if (!Double.isFinite(f) || f <= 0) {
            return "n/a";
        }
        return f >= 1 ? Fmt.factor(f) + "x faster" : Fmt.factor(1 / f) + "x slower";
    }

    static String allocWords(Metric base, Metric m) {
        if (base == null || m == null) {
            return "n/a";
        }
        double b = base.score();
        double v = m.score();
        if (Math.max(b, v) < RunComparison.NEGLIGIBLE_BYTES) {
            return "≈ none";
        }
        if (b < RunComparison.NEGLIGIBLE_BYTES) {
            return "allocates, baseline ≈ none";
        }
        if (v < RunComparison.NEGLIGIBLE_BYTES) {
            return "≈ none, baseline allocates";
        }
        double f = v / b;
        return f >= 1 ? Fmt.factor(f) + "x more allocation" : Fmt.factor(1 / f) + "x less allocation";
    }

    // ---------------------------------------------------------------- run comparisons

    private void comparison(int index, RunComparison.Result result) {
        String a = result.a().label();
        String b = result.b().label();
        doc.heading(2, "Run comparison " + index + ": " + a + " vs " + b);
        doc.paragraph("run a = " + a + withFile(result.a()) + ", run b = " + b + withFile(result.b()) + ". Ratio above 1: run b is better (less time, more throughput). 95 %"
                + " interval over fork means, the fork-to-fork variance pooled per run and lesson; faster/slower needs"
                + " the interval to exclude 1 and an effect of at least 3 %. Otherwise ≈, which also means \"cannot"
                + " tell\": the note says why.");
        boolean anyAlloc = result.lines().stream().anyMatch(l -> RunComparison.ALLOC.equals(l.metric()));
        List<String> header = new ArrayList<>(List.of("benchmark", "mode", "params", "threads", "run a", "run b",
                "unit", "ratio", "95 % interval", "verdict", "note"));
        if (anyAlloc) {
            header.addAll(List.of("B/op a", "B/op b", "allocation ratio", "allocation verdict"));
        }
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> categories = new ArrayList<>();
        List<double[]> points = new ArrayList<>();
        Set<String> cannotTell = new LinkedHashSet<>();
        List<Row> bothRuns = new ArrayList<>(result.a().rows());
        bothRuns.addAll(result.b().rows());
        LessonNames names = new LessonNames(bothRuns);
        // Each primary line's allocation line, found once (a search per line is quadratic: 10,000 rows took seconds).
        Map<Row, RunComparison.Line> allocByRowA = new java.util.IdentityHashMap<>();
        for (RunComparison.Line l : result.lines()) {
            if (RunComparison.ALLOC.equals(l.metric()) && l.a() != null) {
                allocByRowA.putIfAbsent(l.a(), l);
            }
        }
        for (RunComparison.Line line : result.primary()) {
            Row any = line.any();
            List<String> cells = new ArrayList<>();
            cells.add(names.shortName(any));
            cells.add(any.mode());
            cells.add(any.paramsText());
            cells.add(Integer.toString(any.threads()));
            cells.add(line.a() == null ? "not run" : Fmt.scoreError(line.a().primary().score(), line.a().primary().scoreError()));
            cells.add(line.b() == null ? "not run" : Fmt.scoreError(line.b().primary().score(), line.b().primary().scoreError()));
            cells.add(line.a() == null || line.b() == null ? any.primary().unit()
                    : Units.pairText(line.a().primary().unit(), line.b().primary().unit()));
            Estimate e = line.ratio();
            cells.add(e == null ? "" : Fmt.factor(e.value()));
            cells.add(e == null ? "" : Fmt.interval(e));
            cells.add(line.verdict());
            cells.add(line.note());
            if (anyAlloc) {
                RunComparison.Line al = line.a() == null || line.b() == null ? null : allocByRowA.get(line.a());
                al = al != null && al.b() == line.b() ? al : null;
                al = al == null || al.ratio() == null ? null : al;
                cells.add(al == null ? "" : Fmt.value(al.a().secondary().get(RunComparison.ALLOC).score()));
                cells.add(al == null ? "" : Fmt.value(al.b().secondary().get(RunComparison.ALLOC).score()));
                cells.add(al == null ? "" : Fmt.factor(al.ratio().value()) + " " + Fmt.interval(al.ratio()));
                cells.add(al == null ? "" : al.verdict() + (al.note().isEmpty() ? "" : " (" + al.note() + ")"));
            }
            rows.add(cells);
            if (e != null) {
                if (!e.hasInterval()) {
                    cannotTell.add(e.note());
                }
                categories.add(chartTokens(names, any));
                points.add(new double[] {e.value(), e.low(), e.high()});
            }
        }
        List<String> summary = new ArrayList<>();
        summary.add("geometric mean");
        for (int i = 1; i < header.size(); i++) {
            summary.add("");
        }
        summary.set(7, Double.isFinite(result.geometricMean()) ? Fmt.factor(result.geometricMean()) : "n/a");
        summary.set(8, "over " + result.geometricCount() + " rows");
        rows.add(summary);
        boolean[] right = new boolean[header.size()];
        for (int i : new int[] {3, 4, 5, 7}) {
            right[i] = true;
        }
        if (anyAlloc) {
            right[11] = true;
            right[12] = true;
        }
        doc.add(new Doc.Table(header, rows, right));
        List<String> notes = new ArrayList<>();
        for (String why : cannotTell) {
            notes.add("No interval, so no verdict, where the note says " + why + ".");
        }
        notes.addAll(result.warnings());
        if (!notes.isEmpty()) {
            doc.paragraph("Notes on this comparison:");
            doc.bullets(notes);
        }
        if (!categories.isEmpty()) {
            String id = "compare-" + index;
            double[] ratios = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] lows = points.stream().mapToDouble(p -> p[1]).toArray();
            double[] highs = points.stream().mapToDouble(p -> p[2]).toArray();
            chart(id, a + " vs " + b + ": ratio (above 1: " + b + " better) with 95 % interval",
                    () -> Charts.comparisonChart(id, a + " vs " + b + ": ratio with 95 % interval", categories,
                            ratios, lows, highs));
        }
    }

    /** A comparison row's chart label: class, method, each param, mode, threads (ChartLabels drops the shared). */
    private static List<String> chartTokens(LessonNames names, Row row) {
        List<String> tokens = new ArrayList<>();
        tokens.add(names.display(row.className()));
        tokens.add(row.method());
        row.params().forEach((k, v) -> tokens.add(k + "=" + v));
        tokens.add(row.mode());
        if (row.threads() > 1) {
            tokens.add("t=" + row.threads());
        }
        return tokens;
    }

    private static String withFile(Run run) {
        return run.label().contains(run.fileName()) ? "" : " (" + run.fileName() + ")";
    }

    // ---------------------------------------------------------------- claims

    private void claimsSection(List<List<ClaimChecker.Verdict>> perRun) {
        doc.heading(2, "Claims");
        List<ClaimChecker.Verdict> all = new ArrayList<>();
        perRun.forEach(all::addAll);
        if (all.isEmpty()) {
            doc.paragraph("No benchmark class of these runs states a @Claim on the report's class path"
                    + " (results of other suites have none).");
            return;
        }
        doc.paragraph("Each claim on each run: CONFIRMED when the 95 % interval clears the claim's factor or bound,"
                + " REFUTED when it lies wholly on the other side (the JVM disagrees: a finding), INCONCLUSIVE when it"
                + " straddles it or the data cannot support a verdict (the reason says which), NOT MEASURED when no row"
                + " matched or the run is outside the claim's scope. A claim over several pairs quotes the weakest.");
        claimTable("Guide claims", "The guide's performance consequences: time, latency, throughput, GC cost.",
                all, Claim.Kind.GUIDE);
        claimTable("Mechanism checks", "How the JVM gets there (bytes per op, a bound held): true by construction or"
                + " nearly so, listed apart from the guide's claims.", all, Claim.Kind.MECHANISM);
    }

    /** One table of a kind's verdicts: claims in class and declaration order, each claim's runs side by side. */
    private void claimTable(String title, String intro, List<ClaimChecker.Verdict> all, Claim.Kind kind) {
        Map<String, List<ClaimChecker.Verdict>> byClaim = new LinkedHashMap<>();
        for (ClaimChecker.Verdict v : all) {
            if (v.claim().kind() == kind) {
                byClaim.computeIfAbsent(v.lesson() + "|" + v.claim().id(), k -> new ArrayList<>()).add(v);
            }
        }
        if (byClaim.isEmpty()) {
            return;
        }
        doc.heading(3, title);
        doc.paragraph(intro);
        List<List<String>> rows = new ArrayList<>();
        for (List<ClaimChecker.Verdict> verdicts : byClaim.values()) {
            for (ClaimChecker.Verdict v : verdicts) {
                Claim c = v.claim();
                String lesson = v.lesson().substring(v.lesson().lastIndexOf('.') + 1);
                rows.add(List.of(lesson, c.id(), c.text(), c.basis().isBlank() ? "(none given)" : c.basis(),
                        v.runLabel(), v.status(), measured(v), needs(c), Fmt.interval(v.measured()), v.reason()));
            }
        }
        doc.add(new Doc.Table(List.of("lesson", "claim", "statement", "basis", "run", "verdict", "measured", "needs",
                "95 % interval", "reason"), rows,
                new boolean[] {false, false, false, false, false, false, true, true, true, false}));
    }

    static String measured(ClaimChecker.Verdict v) {
        if (v.measured() == null) {
            return "";
        }
        double value = v.measured().value();
        return "x".equals(v.unit()) ? Fmt.factor(value) + "x" : Fmt.value(value) + (v.unit().isEmpty() ? "" : " " + v.unit());
    }

    /** What the claim needs, in words: "≥ 2x", "≤ 66560", "≥ 0.50x (variant at most 2.00x baseline)". */
    static String needs(Claim c) {
        if (c.baseline().isEmpty()) {
            return (c.relation() == Claim.Relation.LOWER ? "≤ " : "≥ ") + Fmt.value(c.bound());
        }
        String needs = "≥ " + Fmt.factor(c.factor()) + "x";
        if (c.factor() < 1) {
            needs += c.relation() == Claim.Relation.LOWER
                    ? " (variant at most " + Fmt.factor(1 / c.factor()) + "x baseline)"
                    : " (variant at least 1/" + Fmt.factor(1 / c.factor()) + " of baseline)";
        }
        return needs;
    }

    // ---------------------------------------------------------------- CSV

    private static String comparisonCsv(List<RunComparison.Result> comparisons) {
        StringBuilder out = new StringBuilder(
                "benchmark,mode,params,metric,run_a,run_b,ratio,ci_low,ci_high,verdict,unit,note\n");
        for (RunComparison.Result result : comparisons) {
            for (RunComparison.Line line : result.lines()) {
                Row any = line.any();
                Estimate e = line.ratio();
                csvRow(out, any.benchmark(), any.mode(), any.paramsText(), line.metric(), result.a().label(),
                        result.b().label(), e == null ? "" : Fmt.csv(e.value()), e == null ? "" : Fmt.csv(e.low()),
                        e == null ? "" : Fmt.csv(e.high()), line.verdict(), line.a() == null || line.b() == null
                                ? RunComparison.unitOf(any, line.metric())
                                : Units.pairText(RunComparison.unitOf(line.a(), line.metric()),
                                        RunComparison.unitOf(line.b(), line.metric())), line.note());
            }
        }
        return out.toString();
    }

    private static String claimsCsv(List<ClaimChecker.Verdict> verdicts) {
        StringBuilder out = new StringBuilder("run,lesson,claim,kind,verdict,measured,ci_low,ci_high,reason,unit\n");
        for (ClaimChecker.Verdict v : verdicts) {
            Estimate e = v.measured();
            csvRow(out, v.runLabel(), v.lesson(), v.claim().id(), v.claim().kind().name(), v.status(),
                    e == null ? "" : Fmt.csv(e.value()), e == null ? "" : Fmt.csv(e.low()),
                    e == null ? "" : Fmt.csv(e.high()), v.reason(), v.unit());
        }
        return out.toString();
    }

    private static void csvRow(StringBuilder out, String... cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            String c = Objects.requireNonNullElse(cells[i], "");
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                out.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                out.append(c);
            }
        }
        out.append('\n');
    }
}
