package perfmastery.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which files are one run, and which baseline a run is compared with.
 *
 * <p><b>The run identity.</b> Files whose sidecars ({@code .run.json}) agree on the JDK version, the VM (name and
 * version), the user's JVM flags, the machine's kind (CPU model, cores, memory rounded to GiB; not the host
 * name) and the commit (and whether its tree was dirty) are one run: the shards of a sharded run, or the JMH
 * invocations of one configuration. Their rows are merged into one {@link Run}, so columns, comparisons and
 * claims see one run per JDK and flag set. Files without a sidecar are never merged unless the caller asks
 * ({@code --merge}); then their identity is the JDK version, the VM and the JVM arguments all their rows share.
 * A file with a sidecar and one without are never merged.
 *
 * <p><b>One invocation.</b> Merging applies only to the parts of one invocation of the runner: its shards and its
 * rounds. The runner writes the invocation's run id into each sidecar ({@code runId}; the shards of one CI run share
 * it). Files with different run ids are different runs, whatever else they share: they are compared, never merged,
 * and a warning says that they share an identity, so that a difference between them is time or machine state.
 *
 * <p><b>A row twice.</b> Two files of one identity that hold the same row (benchmark, mode, params, threads) are
 * two runs of it, not two parts of one (older sidecars carry no run id, and this is how they tell): such a file
 * starts a run of its own (each file joins the first run of its identity it shares no row with), with a warning,
 * and the runs are compared. {@code --allow-duplicate-rows} is accepted as before and changes nothing. The same
 * file given twice is never merged with itself.
 */
final class RunMerge {

    /** The merged runs, in the order of their first file, and what the merge has to say. */
    record Result(List<Run> runs, List<String> warnings) {
    }

    private RunMerge() {
    }

