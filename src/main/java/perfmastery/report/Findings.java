package perfmastery.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import perfmastery.support.Claim;

/**
 * The top of the report: what the runs say about the guide. One table with a row per claim (the guide's
 * claims, then a table of mechanism checks): the lesson (a link to its section), the claim in the guide's
 * words, what it needs, and per run its verdict and measured figure with the 95 % interval, side by side. Then,
 * per run comparison, the geometric mean of each lesson's ratios with its interval ({@link GeometricMean}) and
 * the rows that changed most.
 */
final class Findings {

    /** The HTML id of the findings table, the first table of the page. */
    static final String TABLE_ID = "findings-table";
    /** How many of the most changed rows a comparison's summary lists. */
    static final int MOST_CHANGED = 5;

    private Findings() {
    }

    /** The HTML id of the verdict counts per run, the page's first table. */
    static final String COUNTS_ID = "verdict-counts";
    /** The HTML id of the table of the runs of a few lessons (flag sets). */
    static final String FEW_LESSONS_ID = "few-lessons-table";

    /**
     * The flag-set runs of a few lessons: runs made with flags of the user's (their sidecar names them) and with
     * verdicts on fewer than half the claims of the run with the most (a collector flag set run for the one lesson
     * it is about). As columns of the findings they would read "not run" in nearly every cell, so they get a table
     * of their own claims. A run without user flags (another JDK, Node, a run of a few lessons) stays a column.
     */
    static List<Run> fewLessons(List<Run> runs, List<ClaimChecker.Verdict> verdicts) {
        Map<String, java.util.Set<String>> claimsByRun = new LinkedHashMap<>();
        for (ClaimChecker.Verdict v : verdicts) {
            claimsByRun.computeIfAbsent(v.runLabel(), k -> new java.util.HashSet<>()).add(v.lesson() + "|" + v.claim().id());
        }
        int most = claimsByRun.values().stream().mapToInt(java.util.Set::size).max().orElse(0);
        List<Run> few = new ArrayList<>();
        for (Run run : runs) {
            int n = claimsByRun.getOrDefault(run.label(), java.util.Set.of()).size();
            List<String> flags = run.userFlags();
            if (flags != null && !flags.isEmpty() && 2 * n < most) {
                few.add(run);
            }
        }
        return few;
    }

    /**
     * @param runs      the runs, in column order
     * @param verdicts  every run's verdicts
     * @param lessonKey the heading key of a class's lesson section (null: no link)
     */
    static Doc build(List<Run> runs, List<ClaimChecker.Verdict> verdicts, List<RunComparison.Result> comparisons,
                     Function<String, String> lessonKey) {
        Doc doc = new Doc();
        doc.heading(2, "Findings");
        if (verdicts.isEmpty()) {
            doc.paragraph("No benchmark class of these runs states a @Claim on the report's class path (results of"
                    + " other suites have none), so there is nothing to check against the guide.");
        } else {
            List<Run> few = fewLessons(runs, verdicts);
            List<Run> wide = runs.stream().filter(r -> !few.contains(r)).toList();
            counts(doc, wide, few, verdicts);
            doc.paragraph("Each claim with its verdict and measured figure (95 % interval) per run. "
                    + VerdictLabel.of(ClaimChecker.CONFIRMED) + ": the interval clears what the claim needs; "
                    + VerdictLabel.of(ClaimChecker.REFUTED) + ": it lies wholly on the other side (the JVM disagrees:"
                    + " a finding); " + VerdictLabel.of(ClaimChecker.INCONCLUSIVE) + ": it straddles it, or the data"
                    + " cannot tell (1 fork); " + VerdictLabel.of(ClaimChecker.NOT_MEASURED) + ": no row, or outside"
                    + " the claim's scope. The lesson links to its tables; the reasons are under Claims.");
            claimTable(doc, "The guide's claims", TABLE_ID, wide, verdicts, Claim.Kind.GUIDE, lessonKey);
            claimTable(doc, "Mechanism checks", "mechanism-table", wide, verdicts, Claim.Kind.MECHANISM,
                    lessonKey);
            fewLessonsTable(doc, few, verdicts, lessonKey);
        }
        for (RunComparison.Result comparison : comparisons) {
            summary(doc, comparison, lessonKey);
        }
        return doc;
    }

    /** Per run, how many guide claims and mechanism checks got each verdict; the runs of a few lessons summed. */
    private static void counts(Doc doc, List<Run> wide, List<Run> few, List<ClaimChecker.Verdict> verdicts) {
        List<String> statuses = List.of(ClaimChecker.CONFIRMED, ClaimChecker.REFUTED, ClaimChecker.INCONCLUSIVE,
                ClaimChecker.NOT_MEASURED);
        List<String> header = new ArrayList<>(List.of("run", "guide's claims"));
        statuses.forEach(s -> header.add(VerdictLabel.of(s)));
        header.add("mechanism checks");
        statuses.forEach(s -> header.add(VerdictLabel.of(s)));
        List<List<String>> rows = new ArrayList<>();
        for (Run run : wide) {
            rows.add(countRow(run.label(), List.of(run.label()), verdicts, statuses));
        }
        if (!few.isEmpty()) {
            rows.add(countRow(few.size() + " flag-set run" + (few.size() == 1 ? "" : "s") + " (below)",
                    few.stream().map(Run::label).toList(), verdicts, statuses));
        }
        boolean[] right = new boolean[header.size()];
        java.util.Arrays.fill(right, 1, right.length, true);
        doc.add(new Doc.Table(header, rows, right, null, COUNTS_ID));
    }

