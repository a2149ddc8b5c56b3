package perfmastery.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one writer of a {@link LogDatabase}: a bounded queue of rows and a thread that takes them, up to
 * {@code maxRowsPerCommit} at a time (whatever is queued), and commits each batch in one transaction.
 *
 * <p>{@link #save} queues a row and returns a future completed when the row is committed. Who waits for it is the
 * server's choice: the synchronous save answers only then, the asynchronous ones answer at once. With
 * {@code maxRowsPerCommit = 1} every row is its own commit (one fsync each); with more, the rows that queued up
 * while the last commit ran go together in the next one (group commit: one fsync per batch).
 *
 * <p>The queue is bounded. When it is full, {@link WhenFull#BLOCK} makes the caller wait for room (backpressure:
 * the server stops taking requests as fast as they come), {@link WhenFull#DROP} refuses the row at once, counts
 * it in {@link #dropped()}, and returns null: never silently.
 *
 * <p>Counters: {@link #queued()} rows accepted, {@link #committed()} rows committed, {@link #commits()}
 * transactions; {@code queued - committed} is what is accepted and not yet durable.
 */
public final class LogWriter implements AutoCloseable {

    /** What {@link #save} does when the queue is full. */
    public enum WhenFull {
        BLOCK, DROP;

        /** {@code block} or {@code drop}; anything else is one clear line. */
        public static WhenFull parse(String text) {
            for (WhenFull value : values()) {
                if (value.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("whenFull must be block or drop, not '" + text + "'");
        }
    }

    public static final String THREAD_NAME = "log-writer";

    private record Pending(LogDatabase.Row row, CompletableFuture<Void> committed) {
    }

    /** Marks the end of the queue: the writer commits what is before it and stops. */
    private static final Pending STOP = new Pending(null, null);

    private final LogDatabase database;
    private final BlockingQueue<Pending> queue;
    private final int maxRowsPerCommit;
    private final WhenFull whenFull;
    private final Thread thread;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile boolean closing;

    /** A writer whose thread is not started yet (tests fill the queue first); {@link #start()} starts it. */
    public LogWriter(LogDatabase database, int queueBound, int maxRowsPerCommit, WhenFull whenFull) {
        if (queueBound < 1 || maxRowsPerCommit < 1) {
            throw new IllegalArgumentException("a log writer needs a queue bound and a batch bound of at least 1, not "
                    + queueBound + " and " + maxRowsPerCommit);
        }
        this.database = database;
        this.queue = new ArrayBlockingQueue<>(queueBound + 1); // + 1: room for STOP
        this.maxRowsPerCommit = maxRowsPerCommit;
        this.whenFull = whenFull;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    public LogWriter start() {
        thread.start();
        return this;
    }

    private int bound() {
        return queue.remainingCapacity() + queue.size() - 1;
    }

    /**
     * Queues a row; returns the future of its commit, or null when the queue was full and the row was dropped
     * (counted). With {@link WhenFull#BLOCK} waits for room.
     */
    public CompletableFuture<Void> save(LogDatabase.Row row) throws InterruptedException {
        if (closing) {
            throw new IllegalStateException("the log writer is closed");
        }
        Pending pending = new Pending(row, new CompletableFuture<>());
        if (whenFull == WhenFull.DROP) {
            synchronized (queue) {
                // The last slot is STOP's: a row may take a slot only while room for STOP is left.
                if (closing || queue.remainingCapacity() <= 1 || !queue.offer(pending)) {
                    dropped.incrementAndGet();
                    return null;
                }
            }
        } else {
            while (!offerLeavingRoomForStop(pending)) {
                if (closing) {
                    throw new IllegalStateException("the log writer is closed");
                }
            }
        }
        queued.incrementAndGet();
        return pending.committed();
    }

    private boolean offerLeavingRoomForStop(Pending pending) throws InterruptedException {
        synchronized (queue) {
            while (queue.remainingCapacity() <= 1 && !closing) {
                queue.wait(1);
            }
            return !closing && queue.offer(pending);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxRowsPerCommit);
        List<LogDatabase.Row> rows = new ArrayList<>(maxRowsPerCommit);
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxRowsPerCommit - 1);
            synchronized (queue) {
                queue.notifyAll();
            }
            rows.clear();
            for (Pending pending : batch) {
                if (pending == STOP) {
                    stop = true;
                } else {
                    rows.add(pending.row());
                }
            }
            if (!rows.isEmpty()) {
                commit(batch, rows);
            }
            batch.clear();
        }
    }

    private void commit(List<Pending> batch, List<LogDatabase.Row> rows) {
        try {
            database.insertAndCommit(rows);
            committed.addAndGet(rows.size());
            commits.incrementAndGet();
            for (Pending pending : batch) {
                if (pending != STOP) {
                    pending.committed().complete(null);
                }
            }
        } catch (SQLException | RuntimeException e) {
            failed.addAndGet(rows.size());
            firstFailure.compareAndSet(null, e);
            for (Pending pending : batch) {
                if (pending != STOP) {
                    pending.committed().completeExceptionally(e);
                }
            }
        }
    }

    public long queued() {
        return queued.get();
    }

    public long committed() {
        return committed.get();
    }

    public long commits() {
        return commits.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Rows whose commit failed (an SQL error): counted, and their futures fail. */
    public long failed() {
        return failed.get();
    }

    public Throwable firstFailure() {
        return firstFailure.get();
    }

    /** Rows queued now (accepted, not yet taken by the writer). */
    public int waiting() {
        return queue.size();
    }

    public int queueBound() {
        return bound();
    }

    /** Commits what is queued, stops the thread (waiting at most 30 s for it), and leaves the database open. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        if (thread.isAlive()) {
            queue.put(STOP);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
                throw new IllegalStateException(THREAD_NAME + " did not finish its queue within 30 s");
            }
        }
        synchronized (queue) {
            queue.notifyAll();
        }
    }
}
