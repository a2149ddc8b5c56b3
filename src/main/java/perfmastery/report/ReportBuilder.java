package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the runs into the report's content: lesson tables and charts per run, run comparisons, claim
 * verdicts, the method, and the two CSV files. Writing files is {@link ReportMain}'s job.
 */
final class ReportBuilder {

    static final String METHOD = "Lesson tables show JMH's own score ± scoreError, where scoreError is JMH's 99.9 %"
            + " confidence half-width (Student t over all measured iterations of all forks); the lesson charts draw"
            + " that 99.9 % interval as whiskers and switch to a log scale when bars differ by more than 20x."
            + " Run comparisons and claims treat forks as the independent unit: from rawData, a seeded two-level"
            + " bootstrap (" + Bootstrap.REPLICATES + " replicates; resample the forks with replacement, then the"
            + " iterations inside each resampled fork; take the mean of the fork means, its deviation from the observed"
            + " mean, on the log scale, scaled by √(F/(F−1)) for F forks because plain resampling shrinks the variance by (F−1)/F) gives a 95 % percentile"
            + " interval for the ratio of means (quantiles: Apache Commons Statistics, Hyndman-Fan type 8; random"
            + " numbers: Commons RNG XO_RO_SHI_RO_128_PP seeded from the row's key, so the same input gives the same"
            + " report). Ratios are normalised so that above 1 means run b is better: a/b for time modes (avgt,"
            + " sample, ss), b/a for throughput. A verdict is faster or slower only when the interval excludes 1 and"
            + " the ratio is at least 3 % away from 1; otherwise ≈. Allocation (gc.alloc.rate.norm, B/op) is"
            + " compared the same way as a/b (more-alloc, less-alloc), and is ≈ when both sides allocate under"
            + " 1 B/op. With one fork on a side the interval covers iteration-to-iteration noise only, not"
            + " fork-to-fork variation, and says so. Without rawData the interval is approximate: the quotient of"
            + " JMH's two 99.9 % intervals (conservative). In sample mode each iteration's mean comes from its"
            + " histogram and the percentiles are JMH's. The summary row is the geometric mean of the ratios of the"
            + " rows both runs have. A claim is CONFIRMED when, for every pair it covers, the 95 % interval clears"
            + " the claimed factor (its lower end is at least the factor) or the bound (upper end at most a LOWER"
            + " bound, lower end at least a HIGHER bound); percentiles are compared as points. The figure quoted is"
            + " the weakest pair's.";

    record Output(String markdown, String html, Map<String, String> charts, String comparisonCsv, String claimsCsv,
                  List<ClaimChecker.Verdict> verdicts, List<RunComparison.Result> comparisons, List<String> warnings) {
    }

    private final Doc doc = new Doc();
    private final Map<String, java.util.function.Supplier<String>> chartTasks = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final ClaimChecker claims = new ClaimChecker(warnings);

    /**
     * @param runs     the FILE arguments, labelled
     * @param baseline the --baseline run, labelled, or null
     */
    Output build(List<Run> runs, Run baseline) {
        for (Run run : runs) {
            warnings.addAll(run.warnings());
        }
        if (baseline != null) {
            warnings.addAll(baseline.warnings());
        }
        List<RunComparison.Result> comparisons = new ArrayList<>();
        if (baseline != null) {
            for (Run run : runs) {
                comparisons.add(RunComparison.compare(baseline, run));
            }
        } else {
            for (int i = 1; i < runs.size(); i++) {
                comparisons.add(RunComparison.compare(runs.get(0), runs.get(i)));
            }
        }
        List<ClaimChecker.Verdict> verdicts = new ArrayList<>();
        List<List<ClaimChecker.Verdict>> perRun = new ArrayList<>();
        for (Run run : runs) {
            List<ClaimChecker.Verdict> v = claims.check(run);
            perRun.add(v);
            verdicts.addAll(v);
        }

        doc.heading(1, "JMH report");
        List<String> inputs = new ArrayList<>();
        if (baseline != null) {
            inputs.add("baseline " + describe(baseline));
        }
        for (Run run : runs) {
            inputs.add(describe(run));
        }
        doc.paragraph("Inputs (column labels come from the JDK, VM and JVM flags; the file name only breaks ties):");
        doc.bullets(inputs);
        doc.paragraph("Claims: " + count(verdicts, ClaimChecker.CONFIRMED) + " confirmed, "
                + count(verdicts, ClaimChecker.NOT_CONFIRMED) + " not confirmed, "
                + count(verdicts, ClaimChecker.NOT_MEASURED) + " not measured. Comparisons: " + comparisons.size()
                + ". How the numbers are made: see Method at the end.");

        lessons(runs);
        for (int i = 0; i < comparisons.size(); i++) {
            comparison(i + 1, comparisons.get(i));
        }
        claimsSection(runs, perRun);
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
        // Each chart is independent of the others (its own JFreeChart and SVGGraphics2D): draw them in parallel.
        Map<String, String> charts = new LinkedHashMap<>();
        chartTasks.entrySet().parallelStream().map(e -> Map.entry(e.getKey(), e.getValue().get())).toList()
                .forEach(e -> charts.put(e.getKey(), e.getValue()));
        return new Output(doc.toMarkdown(), doc.toHtml("JMH report", charts), charts, comparisonCsv(comparisons),
                claimsCsv(verdicts), verdicts, comparisons, allWarnings);
    }

