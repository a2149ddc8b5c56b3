package perfmastery.runner;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The guide's own runtime as one more run beside the JDKs ({@code --runtime node}, or {@code node} as an entry of
 * {@code --jdk}): the driver in {@code node/} runs the Node forms of the lessons, each fork its own {@code node}
 * process, with the preset's iterations, and writes JMH-format JSON under the JVM lessons' names. In rounds it
 * runs once per round after the JDK pairs, one fork per row, and its rounds are joined by {@link ForkMerge} like a
 * pair's; the regexes after {@code --} select its rows too. Without {@code node} on the PATH it is skipped with one
 * line. The first run installs {@code node/node_modules} from the committed lockfile ({@code npm ci}) and says so;
 * later runs find it installed and need no network.
 */
public final class NodeRuntime {

    /** What {@code --runtime} and {@code --jdk} take to mean this runtime. */
    public static final String NAME = "node";
    static final String PROBLEM_PREFIX = "node driver: problem: ";

    private final Path nodeDir;
    private final Path node;
    private final String version;
    private final List<String> problems = new ArrayList<>();
    private final List<Path> roundFiles = new ArrayList<>();
    private Path json;
    private Path log;
    private boolean started;

    NodeRuntime(Path nodeDir, Path node, String version) {
        this.nodeDir = nodeDir;
        this.node = node;
        this.version = version;
    }

    /** Whether a {@code --jdk} entry names this runtime rather than a JDK folder. */
    public static boolean names(Path jdkEntry) {
        return jdkEntry.toString().equals(NAME);
    }

