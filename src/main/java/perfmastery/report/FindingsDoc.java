package perfmastery.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import perfmastery.support.Claim;

/**
 * Writes what the reference results say into the documentation: {@code docs/findings.md} (every claim with its
 * verdict per run) and the README's block between {@link #BEGIN} and {@link #END} (verdict counts per run and
 * the five most striking results), both from {@code results/reference/claims.csv}. The claims' texts and what
 * they need are read from the {@code @Claim} annotations on the class path; a claim the code no longer has is
 * shown by its id.
 *
 * <p><b>Striking</b>, by rule: among the guide's claims with the same decided verdict (CONFIRMED or REFUTED) on
 * every run that measured them, those whose figure lies farthest from what the claim needs, |log(measured /
 * needed)|, taking each claim's nearest run; ties by lesson and id.
 *
 * <pre>java -cp target/benchmarks.jar perfmastery.report.FindingsDoc [--check] [ROOT]</pre>
 * {@code --check} writes nothing and exits 1 when either file differs from what claims.csv gives
 * ({@code scripts/findings-doc.sh} runs it).
 */
public final class FindingsDoc {

    static final String BEGIN = "<!-- findings: generated from results/reference/claims.csv by scripts/findings-doc.sh;"
            + " do not edit -->";
    static final String END = "<!-- findings: end -->";
    static final int STRIKING = 5;

    /** One line of claims.csv. */
    record Line(String run, String lesson, String claim, Claim.Kind kind, String verdict, Double measured,
                Double low, Double high, String unit) {
    }

    private final List<Line> lines;
    private final ClaimChecker claims = new ClaimChecker(new ArrayList<>());
    private final List<String> runs;
    private final List<String> fewLessons;

    FindingsDoc(List<Line> lines) {
        this.lines = lines;
        this.runs = lines.stream().map(Line::run).distinct().toList();
        Map<String, Long> perRun = new LinkedHashMap<>();
        for (Line l : lines) {
            perRun.merge(l.run(), 1L, Long::sum);
        }
        long most = perRun.values().stream().mapToLong(Long::longValue).max().orElse(0);
        // As in the report: a run with verdicts on fewer than half the claims of the widest is a flag-set run.
        this.fewLessons = runs.stream().filter(r -> 2 * perRun.get(r) < most).toList();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean check = false;
        Path root = Path.of(".");
        for (String arg : args) {
            if (arg.equals("--check")) {
                check = true;
            } else if (arg.startsWith("-")) {
                err.println("findings-doc: unknown option " + arg + " (use: [--check] [ROOT])");
                return 2;
            } else {
                root = Path.of(arg);
            }
        }
        Path csv = root.resolve("results/reference/claims.csv");
        Path readme = root.resolve("README.md");
        Path findings = root.resolve("docs/findings.md");
        try {
            if (!Files.isRegularFile(csv) || !Files.isRegularFile(readme)) {
                err.println("findings-doc: needs " + csv + " and " + readme + " (run it from the project's folder)");
                return 2;
            }
            FindingsDoc doc = new FindingsDoc(read(Files.readString(csv, StandardCharsets.UTF_8)));
            String oldReadme = Files.readString(readme, StandardCharsets.UTF_8);
            String newReadme = doc.intoReadme(oldReadme);
            String oldFindings = Files.isRegularFile(findings) ? Files.readString(findings, StandardCharsets.UTF_8) : "";
            String newFindings = doc.findingsPage();
            if (check) {
                List<String> stale = new ArrayList<>();
                if (!newReadme.equals(oldReadme)) {
                    stale.add("README.md");
                }
                if (!newFindings.equals(oldFindings)) {
                    stale.add("docs/findings.md");
                }
                if (!stale.isEmpty()) {
                    err.println("findings-doc: " + String.join(" and ", stale) + " out of date with "
                            + "results/reference/claims.csv: run scripts/findings-doc.sh");
                    return 1;
                }
                out.println("findings-doc: README.md and docs/findings.md match results/reference/claims.csv");
                return 0;
            }
            Files.writeString(readme, newReadme, StandardCharsets.UTF_8);
            Files.createDirectories(findings.getParent());
            Files.writeString(findings, newFindings, StandardCharsets.UTF_8);
            out.println("findings-doc: wrote README.md's findings and docs/findings.md");
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("findings-doc: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("findings-doc: " + e);
            return 3;
        }
    }

    // ---------------------------------------------------------------- the README's block

    /** The README with its block between the markers made again; the README must hold both markers. */
    String intoReadme(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README.md has no block between " + BEGIN + " and " + END);
        }
        return readme.substring(0, begin) + BEGIN + "\n" + readmeBlock() + END + readme.substring(end + END.length());
    }

