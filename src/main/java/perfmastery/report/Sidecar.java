package perfmastery.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import perfmastery.runner.RunMetadata;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What the runner wrote beside a JMH JSON ({@code jdk-17.0.15.run.json} beside {@code jdk-17.0.15.json}, see
 * {@link RunMetadata}): the machine, the commit, the preset, the times, the load average and the user's own JVM
 * flags. Every field may be null (the runner writes null for what it could not read). A sidecar that cannot be
 * read, or that describes another JDK than its JSON, is ignored with one warning: the run is then reported as
 * if it had none.
 *
 * @param file        the sidecar's path
 * @param jvmFlags    the flag set the user gave the run ({@code --jvm-args}), without the runner's own flags
 * @param loadBefore  the 1, 5 and 15 minute load averages before the run, or null
 * @param loadAfter   the same after the run, or null
 * @param otherCores  the cores other processes kept busy on average while the run ran (the machine's CPU time
 *                    less the run's own), or null when the runner could not read it
 * @param rounds      how many rounds the forks were spread over, or null (older sidecars)
 * @param runId       the invocation that wrote the file (its shards share it), or null (older sidecars): files of
 *                    different invocations are different runs, never merged ({@link RunMerge})
 * @param side        "base" or "head" in a {@code --compare-with} run, else null
 */
record Sidecar(Path file, String cpuModel, Integer cores, Long memoryBytes, String kernel, String os, String arch,
               String container, String virtualMachine, String hostname, String commit, Boolean dirty, String preset,
               String jdkVersion, List<String> jvmFlags, List<String> jmhCommands, String start, String end,
               List<Double> loadBefore, List<Double> loadAfter, String shard, Double otherCores, Integer rounds,
               String runId, String side) {

    /** A sidecar without rounds, run id and side (written before the runner recorded them). */
    Sidecar(Path file, String cpuModel, Integer cores, Long memoryBytes, String kernel, String os, String arch,
            String container, String virtualMachine, String hostname, String commit, Boolean dirty, String preset,
            String jdkVersion, List<String> jvmFlags, List<String> jmhCommands, String start, String end,
            List<Double> loadBefore, List<Double> loadAfter, String shard, Double otherCores) {
        this(file, cpuModel, cores, memoryBytes, kernel, os, arch, container, virtualMachine, hostname, commit, dirty,
                preset, jdkVersion, jvmFlags, jmhCommands, start, end, loadBefore, loadAfter, shard, otherCores, null,
                null, null);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** A field of the wrong type: the whole sidecar is ignored, and the warning names the field. */
    private static final class WrongType extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WrongType(String field, String expected) {
            super("field " + field + " should be " + expected, null, false, false);
        }
    }

    /**
     * The sidecar of {@code json}, or null when there is none or it cannot be used (then {@code warnings} gets
     * one line saying why). {@code jdkVersion} is the JSON's own; a sidecar that names another is not this run's.
     */
    static Sidecar readFor(Path json, String jdkVersion, List<String> warnings) {
        Path file = RunMetadata.sidecarOf(json);
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            warnings.add(name + ": the run's sidecar cannot be read (" + e.getMessage() + "); " + IGNORED);
            return null;
        }
        JsonNode root;
        try {
            root = JsonTree.read(bytes);
        } catch (JacksonException e) {
            warnings.add(name + ": the run's sidecar is not valid JSON; " + IGNORED);
            return null;
        }
        if (root == null || !root.isObject() || !root.path("format").asString("").startsWith("jvm-perf-mastery run")) {
            warnings.add(name + ": not a run sidecar (no \"format\": \"jvm-perf-mastery run metadata ...\"); " + IGNORED);
            return null;
        }
        Sidecar sidecar;
        try {
            JsonNode machine = root.path("machine");
            if (!machine.isMissingNode() && !machine.isNull() && !machine.isObject()) {
                throw new WrongType("machine", "an object");
            }
            JsonNode source = root.path("source");
            if (!source.isMissingNode() && !source.isNull() && !source.isObject()) {
                throw new WrongType("source", "an object");
            }
            Long cores = wholeNumber(machine, "cores", Integer.MAX_VALUE);
            Long memory = wholeNumber(machine, "memoryBytes", Long.MAX_VALUE);
            Long rounds = wholeNumber(root, "rounds", Integer.MAX_VALUE);
            sidecar = new Sidecar(file, text(machine, "cpuModel"), cores == null ? null : cores.intValue(),
                    memory == null ? null : memory.longValue(), text(machine, "kernel"), text(machine, "os"),
                    text(machine, "arch"), text(machine, "container"), text(machine, "virtualMachine"),
                    text(machine, "hostname"), text(source, "commit"), bool(source, "dirty"), text(root, "preset"),
                    text(root, "jdkVersion"), texts(root, "jvmFlags"), texts(root, "jmhCommands"),
                    text(root, "start"), text(root, "end"), load(root, "loadAverageBefore"),
                    load(root, "loadAverageAfter"), text(root, "shard"), decimal(root, "otherProcessesCores"),
                    rounds == null ? null : rounds.intValue(), text(root, "runId"), text(root, "side"));
        } catch (WrongType e) {
            warnings.add(name + ": " + e.getMessage() + "; " + IGNORED);
            return null;
        }
        if (sidecar.jdkVersion() != null && !jdkVersion.isEmpty() && !sidecar.jdkVersion().equals(jdkVersion)) {
            warnings.add(name + ": the sidecar is of JDK " + sidecar.jdkVersion() + " but " + json.getFileName()
                    + " of JDK " + jdkVersion + " (copied beside the wrong file?); " + IGNORED);
            return null;
        }
        return sidecar;
    }

    private static final String IGNORED = "ignored: the run is reported without its machine, commit and load";

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new WrongType(field, "a string");
        }
        return value.asString();
    }

    private static Double decimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || value.doubleValue() < 0) {
            throw new WrongType(field, "a number, at least 0");
        }
        return value.doubleValue();
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new WrongType(field, "true or false");
        }
        return value.booleanValue();
    }

    private static Long wholeNumber(JsonNode node, String field, long max) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0
                || value.longValue() > max) {
            throw new WrongType(field, "a whole number, at least 0");
        }
        return value.longValue();
    }

    private static List<String> texts(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new WrongType(field, "an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isString()) {
                throw new WrongType(field, "an array of strings");
            }
            out.add(item.asString());
        }
        return List.copyOf(out);
    }

    private static List<Double> load(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isArray() || value.size() != 3) {
            throw new WrongType(field, "[1, 5, 15 minute load averages]");
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isNumber() || !Double.isFinite(item.doubleValue()) || item.doubleValue() < 0) {
                throw new WrongType(field, "[1, 5, 15 minute load averages]");
            }
            out.add(item.doubleValue());
        }
        return List.copyOf(out);
    }

    /** The memory in whole GiB (rounded), which is how machines are told apart; null when unknown. */
    Long memoryGib() {
        return memoryBytes == null ? null : Math.round(memoryBytes / GIB);
    }

    /**
     * The machine's kind, as merging and comparisons tell machines apart: CPU model, cores and memory rounded to
     * GiB (not the host name: CI runners of one kind are one machine for this purpose).
     */
    String machineKind() {
        return orUnknown(cpuModel) + ", " + (cores == null ? "?" : cores) + " cores, "
                + (memoryGib() == null ? "? GiB" : memoryGib() + " GiB");
    }

    /** The machine in full but for the host name (which the files of one run may differ in), for the inputs list. */
    String machineText() {
        List<String> parts = new ArrayList<>(List.of(machineKind()));
        if (os != null || kernel != null) {
            parts.add(os != null && kernel != null ? os + " (" + kernel + ")" : os != null ? os : kernel);
        }
        if (arch != null) {
            parts.add(arch);
        }
        if (container != null) {
            parts.add("container " + container);
        }
        if (virtualMachine != null) {
            parts.add("VM " + virtualMachine);
        }
        return String.join(", ", parts);
    }

    /** "commit 1a2b3c4d5e6f" with " (dirty: uncommitted changes)" where the tree had them; "commit ?" unknown. */
    String commitText() {
        return "commit " + shortCommit() + (Boolean.TRUE.equals(dirty) ? " (dirty: uncommitted changes)" : "");
    }

    String shortCommit() {
        return commit == null ? "?" : commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    /** The start and end times as "2026-11-27 17:13:34 to 17:13:46 UTC" (the ISO text as is when unusual). */
    String timesText() {
        if (start == null && end == null) {
            return "times ?";
        }
        String s = start == null ? "?" : shortTime(start);
        String e = end == null ? "?" : shortTime(end);
        if (s.length() == 19 && e.length() == 19 && s.substring(0, 10).equals(e.substring(0, 10))) {
            e = e.substring(11);
        }
        return s + " to " + e + (s.length() == 19 ? " UTC" : "");
    }

    private static String shortTime(String iso) {
        // 2026-11-27T17:13:34.238110184Z -> 2026-11-27 17:13:34
        return iso.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z")
                ? iso.substring(0, 10) + " " + iso.substring(11, 19) : iso;
    }

    /** "load 15.05/7.05/2.99 before, 20.06/8.37/3.47 after" (1/5/15 min). */
    String loadText() {
        return "load average (1/5/15 min) " + load(loadBefore) + " before, " + load(loadAfter) + " after";
    }

    private static String load(List<Double> load) {
        if (load == null) {
            return "?";
        }
        List<String> parts = new ArrayList<>();
        for (double d : load) {
            parts.add(String.format(Locale.ROOT, "%.2f", d));
        }
        return String.join("/", parts);
    }

    /**
     * Null when the machine was quiet enough, else the warning: on a machine busy with other work the measured
     * code shared the cores, so its figures are not measurements. The test: other processes kept more than half
     * the cores busy on average while the run ran (the sidecar's {@code otherProcessesCores}: the machine's CPU
     * time less the run's own). Without that figure, the 1-minute load average before the run above half the
     * cores; the load after the run is not used, since it counts the benchmark's own threads (a quiet 2-core
     * machine reads 1 to 1.5 after a lesson with a worker pool).
     */
    String loadWarning(String jsonName) {
        return loadWarning(jsonName, false);
    }

    /**
     * As {@link #loadWarning(String)}; {@code followsAnotherRun} says that the load before this run may be another
     * run's own (one of the inputs ended shortly before this one started, e.g. the JDK 17 pair before the JDK 25
     * pair of one invocation): without the CPU figure such a run gets no warning, since nothing tells its load apart.
     */
    String loadWarning(String jsonName, boolean followsAnotherRun) {
        if (cores == null || cores <= 0) {
            return null;
        }
        if (otherCores == null && followsAnotherRun) {
            return null;
        }
        double limit = cores / 2.0;
        if (otherCores != null) {
            if (otherCores <= limit) {
                return null;
            }
            return jsonName + String.format(Locale.ROOT, ": other processes kept %.2f of the machine's %d cores busy"
                    + " on average during the run (load average %s before, %s after): figures from a loaded machine"
                    + " are not measurements (rerun on a quiet machine)", otherCores, cores, load1(loadBefore),
                    load1(loadAfter));
        }
        if (loadBefore == null || loadBefore.get(0) <= limit) {
            return null;
        }
        return jsonName + ": the 1-minute load average was " + load1(loadBefore) + " before the run (" + load1(loadAfter)
                + " after, with the run's own threads), above half of the machine's " + cores + " cores: figures from"
                + " a loaded machine are not measurements (rerun on a quiet machine)";
    }

    /** Whether another of {@code sidecars} ended within five minutes before this run started (or during it). */
    boolean followsAnother(List<Sidecar> sidecars) {
        java.time.Instant begin = instant(start);
        if (begin == null) {
            return false;
        }
        for (Sidecar other : sidecars) {
            java.time.Instant otherEnd = instant(other.end());
            if (other != this && otherEnd != null && !otherEnd.isBefore(begin.minusSeconds(300))
                    && !otherEnd.isAfter(begin.plusSeconds(1))) {
                return true;
            }
        }
        return false;
    }

    private static java.time.Instant instant(String text) {
        try {
            return text == null ? null : java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String load1(List<Double> load) {
        return load == null ? "?" : String.format(Locale.ROOT, "%.2f", load.get(0));
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "?" : s;
    }
}
