package perfmastery.report;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import perfmastery.support.Claim;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The hosts beside the runs: what the runner measured of the host at the start of each run
 * ({@code perfmastery.runner.HostProbe}, the {@code host} object of a sidecar), a warning when two runs'
 * hosts differ by more than the factors below, and the cores beside a REFUTED verdict of a claim whose
 * outcome depends on them ({@link Claim#dependsOnCores()}).
 *
 * <p>The factors, and why:
 * <ul>
 * <li>first touch of a page, and the timer's step: {@value #FACTOR}x. A lesson that allocates into fresh
 * pages, or times short operations, can see its figure change by as much as the host's cost changes; at
 * twice the cost, a lesson's time can double from the host alone, which is the difference at which the
 * suite calls a run's figure "not the reference's" (issue 19: within 2x of the reference).</li>
 * <li>the CPU loop: {@value #CPU_FACTOR}x. The verdicts are planned to detect a true ratio 1.25x past a
 * claim's threshold; a host whose plain computation is that much slower or faster can move a claim whose
 * variants do not scale alike (one computes, the other waits) by as much as the plan resolves.</li>
 * <li>steal during the run: more than {@value #STEAL_POINTS_PERCENT} percentage points apart. Stolen time
 * is time a fork's threads were ready but not running; a few per cent is the scatter the intervals are
 * built for between forks, more is a different machine state.</li>
 * </ul>
 * Runs from sidecars without a {@code host} object (made before the probe existed) are shown as unknown and
 * never warned about.
 */
final class HostSection {

    static final double FACTOR = 2.0;
    static final double CPU_FACTOR = 1.25;
    static final int STEAL_POINTS_PERCENT = 5;

    /** One run's host figures; a null field was not measured or not readable. */
    record Host(String run, Integer cores, Double firstTouch, Double secondTouch, Double cpuLoop, Double callLoop,
                Double timerStep, Double stealSinceBoot, Double stealDuringRun) {
    }

    private HostSection() {
    }

    /**
     * Writes the section (nothing when no run has a host measurement) and adds its warnings: host differences,
     * and each REFUTED verdict of a core-dependent claim with the run's cores.
     */
    static void write(Doc doc, List<Run> runs, List<ClaimChecker.Verdict> verdicts, List<String> warnings) {
        Map<String, Host> hosts = new LinkedHashMap<>();
        for (Run run : runs) {
            hosts.putIfAbsent(run.label(), hostOf(run));
        }
        boolean measured = hosts.values().stream().anyMatch(h -> h.firstTouch() != null || h.cpuLoop() != null);
        if (measured) {
            doc.heading(2, "Hosts");
            doc.paragraph("What the runner measured of the host at the start of each run (perfmastery.runner.HostProbe):"
                    + " the first and a second write of a fresh page, a fixed CPU loop, a call-heavy loop (recursive"
                    + " fib; unknown in older sidecars), the smallest step of"
                    + " System.nanoTime, and the share of CPU time the hypervisor gave to others (steal). Host figures,"
                    + " not lesson results. Two runs are flagged when first touch or the timer step differ by more than "
                    + Fmt.factor(FACTOR) + "x (a lesson's time can double from the host alone), the CPU or call loop"
                    + " by more than " + Fmt.factor(CPU_FACTOR) + "x (the distance past a threshold the verdicts are planned to"
                    + " resolve), or steal by more than " + STEAL_POINTS_PERCENT + " percentage points (beyond the"
                    + " scatter between forks the intervals allow for).");
            List<List<String>> rows = new ArrayList<>();
            for (Host h : hosts.values()) {
                rows.add(List.of(h.run(), text(h.cores()), number(h.firstTouch()), number(h.secondTouch()),
                        number(h.cpuLoop()), number(h.callLoop()), number(h.timerStep()), percent(h.stealSinceBoot()),
                        percent(h.stealDuringRun())));
            }
            doc.add(new Doc.Table(List.of("run", "cores", "first touch (µs/page)", "second touch (µs/page)",
                    "CPU loop (ms)", "call loop (ms)", "timer step (ns)", "steal since boot", "steal during run"), rows,
                    new boolean[] {false, true, true, true, true, true, true, true, true}));
        }
        warnings.addAll(differences(List.copyOf(hosts.values())));
        for (ClaimChecker.Verdict v : verdicts) {
            if (v.claim().dependsOnCores() && ClaimChecker.REFUTED.equals(v.status())) {
                Host h = hosts.get(v.runLabel());
                warnings.add(v.lesson().substring(v.lesson().lastIndexOf('.') + 1) + " " + v.claim().id() + " is"
                        + " REFUTED on " + v.runLabel() + ", a host with " + (h == null || h.cores() == null
                        ? "an unknown number of" : h.cores()) + " cores: its outcome depends on the host's cores");
            }
        }
    }

    /** A warning for each pair of runs whose hosts differ by more than the stated factors. */
    static List<String> differences(List<Host> hosts) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            for (int j = i + 1; j < hosts.size(); j++) {
                Host a = hosts.get(i);
                Host b = hosts.get(j);
                List<String> why = new ArrayList<>();
                ratio(why, "first touch", a.firstTouch(), b.firstTouch(), FACTOR, "µs/page");
                ratio(why, "timer step", a.timerStep(), b.timerStep(), FACTOR, "ns");
                ratio(why, "CPU loop", a.cpuLoop(), b.cpuLoop(), CPU_FACTOR, "ms");
                ratio(why, "call loop", a.callLoop(), b.callLoop(), CPU_FACTOR, "ms");
                if (a.stealDuringRun() != null && b.stealDuringRun() != null
                        && Math.abs(a.stealDuringRun() - b.stealDuringRun()) * 100 > STEAL_POINTS_PERCENT) {
                    why.add("steal during the run " + percent(a.stealDuringRun()) + " against "
                            + percent(b.stealDuringRun()) + " (more than " + STEAL_POINTS_PERCENT + " points apart)");
                }
                if (a.cores() != null && b.cores() != null && !a.cores().equals(b.cores())) {
                    why.add(a.cores() + " cores against " + b.cores());
                }
                if (!why.isEmpty()) {
                    out.add("the hosts of " + a.run() + " and " + b.run() + " differ: " + String.join("; ", why)
                            + ". A claim whose verdict differs between them may be explained by the host, not the JVM"
                            + " (first touch: allocating lessons; timer: short operations; CPU loop: claims whose"
                            + " variants compute against variants that wait; call loop: call-heavy code such as"
                            + " recursion; steal and cores: concurrency lessons)");
                }
            }
        }
        return out;
    }

    private static void ratio(List<String> why, String what, Double a, Double b, double factor, String unit) {
        if (a == null || b == null || a <= 0 || b <= 0) {
            return;
        }
        double r = Math.max(a, b) / Math.min(a, b);
        if (r > factor) {
            why.add(what + " " + Fmt.value(a) + " against " + Fmt.value(b) + " " + unit + " (" + Fmt.factor(r)
                    + "x apart, more than " + Fmt.factor(factor) + "x)");
        }
    }

    /** The host of a run: its first part's sidecar that has a {@code host} object (parts share one machine). */
    static Host hostOf(Run run) {
        for (Run.Part part : run.parts()) {
            Sidecar sidecar = part.sidecar();
            if (sidecar == null) {
                continue;
            }
            JsonNode host;
            try {
                host = JsonTree.read(Files.readAllBytes(sidecar.file())).path("host");
            } catch (IOException | JacksonException e) {
                continue; // Sidecar has warned about an unreadable file already
            }
            if (host.isObject()) {
                return new Host(run.label(), sidecar.cores(), decimal(host, "firstTouchMicrosPerPage"),
                        decimal(host, "secondTouchMicrosPerPage"), decimal(host, "cpuLoopMillis"),
                        decimal(host, "callLoopMillis"), decimal(host, "timerGranularityNanos"),
                        decimal(host, "stealShareSinceBoot"),
                        decimal(host, "stealShareDuringRun"));
            }
        }
        Sidecar first = run.sidecar();
        return new Host(run.label(), first == null ? null : first.cores(), null, null, null, null, null, null, null);
    }

    private static Double decimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() && Double.isFinite(value.asDouble()) ? value.asDouble() : null;
    }

    private static String text(Object value) {
        return value == null ? "unknown" : value.toString();
    }

    private static String number(Double value) {
        return value == null ? "unknown" : Fmt.value(value);
    }

    private static String percent(Double share) {
        return share == null ? "unknown" : String.format(Locale.ROOT, "%.2f %%", share * 100);
    }
}
