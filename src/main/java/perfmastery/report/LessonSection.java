package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import perfmastery.support.Claim;

/**
 * The report's "Lessons": one section per benchmark class and mode, holding each run's tables and chart.
 *
 * <p><b>What the variants are.</b> A lesson compares either its methods ({@code recursive}, {@code memoized})
 * or the values of one {@code @Param} of one method ({@code strategy=inline,workerPool,...}). Which one is read
 * from the lesson's claims ({@link #variantAxis}): the selector part in which a claim's variant and baseline
 * differ, a method name or a param key, names before numbers (a size sweep is a shape, the strategies are the
 * variants). Each table then holds the variants as rows, one table per remaining parameter set, with factors
 * against the claims' baseline ({@code health[strategy=inline]}: the row {@code inline}).
 *
 * <p><b>The chart</b> shows the claims' metric: p99 where the claims are on p99, a gauge where they are on a
 * gauge, else the score. Bars are the mean of fork means, whiskers its 95 % interval over forks, the same
 * figures the claims use.
 */
final class LessonSection {

    /** Receives a chart: its id, alt text, and the SVG's maker (drawn later, in parallel). */
    interface ChartSink {
        void chart(String id, String alt, Supplier<String> svg);
    }

    /** The variants of a lesson: its methods (param null) or the values of one param, and the baseline's. */
    record VariantAxis(String param, String baseline) {
        boolean byMethod() {
            return param == null;
        }

        String valueOf(Row row) {
            return byMethod() ? row.method() : row.params().getOrDefault(param, "");
        }

        String header() {
            return byMethod() ? "variant" : param;
        }
    }

    private final Doc doc;
    private final ClaimChecker claims;
    private final ChartSink charts;
    /** The heading key of each class's first section, for links from the findings. */
    private final Map<String, String> keyByClass = new LinkedHashMap<>();

    LessonSection(Doc doc, ClaimChecker claims, ChartSink charts) {
        this.doc = doc;
        this.claims = claims;
        this.charts = charts;
    }

    /** The heading key of a class's lesson section (its first mode), or null when the class has none. */
    String keyOf(String className) {
        return keyByClass.get(className);
    }

    static String key(String className, String mode) {
        return "lesson|" + className + "|" + mode;
    }