    /**
     * @param mergeWithoutSidecars merge files without sidecars whose JDK, VM and JVM arguments agree ({@code --merge})
     * @param allowDuplicateRows   keep files that repeat a row of their identity as runs of their own instead of failing
     * @param what                 "" or "baseline " (for messages)
     */
    static Result merge(List<Run> files, boolean mergeWithoutSidecars, boolean allowDuplicateRows, String what) {
        List<List<Run>> bins = new ArrayList<>();
        List<Set<String>> binKeys = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Run file : files) {
            boolean mergeable = file.sidecar() != null || mergeWithoutSidecars;
            String identity = identity(file);
            Integer target = null;
            String conflict = null;
            int conflictBin = -1;
            for (int b = 0; mergeable && b < bins.size() && target == null; b++) {
                Run first = bins.get(b).get(0);
                if (!(first.sidecar() != null || mergeWithoutSidecars) || !identity.equals(identity(first))
                        || bins.get(b).stream().anyMatch(r -> samePath(r.file(), file.file()))) {
                    continue;
                }
                String shared = firstShared(file, binKeys.get(b));
                if (shared == null) {
                    target = b;
                } else if (conflict == null) {
                    conflict = shared;
                    conflictBin = b;
                }
            }
            if (target == null && conflict != null) {
                String key = conflict;
                Row row = file.rows().stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow();
                Run other = bins.get(conflictBin).stream()
                        .filter(r -> r.rows().stream().anyMatch(o -> o.key().equals(key))).findFirst().orElseThrow();
                String rowText = row.shortName() + RunComparison.paramsSuffix(row) + " " + row.mode()
                        + (row.threads() > 1 ? " " + row.threads() + " threads" : "");
                warnings.add(other.fileName() + " and " + file.fileName() + " both hold " + rowText + " under one "
                        + what + "run identity (" + identityText(file) + "): they are two runs, compared and not"
                        + " merged (forks of two runs are not one sample); they share an identity, so a difference"
                        + " between them is time or machine state");
            }
            if (target == null) {
                bins.add(new ArrayList<>(List.of(file)));
                binKeys.add(new HashSet<>(keys(file)));
            } else {
                bins.get(target).add(file);
                binKeys.get(target).addAll(keys(file));
            }
        }
        warnings.addAll(keptApart(bins, mergeWithoutSidecars, what));
        List<Run> runs = new ArrayList<>();
        for (List<Run> bin : bins) {
            runs.add(bin.size() == 1 ? bin.get(0) : join(bin, warnings));
        }
        return new Result(runs, warnings);
    }

    private static boolean samePath(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static List<String> keys(Run run) {
        return run.rows().stream().map(Row::key).toList();
    }

    private static String firstShared(Run file, Set<String> keys) {
        for (Row row : file.rows()) {
            if (keys.contains(row.key())) {
                return row.key();
            }
        }
        return null;
    }

    /** The files of one identity as one run: rows in file order, the JVM arguments all of them share. */
    private static Run join(List<Run> bin, List<String> warnings) {
        Run first = bin.get(0);
        List<Row> rows = new ArrayList<>();
        List<String> runWarnings = new ArrayList<>();
        List<Run.Part> parts = new ArrayList<>();
        Set<String> jmhVersions = new LinkedHashSet<>();
        LinkedHashSet<String> args = new LinkedHashSet<>(first.jvmArgs());
        for (Run run : bin) {
            rows.addAll(run.rows());
            runWarnings.addAll(run.warnings());
            parts.addAll(run.parts());
            jmhVersions.add(run.jmhVersion().isEmpty() ? "unknown" : run.jmhVersion());
            args.retainAll(run.jvmArgs());
        }
        if (jmhVersions.size() > 1) {
            warnings.add(String.join(", ", bin.stream().map(Run::fileName).toList()) + " are merged into one run but"
                    + " were written by different JMH versions (" + String.join(", ", jmhVersions) + ")");
        }
        if (first.sidecar() != null && Boolean.TRUE.equals(first.sidecar().dirty())) {
            warnings.add(String.join(", ", bin.stream().map(Run::fileName).toList()) + " are merged into one run, but"
                    + " their tree had uncommitted changes (commit " + first.sidecar().shortCommit() + ", dirty): the"
                    + " files cannot tell whether they ran the same code");
        }
        return new Run(first.file(), "", first.jmhVersion(), first.jdkVersion(), first.vmName(), first.vmVersion(),
                List.copyOf(args), List.copyOf(rows), runWarnings, parts);
    }

    /**
     * The identity as one string: equal strings, one run. Files with a sidecar: JDK, VM, the user's flags (the
     * JVM arguments where the sidecar does not name them), machine kind, commit and dirty. Without: JDK, VM and
     * the JVM arguments all rows share.
     */
    static String identity(Run run) {
        List<String> parts = new ArrayList<>(List.of(run.jdkVersion(), run.vmName(), run.vmVersion()));
        Sidecar s = run.sidecar();
        if (s == null) {
            parts.add("no sidecar");
            parts.add(String.valueOf(run.jvmArgs()));
        } else {
            parts.add("sidecar");
            parts.add(String.valueOf(s.jvmFlags() == null ? run.jvmArgs() : s.jvmFlags()));
            parts.add(s.machineKind());
            parts.add(Objects.toString(s.commit()));
            parts.add(Objects.toString(s.dirty()));
            // Parts of one invocation only: another run id is another run. A compare-with run's sides are two runs.
            parts.add(Objects.toString(s.runId()));
            parts.add(Objects.toString(s.side()));
        }
        return String.join("\u0000", parts);
    }

    /** The identity in words, for messages. */
    static String identityText(Run run) {
        List<String> flags = run.userFlags() != null ? run.userFlags() : run.jvmArgs();
        String text = "JDK " + orUnknown(run.jdkVersion()) + ", " + orUnknown(run.vmName()) + " "
                + orUnknown(run.vmVersion()) + ", " + (run.userFlags() != null ? "JVM flags " : "JVM arguments ")
                + (flags.isEmpty() ? "(none)" : String.join(" ", flags));
        Sidecar s = run.sidecar();
        return s == null ? text + ", no sidecar" : text + ", " + s.machineKind() + ", " + s.commitText();
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "?" : s;
    }

    /** The JDK and VM alone: runs that agree on these and on their flags but were kept apart get a warning. */
    private static String configuration(Run run) {
        return run.jdkVersion() + "\u0000" + run.vmName() + "\u0000" + run.vmVersion();
    }

    /** The user's flags where both runs' sidecars name them, else the JVM arguments all rows share. */
    private static boolean sameFlags(Run a, Run b) {
        return a.userFlags() != null && b.userFlags() != null ? a.userFlags().equals(b.userFlags())
                : a.jvmArgs().equals(b.jvmArgs());
    }

    /** One warning per pair of runs of one configuration that were not merged, saying why. */
    private static List<String> keptApart(List<List<Run>> bins, boolean mergeWithoutSidecars, String what) {
        List<String> out = new ArrayList<>();
        Map<String, List<Run>> byConfiguration = new LinkedHashMap<>();
        for (List<Run> bin : bins) {
            byConfiguration.computeIfAbsent(configuration(bin.get(0)), k -> new ArrayList<>()).add(bin.get(0));
        }
        for (List<Run> same : byConfiguration.values()) {
            for (int i = 0; i < same.size(); i++) {
                for (int j = i + 1; j < same.size(); j++) {
                    String why = whyApart(same.get(i), same.get(j), mergeWithoutSidecars);
                    if (why != null) {
                        out.add(same.get(i).fileName() + " and " + same.get(j).fileName() + " (both " + what + "JDK "
                                + orUnknown(same.get(i).jdkVersion()) + " with the same JVM flags) are kept as"
                                + " separate runs: " + why);
                    }
                }
            }
        }
        return out;
    }

    /** Why two runs of one configuration are not one, or null where nothing needs saying (they repeat rows). */
    private static String whyApart(Run a, Run b, boolean mergeWithoutSidecars) {
        if (!sameFlags(a, b)) {
            return null;
        }
        Sidecar sa = a.sidecar();
        Sidecar sb = b.sidecar();
        if (sa == null && sb == null) {
            boolean disjoint = a.rows().stream().map(Row::key).noneMatch(new HashSet<>(keys(b))::contains);
            return mergeWithoutSidecars || !disjoint || samePath(a.file(), b.file()) ? null
                    : "they have no sidecars (.run.json), so nothing says they ran on one machine from one commit;"
                    + " pass --merge to merge files without sidecars whose JDK, VM and JVM arguments agree";
        }
        if (sa == null || sb == null) {
            return "only " + (sa != null ? a : b).fileName() + " has a sidecar (.run.json), so nothing says they ran"
                    + " on one machine from one commit";
        }
        List<String> reasons = new ArrayList<>();
        if (!sa.machineKind().equals(sb.machineKind())) {
            reasons.add("different machines (" + sa.machineKind() + " vs " + sb.machineKind() + ")");
        }
        if (!Objects.equals(sa.commit(), sb.commit())) {
            reasons.add("different commits (" + sa.shortCommit() + " vs " + sb.shortCommit() + ")");
        } else if (!Objects.equals(sa.dirty(), sb.dirty())) {
            reasons.add("one tree had uncommitted changes (" + (Boolean.TRUE.equals(sa.dirty()) ? a : b).fileName()
                    + " is dirty)");
        }
        if (reasons.isEmpty() && !Objects.equals(sa.runId(), sb.runId())) {
            return "they come from different invocations (run ids " + sa.runId() + " and " + sb.runId() + "), so they"
                    + " are compared, not merged; they share an identity, so a difference between them is time or"
                    + " machine state, not code";
        }
        if (reasons.isEmpty() && !Objects.equals(sa.side(), sb.side())) {
            return "they are the " + sa.side() + " and " + sb.side() + " sides of one --compare-with run";
        }
        return reasons.isEmpty() ? null : String.join(" and ", reasons);
    }

    /**
     * The baseline run {@code run} is compared with: the only one when there is one (any run against one
     * baseline, as before); else the one of the same JDK version, VM and flags, else of the same Java feature
     * release, VM and flags; null when none matches.
     */
    static Run baselineFor(Run run, List<Run> baselines) {
        if (baselines.size() == 1) {
            return baselines.get(0);
        }
        Run sameRelease = null;
        for (Run base : baselines) {
            if (!sameFlags(base, run) || !base.vmName().equals(run.vmName())) {
                continue;
            }
            if (base.jdkVersion().equals(run.jdkVersion())) {
                return base;
            }
            if (sameRelease == null && RunComparison.javaMajor(base.jdkVersion())
                    == RunComparison.javaMajor(run.jdkVersion())) {
                sameRelease = base;
            }
        }
        return sameRelease;
    }
}
