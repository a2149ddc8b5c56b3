package perfmastery.runner;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * The results layout: {@code results/runs/<UTC timestamp>/} per invocation, {@code results/latest}
 * a symlink to the newest. Nothing here overwrites or deletes a file of an earlier run: folders are
 * created only if new, files are written under a temporary name and renamed into a name that must not
 * exist yet.
 */
public final class ResultsFolder {

    static final DateTimeFormatter RUN_NAME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

    private ResultsFolder() {
    }

    /**
     * Makes a new folder {@code results/runs/<timestamp>}, or {@code <timestamp>-2}, {@code -3}... when
     * another run started in the same second: creating a folder is atomic, so two runs never share one.
     */
    public static Path createRun(Path results, Instant start) throws IOException {
        Path runs = Files.createDirectories(results.resolve("runs"));
        String base = RUN_NAME.format(start);
        for (int n = 1; ; n++) {
            Path candidate = runs.resolve(n == 1 ? base : base + "-" + n);
            try {
                return Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException taken) {
                // the next suffix
            }
        }
    }

    /**
     * Points {@code results/latest} at {@code run} by making a new relative symlink and renaming it over
     * the old one: a reader sees the old run or the new one, never a missing link.
     */
    public static void pointLatestAt(Path results, Path run) throws IOException {
        Path latest = results.resolve("latest");
        if (Files.exists(latest, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(latest)) {
            throw new IOException(latest + " exists and is not a symlink: move it away");
        }
        Path target = results.toAbsolutePath().relativize(run.toAbsolutePath());
        Path temporary = results.resolve(".latest-" + UUID.randomUUID());
        Files.createSymbolicLink(temporary, target);
        try {
            Files.move(temporary, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Where a file is written before it is complete: hidden, beside its final name. */
    public static Path temporaryFor(Path target, String part) {
        return target.resolveSibling("." + target.getFileName() + part + ".partial");
    }

    /** Renames a complete file to its final name, which must not exist: never replaces a result. */
    public static void promote(Path temporary, Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target);
        }
    }
}