    private static List<String> countRow(String label, List<String> runLabels, List<ClaimChecker.Verdict> verdicts,
                                         List<String> statuses) {
        List<String> row = new ArrayList<>(List.of(label));
        for (Claim.Kind kind : List.of(Claim.Kind.GUIDE, Claim.Kind.MECHANISM)) {
            List<ClaimChecker.Verdict> of = verdicts.stream()
                    .filter(v -> v.claim().kind() == kind && runLabels.contains(v.runLabel())).toList();
            row.add(Integer.toString(of.size()));
            for (String s : statuses) {
                row.add(Long.toString(of.stream().filter(v -> v.status().equals(s)).count()));
            }
        }
        return row;
    }

    /** The runs of a few lessons: one row per claim and run, only the claims each run measured. */
    private static void fewLessonsTable(Doc doc, List<Run> few, List<ClaimChecker.Verdict> verdicts,
                                        Function<String, String> lessonKey) {
        if (few.isEmpty()) {
            return;
        }
        List<String> labels = few.stream().map(Run::label).toList();
        doc.heading(3, "Flag-set runs");
        doc.paragraph("Runs of a few lessons (JVM flag sets such as a collector), each with the claims of the"
                + " lessons it ran; guide's claims first.");
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        for (Claim.Kind kind : List.of(Claim.Kind.GUIDE, Claim.Kind.MECHANISM)) {
            for (String label : labels) {
                for (ClaimChecker.Verdict v : verdicts) {
                    if (v.claim().kind() == kind && v.runLabel().equals(label)) {
                        rows.add(List.of(simpleName(v.lesson()), v.claim().text(), label,
                                VerdictLabel.of(v.status()), figure(v)));
                        links.add(java.util.Collections.singletonList(lessonKey.apply(v.lesson())));
                    }
                }
            }
        }
        doc.add(new Doc.Table(List.of("lesson", "claim", "run", "verdict", "measured (95 % interval)"), rows,
                new boolean[] {false, false, false, false, true}, links, FEW_LESSONS_ID));
    }

    private static void claimTable(Doc doc, String title, String id, List<Run> runs,
                                   List<ClaimChecker.Verdict> verdicts, Claim.Kind kind,
                                   Function<String, String> lessonKey) {
        Map<String, Map<String, ClaimChecker.Verdict>> byClaim = new LinkedHashMap<>();
        Map<String, ClaimChecker.Verdict> any = new LinkedHashMap<>();
        for (ClaimChecker.Verdict v : verdicts) {
            if (v.claim().kind() != kind) {
                continue;
            }
            String key = v.lesson() + "|" + v.claim().id();
            byClaim.computeIfAbsent(key, k -> new LinkedHashMap<>()).putIfAbsent(v.runLabel(), v);
            any.putIfAbsent(key, v);
        }
        if (byClaim.isEmpty()) {
            return;
        }
        doc.heading(3, title);
        List<String> header = new ArrayList<>(List.of("lesson", "claim", "needs"));
        for (Run run : runs) {
            header.add(run.label());
            header.add("measured (95 % interval)");
        }
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        for (var entry : byClaim.entrySet()) {
            ClaimChecker.Verdict first = any.get(entry.getKey());
            Claim c = first.claim();
            // A bound is in the metric's unit, which the verdicts know (us/op, B/op): "≥ 20000 us/op".
            String unit = c.baseline().isEmpty() ? entry.getValue().values().stream().map(ClaimChecker.Verdict::unit)
                    .filter(u -> !u.isEmpty()).findFirst().orElse("") : "";
            List<String> cells = new ArrayList<>(List.of(simpleName(first.lesson()), c.text(),
                    ReportBuilder.needs(c) + (unit.isEmpty() ? "" : " " + unit)));
            for (Run run : runs) {
                ClaimChecker.Verdict v = entry.getValue().get(run.label());
                cells.add(v == null ? "not run" : VerdictLabel.of(v.status()));
                cells.add(v == null ? "" : figure(v));
            }
            rows.add(cells);
            List<String> rowLinks = new ArrayList<>();
            rowLinks.add(lessonKey.apply(first.lesson()));
            links.add(rowLinks);
        }
        boolean[] right = new boolean[header.size()];
        for (int i = 4; i < right.length; i += 2) {
            right[i] = true; // the measured figures: aligned, and not wrapped
        }
        doc.add(new Doc.Table(header, rows, right, links, id));
    }