    /** The {@code node} executable on the PATH, or empty. */
    public static Optional<Path> onPath(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The runtime ready to run, or empty after one line on {@code out} saying why it is skipped (no node on the
     * PATH, no node/ folder, an install that failed). Installs node/node_modules on the first run.
     */
    public static Optional<NodeRuntime> prepare(Path projectDir, Map<String, String> env, PrintStream out)
            throws InterruptedException {
        Optional<Path> node = onPath(env);
        if (node.isEmpty()) {
            out.println("run-benchmarks.sh: node is not on the PATH: the Node runtime is skipped, the JVM part runs");
            return Optional.empty();
        }
        Path nodeDir = projectDir.resolve("node");
        if (!Files.isRegularFile(nodeDir.resolve("driver.mjs"))) {
            out.println("run-benchmarks.sh: no node/driver.mjs in " + projectDir + ": the Node runtime is skipped");
            return Optional.empty();
        }
        String version;
        try {
            version = runQuietly(List.of(node.get().toString(), "--version"), nodeDir).strip().replaceFirst("^v", "");
        } catch (IOException e) {
            out.println("run-benchmarks.sh: " + node.get() + " --version failed (" + e.getMessage()
                    + "): the Node runtime is skipped");
            return Optional.empty();
        }
        String installProblem = ensureInstalled(nodeDir, env, out);
        if (installProblem != null) {
            out.println("run-benchmarks.sh: " + installProblem + ": the Node runtime is skipped");
            return Optional.empty();
        }
        return Optional.of(new NodeRuntime(nodeDir, node.get(), version));
    }

    /**
     * Installs node/node_modules from package-lock.json when it is missing or older than the lockfile:
     * {@code npm ci --prefer-offline} (the npm cache serves it without network once filled). Returns null when
     * ready, else the problem in one phrase.
     */
    public static String ensureInstalled(Path nodeDir, Map<String, String> env, PrintStream out) throws InterruptedException {
        Path installed = nodeDir.resolve("node_modules").resolve(".package-lock.json");
        Path lock = nodeDir.resolve("package-lock.json");
        try {
            if (Files.isRegularFile(installed)
                    && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
                return null;
            }
        } catch (IOException e) {
            return "cannot read " + lock + " (" + e.getMessage() + ")";
        }
        Optional<Path> npm = onPathNamed(env, "npm");
        if (npm.isEmpty()) {
            return "node/node_modules is not installed and npm is not on the PATH (run npm ci in node/)";
        }
        out.println("run-benchmarks.sh: installing node/node_modules from node/package-lock.json (npm ci, first run"
                + " only; later runs use it as installed, offline)");
        try {
            runQuietly(List.of(npm.get().toString(), "ci", "--prefer-offline", "--no-audit", "--no-fund"), nodeDir);
            return null;
        } catch (IOException e) {
            return "npm ci failed in node/ (" + e.getMessage() + ")";
        }
    }

    private static Optional<Path> onPathNamed(Map<String, String> env, String name) {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
            if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs a short command; returns its output, or throws with its last line when it fails. */
    private static String runQuietly(List<String> command, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(bytes);
        }
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("no answer within 10 min");
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            throw new IOException("exit " + process.exitValue() + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1)));
        }
        return output;
    }

    public String version() {
        return version;
    }

    /** The run's label and file stem, "node-20.20.2", beside the pairs' "jdk-17.0.15". */
    public String label() {
        return "node-" + version.replaceAll("[^A-Za-z0-9.=+_-]", "_");
    }

    public String describe() {
        return label() + ": " + node + " (Node " + version + "), driver " + nodeDir.resolve("driver.mjs");
    }

    /**
     * The driver's command for one round: the preset, {@code forks} forks per row, the regexes after {@code --}
     * as --include/--exclude and its -p values.
     */
    List<String> command(Preset preset, int forks, JmhArgs jmhArgs, Path out) {
        List<String> command = new ArrayList<>(List.of(node.toString(), nodeDir.resolve("driver.mjs").toString(),
                "--preset", preset.label(), "--forks", Integer.toString(forks), "--out", out.toString()));
        for (String include : jmhArgs.includes()) {
            command.addAll(List.of("--include", include));
        }
        for (String exclude : jmhArgs.excludes()) {
            command.addAll(List.of("--exclude", exclude));
        }
        List<String> args = jmhArgs.args();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-p")) {
                command.addAll(List.of("-p", args.get(i + 1)));
            }
        }
        return command;
    }

    /** Runs one round of the driver; its output goes to the console and to node-VERSION.log. */
    public void runRound(Preset preset, int forks, JmhArgs jmhArgs, int round, int rounds, Path runDir,
                         PrintStream out) throws IOException, InterruptedException {
        json = runDir.resolve(label() + ".json");
        log = runDir.resolve(label() + ".log");
        String roundLabel = rounds > 1 ? "round " + round + "/" + rounds + ": " : "";
        Path part = ResultsFolder.temporaryFor(json, rounds > 1 ? ".r" + round : "");
        ChildProcesses.partial(part);
        List<String> command = command(preset, forks, jmhArgs, part);
        String shown = "$ " + RunMain.shellQuoted(command) + System.lineSeparator();
        out.println();
        out.println(rounds > 1 ? "=== round " + round + "/" + rounds + ": " + describe() : "=== " + describe());
        out.print(shown);
        long logBefore = started ? Files.size(log) : 0;
        ChildProcesses.Outcome outcome;
        try (OutputStream logStream = Files.newOutputStream(log, started ? StandardOpenOption.APPEND
                : StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            started = true;
            logStream.write(shown.getBytes(StandardCharsets.UTF_8));
            outcome = ChildProcesses.runTee(command, out, logStream);
        }
        if (outcome.logFailure() != null) {
            throw new IOException("cannot write " + log + ": " + outcome.logFailure().getMessage());
        }
        // The driver names each failed row on a line of its own (also in the log): they become the run's problems.
        byte[] logged = Files.readAllBytes(log);
        String thisRound = new String(logged, (int) Math.min(logBefore, logged.length),
                (int) Math.max(0, logged.length - logBefore), StandardCharsets.UTF_8);
        thisRound.lines().filter(line -> line.startsWith(PROBLEM_PREFIX))
                .forEach(line -> problems.add(roundLabel + line.substring(PROBLEM_PREFIX.length())));
        if (outcome.exitCode() > 1) {
            problems.add(roundLabel + "the Node driver exited with " + outcome.exitCode() + " (see " + log.getFileName() + ")");
        }
        if (Files.isRegularFile(part) && Files.size(part) > 0) {
            roundFiles.add(part);
        } else {
            Files.deleteIfExists(part);
            ChildProcesses.notPartial(part);
            if (outcome.exitCode() == 0) {
                return; // no Node row matches the selection
            }
            problems.add(roundLabel + "the Node driver wrote no JSON");
        }
    }

    /** Joins the rounds into node-VERSION.json; empty when no round wrote rows. */
    public Optional<Path> finish() throws IOException {
        if (roundFiles.isEmpty()) {
            return Optional.empty();
        }
        if (roundFiles.size() == 1) {
            ResultsFolder.promote(roundFiles.get(0), json);
        } else {
            Path merged = ResultsFolder.temporaryFor(json, ".merged");
            ChildProcesses.partial(merged);
            ForkMerge.merge(roundFiles, merged);
            ResultsFolder.promote(merged, json);
            ChildProcesses.notPartial(merged);
            for (Path roundFile : roundFiles) {
                Files.deleteIfExists(roundFile);
            }
        }
        roundFiles.forEach(ChildProcesses::notPartial);
        roundFiles.clear();
        return Optional.of(json);
    }

    /** The summary's lines for this runtime; true when some row failed. */
    public boolean summarize(PrintStream out, Optional<Path> written) {
        int rows = 0;
        if (written.isPresent()) {
            try {
                rows = JmhJson.resultKeys(written.get()).size();
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        out.println(label() + ": " + rows + " benchmark x params with a result" + (written.isEmpty() && problems.isEmpty()
                ? " (no Node form matches the selection)" : ""));
        for (String problem : problems) {
            out.println("  problem: " + problem);
        }
        return !problems.isEmpty();
    }
}
