package perfmastery.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The JVMs the runner starts. A shutdown hook (Ctrl-C, SIGTERM) stops them and their own children
 * (JMH's forks), removes the partial files of the run in progress and says where the finished results
 * are: those stay.
 */
final class ChildProcesses {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Set<Path> PARTIAL_FILES = ConcurrentHashMap.newKeySet();
    private static volatile String interruptedNote;
    private static volatile boolean finished;
    private static volatile boolean stopping;
    /** What the hook does after stopping the children and before removing partial files (keep finished work). */
    private static volatile Runnable salvage;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-child-jvms"));
    }

    private ChildProcesses() {
    }

    /** What the hook prints if the run is stopped before it ends. */
    static void whenInterrupted(String note) {
        interruptedNote = note;
    }

    /**
     * What the hook runs, if the run is stopped before it ends, once the children are stopped and before the
     * partial files are removed: e.g. joining finished fork rounds into results. Null removes it.
     */
    static void onInterrupt(Runnable action) {
        salvage = action;
    }

    /** The action {@link #onInterrupt} set (tests run it as the hook would). */
    static Runnable interruptAction() {
        return salvage;
    }

    /** Called when main returns: the hook that runs at exit then has nothing to say. */
    static void runFinished() {
        finished = true;
    }

    static void partial(Path file) {
        PARTIAL_FILES.add(file);
    }

    static void notPartial(Path file) {
        PARTIAL_FILES.remove(file);
    }

    /** Whether the JVM is shutting down (Ctrl-C, SIGTERM): a child's closed stream is no write failure then. */
    static boolean stopping() {
        return stopping;
    }

    private static void stopAll() {
        stopping = true;
        boolean interrupted = !RUNNING.isEmpty() || (!finished && interruptedNote != null);
        for (Process process : RUNNING) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : RUNNING) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runnable keep = salvage;
        if (interrupted && !finished && keep != null) {
            try {
                keep.run();
            } catch (RuntimeException e) {
                System.err.println("could not keep the finished results: " + e);
            }
        }
        for (Path file : PARTIAL_FILES) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a file that cannot be removed stays hidden (.partial) and is no result
            }
        }
        if (interrupted && interruptedNote != null) {
            System.err.println();
            System.err.println(interruptedNote);
        }
    }

    /** What a child JVM did: its exit code, whether JMH said its lock was taken, and a log write failure. */
    record Outcome(int exitCode, boolean lockBusy, IOException logFailure) {
    }

    /**
     * Runs a command with no input, copying its output (stderr merged) to the console and to {@code log}.
     * A log that cannot be written (disk full) does not stop the run: it is reported in the outcome.
     */
    static Outcome runTee(List<String> command, PrintStream console, OutputStream log)
            throws IOException, InterruptedException {
        Process process = track(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            process.getOutputStream().close();
            IOException logFailure = null;
            boolean lockBusy = false;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            InputStream in = process.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                console.write(buffer, 0, n);
                console.flush();
                if (logFailure == null) {
                    try {
                        log.write(buffer, 0, n);
                    } catch (IOException e) {
                        logFailure = e;
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lockBusy |= line.toString(StandardCharsets.UTF_8).contains("Unable to acquire the JMH lock");
                        line.reset();
                    } else if (line.size() < 4096) {
                        line.write(buffer[i]);
                    }
                }
            }
            if (logFailure == null) {
                try {
                    log.flush();
                } catch (IOException e) {
                    logFailure = e;
                }
            }
            return new Outcome(process.waitFor(), lockBusy, logFailure);
        } finally {
            RUNNING.remove(process);
        }
    }

    /**
     * Registers a started child for the hook. The hook sets {@code stopping} before it looks at the
     * children, so a child started while it runs is either seen by it or stopped here.
     */
    private static Process track(Process process) throws IOException {
        RUNNING.add(process);
        if (stopping) {
            RUNNING.remove(process);
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            throw new IOException("stopping: not starting " + process.info().command().orElse("a JVM"));
        }
        return process;
    }

    /** Runs a command in {@code directory} with the runner's own input and output; returns its exit code. */
    static int runInheriting(List<String> command, Path directory) throws IOException, InterruptedException {
        Process process = track(new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start());
        try {
            return process.waitFor();
        } finally {
            RUNNING.remove(process);
        }
    }
}
