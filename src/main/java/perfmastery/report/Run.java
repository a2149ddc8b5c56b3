package perfmastery.report;

import java.nio.file.Path;
import java.util.List;

/**
 * One JMH JSON file: its rows and what the first row says about the JVM that made it.
 *
 * @param label    the column label, set once all runs are known (JDK, VM, flags; the file name breaks ties)
 * @param warnings soft problems met while reading (non-finite numbers, text-only profiler rows, ...)
 */
record Run(Path file, String label, String jmhVersion, String jdkVersion, String vmName, String vmVersion,
           List<String> jvmArgs, List<Row> rows, List<String> warnings) {

    Run withLabel(String newLabel) {
        return new Run(file, newLabel, jmhVersion, jdkVersion, vmName, vmVersion, jvmArgs, rows, warnings);
    }

    String fileName() {
        return file.getFileName().toString();
    }
}