    void write(List<Run> runs) {
        doc.heading(2, "Lessons");
        doc.paragraph("Each benchmark class and mode, then each run: its variants with JMH's score ± 99.9 %"
                + " error, the factor against the lesson's baseline (the baseline of its claims, else its first"
                + " variant), allocation per operation where -prof gc ran, the lesson's own secondary metrics, and"
                + " percentiles in sample mode. Where the variants are the values of a parameter (strategy=inline,"
                + " workerPool, ...), they are the rows, one table per remaining parameter set. The chart shows the"
                + " metric the lesson's claims are on (p99, a gauge, else the score): bars are the mean of fork means,"
                + " whiskers its 95 % interval over forks (none with 1 fork).");
        List<Row> all = new ArrayList<>();
        Map<String, List<List<Row>>> byLesson = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            all.addAll(runs.get(r).rows());
            for (Row row : runs.get(r).rows()) {
                List<List<Row>> perRun = byLesson.computeIfAbsent(row.className() + "|" + row.mode(), k -> {
                    List<List<Row>> empty = new ArrayList<>();
                    for (int i = 0; i < runs.size(); i++) {
                        empty.add(new ArrayList<>());
                    }
                    return empty;
                });
                perRun.get(r).add(row);
            }
        }
        LessonNames names = new LessonNames(all);
        List<Intervals.Pools> pools = runs.stream().map(run -> new Intervals.Pools(run.rows())).toList();
        for (List<List<Row>> perRun : byLesson.values()) {
            Row first = perRun.stream().filter(l -> !l.isEmpty()).findFirst().orElseThrow().get(0);
            List<Row> lessonRows = perRun.stream().flatMap(List::stream).toList();
            String className = first.className();
            String display = names.display(className);
            String key = key(className, first.mode());
            keyByClass.putIfAbsent(className, key);
            VariantAxis axis = variantAxis(claims.claimsOf(className), lessonRows);
            String metric = chartMetric(claims.claimsOf(className), lessonRows);
            doc.heading(3, display + " (" + first.mode() + ")", key);
            doc.paragraph((className.isEmpty() ? "benchmarks without a class in their name" : className)
                    + ", mode " + first.mode() + "; "
                    + (axis.byMethod() ? "variants: its methods, baseline " + axis.baseline()
                            : "variants: the values of " + axis.param() + ", baseline " + axis.param() + "="
                                    + axis.baseline())
                    + "; " + (first.higherIsBetter() ? "higher is better" : "lower is better")
                    + (Metric.PRIMARY.equals(metric) ? "" : "; the claims and the chart are on " + metric) + ".");
            for (int r = 0; r < runs.size(); r++) {
                if (!perRun.get(r).isEmpty()) {
                    lessonOnRun(r + 1, runs.get(r), perRun.get(r), names, axis, metric, pools.get(r));
                }
            }
        }
    }

    /**
     * The lesson's variants, from its claims: for each ratio claim, where its variant and baseline selectors
     * differ (the method, or the value of one param key). Names are preferred to numbers (a method, or a param
     * whose values are not all numbers: the strategies, not the sizes), then the axis most claims use, then the
     * first. Without such a claim, a lesson of one method with a param of 2+ values is pivoted on that param (a
     * param with names first), else the methods are the variants, the first one the baseline.
     */
    static VariantAxis variantAxis(List<Claim> lessonClaims, List<Row> rows) {
        Set<String> methods = rows.stream().map(Row::method).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (Row row : rows) {
            row.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
        }
        Map<VariantAxis, Integer> votes = new LinkedHashMap<>();
        for (Claim claim : lessonClaims) {
            if (claim.baseline().isEmpty() || "*".equals(claim.baseline().strip())) {
                continue;
            }
            ClaimChecker.Selector v;
            ClaimChecker.Selector b;
            try {
                v = ClaimChecker.Selector.parse(claim.variant());
                b = ClaimChecker.Selector.parse(claim.baseline());
            } catch (IllegalArgumentException e) {
                continue; // malformed: the checker warns about it
            }
            if (!b.anyMethod() && !v.method().equals(b.method()) && methods.contains(b.method())) {
                votes.merge(new VariantAxis(null, b.method()), 1, Integer::sum);
            }
            for (var c : b.constraints().entrySet()) {
                String other = v.constraints().get(c.getKey());
                if (other != null && !other.equals(c.getValue()) && values.containsKey(c.getKey())
                        && values.get(c.getKey()).contains(c.getValue())) {
                    votes.merge(new VariantAxis(c.getKey(), c.getValue()), 1, Integer::sum);
                }
            }
        }
        VariantAxis best = null;
        for (var e : votes.entrySet()) {
            if (best == null || better(e.getKey(), e.getValue(), best, votes.get(best), values)) {
                best = e.getKey();
            }
        }
        if (best != null) {
            return best;
        }
        if (methods.size() == 1) {
            String pivot = null;
            for (var e : values.entrySet()) {
                if (e.getValue().size() >= 2 && (pivot == null || numeric(values.get(pivot)) && !numeric(e.getValue()))) {
                    pivot = e.getKey();
                }
            }
            if (pivot != null) {
                return new VariantAxis(pivot, values.get(pivot).iterator().next());
            }
        }
        return new VariantAxis(null, rows.get(0).method());
    }

    private static boolean better(VariantAxis a, int votesA, VariantAxis b, int votesB, Map<String, Set<String>> values) {
        boolean namesA = a.byMethod() || !numeric(values.get(a.param()));
        boolean namesB = b.byMethod() || !numeric(values.get(b.param()));
        if (namesA != namesB) {
            return namesA;
        }
        return votesA > votesB;
    }

    private static boolean numeric(Set<String> values) {
        for (String v : values) {
            try {
                Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The metric the lesson's chart shows: that of its first guide claim that compares variants on a metric the
     * rows have, else the first such claim of any kind (a lesson whose comparisons are mechanism checks, or whose
     * guide claims read a gauge these rows lack), else its first claim's, when the rows have it: a percentile in
     * sample mode, a secondary metric; else the score.
     */
    static String chartMetric(List<Claim> lessonClaims, List<Row> rows) {
        for (boolean guideOnly : new boolean[] {true, false}) {
            for (Claim c : lessonClaims) {
                if ((!guideOnly || c.kind() == Claim.Kind.GUIDE) && !c.baseline().isEmpty() && present(c.metric(), rows)) {
                    return c.metric();
                }
            }
        }
        if (!lessonClaims.isEmpty() && present(lessonClaims.get(0).metric(), rows)) {
            return lessonClaims.get(0).metric();
        }
        return Metric.PRIMARY;
    }

    private static boolean present(String metric, List<Row> rows) {
        for (Row row : rows) {
            if (Intervals.data(row, metric) != null) {
                return true;
            }
        }
        return false;
    }

    private void lessonOnRun(int runIndex, Run run, List<Row> rows, LessonNames names, VariantAxis axis,
                             String metric, Intervals.Pools pools) {
        Row first = rows.get(0);
        String className = first.className();
        String display = names.display(className);
        doc.heading(4, display + " (" + first.mode() + ") on " + run.label());
        boolean oneMethod = rows.stream().map(Row::method).distinct().count() == 1;
        // Tables: one per method (when the variants are a param's values), remaining params and threads.
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row row : rows) {
            groups.computeIfAbsent(groupKey(row, axis), k -> new ArrayList<>()).add(row);
        }
        Set<String> own = new LinkedHashSet<>();
        boolean alloc = false;
        boolean sample = "sample".equals(first.mode());
        for (Row row : rows) {
            for (String name : row.secondary().keySet()) {
                // Profiler metrics have dotted names (gc.alloc.rate, gc.count); gauges and @AuxCounters do not.
                if (!name.contains(".")) {
                    own.add(name);
                }
            }
            alloc |= row.secondary().containsKey(RunComparison.ALLOC);
        }
        Double percent = Intervals.percentOf(metric);
        String unit = rows.stream().collect(Collectors.groupingBy(r -> r.primary().unit(), LinkedHashMap::new,
                Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String base = axis.baseline();
        List<List<String>> labels = new ArrayList<>();
        List<Row> charted = new ArrayList<>();
        for (List<Row> group : groups.values()) {
            Row any = group.get(0);
            Row baseRow = group.stream().filter(r -> axis.valueOf(r).equals(base)).findFirst().orElse(null);
            List<String> header = new ArrayList<>(List.of(axis.header(), "score ± 99.9 % error", "unit", "vs " + base));
            if (alloc) {
                header.add("B/op");
                header.add("allocation vs " + base);
            }
            header.addAll(own);
            boolean percentileFactor = sample && percent != null;
            if (sample) {
                header.addAll(List.of("p50", "p99", "p99.9"));
                if (percentileFactor) {
                    header.add(metric + " vs " + base);
                }
            }
            List<List<String>> table = new ArrayList<>();
            for (Row row : group) {
                List<String> cells = new ArrayList<>();
                cells.add(axis.valueOf(row));
                cells.add(Fmt.scoreError(row.primary().score(), row.primary().scoreError()));
                cells.add(row.primary().unit());
                cells.add(baseRow == null ? "no baseline row" : row == baseRow ? "baseline"
                        : ReportBuilder.speedWords(baseRow, row));
                if (alloc) {
                    Metric m = row.secondary().get(RunComparison.ALLOC);
                    Metric b = baseRow == null ? null : baseRow.secondary().get(RunComparison.ALLOC);
                    cells.add(m == null ? "n/a" : Fmt.value(m.score()));
                    cells.add(row == baseRow ? "baseline" : ReportBuilder.allocWords(b, m));
                }
                for (String name : own) {
                    Metric m = row.secondary().get(name);
                    cells.add(m == null ? "n/a" : Fmt.value(Intervals.meanPerIteration(m)) + " " + m.unit());
                }
                if (sample) {
                    cells.add(Fmt.value(row.primary().percentile(50)));
                    cells.add(Fmt.value(row.primary().percentile(99)));
                    cells.add(Fmt.value(row.primary().percentile(99.9)));
                    if (percentileFactor) {
                        cells.add(baseRow == null ? "no baseline row" : row == baseRow ? "baseline"
                                : latencyWords(baseRow.primary().percentile(percent), row.primary().percentile(percent)));
                    }
                }
                table.add(cells);
                boolean ownUnit = !Metric.PRIMARY.equals(metric) && percent == null;
                if (ownUnit || row.primary().unit().equals(unit)) {
                    // A unit that does not convert to the lesson's stays in the table, off the chart's axis.
                    charted.add(row);
                    labels.add(chartLabel(row, axis, oneMethod));
                }
            }
            boolean[] right = new boolean[header.size()];
            java.util.Arrays.fill(right, true);
            right[0] = false;
            right[2] = false;
            right[3] = false;
            if (alloc) {
                right[5] = false;
            }
            if (percentileFactor) {
                right[header.size() - 1] = false;
            }
            doc.paragraph(groupTitle(any, axis, oneMethod));
            doc.add(new Doc.Table(header, table, right));
        }
        if (!own.isEmpty()) {
            doc.paragraph(String.join(", ", own) + ": the lesson's own metrics, as the mean per measured iteration"
                    + " from rawData, the values comparisons and claims use. For a gauge (JMH's AVG policy) that is"
                    + " JMH's score; for a summed counter (an @AuxCounters EVENTS field) it is JMH's score divided by"
                    + " iterations x forks.");
        }
        chart(runIndex, run, className, first.mode(), display, names, metric, unit, charted, labels, pools);
    }

    private void chart(int runIndex, Run run, String className, String mode, String display, LessonNames names,
                       String metric, String unit, List<Row> charted, List<List<String>> labels,
                       Intervals.Pools pools) {
        double[] values = new double[charted.size()];
        double[] lows = new double[charted.size()];
        double[] highs = new double[charted.size()];
        String axisUnit = unit;
        for (int i = 0; i < charted.size(); i++) {
            Row row = charted.get(i);
            Intervals.Data data = Intervals.data(row, metric);
            // A score the reader warned about (not finite, beyond 1e100) keeps its row off the chart, whatever
            // its rawData says: the chart never shows a row the table cannot.
            if (data == null || !Plottable.value(row.primary().score())) {
                values[i] = Double.NaN;
                lows[i] = Double.NaN;
                highs[i] = Double.NaN;
                continue;
            }
            if (!Metric.PRIMARY.equals(metric) && Intervals.percentOf(metric) == null) {
                axisUnit = data.unit();
            }
            Estimate e = Intervals.mean(data, pools.of(row, metric));
            values[i] = e.value();
            lows[i] = e.low();
            highs[i] = e.high();
        }
        String id = names.chartId(runIndex, className, mode);
        String what = Metric.PRIMARY.equals(metric) ? "score" : metric;
        String title = display + " (" + mode + ") on " + run.label() + ": " + what;
        String axisLabel = (Metric.PRIMARY.equals(metric) ? "" : metric + ", ") + axisUnit;
        String alt = display + " on " + run.label() + ": " + what + " per variant, " + axisUnit
                + ", mean of fork means with its 95 % interval over forks";
        String finalAxis = axisLabel;
        charts.chart(id, alt, () -> Charts.lessonChart(id, title, labels, values, lows, highs, finalAxis));
    }

    private static String groupKey(Row row, VariantAxis axis) {
        StringBuilder key = new StringBuilder();
        if (!axis.byMethod()) {
            key.append(row.method()).append('|');
        }
        row.params().forEach((k, v) -> {
            if (axis.byMethod() || !k.equals(axis.param())) {
                key.append(k).append('=').append(v).append(';');
            }
        });
        return key.append('|').append(row.threads()).toString();
    }

    private static String groupTitle(Row row, VariantAxis axis, boolean oneMethod) {
        List<String> parts = new ArrayList<>();
        if (!axis.byMethod() && !oneMethod) {
            parts.add(row.method());
        }
        row.params().forEach((k, v) -> {
            if (axis.byMethod() || !k.equals(axis.param())) {
                parts.add(k + "=" + v);
            }
        });
        if (row.threads() > 1) {
            parts.add(row.threads() + " threads");
        }
        return parts.isEmpty() ? "no params" : String.join(", ", parts);
    }

    /** The chart's label of a row: the variant first, then what else tells it apart. */
    private static List<String> chartLabel(Row row, VariantAxis axis, boolean oneMethod) {
        List<String> tokens = new ArrayList<>();
        tokens.add(axis.byMethod() ? row.method() : axis.param() + "=" + axis.valueOf(row));
        if (!axis.byMethod() && !oneMethod) {
            tokens.add(row.method());
        }
        row.params().forEach((k, v) -> {
            if (axis.byMethod() || !k.equals(axis.param())) {
                tokens.add(k + "=" + v);
            }
        });
        if (row.threads() > 1) {
            tokens.add("t=" + row.threads());
        }
        return tokens;
    }

    /** "412x lower" / "3.10x higher": a latency against the baseline's. */
    static String latencyWords(double base, double value) {
        if (!Plottable.value(base) || !Plottable.value(value) || base <= 0 || value <= 0) {
            return "n/a";
        }
        double f = base / value;
        return f >= 1 ? Fmt.factor(f) + "x lower" : Fmt.factor(1 / f) + "x higher";
    }
}
