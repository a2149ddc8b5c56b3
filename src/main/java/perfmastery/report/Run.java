package perfmastery.report;

import java.nio.file.Path;
import java.util.List;

/**
 * One run: the rows of one JMH JSON file, or of several files of one run identity merged ({@link RunMerge}),
 * and what the JSON and the runner's sidecars say about the JVM and the machine that made it.
 *
 * @param file     the (first) file
 * @param label    the column label, set once all runs are known (JDK, VM, flags; the file name breaks ties)
 * @param jvmArgs  the JVM arguments every row of every file shares, each once (its last occurrence kept, so the
 *                 flag that wins stays the one that wins)
 * @param warnings soft problems met while reading (non-finite numbers, text-only profiler rows, a loaded machine, ...)
 * @param parts    the files the run is made of, in argument order, each with its sidecar (null where none)
 */
record Run(Path file, String label, String jmhVersion, String jdkVersion, String vmName, String vmVersion,
           List<String> jvmArgs, List<Row> rows, List<String> warnings, List<Part> parts) {

    /** One file of a run, its sidecar (null when it has none or it was unusable) and how many rows it gave. */
    record Part(Path file, Sidecar sidecar, int rows) {
        String fileName() {
            return file.getFileName().toString();
        }
    }

    Run {
        parts = List.copyOf(parts);
    }

    /** A run of one file without a sidecar. */
    Run(Path file, String label, String jmhVersion, String jdkVersion, String vmName, String vmVersion,
        List<String> jvmArgs, List<Row> rows, List<String> warnings) {
        this(file, label, jmhVersion, jdkVersion, vmName, vmVersion, jvmArgs, rows, warnings,
                List.of(new Part(file, null, rows.size())));
    }

    Run withLabel(String newLabel) {
        return new Run(file, newLabel, jmhVersion, jdkVersion, vmName, vmVersion, jvmArgs, rows, warnings, parts);
    }

    /** The same one-file run with its sidecar. */
    Run withSidecar(Sidecar sidecar) {
        return new Run(file, label, jmhVersion, jdkVersion, vmName, vmVersion, jvmArgs, rows, warnings,
                List.of(new Part(file, sidecar, rows.size())));
    }

    /** The file name; for a merged run the first one's and how many more ("a.json + 2 more"). */
    String fileName() {
        String first = file.getFileName().toString();
        return parts.size() <= 1 ? first : first + " + " + (parts.size() - 1) + " more";
    }

    /** The first part's sidecar, or null. The parts of a merged run share their identity (machine, commit). */
    Sidecar sidecar() {
        return parts.isEmpty() ? null : parts.get(0).sidecar();
    }

    /** The flag set the user gave the run (from its sidecar), or null when no sidecar says. */
    List<String> userFlags() {
        Sidecar s = sidecar();
        return s == null ? null : s.jvmFlags();
    }

    /**
     * The JVM arguments that are not the user's: what the runner adds (attach flags, the launcher's
     * --sun-misc-unsafe-memory-access) and what a fork inherits from the JMH process (-Djmh.ignoreLock).
     * All of {@link #jvmArgs()} when no sidecar names the user's flags.
     */
    List<String> runnerFlags() {
        List<String> user = userFlags();
        return user == null ? jvmArgs : jvmArgs.stream().filter(a -> !user.contains(a)).toList();
    }
}
