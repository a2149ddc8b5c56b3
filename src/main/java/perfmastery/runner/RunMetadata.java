package perfmastery.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sidecar of one (JDK, flag set) JSON: {@code jdk-17.0.15.run.json} beside {@code jdk-17.0.15.json}.
 * It says what the JSON cannot: which machine made it (CPU, cores, memory, kernel, OS, container or VM),
 * how loaded the machine was before and after (a figure from a machine at load 8 on 2 cores is not a
 * measurement), which commit of this project ran (and whether the tree had uncommitted changes), the
 * preset, the JMH commands and the start and end times. The report reads it to warn about loaded
 * machines and about comparisons across machines or commits.
 *
 * <p>Every probe is best effort: what cannot be read (no /proc on macOS, no git) is written as null,
 * never guessed.
 */
public final class RunMetadata {

    /** The suffix of a sidecar, replacing {@code .json}. */
    public static final String SUFFIX = ".run.json";

    /**
     * The mapper, built on first use: building one costs a tenth of a second or more in a cold JVM, and the report
     * calls {@link #sidecarOf} for every file it reads without needing it.
     */
    private static final class Mapper {
        static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    }

    private RunMetadata() {
    }

    /**
     * The run id of this invocation: {@code PERFMASTERY_RUN_ID} when set (so that the shards of one run made by
     * separate invocations share it, as scripts/ci-local.sh does), else GitHub's run id and attempt (the shard jobs
     * of one workflow run), else a fresh random id. The report merges only files of one run id.
     */
    public static String runId(Map<String, String> env) {
        String own = env.get("PERFMASTERY_RUN_ID");
        if (own != null && !own.isBlank()) {
            return own.strip();
        }
        String github = env.get("GITHUB_RUN_ID");
        if (github != null && !github.isBlank()) {
            return "github-" + github.strip() + "-" + env.getOrDefault("GITHUB_RUN_ATTEMPT", "1").strip();
        }
        return java.util.UUID.randomUUID().toString();
    }

