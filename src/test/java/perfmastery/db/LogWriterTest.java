package perfmastery.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.db.LogWriter.WhenFull;

/**
 * The bounded queue's two ways when full: drop counts every row it drops (and the dropped rows are not in the
 * database), block holds the caller until the writer makes room (and then every row is in the database); a group
 * writer commits what is queued in one transaction.
 */
class LogWriterTest {

    @TempDir
    Path folder;

    private static LogDatabase.Row row(long id) {
        return new LogDatabase.Row(id, (int) id % 7, id * 3);
    }

    @Test
    void aFullQueueDropsAndCountsEveryRowItDrops() throws Exception {
        Path file = folder.resolve("drop.db");
        try (LogDatabase database = LogDatabase.open(file)) {
            LogWriter writer = new LogWriter(database, 2, 1, WhenFull.DROP); // not started: the queue only fills
            List<CompletableFuture<Void>> accepted = new ArrayList<>();
            for (long id = 0; id < 5; id++) {
                CompletableFuture<Void> committed = writer.save(row(id));
                if (committed != null) {
                    accepted.add(committed);
                }
            }
            assertEquals(2, accepted.size(), "a bound of 2 takes 2 rows");
            assertEquals(3, writer.dropped(), "the other 3 are dropped, and counted");
            assertEquals(2, writer.queued());
            writer.start();
            for (CompletableFuture<Void> committed : accepted) {
                committed.get(30, TimeUnit.SECONDS);
            }
            writer.close();
            assertEquals(2, writer.committed());
        }
        assertEquals(2, LogDatabase.countRows(file), "the accepted rows are in the database, the dropped are not");
        assertEquals(row(1), LogDatabase.find(file, 1));
        assertNull(LogDatabase.find(file, 2));
    }

    @Test
    void aFullQueueBlocksTheCallerUntilTheWriterMakesRoom() throws Exception {
        Path file = folder.resolve("block.db");
        try (LogDatabase database = LogDatabase.open(file)) {
            LogWriter writer = new LogWriter(database, 2, 1, WhenFull.BLOCK);
            assertNotNull(writer.save(row(0)));
            assertNotNull(writer.save(row(1)));
            AtomicReference<CompletableFuture<Void>> third = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    third.set(writer.save(row(2)));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "blocked-caller");
            caller.setDaemon(true);
            caller.start();
            // The caller must reach its wait: a waiting state, not a sleep of a guessed length.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (caller.getState() != Thread.State.TIMED_WAITING && caller.getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < giveUp, "the third save never waited");
                Thread.onSpinWait();
            }
            assertTrue(caller.isAlive(), "the third save waits for room");
            assertEquals(0, writer.dropped());
            writer.start();
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(failure.get());
            third.get().get(30, TimeUnit.SECONDS);
            writer.close();
            assertEquals(0, writer.dropped(), "blocking drops nothing");
        }
        assertEquals(3, LogDatabase.countRows(file));
    }

    @Test
    void aGroupWriterCommitsWhatIsQueuedInOneTransaction() throws Exception {
        Path file = folder.resolve("group.db");
        try (LogDatabase database = LogDatabase.open(file)) {
            LogWriter writer = new LogWriter(database, 100, 50, WhenFull.BLOCK);
            for (long id = 0; id < 40; id++) {
                writer.save(row(id));
            }
            writer.start();
            writer.close();
            assertEquals(40, writer.committed());
            assertEquals(1, writer.commits(), "40 queued rows, a bound of 50: one commit");
        }
        assertEquals(40, LogDatabase.countRows(file));
    }

    @Test
    void aRowWriterCommitsEachRowAlone() throws Exception {
        Path file = folder.resolve("row.db");
        try (LogDatabase database = LogDatabase.open(file)) {
            LogWriter writer = new LogWriter(database, 100, 1, WhenFull.BLOCK);
            for (long id = 0; id < 10; id++) {
                writer.save(row(id));
            }
            writer.start();
            writer.close();
            assertEquals(10, writer.commits());
        }
        assertEquals(10, LogDatabase.countRows(file));
    }

    @Test
    void aFailedCommitFailsItsRowsAndIsCounted() throws Exception {
        Path file = folder.resolve("fail.db");
        try (LogDatabase database = LogDatabase.open(file)) {
            LogWriter writer = new LogWriter(database, 10, 10, WhenFull.BLOCK);
            CompletableFuture<Void> first = writer.save(row(1));
            CompletableFuture<Void> duplicate = writer.save(row(1));
            writer.start();
            writer.close();
            assertThrows(Exception.class, () -> duplicate.get(30, TimeUnit.SECONDS));
            assertTrue(first.isCompletedExceptionally(), "one transaction: both rows fail together");
            assertEquals(2, writer.failed());
        }
        assertEquals(0, LogDatabase.countRows(file));
    }

    @Test
    void badWhenFullIsOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WhenFull.parse("wait"));
        assertEquals("whenFull must be block or drop, not 'wait'", e.getMessage());
    }
}