    /** "412x (300 to 560)", "25300 us/op (24000 to 26800)", or the figure alone when it has no interval. */
    static String figure(ClaimChecker.Verdict v) {
        String measured = ReportBuilder.measured(v);
        if (measured.isEmpty()) {
            return "";
        }
        Estimate e = v.measured();
        if (!e.hasInterval()) {
            return measured + " (no interval)";
        }
        return measured + " (" + ("x".equals(v.unit()) ? Fmt.interval(e)
                : Fmt.value(e.low()) + " to " + Fmt.value(e.high())) + ")";
    }

    private static String simpleName(String className) {
        return className.isEmpty() ? LessonNames.NO_CLASS : className.substring(className.lastIndexOf('.') + 1);
    }

    /** One comparison: the geometric mean per lesson with its interval, then the rows that changed most. */
    private static void summary(Doc doc, RunComparison.Result result, Function<String, String> lessonKey) {
        String a = result.a().label();
        String b = result.b().label();
        doc.heading(3, a + " vs " + b);
        doc.paragraph("Per lesson, the geometric mean of its rows' ratios (above 1: " + b + " is better, less time"
                + " or more throughput) with its 95 % interval: the mean of the rows' log ratios. Each run's variance"
                + " of its mean is estimated twice and the larger is used: with the rows independent (the sum of"
                + " the rows' variances over n², Welch–Satterthwaite degrees of freedom over the variance estimates),"
                + " and with the rounds as the unit (the rows' mean log per round, its variance over the rounds, with"
                + " rounds − 1 df), which catches what rows run in the same round share. faster/slower as for a row:"
                + " the interval excludes 1 and the effect is at least 3 %.");
        Intervals.Pools poolsA = new Intervals.Pools(result.a().rows());
        Intervals.Pools poolsB = new Intervals.Pools(result.b().rows());
        Map<String, List<RunComparison.Line>> byLesson = new LinkedHashMap<>();
        List<RunComparison.Line> primary = result.primary();
        for (RunComparison.Line line : primary) {
            byLesson.computeIfAbsent(line.any().className() + "|" + line.any().mode(), k -> new ArrayList<>())
                    .add(line);
        }
        List<Row> both = new ArrayList<>(result.a().rows());
        both.addAll(result.b().rows());
        LessonNames names = new LessonNames(both);
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        for (List<RunComparison.Line> lines : byLesson.values()) {
            Row any = lines.get(0).any();
            GeometricMean.Result g = GeometricMean.of(lines, poolsA, poolsB);
            if (g.rows() == 0) {
                continue; // a lesson only one run has: the comparison's notes say so
            }
            rows.add(summaryRow(names.display(any.className()) + " (" + any.mode() + ")", g));
            links.add(java.util.Collections.singletonList(lessonKey.apply(any.className())));
        }
        if (rows.isEmpty()) {
            doc.paragraph("The two runs have no row in common: nothing to compare.");
            return;
        }
        if (rows.size() > 1) {
            rows.add(summaryRow("all lessons", GeometricMean.of(primary, poolsA, poolsB)));
            links.add(List.of());
        }
        doc.add(new Doc.Table(List.of("lesson", "rows", "geometric mean", "95 % interval", "verdict"), rows,
                new boolean[] {false, true, true, true, false}, links, null));
        List<RunComparison.Line> changed = primary.stream()
                .filter(l -> "faster".equals(l.verdict()) || "slower".equals(l.verdict()))
                .sorted(Comparator.comparingDouble((RunComparison.Line l) -> -Math.abs(Math.log(l.ratio().value()))))
                .limit(MOST_CHANGED).toList();
        if (changed.isEmpty()) {
            doc.paragraph("No row is significantly faster or slower in " + b + " than in " + a + ".");
            return;
        }
        List<List<String>> top = new ArrayList<>();
        List<List<String>> topLinks = new ArrayList<>();
        for (RunComparison.Line line : changed) {
            Row any = line.any();
            top.add(List.of(names.shortName(any) + RunComparison.paramsSuffix(any) + " " + any.mode(),
                    Fmt.factor(line.ratio().value()), Fmt.interval(line.ratio()), line.verdict()));
            topLinks.add(java.util.Collections.singletonList(lessonKey.apply(any.className())));
        }
        long significant = primary.stream()
                .filter(l -> "faster".equals(l.verdict()) || "slower".equals(l.verdict())).count();
        doc.paragraph("The rows that changed most (" + changed.size() + " of the " + significant
                + " significantly faster or slower rows, farthest from 1 first):");
        doc.add(new Doc.Table(List.of("row", "ratio", "95 % interval", "verdict"), top,
                new boolean[] {false, true, true, false}, topLinks, null));
    }

    private static List<String> summaryRow(String label, GeometricMean.Result g) {
        Estimate e = g.estimate();
        if (e == null) {
            return List.of(label, "0", "n/a", "n/a", "no row in both runs");
        }
        String verdict = RunComparison.verdict(e, "faster", "slower");
        return List.of(label, Integer.toString(g.rows()), Fmt.factor(e.value()), Fmt.interval(e),
                "≈".equals(verdict) ? "≈ (" + RunComparison.whyCannotTell(e) + ")" : verdict);
    }
}