    /** The sidecar's path for a result file: {@code x.json} to {@code x.run.json}. */
    public static Path sidecarOf(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return json.resolveSibling(base + SUFFIX);
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or null. */
    public static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPU time in clock ticks: the whole machine's busy time (/proc/stat) and this process tree's (/proc/self/stat). */
    public record CpuTicks(long machineBusy, long ownTree) {
    }

    /**
     * The machine's busy ticks (user, nice, system, irq, softirq, steal over every CPU) and this JVM's own,
     * with its waited-for children (utime + stime + cutime + cstime): the runner waits for JMH, which waits
     * for its forks, so after a pair the tree's CPU is in the runner's own counters. Null without /proc.
     */
    public static CpuTicks cpuTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(cpu[i]);
            }
            String self = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
            // After "pid (comm) ": state is field 3, so utime (14) .. cstime (17) are at 11 .. 14 here.
            long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14]);
            return new CpuTicks(busy, own);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The cores other processes kept busy on average while a pair ran: (machine busy - own tree) / wall time,
     * in cores (ticks are 1/100 s on Linux: USER_HZ). Null when either reading is missing.
     */
    public static Double otherCores(CpuTicks before, CpuTicks after, double wallSeconds) {
        if (before == null || after == null || wallSeconds <= 0) {
            return null;
        }
        long other = (after.machineBusy() - before.machineBusy()) - (after.ownTree() - before.ownTree());
        return Math.max(0, other / 100.0 / wallSeconds);
    }

    /** What is known of this machine. */
    public static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        String memTotal = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        machine.put("memoryBytes", memTotal == null ? null : kibToBytes(memTotal));
        machine.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("os", osRelease());
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("container", container());
        machine.put("virtualMachine", virtualMachine());
        machine.put("hostname", hostname());
        return machine;
    }

    /** The project's git commit and whether its tree differs from it; nulls without git. */
    public static Map<String, Object> source(Path projectDir) {
        Map<String, Object> source = new LinkedHashMap<>();
        String commit = git(projectDir, "rev-parse", "HEAD");
        source.put("commit", commit);
        String status = commit == null ? null : git(projectDir, "status", "--porcelain", "--untracked-files=no");
        source.put("dirty", status == null ? null : !status.isBlank());
        return source;
    }

    /**
     * Writes the sidecar of one pair's JSON, under a temporary name renamed into place, so a sidecar is
     * complete or absent.
     */
    public static void write(Path json, Map<String, Object> content) throws IOException {
        Path sidecar = sidecarOf(json);
        Path partial = sidecar.resolveSibling("." + sidecar.getFileName() + ".partial");
        Files.write(partial, Mapper.JSON.writeValueAsBytes(content));
        Files.move(partial, sidecar, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The content of a pair's sidecar. Over fork rounds, {@code start} is the pair's first JMH invocation's
     * start and {@code end} its last one's end, the loads are taken around those, {@code otherCores} is the
     * time-weighted mean over its invocations, and {@code unitSeconds} sums each row's rounds.
     *
     * @param forkOrder "rounds" or "consecutive" (null: not written)
     * @param rounds    how many rounds the pair's forks were spread over (1: consecutive)
     */
    public static Map<String, Object> content(Map<String, Object> machine, Map<String, Object> source, String preset,
                                              String jdkVersion, List<String> flags, List<String> commands,
                                              Instant start, Instant end, double[] loadBefore, double[] loadAfter,
                                              String shard, Map<String, Double> unitSeconds, Double otherCores,
                                              String forkOrder, int rounds) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("format", "jvm-perf-mastery run metadata 1");
        run.put("machine", machine);
        run.put("source", source);
        run.put("preset", preset);
        run.put("jdkVersion", jdkVersion);
        run.put("jvmFlags", flags);
        if (forkOrder != null) {
            // Rounds: each JMH invocation ran once per round with one fork, the pairs of the run alternating.
            run.put("forkOrder", forkOrder);
            run.put("rounds", rounds);
        }
        run.put("jmhCommands", commands);
        run.put("start", start.toString());
        run.put("end", end.toString());
        run.put("loadAverageBefore", loadBefore == null ? null : List.of(loadBefore[0], loadBefore[1], loadBefore[2]));
        run.put("loadAverageAfter", loadAfter == null ? null : List.of(loadAfter[0], loadAfter[1], loadAfter[2]));
        // The cores other processes kept busy while this pair ran (machine CPU minus this run's own tree): the
        // load average cannot tell, since it counts the benchmark's own threads too.
        run.put("otherProcessesCores", otherCores);
        run.put("shard", shard);
        // Each row's share of its JMH invocation's wall time: what --shard deals by in a later run.
        run.put("unitSeconds", unitSeconds);
        return run;
    }

    /**
     * The seconds each row took in the sidecars of a run folder whose preset is {@code preset} (the mean
     * where several JDKs ran it); empty when there is no such folder or sidecar.
     */
    public static Map<String, Double> unitTimings(Path runDir, String preset) {
        Map<String, double[]> sums = new java.util.TreeMap<>();
        if (!Files.isDirectory(runDir)) {
            return Map.of();
        }
        try (var files = Files.list(runDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                try {
                    var node = Mapper.JSON.readTree(file.toFile());
                    if (!preset.equals(node.path("preset").asString("")) || !node.path("unitSeconds").isObject()) {
                        continue;
                    }
                    for (var entry : node.get("unitSeconds").properties()) {
                        double seconds = entry.getValue().asDouble(Double.NaN);
                        if (Double.isFinite(seconds) && seconds >= 0) {
                            double[] sum = sums.computeIfAbsent(entry.getKey(), k -> new double[2]);
                            sum[0] += seconds;
                            sum[1]++;
                        }
                    }
                } catch (RuntimeException unreadable) {
                    // a broken sidecar gives no timings; the estimate stands in
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, Double> timings = new java.util.TreeMap<>();
        sums.forEach((key, sum) -> timings.put(key, sum[0] / sum[1]));
        return timings;
    }

    static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    static Long kibToBytes(String value) {
        String[] parts = value.trim().split("\\s+");
        try {
            long number = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? number * 1024 : number;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String osRelease() {
        String pretty = firstValueEquals(Path.of("/etc/os-release"), "PRETTY_NAME");
        return pretty != null ? pretty : System.getProperty("os.name");
    }

    private static String firstValueEquals(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replaceAll("^\"|\"$", "");
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** "docker", "podman", "kubernetes", "container" (some other), or null when none is seen. */
    static String container() {
        if (Files.exists(Path.of("/.dockerenv"))) {
            return "docker";
        }
        if (Files.exists(Path.of("/run/.containerenv"))) {
            return "podman";
        }
        String env = System.getenv("container");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            String cgroup = Files.readString(Path.of("/proc/1/cgroup")).toLowerCase(Locale.ROOT);
            if (cgroup.contains("kubepods")) {
                return "kubernetes";
            }
            if (cgroup.contains("docker") || cgroup.contains("containerd") || cgroup.contains("lxc")) {
                return "container";
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The hypervisor's product name when the CPU says it runs under one, else null. */
    static String virtualMachine() {
        String flags = firstValue(Path.of("/proc/cpuinfo"), "flags");
        boolean hypervisor = flags != null && List.of(flags.split("\\s+")).contains("hypervisor");
        String product = null;
        for (String file : List.of("/sys/class/dmi/id/product_name", "/sys/class/dmi/id/sys_vendor")) {
            try {
                String value = Files.readString(Path.of(file)).trim();
                if (!value.isEmpty()) {
                    product = product == null ? value : product + " / " + value;
                }
            } catch (IOException | RuntimeException e) {
                // not readable here
            }
        }
        if (!hypervisor) {
            return null;
        }
        return product != null ? product : "a hypervisor (name not readable)";
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? null : env;
        }
    }

    /** One line of git's output, or null when git is absent, fails or takes more than 10 s. */
    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = null;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            return new String(output, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
