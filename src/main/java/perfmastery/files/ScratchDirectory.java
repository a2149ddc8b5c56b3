package perfmastery.files;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one temporary folder of a benchmark run, for the I/O lessons that need files.
 *
 * <p>Each run makes {@code <parent>/<pid>-<lesson>-<random>} under the parent
 * {@code ${java.io.tmpdir}/jvm-perf-mastery-io}, and deletes it in {@code @TearDown}. A fork killed
 * with SIGKILL runs no teardown and no shutdown hook, so its folder stays: every start therefore first
 * deletes the folders whose owning process is gone ({@link #deleteStale}). A folder counts as stale when
 * no live process has its pid, or when the live process with that pid started after the folder was made
 * (the pid was reused by another program).
 *
 * <p>Free space is checked before a file is made ({@link #requireSpace}): too little gives one line that
 * says how much is needed, how much is free and what to do, instead of a half-written file and an
 * {@code IOException: No space left on device} in the middle of a measurement. The free-space source
 * and the liveness check can be replaced, so both are tested without filling a disk or killing a JVM.
 */
public final class ScratchDirectory implements AutoCloseable {

    /** The parent folder every run's folder lives under. */
    public static Path defaultParent() {
        return Paths.get(System.getProperty("java.io.tmpdir"), "jvm-perf-mastery-io");
    }

    /** How much free space a file of n bytes needs: room for the file, and this much left for everyone else. */
    static final long HEADROOM_BYTES = 64L << 20;

    private static final Pattern OWNED = Pattern.compile("^(\\d+)-.*");

    /** Where free space is read from; replaceable in tests. */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes(Path folder) throws IOException;

        FreeSpace FILE_STORE = folder -> Files.getFileStore(folder).getUsableSpace();
    }

    /** Whether the run that made a folder (by its pid and the folder's creation time) is still going. */
    @FunctionalInterface
    public interface Liveness {
        boolean ownerAlive(long pid, Instant folderCreated);

        Liveness PROCESS_HANDLE = (pid, created) -> {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return false;
            }
            // A process that started after the folder was made cannot have made it: its pid was reused.
            // Start times have a coarse resolution on Linux (clock ticks), hence the slack.
            Optional<Instant> started = handle.get().info().startInstant();
            return started.isEmpty() || !started.get().isAfter(created.plusSeconds(2));
        };
    }

    private final Path folder;
    private final FreeSpace freeSpace;
    private final List<Path> named = new ArrayList<>();

    private ScratchDirectory(Path folder, FreeSpace freeSpace) {
        this.folder = folder;
        this.freeSpace = freeSpace;
    }

    /** Deletes stale folders under the default parent, then makes this run's folder there. */
    public static ScratchDirectory create(String lesson) throws IOException {
        return create(defaultParent(), lesson, FreeSpace.FILE_STORE, Liveness.PROCESS_HANDLE);
    }

    public static ScratchDirectory create(Path parent, String lesson, FreeSpace freeSpace, Liveness liveness)
            throws IOException {
        Files.createDirectories(parent);
        deleteStale(parent, liveness);
        Path folder = Files.createTempDirectory(parent, ProcessHandle.current().pid() + "-" + lesson + "-");
        return new ScratchDirectory(folder, freeSpace);
    }

    /**
     * Deletes every folder under {@code parent} named {@code <pid>-...} whose owner is gone.
     *
     * @return the folders deleted
     */
    static List<Path> deleteStale(Path parent, Liveness liveness) throws IOException {
        List<Path> deleted = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent)) {
            for (Path child : children) {
                Matcher owned = OWNED.matcher(child.getFileName().toString());
                if (!owned.matches() || !Files.isDirectory(child)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(owned.group(1));
                } catch (NumberFormatException notAPid) {
                    continue;
                }
                Instant created;
                try {
                    created = Files.readAttributes(child, BasicFileAttributes.class).creationTime().toInstant();
                } catch (NoSuchFileException removedMeanwhile) {
                    continue;
                }
                if (!liveness.ownerAlive(pid, created)) {
                    deleteRecursively(child);
                    deleted.add(child);
                }
            }
        }
        return deleted;
    }

    /** This run's folder. */
    public Path folder() {
        return folder;
    }

    /** A path in this run's folder; {@link #close} deletes it first. */
    public Path resolve(String name) {
        Path file = folder.resolve(name);
        named.add(file);
        return file;
    }

    /**
     * Fails with one line unless the file store of this folder can take {@code bytes} more and still keep
     * {@link #HEADROOM_BYTES} free.
     *
     * @param what what the bytes are for, e.g. "FileCopyBenchmark size=67108864 (source and copy)"
     */
    public void requireSpace(long bytes, String what) throws IOException {
        long usable = freeSpace.usableBytes(folder);
        long needed = bytes + HEADROOM_BYTES;
        if (usable < needed) {
            throw new InsufficientSpaceException(String.format(Locale.ROOT,
                    "not enough free disk space for %s: needs %s (%s of files + %s headroom) in %s"
                            + " but only %s is usable; free some space, choose a smaller size with -p, or point the temporary folder elsewhere"
                            + " with --jvm-args \"-Djava.io.tmpdir=/a/bigger/disk\" (run-benchmarks.sh) or -jvmArgsPrepend (plain JMH)",
                    what, mebibytes(needed), mebibytes(bytes), mebibytes(HEADROOM_BYTES), folder.getParent(),
                    mebibytes(usable)));
        }
    }

    static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /**
     * Deletes this run's folder and everything in it. The files named through {@link #resolve} are
     * deleted directly, and the tree is walked only if something else is left: the teardown runs inside
     * JMH's last iteration, where every byte it allocates counts in that iteration's B/op.
     */
    @Override
    public void close() throws IOException {
        for (Path file : named) {
            try {
                Files.deleteIfExists(file);
            } catch (DirectoryNotEmptyException walkedBelow) {
                // a named folder with files in it: the walk below deletes it
            }
        }
        try {
            Files.deleteIfExists(folder);
        } catch (DirectoryNotEmptyException somethingElseLeft) {
            deleteRecursively(folder);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Not enough free space for a lesson's files; the message is one line meant for a person. */
    public static final class InsufficientSpaceException extends IOException {
        private static final long serialVersionUID = 1L;

        InsufficientSpaceException(String message) {
            super(message);
        }
    }
}
