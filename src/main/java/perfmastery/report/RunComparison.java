package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Run a against run b, row by row: rows are keyed by (benchmark, mode, sorted params, threads), the
 * ratio is normalised so that above 1 means run b is better, and the verdict needs both a 95 %
 * interval ({@link Intervals}: each run's fork-to-fork variance pooled over the lesson's rows) that
 * excludes 1 and an effect of at least {@link #THRESHOLD}. Otherwise it is {@code ≈}, which also covers
 * "cannot tell" (1 fork, no rawData): the line's note says which.
 */
final class RunComparison {

    /** Least relative effect that earns a verdict other than "≈". */
    static final double THRESHOLD = 0.03;
    /** Allocation below this many bytes per operation on both sides is "nothing allocated". */
    static final double NEGLIGIBLE_BYTES = 1.0;
    static final String ALLOC = "gc.alloc.rate.norm";
    /** The verdict of a pair whose units do not convert into each other (ns/op against ops/s, B/op against #). */
    static final String UNITS_DIFFER = "units-differ";

    /**
     * One compared key and metric.
     *
     * @param a       the row of run a, null when only b has it
     * @param b       the row of run b, null when only a has it
     * @param metric  {@link Metric#PRIMARY} or {@link #ALLOC}
     * @param ratio   the ratio with its interval (above 1: b better); null for only-a, only-b, units-differ
     * @param verdict faster, slower, ≈, more-alloc, less-alloc, only-a, only-b, units-differ (no ratio)
     * @param note    why a {@code ≈} is one (no interval and why, the interval includes 1, the effect is small),
     *                or why units differ; empty otherwise
     */
    record Line(Row a, Row b, String metric, Estimate ratio, String verdict, String note) {
        Row any() {
            return a != null ? a : b;
        }

        boolean regression() {
            return "slower".equals(verdict) || "more-alloc".equals(verdict);
        }
    }

    record Result(Run a, Run b, List<Line> lines, List<String> warnings, double geometricMean, int geometricCount) {
        List<Line> primary() {
            return lines.stream().filter(l -> Metric.PRIMARY.equals(l.metric())).toList();
        }

        Line alloc(Line primary) {
            for (Line l : lines) {
                if (ALLOC.equals(l.metric()) && l.a() == primary.a() && l.b() == primary.b()) {
                    return l;
                }
            }
            return null;
        }
    }

    private RunComparison() {
    }

    static Result compare(Run a, Run b) {
        Map<String, Row> rowsA = byKey(a);
        Map<String, Row> rowsB = byKey(b);
        Set<String> keys = new LinkedHashSet<>(rowsA.keySet());
        keys.addAll(rowsB.keySet());
        List<Line> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Intervals.Pools poolsA = new Intervals.Pools(a.rows());
        Intervals.Pools poolsB = new Intervals.Pools(b.rows());
        // Rows are independent (the pools are built once, thread-safely): compute them in parallel, keep the order.
        List<List<Line>> perKey = keys.parallelStream()
                .map(key -> lines(rowsA.get(key), rowsB.get(key), poolsA, poolsB)).toList();
        double logSum = 0;
        int logCount = 0;
        for (List<Line> keyLines : perKey) {
            for (Line line : keyLines) {
                lines.add(line);
                if (UNITS_DIFFER.equals(line.verdict())) {
                    warnings.add(line.any().shortName() + paramsSuffix(line.any()) + " " + line.any().mode() + ": "
                            + (Metric.PRIMARY.equals(line.metric()) ? "" : line.metric() + " ") + "units "
                            + unitOf(line.a(), line.metric()) + " (a) and " + unitOf(line.b(), line.metric())
                            + " (b) do not convert into each other: no ratio, no verdict");
                } else if (line.ratio() == null) {
                    Row only = line.any();
                    Run missingFrom = line.a() == null ? a : b;
                    warnings.add(only.shortName() + paramsSuffix(only) + " was not run in " + missingFrom.label()
                            + whyMissing(only, missingFrom));
                } else if (Metric.PRIMARY.equals(line.metric()) && Double.isFinite(line.ratio().value())
                        && line.ratio().value() > 0) {
                    logSum += Math.log(line.ratio().value());
                    logCount++;
                }
            }
        }
        differences(a, b, warnings);
        double geo = logCount == 0 ? Double.NaN : Math.exp(logSum / logCount);
        return new Result(a, b, lines, warnings, geo, logCount);
    }

    private static List<Line> lines(Row ra, Row rb, Intervals.Pools poolsA, Intervals.Pools poolsB) {
        if (ra == null || rb == null) {
            return List.of(new Line(ra, rb, Metric.PRIMARY, null, ra == null ? "only-b" : "only-a", ""));
        }
        List<Line> out = new ArrayList<>(2);
        // Run b's figures in run a's unit (ops/s against ops/ms, us/op against ns/op); none where they do not convert.
        // A pool's variance is relative (log scale), so converting a run's unit leaves its pools as they are.
        Metric primaryA = ra.primary();
        Metric primaryB = Units.convert(rb.primary(), primaryA.unit());
        if (primaryB == null) {
            out.add(new Line(ra, rb, Metric.PRIMARY, null, UNITS_DIFFER,
                    primaryA.unit() + " vs " + rb.primary().unit() + " do not convert"));
        } else {
            Intervals.Data pa = Intervals.data(primaryA);
            Intervals.Data pb = Intervals.data(primaryB);
            Estimate ratio = rb.higherIsBetter()
                    ? Intervals.ratio(pb, poolsB.of(rb, Metric.PRIMARY), pa, poolsA.of(ra, Metric.PRIMARY))
                    : Intervals.ratio(pa, poolsA.of(ra, Metric.PRIMARY), pb, poolsB.of(rb, Metric.PRIMARY));
            out.add(line(ra, rb, Metric.PRIMARY, ratio, "faster", "slower"));
        }
        Metric allocMetricA = ra.secondary().get(ALLOC);
        Metric allocInB = rb.secondary().get(ALLOC);
        if (allocMetricA != null && allocInB != null) {
            Metric allocMetricB = Units.convert(allocInB, allocMetricA.unit());
            if (allocMetricB == null) {
                out.add(new Line(ra, rb, ALLOC, null, UNITS_DIFFER,
                        allocMetricA.unit() + " vs " + allocInB.unit() + " do not convert"));
                return out;
            }
            Intervals.Data allocA = Intervals.data(allocMetricA);
            Intervals.Data allocB = Intervals.data(allocMetricB);
            Estimate allocRatio = Intervals.ratio(allocA, poolsA.of(ra, ALLOC), allocB, poolsB.of(rb, ALLOC));
            if (Math.max(allocMetricA.score(), allocMetricB.score()) < NEGLIGIBLE_BYTES) {
                out.add(new Line(ra, rb, ALLOC, allocRatio, "≈", "both allocate under " + Fmt.value(NEGLIGIBLE_BYTES)
                        + " B/op"));
            } else {
                out.add(line(ra, rb, ALLOC, allocRatio, "less-alloc", "more-alloc"));
            }
        }
        return out;
    }

    private static Line line(Row ra, Row rb, String metric, Estimate ratio, String better, String worse) {
        String verdict = verdict(ratio, better, worse);
        return new Line(ra, rb, metric, ratio, verdict, "≈".equals(verdict) ? whyCannotTell(ratio) : "");
    }

    static String verdict(Estimate ratio, String better, String worse) {
        if (!ratio.hasInterval()) {
            return "≈";
        }
        if (ratio.low() > 1 && ratio.value() >= 1 + THRESHOLD) {
            return better;
        }
        if (ratio.high() < 1 && ratio.value() <= 1 - THRESHOLD) {
            return worse;
        }
        return "≈";
    }

    /** Why a ratio earns no verdict: no interval (and why), an interval that includes 1, or a small effect. */
    static String whyCannotTell(Estimate ratio) {
        if (!ratio.hasInterval()) {
            return "cannot tell: " + ratio.note();
        }
        if (ratio.low() <= 1 && ratio.high() >= 1) {
            return "the interval includes 1";
        }
        return "the effect is under " + Math.round(THRESHOLD * 100) + " %";
    }

    private static String whyMissing(Row row, Run missingFrom) {
        boolean virtual = row.method().toLowerCase(java.util.Locale.ROOT).contains("virtual")
                || row.params().values().stream().anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("virtual"));
        return virtual && javaMajor(missingFrom.jdkVersion()) < 21 ? ": needs JDK 21+" : "";
    }

    static int javaMajor(String jdkVersion) {
        if (jdkVersion == null || jdkVersion.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        String v = jdkVersion.startsWith("1.") ? jdkVersion.substring(2) : jdkVersion;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? Integer.MAX_VALUE : Integer.parseInt(v.substring(0, end));
    }

    static String paramsSuffix(Row row) {
        return row.params().isEmpty() ? "" : " (" + row.paramsText() + ")";
    }

    /** The unit of a row's metric, as warnings name it. */
    static String unitOf(Row row, String metric) {
        Metric m = row == null ? null : row.metric(metric);
        return m == null ? "?" : m.unit().isEmpty() ? "(no unit)" : m.unit();
    }

    private static void differences(Run a, Run b, List<String> warnings) {
        if (!Objects.equals(a.jmhVersion(), b.jmhVersion())) {
            warnings.add("JMH versions differ: " + version(a) + " vs " + version(b));
        }
        boolean allocInA = a.rows().stream().anyMatch(r -> r.secondary().containsKey(ALLOC));
        boolean allocInB = b.rows().stream().anyMatch(r -> r.secondary().containsKey(ALLOC));
        if (allocInA != allocInB) {
            warnings.add("allocation (" + ALLOC + ", from -prof gc) is in " + (allocInA ? a : b).label() + " only:"
                    + " not compared");
        }
        if (a.userFlags() != null && b.userFlags() != null) {
            // The sidecars name the user's flags: the runner's own (which differ by JDK) are not the difference.
            if (!a.userFlags().equals(b.userFlags())) {
                warnings.add("JVM flags differ: " + flagText(a.userFlags()) + " vs " + flagText(b.userFlags()));
            }
            if (!a.runnerFlags().equals(b.runnerFlags()) && javaMajor(a.jdkVersion()) == javaMajor(b.jdkVersion())) {
                warnings.add("runner flags differ: " + flagText(a.runnerFlags()) + " vs " + flagText(b.runnerFlags()));
            }
        } else if (!a.jvmArgs().equals(b.jvmArgs())) {
            warnings.add("JVM flags differ: " + flags(a) + " vs " + flags(b));
        }
        provenance(a, b, warnings);
        Set<String> forks = new LinkedHashSet<>();
        Set<String> iterations = new LinkedHashSet<>();
        Map<String, Row> rowsB = byKey(b);
        for (Row ra : a.rows()) {
            Row rb = rowsB.get(ra.key());
            if (rb == null) {
                continue;
            }
            if (ra.forks() != rb.forks()) {
                forks.add(ra.forks() + " vs " + rb.forks());
            }
            if (ra.measurementIterations() != rb.measurementIterations()
                    || ra.warmupIterations() != rb.warmupIterations()) {
                iterations.add(ra.warmupIterations() + "+" + ra.measurementIterations() + " vs "
                        + rb.warmupIterations() + "+" + rb.measurementIterations());
            }
        }
        if (!forks.isEmpty()) {
            warnings.add("forks differ: " + String.join(", ", forks));
        }
        if (!iterations.isEmpty()) {
            warnings.add("warmup+measurement iterations differ: " + String.join(", ", iterations));
        }
    }

    /**
     * What the sidecars say against comparing the two runs: different machines (CPU model, cores, memory in
     * GiB), different commits, a tree with uncommitted changes, or a sidecar on one side only.
     */
    private static void provenance(Run a, Run b, List<String> warnings) {
        Sidecar sa = a.sidecar();
        Sidecar sb = b.sidecar();
        if (sa == null || sb == null) {
            if (sa != null || sb != null) {
                warnings.add("only " + (sa != null ? a : b).label() + " has a sidecar (.run.json): whether both ran on"
                        + " one machine and one commit cannot be told");
            }
            return;
        }
        if (!sa.machineKind().equals(sb.machineKind())) {
            warnings.add("the runs come from different machines: " + sa.machineKind() + " vs " + sb.machineKind()
                    + "; a difference may be the machine's, not the JDK's or the flags'");
        }
        if (!Objects.equals(sa.commit(), sb.commit())) {
            warnings.add("the runs come from different commits: " + sa.shortCommit() + " vs " + sb.shortCommit()
                    + "; a difference may be the code's");
        }
        for (Run run : a == b ? List.of(a) : List.of(a, b)) {
            if (Boolean.TRUE.equals(run.sidecar().dirty())) {
                warnings.add(run.label() + " was made from a tree with uncommitted changes (commit "
                        + run.sidecar().shortCommit() + ", dirty): the code it measured is not that commit's");
            }
        }
    }

    private static String flagText(List<String> flags) {
        return flags.isEmpty() ? "(none)" : String.join(" ", flags);
    }

    private static String version(Run run) {
        return run.jmhVersion().isEmpty() ? "unknown (" + run.fileName() + " has no jmhVersion)" : run.jmhVersion();
    }

    static String flags(Run run) {
        return run.jvmArgs().isEmpty() ? "(none)" : String.join(" ", run.jvmArgs());
    }

    static Map<String, Row> byKey(Run run) {
        Map<String, Row> map = new LinkedHashMap<>();
        for (Row row : run.rows()) {
            map.putIfAbsent(row.key(), row);
        }
        return map;
    }
}