    private static long count(List<ClaimChecker.Verdict> verdicts, String status) {
        return verdicts.stream().filter(v -> v.status().equals(status)).count();
    }

    private static String describe(Run run) {
        return run.label() + ": " + run.fileName() + "; JDK " + orUnknown(run.jdkVersion()) + ", "
                + orUnknown(run.vmName()) + " " + orUnknown(run.vmVersion()) + "; JMH " + orUnknown(run.jmhVersion())
                + "; JVM flags " + RunComparison.flags(run) + "; " + run.rows().size() + " rows";
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "?" : s;
    }

    // ---------------------------------------------------------------- lesson tables

    private void lessons(List<Run> runs) {
        doc.heading(2, "Lessons");
        doc.paragraph("Each benchmark class, per run and parameter set: its variants with JMH's score ± 99.9 %"
                + " error, the factor against the lesson's baseline (the baseline of its claims, else its first"
                + " variant), allocation per operation where -prof gc ran, the lesson's own secondary metrics, and"
                + " percentiles in sample mode.");
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            Map<String, List<Row>> byClass = new LinkedHashMap<>();
            for (Row row : run.rows()) {
                byClass.computeIfAbsent(row.className() + "|" + row.mode(), k -> new ArrayList<>()).add(row);
            }
            LessonNames names = new LessonNames(run.rows());
            for (var entry : byClass.entrySet()) {
                lesson(r + 1, run, entry.getValue(), names);
            }
        }
    }

    private void lesson(int runIndex, Run run, List<Row> rows, LessonNames names) {
        Row first = rows.get(0);
        String className = first.className();
        String simple = names.display(className);
        String claimed = claims.baselineMethod(className);
        String baselineMethod = claimed != null && rows.stream().anyMatch(r -> r.method().equals(claimed))
                ? claimed : first.method();
        doc.heading(3, simple + " (" + first.mode() + ") on " + run.label());
        doc.paragraph((className.isEmpty() ? "benchmarks without a class in their name" : className)
                + ", mode " + first.mode() + ", baseline " + baselineMethod + ", "
                + (first.higherIsBetter() ? "higher is better" : "lower is better") + ".");
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row row : rows) {
            groups.computeIfAbsent(row.paramsText() + "|" + row.threads(), k -> new ArrayList<>()).add(row);
        }
        Set<String> own = new LinkedHashSet<>();
        boolean alloc = false;
        boolean sample = "sample".equals(first.mode());
        for (Row row : rows) {
            for (String name : row.secondary().keySet()) {
                // Profiler metrics have dotted names (gc.alloc.rate, gc.count); @AuxCounters fields do not.
                if (!name.contains(".")) {
                    own.add(name);
                }
            }
            alloc |= row.secondary().containsKey(RunComparison.ALLOC);
        }
        Set<String> eventCounters = new java.util.TreeSet<>();
        List<String> categories = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        // The unit of most rows (the reader converted what converts to it; a row in another unit is flagged).
        String unit = rows.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.primary().unit(),
                LinkedHashMap::new, java.util.stream.Collectors.counting())).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        for (var group : groups.values()) {
            Row any = group.get(0);
            String finalBaseline = baselineMethod;
            Row base = group.stream().filter(r -> r.method().equals(finalBaseline)).findFirst().orElse(null);
            List<String> header = new ArrayList<>(List.of("variant", "score ± 99.9 % error", "unit",
                    "vs " + baselineMethod));
            if (alloc) {
                header.add("B/op");
                header.add("allocation vs " + baselineMethod);
            }
            header.addAll(own);
            if (sample) {
                header.addAll(List.of("p50", "p99", "p99.9"));
            }
            List<List<String>> table = new ArrayList<>();
            for (Row row : group) {
                List<String> cells = new ArrayList<>();
                cells.add(row.method());
                cells.add(Fmt.scoreError(row.primary().score(), row.primary().scoreError()));
                cells.add(row.primary().unit());
                cells.add(base == null ? "no baseline row" : row == base ? "baseline" : speedWords(base, row));
                if (alloc) {
                    Metric m = row.secondary().get(RunComparison.ALLOC);
                    Metric b = base == null ? null : base.secondary().get(RunComparison.ALLOC);
                    cells.add(m == null ? "n/a" : Fmt.value(m.score()));
                    cells.add(row == base ? "baseline" : allocWords(b, m));
                }
                for (String name : own) {
                    Metric m = row.secondary().get(name);
                    if (m == null) {
                        cells.add("n/a");
                    } else if (isEventCounter(m)) {
                        cells.add(Fmt.value(Bootstrap.grandMean(m.forks())) + " # per iteration");
                        eventCounters.add(name);
                    } else {
                        cells.add(Fmt.scoreError(m.score(), m.scoreError()) + " " + m.unit());
                    }
                }
                if (sample) {
                    cells.add(Fmt.value(row.primary().percentile(50)));
                    cells.add(Fmt.value(row.primary().percentile(99)));
                    cells.add(Fmt.value(row.primary().percentile(99.9)));
                }
                table.add(cells);
                if (!row.primary().unit().equals(unit)) {
                    continue; // a unit that does not convert to the lesson's: in the table, not on its axis
                }
                categories.add(row.method() + (row.params().isEmpty() ? "" : " " + row.paramsText())
                        + (any.threads() > 1 ? " t=" + row.threads() : ""));
                scores.add(row.primary().score());
                errors.add(row.primary().scoreError());
            }
            boolean[] right = new boolean[header.size()];
            java.util.Arrays.fill(right, true);
            right[0] = false;
            right[2] = false;
            right[3] = false;
            if (alloc) {
                right[5] = false;
            }
            String title = (any.params().isEmpty() ? "no params" : any.paramsText())
                    + (any.threads() > 1 ? ", " + any.threads() + " threads" : "");
            doc.paragraph(title);
            doc.add(new Doc.Table(header, table, right));
        }
        if (!eventCounters.isEmpty()) {
            doc.paragraph(String.join(", ", eventCounters) + ": @AuxCounters of type EVENTS (unit #). JMH's score"
                    + " for them is the sum over all iterations and forks, which depends on -i and -f; the table shows"
                    + " the mean per measured iteration from rawData, and comparisons and claims use the same values.");
        }
        String id = names.chartId(runIndex, className, first.mode());
        String title = simple + " (" + first.mode() + ") on " + run.label();
        double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
        double[] e = errors.stream().mapToDouble(Double::doubleValue).toArray();
        chart(id, simple + " on " + run.label() + ": score with 99.9 % interval, " + unit,
                () -> Charts.lessonChart(id, title, categories, s, e, unit));
    }

    /** EVENTS counters are the secondary metrics JMH writes with unit "#" (OPERATIONS ones are rates). */
    static boolean isEventCounter(Metric m) {
        return "#".equals(m.unit()) && m.hasRawData();
    }

    private void chart(String id, String alt, java.util.function.Supplier<String> svg) {
        String file = "charts/" + id + ".svg";
        chartTasks.put(file, svg);
        doc.add(new Doc.Chart(file, alt));
    }

    /** "412x faster" / "3.1x slower", from the mode's direction. */
    static String speedWords(Row base, Row row) {
        if (!row.primary().unit().equals(base.primary().unit())) {
            return "n/a (" + row.primary().unit() + " vs " + base.primary().unit() + ")";
        }
        if (!Charts.plottable(row.primary().score()) || !Charts.plottable(base.primary().score())) {
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
                + " interval by two-level bootstrap over forks and iterations; faster/slower needs the interval to"
                + " exclude 1 and an effect of at least 3 %.");
        boolean anyAlloc = result.lines().stream().anyMatch(l -> RunComparison.ALLOC.equals(l.metric()));
        List<String> header = new ArrayList<>(List.of("benchmark", "mode", "params", "threads", "run a", "run b",
                "unit", "ratio", "95 % interval", "verdict"));
        if (anyAlloc) {
            header.addAll(List.of("B/op a", "B/op b", "allocation ratio", "allocation verdict"));
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        List<double[]> points = new ArrayList<>();
        boolean iterationsOnly = false;
        boolean approximate = false;
        List<Row> bothRuns = new ArrayList<>(result.a().rows());
        bothRuns.addAll(result.b().rows());
        LessonNames names = new LessonNames(bothRuns);
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
            Bootstrap.Estimate e = line.ratio();
            cells.add(e == null ? "" : Fmt.factor(e.value()));
            cells.add(e == null ? "" : Fmt.interval(e) + (e.approximate() ? " approx." : "")
                    + (e.iterationsOnly() ? " (iterations only)" : ""));
            cells.add(line.verdict());
            if (anyAlloc) {
                RunComparison.Line al = line.a() == null || line.b() == null ? null : result.alloc(line);
                al = al == null || al.ratio() == null ? null : al;
                cells.add(al == null ? "" : Fmt.value(al.a().secondary().get(RunComparison.ALLOC).score()));
                cells.add(al == null ? "" : Fmt.value(al.b().secondary().get(RunComparison.ALLOC).score()));
                cells.add(al == null ? "" : Fmt.factor(al.ratio().value()) + " " + Fmt.interval(al.ratio()));
                cells.add(al == null ? "" : al.verdict());
            }
            rows.add(cells);
            if (e != null) {
                iterationsOnly |= e.iterationsOnly();
                approximate |= e.approximate();
                categories.add(names.shortName(any) + (any.params().isEmpty() ? "" : " " + any.paramsText())
                        + " " + any.mode() + (any.threads() > 1 ? " t=" + any.threads() : ""));
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
            right[10] = true;
            right[11] = true;
        }
        doc.add(new Doc.Table(header, rows, right));
        List<String> notes = new ArrayList<>();
        if (iterationsOnly) {
            notes.add("One fork on a side: those intervals cover iterations only, not fork-to-fork variation"
                    + " (JIT decisions, memory layout); run with more forks to compare runs honestly.");
        }
        if (approximate) {
            notes.add("No rawData on a side (-Djmh.json.rawData=false or an old JMH): those intervals are approximate,"
                    + " from JMH's score ± scoreError.");
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

    private static String withFile(Run run) {
        return run.label().contains(run.fileName()) ? "" : " (" + run.fileName() + ")";
    }

    // ---------------------------------------------------------------- claims

    private void claimsSection(List<Run> runs, List<List<ClaimChecker.Verdict>> perRun) {
        doc.heading(2, "Claims");
        boolean any = perRun.stream().anyMatch(v -> !v.isEmpty());
        if (!any) {
            doc.paragraph("No benchmark class of these runs states a @Claim on the report's class path"
                    + " (results of other suites have none).");
            return;
        }
        for (int r = 0; r < runs.size(); r++) {
            List<ClaimChecker.Verdict> verdicts = perRun.get(r);
            if (verdicts.isEmpty()) {
                continue;
            }
            doc.heading(3, "Claims on " + runs.get(r).label());
            List<List<String>> rows = new ArrayList<>();
            for (ClaimChecker.Verdict v : verdicts) {
                String lesson = v.lesson().substring(v.lesson().lastIndexOf('.') + 1);
                String target = v.claim().baseline().isEmpty()
                        ? (v.claim().relation() == perfmastery.support.Claim.Relation.LOWER ? "≤ " : "≥ ")
                                + Fmt.value(v.claim().bound())
                        : "≥ " + Fmt.factor(v.claim().factor()) + "x";
                rows.add(List.of(lesson, v.claim().id(), v.claim().text(), v.status(),
                        v.measured() == null ? "" : Fmt.factor(v.measured().value()) + " " + v.unit(),
                        target, Fmt.interval(v.measured()), v.detail()));
            }
            doc.add(new Doc.Table(List.of("lesson", "claim", "statement", "verdict", "measured", "needs",
                    "95 % interval", "detail"), rows,
                    new boolean[] {false, false, false, false, true, true, true, false}));
        }
    }

    // ---------------------------------------------------------------- CSV

    private static String comparisonCsv(List<RunComparison.Result> comparisons) {
        StringBuilder out = new StringBuilder(
                "benchmark,mode,params,metric,run_a,run_b,ratio,ci_low,ci_high,verdict,unit\n");
        for (RunComparison.Result result : comparisons) {
            for (RunComparison.Line line : result.lines()) {
                Row any = line.any();
                Bootstrap.Estimate e = line.ratio();
                csvRow(out, any.benchmark(), any.mode(), any.paramsText(), line.metric(), result.a().label(),
                        result.b().label(), e == null ? "" : Fmt.csv(e.value()), e == null ? "" : Fmt.csv(e.low()),
                        e == null ? "" : Fmt.csv(e.high()), line.verdict(), line.a() == null || line.b() == null
                                ? RunComparison.unitOf(any, line.metric())
                                : Units.pairText(RunComparison.unitOf(line.a(), line.metric()),
                                        RunComparison.unitOf(line.b(), line.metric())));
            }
        }
        return out.toString();
    }

    private static String claimsCsv(List<ClaimChecker.Verdict> verdicts) {
        StringBuilder out = new StringBuilder("run,lesson,claim,verdict,measured,ci_low,ci_high\n");
        for (ClaimChecker.Verdict v : verdicts) {
            Bootstrap.Estimate e = v.measured();
            csvRow(out, v.runLabel(), v.lesson(), v.claim().id(), v.status(), e == null ? "" : Fmt.csv(e.value()),
                    e == null ? "" : Fmt.csv(e.low()), e == null ? "" : Fmt.csv(e.high()));
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
