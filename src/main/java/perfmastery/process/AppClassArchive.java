package perfmastery.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An archive of the classes a child JVM loads, made by one training run of the child and mapped by every
 * start after it: the JVM's own answer to "starting a runtime is slow".
 * <ul>
 * <li>JDK 25 and later: an ahead-of-time cache (JEP 483, made in one step by JEP 514):
 * {@code -XX:AOTCacheOutput=<file>} on the training run, {@code -XX:AOTCache=<file>} after it. It holds the
 * application's and the JDK's classes already loaded and linked.</li>
 * <li>JDK 17 to 24: an application class-data sharing archive on top of the JDK's own (dynamic archiving,
 * JEP 350): {@code -XX:ArchiveClassesAtExit=<file>}, then {@code -XX:SharedArchiveFile=<file>}. It holds
 * the classes the JDK's default archive lacks, parsed and verified. (JDK 24 also has the AOT cache, in a
 * two-step form; this class gives it the CDS archive.)</li>
 * </ul>
 * The runs that use the archive insist on it ({@code -XX:AOTMode=on}, {@code -Xshare:on}): a child that
 * could not map it fails instead of starting without it, so a figure is never a plain start in disguise.
 * Files live in {@code ${java.io.tmpdir}/jvm-perf-mastery-aot-<pid>-*}, deleted by {@link #close()}; a folder
 * left by a process killed with SIGKILL is deleted when the next archive is made.
 */
public final class AppClassArchive implements AutoCloseable {

    public static final String DIRECTORY_PREFIX = "jvm-perf-mastery-aot-";
    private static final long TRAINING_TIMEOUT_SECONDS = 180;

    public enum Kind {
        AOT_CACHE("an ahead-of-time cache (JEP 483/514)", "app.aot"),
        APP_CDS("an application CDS archive (JEP 350)", "app.jsa");

        final String description;
        final String fileName;

        Kind(String description, String fileName) {
            this.description = description;
            this.fileName = fileName;
        }

        /** The kind this JDK makes in one training run. */
        public static Kind forFeature(int feature) {
            return feature >= 25 ? AOT_CACHE : APP_CDS;
        }

        public List<String> trainingOptions(Path file) {
            return this == AOT_CACHE ? List.of("-XX:AOTCacheOutput=" + file)
                    : List.of("-XX:ArchiveClassesAtExit=" + file);
        }

        public List<String> useOptions(Path file) {
            return this == AOT_CACHE ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + file)
                    : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + file);
        }
    }

    private final Kind kind;
    private final Path directory;
    private final Path file;

    private AppClassArchive(Kind kind, Path directory, Path file) {
        this.kind = kind;
        this.directory = directory;
        this.file = file;
    }

    /**
     * Runs {@code main} once with the archive's training options (the java binary of {@link ChildJvm}, the
     * given class path) and returns the archive it left, for children started with the same class path.
     *
     * @param classPath    jars only: the JVM archives no class loaded from a directory
     * @param expectedExit the training run's exit status: the run must do the real work, not fail early
     * @throws UnsupportedOperationException when this JDK or this class path allows no archive (one line says why)
     */
    public static AppClassArchive train(String classPath, Class<?> main, int expectedExit, String... args)
            throws IOException, InterruptedException {
        return train(classPath, List.of(), main, expectedExit, args);
    }

    /**
     * The same with JVM options on the training run, for a child that will run with them (a flag set's
     * {@code -Xint} or collector): an archive is made for the options it will be used with.
     */
    public static AppClassArchive train(String classPath, List<String> jvmOptions, Class<?> main, int expectedExit,
            String... args) throws IOException, InterruptedException {
        Kind kind = Kind.forFeature(Runtime.version().feature());
        requireJarsOnly(classPath);
        deleteFoldersOfDeadProcesses();
        Path directory = Files.createTempDirectory(DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-");
        AppClassArchive archive = new AppClassArchive(kind, directory, directory.resolve(kind.fileName));
        try {
            archive.runTraining(classPath, jvmOptions, main, expectedExit, args);
            return archive;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                archive.close();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The JVM refuses to archive for a class path with a non-empty directory ("non-empty directory"): say so first. */
    static void requireJarsOnly(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isDirectory(Paths.get(entry))) {
                throw new UnsupportedOperationException("an archive of classes needs a class path of jars only, and "
                        + entry + " is a directory: run from the benchmarks jar (java -jar target/benchmarks.jar)");
            }
        }
    }

    private void runTraining(String classPath, List<String> jvmOptions, Class<?> main, int expectedExit,
            String... args) throws IOException, InterruptedException {
        Path log = directory.resolve("training.log");
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(kind.trainingOptions(file));
        Process training = new ProcessBuilder(ChildJvm.command(classPath, options, main, args))
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!training.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training run for " + kind.description + " did not end within "
                        + TRAINING_TIMEOUT_SECONDS + " s");
            }
        } finally {
            if (training.isAlive()) {
                training.destroyForcibly().waitFor();
            }
        }
        String said = Files.readString(log, StandardCharsets.UTF_8).strip();
        if (training.exitValue() != expectedExit) {
            throw new IllegalStateException("the training run for " + kind.description + " exited with "
                    + training.exitValue() + ", expected " + expectedExit + (said.isEmpty() ? "" : ": " + firstLine(said)));
        }
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            throw new UnsupportedOperationException("this JDK (Java " + Runtime.version() + ") made no "
                    + kind.description + (said.isEmpty() ? "" : " (it said: " + firstLine(said) + ")")
                    + "; an archive needs the JDK's own CDS archive (lib/server/classes.jsa), which some builds lack");
        }
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end).strip();
    }

    public Kind kind() {
        return kind;
    }

    public Path file() {
        return file;
    }

    /** The options of a child JVM that starts from this archive (and fails if it cannot). */
    public List<String> useOptions() {
        return kind.useOptions(file);
    }

    public String describe() {
        return kind.description;
    }

    /** True when this JDK has the default CDS archive an application archive builds on. */
    public static boolean defaultCdsArchivePresent() {
        Path lib = Paths.get(System.getProperty("java.home"), "lib");
        try (Stream<Path> files = Files.walk(lib, 2)) {
            return files.anyMatch(f -> f.getFileName().toString().equals("classes.jsa"));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        deleteRecursively(directory);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    /** Folders named for a process that no longer runs (killed before its teardown). */
    private static void deleteFoldersOfDeadProcesses() {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(tmp, DIRECTORY_PREFIX + "*")) {
            for (Path folder : folders) {
                String rest = folder.getFileName().toString().substring(DIRECTORY_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try {
                    deleteRecursively(folder);
                } catch (IOException ignored) {
                    // Another user's folder, or one being deleted by someone else: not ours to insist on.
                }
            }
        } catch (IOException ignored) {
            // No temp folder to list: nothing left over to delete.
        }
    }
}