    String readmeBlock() {
        StringBuilder out = new StringBuilder();
        out.append(countsTable(false)).append('\n');
        List<String> wide = wideRuns();
        out.append("The ").append(STRIKING).append(" most striking guide claims: decided alike on every run, farthest")
                .append(" from what they need (|log(measured / needed)|, nearest run). Measured with the 95 % interval:")
                .append("\n\n| lesson | claim | needs |");
        wide.forEach(r -> out.append(' ').append(md(r)).append(" |"));
        out.append("\n|---|---|---|").append("---|".repeat(wide.size())).append('\n');
        for (String key : striking()) {
            Line any = byClaim().get(key).get(0);
            out.append("| ").append(simple(any.lesson())).append(" | ").append(md(text(any))).append(" | ")
                    .append(md(needs(any))).append(" |");
            for (String r : wide) {
                Line l = find(key, r);
                out.append(' ').append(l == null ? "not run" : VerdictLabel.of(l.verdict()) + " " + figure(l))
                        .append(" |");
            }
            out.append('\n');
        }
        out.append("\nEvery claim: [docs/findings.md](docs/findings.md).\n");
        return out.toString();
    }

    /** The claims (lesson|id) of the rule's striking results, most striking first. */
    List<String> striking() {
        List<String> wide = wideRuns();
        record Scored(String key, double distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (var e : byClaim().entrySet()) {
            Line first = e.getValue().get(0);
            if (first.kind() != Claim.Kind.GUIDE) {
                continue;
            }
            Claim c = claim(first);
            if (c == null) {
                continue;
            }
            double needed = c.baseline().isEmpty() ? c.bound() : c.factor();
            Set<String> verdicts = new LinkedHashSet<>();
            double nearest = Double.POSITIVE_INFINITY;
            for (Line l : e.getValue()) {
                if (!wide.contains(l.run()) || l.verdict().equals(ClaimChecker.NOT_MEASURED)) {
                    continue;
                }
                verdicts.add(l.verdict());
                if (l.measured() != null && l.measured() > 0 && needed > 0) {
                    nearest = Math.min(nearest, Math.abs(Math.log(l.measured() / needed)));
                }
            }
            boolean decided = verdicts.size() == 1 && (verdicts.contains(ClaimChecker.CONFIRMED)
                    || verdicts.contains(ClaimChecker.REFUTED));
            if (decided && Double.isFinite(nearest)) {
                scored.add(new Scored(e.getKey(), nearest));
            }
        }
        return scored.stream().sorted(Comparator.comparingDouble((Scored s) -> -s.distance())
                .thenComparing(Scored::key)).limit(STRIKING).map(Scored::key).toList();
    }

    /** Per run the verdict counts of the guide's claims and of the mechanism checks; flag-set runs summed. */
    String countsTable(boolean linkReport) {
        List<String> statuses = List.of(ClaimChecker.CONFIRMED, ClaimChecker.REFUTED, ClaimChecker.INCONCLUSIVE,
                ClaimChecker.NOT_MEASURED);
        StringBuilder out = new StringBuilder("| run | guide's claims |");
        statuses.forEach(s -> out.append(' ').append(VerdictLabel.of(s)).append(" |"));
        out.append(" mechanism checks |");
        statuses.forEach(s -> out.append(' ').append(VerdictLabel.of(s)).append(" |"));
        out.append("\n|---|").append("---:|".repeat(10)).append('\n');
        for (String r : wideRuns()) {
            countRow(out, md(r), List.of(r), statuses);
        }
        if (!fewLessons.isEmpty()) {
            countRow(out, fewLessons.size() + " flag-set runs" + (linkReport ? " (below)" : ""), fewLessons,
                    statuses);
        }
        return out.toString();
    }

    private void countRow(StringBuilder out, String label, List<String> runLabels, List<String> statuses) {
        out.append("| ").append(label).append(" |");
        for (Claim.Kind kind : List.of(Claim.Kind.GUIDE, Claim.Kind.MECHANISM)) {
            List<Line> of = lines.stream().filter(l -> l.kind() == kind && runLabels.contains(l.run())).toList();
            out.append(' ').append(of.size()).append(" |");
            for (String s : statuses) {
                out.append(' ').append(of.stream().filter(l -> l.verdict().equals(s)).count()).append(" |");
            }
        }
        out.append('\n');
    }

    // ---------------------------------------------------------------- docs/findings.md

    String findingsPage() {
        StringBuilder out = new StringBuilder("# Findings\n\n");
        out.append("Every claim of the reference results with its verdict and measured figure (95 % interval) per")
                .append(" run. Generated from [`results/reference/claims.csv`](../results/reference/claims.csv) by")
                .append(" `scripts/findings-doc.sh`; a test fails when this page is out of date with it. The reasons")
                .append(" and each lesson's tables and charts are in the [reference report](../results/reference/report.md);")
                .append(" what the verdicts mean: [the glossary](../README.md#verdicts); how they are reached:")
                .append(" [statistics.md](statistics.md); how the reference is made: [running.md](running.md#the-reference-results).\n\n");
        out.append(countsTable(true)).append('\n');
        for (Claim.Kind kind : List.of(Claim.Kind.GUIDE, Claim.Kind.MECHANISM)) {
            out.append(kind == Claim.Kind.GUIDE ? "## The guide's claims\n\n"
                    : "## Mechanism checks\n\nHow the JVM gets there: true by construction or nearly so.\n\n");
            List<String> wide = wideRuns();
            out.append("| lesson | claim | needs |");
            wide.forEach(r -> out.append(' ').append(md(r)).append(" | measured |"));
            out.append("\n|---|---|---|").append("---|---:|".repeat(wide.size())).append('\n');
            for (var e : byClaim().entrySet()) {
                Line any = e.getValue().get(0);
                if (any.kind() != kind || e.getValue().stream().noneMatch(l -> wide.contains(l.run()))) {
                    continue;
                }
                out.append("| ").append(lessonLink(any.lesson())).append(" | ").append(md(text(any))).append(" | ")
                        .append(md(needs(any))).append(" |");
                for (String r : wide) {
                    Line l = find(e.getKey(), r);
                    out.append(' ').append(l == null ? "not run |  |"
                            : VerdictLabel.of(l.verdict()) + " | " + figure(l) + " |");
                }
                out.append('\n');
            }
            out.append('\n');
        }
        if (!fewLessons.isEmpty()) {
            out.append("## Flag-set runs\n\nRuns of one lesson under other JVM flags (the collectors), with the")
                    .append(" claims of that lesson.\n\n| lesson | claim | run | verdict | measured |\n|---|---|---|---|---:|\n");
            for (String r : fewLessons) {
                for (Line l : lines) {
                    if (l.run().equals(r)) {
                        out.append("| ").append(lessonLink(l.lesson())).append(" | ").append(md(text(l))).append(" | ")
                                .append(md(r)).append(" | ").append(VerdictLabel.of(l.verdict())).append(" | ")
                                .append(figure(l)).append(" |\n");
                    }
                }
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- helpers

    private List<String> wideRuns() {
        return runs.stream().filter(r -> !fewLessons.contains(r)).toList();
    }

    private Map<String, List<Line>> byClaim() {
        Map<String, List<Line>> out = new LinkedHashMap<>();
        for (Line l : lines) {
            out.computeIfAbsent(l.lesson() + "|" + l.claim(), k -> new ArrayList<>()).add(l);
        }
        return out;
    }

    private Line find(String key, String run) {
        for (Line l : byClaim().getOrDefault(key, List.of())) {
            if (l.run().equals(run)) {
                return l;
            }
        }
        return null;
    }

    /** The line's unit: claims.csv's, else "x" for a ratio claim and none for a bound. */
    private String unit(Line l) {
        if (l.unit() != null) {
            return l.unit();
        }
        Claim c = claim(l);
        return c != null && !c.baseline().isEmpty() ? "x" : "";
    }

    private Claim claim(Line l) {
        for (Claim c : claims.claimsOf(l.lesson())) {
            if (c.id().equals(l.claim())) {
                return c;
            }
        }
        return null;
    }

    private String text(Line l) {
        Claim c = claim(l);
        return c == null ? l.claim() : c.text();
    }

    private String needs(Line l) {
        Claim c = claim(l);
        if (c == null) {
            return "?";
        }
        String unit = c.baseline().isEmpty() && !unit(l).isEmpty() ? " " + unit(l) : "";
        return ReportBuilder.needs(c) + unit;
    }

    /** "412x (300 to 560)", "25300 us/op (24000 to 26800)", "" when there is no figure. */
    private String figure(Line l) {
        if (l.measured() == null) {
            return "";
        }
        String unit = unit(l);
        boolean ratio = "x".equals(unit);
        String value = ratio ? Fmt.factor(l.measured()) + "x" : Fmt.value(l.measured()) + (unit.isEmpty() ? "" : " " + unit);
        if (l.low() == null || l.high() == null) {
            return value + " (no interval)";
        }
        return value + " (" + (ratio ? Fmt.factor(l.low()) + " to " + Fmt.factor(l.high())
                : Fmt.value(l.low()) + " to " + Fmt.value(l.high())) + ")";
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String lessonLink(String className) {
        return "[" + simple(className) + "](../src/main/java/" + className.replace('.', '/') + ".java)";
    }

    private static String md(String text) {
        return Doc.md(text);
    }

    // ---------------------------------------------------------------- claims.csv

    /** claims.csv's lines; in a file without the unit column (older reports) the unit is null, see {@link #unit}. */
    static List<Line> read(String csv) {
        List<List<String>> rows = parse(csv);
        if (rows.isEmpty() || !rows.get(0).subList(0, Math.min(9, rows.get(0).size())).equals(List.of("run", "lesson",
                "claim", "kind", "verdict", "measured", "ci_low", "ci_high", "reason"))) {
            throw new IllegalArgumentException("claims.csv does not start with the report's header"
                    + " run,lesson,claim,kind,verdict,measured,ci_low,ci_high,reason");
        }
        int unitColumn = rows.get(0).indexOf("unit");
        List<Line> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            if (r.size() < 9) {
                throw new IllegalArgumentException("claims.csv: a line of " + r.size() + " cells: " + r);
            }
            String unit = unitColumn >= 0 && unitColumn < r.size() ? r.get(unitColumn) : null;
            out.add(new Line(r.get(0), r.get(1), r.get(2), Claim.Kind.valueOf(r.get(3)), r.get(4), number(r.get(5)),
                    number(r.get(6)), number(r.get(7)), unit));
        }
        return out;
    }

    private static Double number(String cell) {
        return cell.isEmpty() ? null : Double.valueOf(cell);
    }

    /** RFC 4180: cells separated by commas, quoted where they hold a comma, quote or line break. */
    static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n') {
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else if (c != '\r') {
                cell.append(c);
            }
        }
        if (cell.length() > 0 || !row.isEmpty()) {
            row.add(cell.toString());
            rows.add(row);
        }
        return rows;
    }
}
