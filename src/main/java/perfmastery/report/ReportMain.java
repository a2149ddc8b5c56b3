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
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code report [--out DIR] [--baseline FILE]... [--fail-on claims|regressions] [--merge] [--allow-duplicate-rows]
 * FILE.json...}: turns JMH JSON into DIR/report.md, DIR/report.html, DIR/charts/*.svg, DIR/comparison.csv and
 * DIR/claims.csv. Each file's sidecar ({@code FILE.run.json}) is read where present, and the files of one run
 * identity are merged into one run ({@link RunMerge}, which states the rule).
 *
 * <p>Exit codes: 0 done (also when the regression gate leaves rows undecided: a warning says so); 1 done, but
 * {@code --fail-on claims} found a REFUTED claim (an INCONCLUSIVE claim is not a failure, the data could not tell);
 * 2 bad input or usage (one line on stderr naming the file); 3 an internal error, a bug of the report (one line
 * naming the exception and where it was thrown); 4 ({@link perfmastery.runner.ExitCode#REGRESSION}) done, but
 * {@code --fail-on regressions} found a regression ({@link RegressionGate}: head/base wholly above 1 + margin,
 * Holm over the run's rows × metrics).
 */
public final class ReportMain {

    static final String USAGE = "usage: report [--out DIR] [--baseline FILE]... [--fail-on claims|regressions]"
            + " [--margin P%] [--merge] [--allow-duplicate-rows] FILE.json...";
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
        List<Path> baselineFiles = new ArrayList<>();
        String failOn = null;
        boolean mergeWithoutSidecars = false;
        boolean allowDuplicateRows = false;
        double margin = RegressionGate.DEFAULT_MARGIN;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    out.println("Writes DIR/report.md, report.html, charts/*.svg, comparison.csv, claims.csv"
                            + " (DIR defaults to ./" + DEFAULT_OUT + "). Files of one run identity (their sidecars"
                            + " FILE.run.json agree on JDK, VM, JVM flags, machine kind and commit) are merged into"
                            + " one run; files without sidecars only with --merge (same JDK, VM and JVM arguments);"
                            + " two files of one identity that hold the same row exit 2 unless"
                            + " --allow-duplicate-rows keeps them as separate runs. The first run is run a and each"
                            + " later one run b; --baseline (repeatable, merged by the same rule) is run a instead:"
                            + " one baseline run for every run, or with several each run's own (same JDK and flags)."
                            + " --fail-on claims exits 1 when a claim is REFUTED (INCONCLUSIVE is not a failure);"
                            + " --fail-on regressions exits 4 when the regression gate finds a row slower (or"
                            + " allocating more) than the baseline by more than --margin (default 5%), Holm over the"
                            + " run's rows x metrics at 5 %; undecided rows are a warning, exit 0. Files of different"
                            + " invocations (sidecar run ids) are different runs: compared, never merged.");
                    return 0;
                }
                case "--merge" -> mergeWithoutSidecars = true;
                case "--allow-duplicate-rows" -> allowDuplicateRows = true;
                case "--out", "--baseline", "--fail-on", "--margin" -> {
                    if (i + 1 >= args.length) {
                        err.println("report: " + arg + " needs a value; " + USAGE);
                        return 2;
                    }
                    String value = args[++i];
                    if (arg.equals("--out")) {
                        outDir = Path.of(value);
                    } else if (arg.equals("--baseline")) {
                        baselineFiles.add(Path.of(value));
                    } else if (arg.equals("--margin")) {
                        try {
                            margin = RegressionGate.parseMargin(value);
                        } catch (IllegalArgumentException e) {
                            err.println("report: " + e.getMessage());
                            return 2;
                        }
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
        if ("regressions".equals(failOn) && baselineFiles.isEmpty()) {
            err.println("report: --fail-on regressions needs --baseline FILE (the run to compare against)");
            return 2;
        }
        files = withoutGivenSidecars(files);
        baselineFiles = withoutGivenSidecars(baselineFiles);
        if (files.isEmpty()) {
            err.println("report: only sidecars (.run.json) given; pass the JMH JSON files beside them");
            return 2;
        }
        List<Path> toRead = new ArrayList<>(files);
        toRead.addAll(baselineFiles);
        // Files are read in parallel; the first bad one in argument order is the one reported.
        List<Object> read = toRead.parallelStream().map(ReportMain::readOrProblem).toList();
        for (Object r : read) {
            if (r instanceof BadInputException e) {
                err.println("report: " + e.getMessage());
                return 2;
            }
        }
        List<Run> fileRuns = new ArrayList<>();
        List<Run> baselineRuns = new ArrayList<>();
        List<Sidecar> sidecars = read.stream().map(r -> ((Run) r).sidecar()).filter(Objects::nonNull).toList();
        for (int i = 0; i < read.size(); i++) {
            (i < files.size() ? fileRuns : baselineRuns).add(withLoadWarning((Run) read.get(i), sidecars));
        }
        RunMerge.Result merged;
        RunMerge.Result mergedBaselines;
        try {
            merged = RunMerge.merge(fileRuns, mergeWithoutSidecars, allowDuplicateRows, "");
            mergedBaselines = RunMerge.merge(baselineRuns, mergeWithoutSidecars, allowDuplicateRows, "baseline ");
        } catch (BadInputException e) {
            err.println("report: " + e.getMessage());
            return 2;
        }
        List<Run> all = new ArrayList<>(mergedBaselines.runs());
        all.addAll(merged.runs());
        List<Run> labelled = label(all);
        List<Run> baselines = labelled.subList(0, mergedBaselines.runs().size());
        List<Run> runs = labelled.subList(baselines.size(), labelled.size());
        List<String> inputWarnings = new ArrayList<>(mergedBaselines.warnings());
        inputWarnings.addAll(merged.warnings());

        ReportBuilder.Output report = new ReportBuilder().gateMargin(margin).build(runs, baselines, inputWarnings);
        GateSection.Gate gate = report.gate();
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
        long regressions = gate.count(RegressionGate.Verdict.REGRESSION);
        String undecided = gate.undecidedWarning();
        if (undecided != null) {
            err.println("report: warning: " + undecided);
        }
        out.println("report: wrote " + outDir.resolve("report.md") + " and report.html (" + runs.size() + " run(s), "
                + report.comparisons().size() + " comparison(s); claims: " + confirmed + " confirmed, " + refuted
                + " refuted, " + inconclusive + " inconclusive, " + unmeasured + " not measured; regression gate: "
                + (gate.gated().isEmpty() ? "no gated comparison" : regressions + " regression(s), "
                + gate.count(RegressionGate.Verdict.UNDECIDED) + " undecided, margin " + GateSection.percent(margin))
                + ")");
        if ("claims".equals(failOn) && refuted > 0) {
            err.println("report: --fail-on claims: " + refuted + " claim(s) REFUTED (INCONCLUSIVE ones do not fail)");
            return 1;
        }
        if ("regressions".equals(failOn) && regressions > 0) {
            err.println("report: --fail-on regressions: " + regressions + " row(s) slower or allocating more than the"
                    + " baseline by more than the " + GateSection.percent(margin) + " margin (Holm over "
                    + gate.family() + " rows x metrics at " + RegressionGate.ALPHA + "); exit "
                    + perfmastery.runner.ExitCode.REGRESSION);
            return perfmastery.runner.ExitCode.REGRESSION;
        }
        return 0;
    }

    private static long count(ReportBuilder.Output report, String status) {
        return report.verdicts().stream().filter(v -> v.status().equals(status)).count();
    }

    /**
     * The arguments without the sidecars whose JSON is also given ({@code report results/latest/*.json} names
     * both): a sidecar is read beside its JSON, not as JMH results.
     */
    private static List<Path> withoutGivenSidecars(List<Path> files) {
        Set<Path> given = new java.util.HashSet<>();
        for (Path file : files) {
            given.add(file.toAbsolutePath().normalize());
        }
        List<Path> out = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString();
            if (name.endsWith(perfmastery.runner.RunMetadata.SUFFIX)) {
                Path json = file.resolveSibling(name.substring(0, name.length()
                        - perfmastery.runner.RunMetadata.SUFFIX.length()) + ".json");
                if (given.contains(json.toAbsolutePath().normalize())) {
                    continue;
                }
            }
            out.add(file);
        }
        return out;
    }

    /**
     * The run with a warning when its machine was busy with other work ({@link Sidecar#loadWarning}). Whether the
     * load before it may be another run's own is told by the other inputs' sidecars: a run that started within
     * five minutes of another's end (the 1-minute load average's memory) inherits that run's threads in it.
     */
    private static Run withLoadWarning(Run run, List<Sidecar> sidecars) {
        Sidecar sidecar = run.sidecar();
        if (sidecar == null) {
            return run;
        }
        String loaded = sidecar.loadWarning(run.file().toString(), sidecar.followsAnother(sidecars));
        if (loaded == null) {
            return run;
        }
        List<String> warnings = new ArrayList<>(run.warnings());
        warnings.add(loaded);
        return new Run(run.file(), run.label(), run.jmhVersion(), run.jdkVersion(), run.vmName(), run.vmVersion(),
                run.jvmArgs(), run.rows(), warnings, run.parts());
    }

    /** A file's run with its sidecar (where it has one), or the problem that makes it unreadable. */
    private static Object readOrProblem(Path file) {
        try {
            Run run = JmhJsonReader.read(file);
            List<String> warnings = new ArrayList<>(run.warnings());
            Sidecar sidecar = Sidecar.readFor(file, run.jdkVersion(), warnings);
            Run withWarnings = new Run(run.file(), run.label(), run.jmhVersion(), run.jdkVersion(), run.vmName(),
                    run.vmVersion(), run.jvmArgs(), run.rows(), warnings);
            return sidecar == null ? withWarnings : withWarnings.withSidecar(sidecar);
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
        for (String file : report.page().charts().keySet()) {
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
        // Hundreds of small chart files cost a file creation each: another thread writes them meanwhile.
        CompletableFuture<Void> chartFiles = CompletableFuture.runAsync(() -> {
            for (Map.Entry<String, String> chart : report.page().charts().entrySet()) {
                try {
                    Files.writeString(dir.resolve(chart.getKey()), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            + chart.getValue() + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        try {
            Files.writeString(dir.resolve("report.md"), report.markdown(), StandardCharsets.UTF_8);
            try (var html = Files.newBufferedWriter(dir.resolve("report.html"), StandardCharsets.UTF_8)) {
                report.page().writeTo(html);
            }
            Files.writeString(dir.resolve("comparison.csv"), report.comparisonCsv(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("claims.csv"), report.claimsCsv(), StandardCharsets.UTF_8);
        } finally {
            // Waited for even when a write here failed, so that no thread writes after the report has exited.
            try {
                chartFiles.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
        }
    }

    /** "commit 0123456" (with "+dirty" for a tree with uncommitted changes), or "" without a sidecar's commit. */
    private static String commitLabel(Run run) {
        Sidecar s = run.sidecar();
        if (s == null || s.commit() == null) {
            return "";
        }
        return "commit " + s.commit().substring(0, Math.min(7, s.commit().length()))
                + (Boolean.TRUE.equals(s.dirty()) ? "+dirty" : "");
    }

    /** The flags a label may name: the user's where the sidecar says (not the runner's, which differ by JDK). */
    private static List<String> labelFlags(Run run) {
        return run.userFlags() != null ? run.userFlags() : run.jvmArgs();
    }

    /**
     * Column labels: "JDK 17.0.15" (or "Node 20.20.2" for the node/ driver's runs), then the VM name, then the JVM flags that not all runs share (the user's
     * flags where a sidecar names them), then the commit (where the sidecars name different ones), then the
     * file name, each added only while two runs would otherwise look the same.
     */
    static List<Run> label(List<Run> runs) {
        List<String> labels = new ArrayList<>();
        for (Run run : runs) {
            labels.add(run.jdkVersion().isEmpty() ? run.fileName() : NodeSection.runtimeLabel(run));
        }
        Set<String> common = runs.isEmpty() ? Set.of() : new LinkedHashSet<>(labelFlags(runs.get(0)));
        for (Run run : runs) {
            common.retainAll(labelFlags(run));
        }
        for (int step = 0; step < 5; step++) {
            Map<String, Integer> counts = new HashMap<>();
            for (String l : labels) {
                counts.merge(l, 1, Integer::sum);
            }
            Map<String, Set<String>> commitsByLabel = new HashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                commitsByLabel.computeIfAbsent(labels.get(i), k -> new java.util.HashSet<>()).add(commitLabel(runs.get(i)));
            }
            for (int i = 0; i < runs.size(); i++) {
                if (counts.get(labels.get(i)) < 2) {
                    continue;
                }
                Run run = runs.get(i);
                String extra = switch (step) {
                    case 0 -> run.vmName();
                    case 1 -> String.join(" ", labelFlags(run).stream().filter(a -> !common.contains(a)).toList());
                    // The commit only where it tells the runs apart (a baseline from main against a pull request).
                    case 2 -> commitsByLabel.get(labels.get(i)).size() > 1 ? commitLabel(run) : "";
                    case 3 -> "(" + run.fileName() + ")";
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
