package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFolderTest {

    private static final Instant START = Instant.parse("2026-11-26T07:05:09.123Z");

    @Test
    void twoRunsInTheSameSecondGetTwoFolders(@TempDir Path results) throws IOException {
        Path first = ResultsFolder.createRun(results, START);
        Path second = ResultsFolder.createRun(results, START);
        Path third = ResultsFolder.createRun(results, START);
        assertEquals(results.resolve("runs/2026-11-26T07-05-09Z"), first);
        assertEquals(results.resolve("runs/2026-11-26T07-05-09Z-2"), second);
        assertEquals(results.resolve("runs/2026-11-26T07-05-09Z-3"), third);
        assertTrue(Files.isDirectory(second));
    }

    @Test
    void latestIsARelativeSymlinkReplacedByTheNewestRun(@TempDir Path results) throws IOException {
        Path first = ResultsFolder.createRun(results, START);
        Files.writeString(first.resolve("jdk-17.json"), "[]");
        ResultsFolder.pointLatestAt(results, first);
        Path latest = results.resolve("latest");
        assertTrue(Files.isSymbolicLink(latest));
        assertEquals(Path.of("runs/2026-11-26T07-05-09Z"), Files.readSymbolicLink(latest));
        Path second = ResultsFolder.createRun(results, START.plusSeconds(60));
        ResultsFolder.pointLatestAt(results, second);
        assertEquals(Path.of("runs/2026-11-26T07-06-09Z"), Files.readSymbolicLink(latest));
        assertEquals("[]", Files.readString(first.resolve("jdk-17.json")), "the earlier run is untouched");
        try (var entries = Files.list(results)) {
            assertEquals(2, entries.count(), "no temporary link is left behind");
        }
    }

    @Test
    void latestThatIsNoSymlinkIsNotReplaced(@TempDir Path results) throws IOException {
        Files.createDirectories(results.resolve("latest"));
        Path run = ResultsFolder.createRun(results, START);
        assertThrows(IOException.class, () -> ResultsFolder.pointLatestAt(results, run));
        assertTrue(Files.isDirectory(results.resolve("latest")));
    }

    @Test
    void aResultIsWrittenUnderATemporaryNameThenRenamedNeverOverAnother(@TempDir Path run) throws IOException {
        Path json = run.resolve("jdk-17.0.15.json");
        Path temporary = ResultsFolder.temporaryFor(json, "");
        assertEquals(".jdk-17.0.15.json.partial", temporary.getFileName().toString());
        assertNotEquals(json, temporary);
        Files.writeString(temporary, "[ ]");
        ResultsFolder.promote(temporary, json);
        assertEquals("[ ]", Files.readString(json));
        assertTrue(Files.notExists(temporary));

        Path another = ResultsFolder.temporaryFor(json, ".2");
        Files.writeString(another, "[1]");
        assertThrows(FileAlreadyExistsException.class, () -> ResultsFolder.promote(another, json));
        assertEquals("[ ]", Files.readString(json));
    }
}
