package perfmastery.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code report [--out DIR] [--baseline FILE] [--fail-on claims|regressions] FILE.json...}: turns JMH JSON
 * into DIR/report.md, DIR/report.html, DIR/charts/*.svg, DIR/comparison.csv and DIR/claims.csv.
 *
 * <p>Exit codes: 0 done; 1 done, but {@code --fail-on} found a REFUTED claim or a regression (and nothing else:
 * 1 is the gate's alone; an INCONCLUSIVE claim is not a failure, the data could not tell); 2 bad input or usage
 * (one line on stderr naming the file); 3 an internal error, a bug of the report (one line naming the exception
 * and where it was thrown).
 */
public final class ReportMain {

    static final String USAGE = "usage: report [--out DIR] [--baseline FILE] [--fail-on claims|regressions] FILE.json...";
    /** Where the report goes without --out: ./report under the current directory. */
    static final String DEFAULT_OUT = "report";

    private ReportMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return runOrThrow(args, out, err);
        } catch (OutOfMemoryError e) {
            // Not the gate's exit 1, and no stack trace: say what to do.
            err.println("report: out of memory (heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                    + " MB): give the report more heap (java -Xmx2g ...), or fewer files at once");
            return 3;
        } catch (RuntimeException e) {
            // Not a user mistake but a bug: still one line, and never exit 1, which is the gate's answer.
            StackTraceElement at = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
            err.println("report: internal error, please report it with the input files: " + e.getClass().getName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
                    + (at == null ? "" : " (" + at.getFileName() + ":" + at.getLineNumber() + ")"));
            return 3;
        }
    }

    private static int runOrThrow(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        Path outDir = Path.of(DEFAULT_OUT);
        Path baselineFile = null;
        String failOn = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    out.println("Writes DIR/report.md, report.html, charts/*.svg, comparison.csv, claims.csv"
                            + " (DIR defaults to ./" + DEFAULT_OUT + "). With several files the first is run a and"
                            + " each later one run b; with --baseline the baseline is run a for every file."
                            + " --fail-on claims exits 1 when a claim is REFUTED (INCONCLUSIVE is not a failure);"
                            + " --fail-on regressions exits 1 when a row is significantly slower or allocates more"
                            + " than in the baseline.");
                    return 0;
                }
                case "--out", "--baseline", "--fail-on" -> {
                    if (i + 1 >= args.length) {
                        err.println("report: " + arg + " needs a value; " + USAGE);
                        return 2;
                    }
                    String value = args[++i];
                    if (arg.equals("--out")) {
                        outDir = Path.of(value);
                    } else if (arg.equals("--baseline")) {
                        baselineFile = Path.of(value);
                    } else if (value.equals("claims") || value.equals("regressions")) {
                        failOn = value;
                    } else {
                        err.println("report: --fail-on takes claims or regressions, not \"" + value + "\"");
                        return 2;
                    }
                }
                default -> {
                    if (arg.startsWith("--")) {
                        err.println("report: unknown option " + arg + "; " + USAGE);
                        return 2;
                    }
                    files.add(Path.of(arg));
                }
            }
        }
        if (files.isEmpty()) {
            err.println("report: no JSON file given; " + USAGE);
            return 2;
        }
        if ("regressions".equals(failOn) && baselineFile == null) {
            err.println("report: --fail-on regressions needs --baseline FILE (the run to compare against)");
            return 2;
        }
        List<Run> runs = new ArrayList<>();
        Run baseline;
        List<Path> toRead = new ArrayList<>(files);
        if (baselineFile != null) {
            toRead.add(baselineFile);
        }
        // Files are read in parallel; the first bad one in argument order is the one reported.
        List<Object> read = toRead.parallelStream().map(ReportMain::readOrProblem).toList();
        for (Object r : read) {
            if (r instanceof BadInputException e) {
                err.println("report: " + e.getMessage());
                return 2;
            }
        }
        for (int i = 0; i < files.size(); i++) {
            runs.add((Run) read.get(i));
        }
        baseline = baselineFile == null ? null : (Run) read.get(files.size());
        List<Run> all = new ArrayList<>();
        if (baseline != null) {
            all.add(baseline);
        }
        all.addAll(runs);
        List<Run> labelled = label(all);
        baseline = baseline == null ? null : labelled.get(0);
        runs = labelled.subList(baseline == null ? 0 : 1, labelled.size());

        ReportBuilder.Output report = new ReportBuilder().build(runs, baseline);
        try {
            write(outDir, report);
        } catch (IOException | UncheckedIOException e) {
            err.println("report: cannot write " + outDir + " (" + e.getMessage() + ")");
            return 2;
        }
        for (String warning : report.warnings()) {
            err.println("report: warning: " + warning);
        }
        long confirmed = count(report, ClaimChecker.CONFIRMED);
        long refuted = count(report, ClaimChecker.REFUTED);
        long inconclusive = count(report, ClaimChecker.INCONCLUSIVE);
        long unmeasured = count(report, ClaimChecker.NOT_MEASURED);
        long regressions = report.comparisons().stream().flatMap(c -> c.lines().stream())
                .filter(RunComparison.Line::regression).count();
        out.println("report: wrote " + outDir.resolve("report.md") + " and report.html (" + runs.size() + " run(s), "
                + report.comparisons().size() + " comparison(s); claims: " + confirmed + " confirmed, " + refuted
                + " refuted, " + inconclusive + " inconclusive, " + unmeasured + " not measured; " + regressions
                + " significantly worse row(s))");
        if ("claims".equals(failOn) && refuted > 0) {
            err.println("report: --fail-on claims: " + refuted + " claim(s) REFUTED (INCONCLUSIVE ones do not fail)");
            return 1;
        }
        if ("regressions".equals(failOn) && regressions > 0) {
            err.println("report: --fail-on regressions: " + regressions + " row(s) significantly slower or"
                    + " allocating more than " + baseline.label() + " (by at least 3 %)");
            return 1;
        }
        return 0;
    }

    private static long count(ReportBuilder.Output report, String status) {
        return report.verdicts().stream().filter(v -> v.status().equals(status)).count();
    }

    private static Object readOrProblem(Path file) {
        try {
            return JmhJsonReader.read(file);
        } catch (BadInputException e) {
            return e;
        } catch (RuntimeException e) {
            // Whatever else a file's content provokes is still a problem of that file: one line naming it.
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                    .orElse("").replaceAll("([0-9]{12})[0-9]{8,}", "$1...");
            return new BadInputException(file + ": cannot be read as JMH results (" + why + ")");
        }
    }

    /** The report's chart names: such a file in DIR/charts that this report did not write is an earlier one's. */
    private static final java.util.regex.Pattern OWN_CHART =
            java.util.regex.Pattern.compile("(lesson|compare)-.+\\.svg");

    private static void write(Path dir, ReportBuilder.Output report) throws IOException {
        Path charts = dir.resolve("charts");
        Files.createDirectories(charts);
        // Charts of an earlier report into the same DIR would otherwise stay beside the new ones. Only the
        // report's own file names in its own charts folder are removed: never anything else (a run folder
        // holds the JSON and logs the report was made from).
        Set<String> writing = new java.util.HashSet<>();
        for (String file : report.charts().keySet()) {
            writing.add(Path.of(file).getFileName().toString());
        }
        try (var old = Files.list(charts)) {
            for (Path file : old.toList()) {
                String name = file.getFileName().toString();
                if (OWN_CHART.matcher(name).matches() && !writing.contains(name) && Files.isRegularFile(file,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(file);
                }
            }
        }
        Files.writeString(dir.resolve("report.md"), report.markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), report.html(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("comparison.csv"), report.comparisonCsv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("claims.csv"), report.claimsCsv(), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> chart : report.charts().entrySet()) {
            Files.writeString(dir.resolve(chart.getKey()),
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart.getValue() + "\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * Column labels: "JDK 17.0.15", then the VM name, then the JVM flags that not all runs share, then the
     * file name, each added only while two runs would otherwise look the same.
     */
    static List<Run> label(List<Run> runs) {
        List<String> labels = new ArrayList<>();
        for (Run run : runs) {
            labels.add(run.jdkVersion().isEmpty() ? run.fileName() : "JDK " + run.jdkVersion());
        }
        Set<String> common = runs.isEmpty() ? Set.of() : new LinkedHashSet<>(runs.get(0).jvmArgs());
        for (Run run : runs) {
            common.retainAll(run.jvmArgs());
        }
        for (int step = 0; step < 4; step++) {
            Map<String, Integer> counts = new HashMap<>();
            for (String l : labels) {
                counts.merge(l, 1, Integer::sum);
            }
            for (int i = 0; i < runs.size(); i++) {
                if (counts.get(labels.get(i)) < 2) {
                    continue;
                }
                Run run = runs.get(i);
                String extra = switch (step) {
                    case 0 -> run.vmName();
                    case 1 -> String.join(" ", run.jvmArgs().stream().filter(a -> !common.contains(a)).toList());
                    case 2 -> "(" + run.fileName() + ")";
                    default -> "#" + (i + 1);
                };
                if (!extra.isBlank()) {
                    labels.set(i, labels.get(i) + " " + extra);
                }
            }
            if (step == 0) {
                // The VM name only helps when it differs; drop it again where all duplicates share it.
                List<String> undo = new ArrayList<>();
                Map<String, Integer> after = new HashMap<>();
                for (String l : labels) {
                    after.merge(l, 1, Integer::sum);
                }
                for (int i = 0; i < runs.size(); i++) {
                    String l = labels.get(i);
                    boolean vmAdded = counts.getOrDefault(l, 0) == 0 && after.get(l) > 1;
                    undo.add(vmAdded ? l.substring(0, l.length() - runs.get(i).vmName().length() - 1) : l);
                }
                labels = undo;
            }
        }
        List<Run> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            out.add(runs.get(i).withLabel(labels.get(i)));
        }
        return out;
    }
}
