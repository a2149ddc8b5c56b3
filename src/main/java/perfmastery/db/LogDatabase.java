package perfmastery.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The request log of {@code RequestFlowBenchmark}: one SQLite file, opened through {@code org.xerial:sqlite-jdbc}
 * (the engine is linked into this process: no server, no port, no other process).
 *
 * <h2>Why SQLite, and what its commit promises</h2>
 * <ul>
 * <li><b>Commit.</b> With {@code journal_mode=WAL} and {@code synchronous=FULL} a commit appends the transaction's
 * pages to the write-ahead log, and {@code fsync}s the log, before {@code commit()} returns. A committed row is on
 * the disk: it survives a killed process and a lost power supply. Once the write is done (before the fsync) it is
 * already in the OS page cache, so a process killed by SIGKILL loses nothing it committed even if the fsync had
 * not run; the fsync is what a power loss would need.</li>
 * <li><b>One fsync per commit.</b> The price of a commit is one fsync, whatever it holds: 1 row or 500. That is
 * what group commit amortises.</li>
 * <li><b>One writer.</b> SQLite takes one write lock per database: concurrent transactions queue for it (and
 * there is no group commit inside the engine, as PostgreSQL's WAL has). A single writer thread with its own
 * connection is the natural shape, and the one every variant here uses.</li>
 * <li><b>Recovery.</b> A new connection after a crash replays the committed transactions from the WAL and ignores
 * an incomplete one: the rows it finds are exactly the committed ones, which is what the kill test counts.</li>
 * </ul>
 * H2 in file mode was the other candidate. Its MVStore keeps committed changes in memory and stores them from a
 * background thread after a configurable delay, so what its commit promises against a killed process depends on
 * settings beyond the commit itself; SQLite's promise is one pragma, stated above, and the kill test checks it.
 */
public final class LogDatabase implements AutoCloseable {

    /** The log row: the request's id (the client's), the cache key it asked for, and the value it was answered. */
    public record Row(long id, int key, long value) {
    }

    private static final String INSERT = "INSERT INTO request_log(id, request_key, value) VALUES (?, ?, ?)";

    private final Connection connection;
    private final PreparedStatement insert;

    private LogDatabase(Connection connection) throws SQLException {
        this.connection = connection;
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=FULL");
            statement.execute("CREATE TABLE IF NOT EXISTS request_log("
                    + "id INTEGER PRIMARY KEY, request_key INTEGER NOT NULL, value INTEGER NOT NULL)");
        }
        connection.setAutoCommit(false);
        this.insert = connection.prepareStatement(INSERT);
    }

    /** Opens (or creates) the database in {@code file}; a crashed writer's committed transactions are recovered. */
    public static LogDatabase open(Path file) throws SQLException {
        Connection connection = connect(file);
        try {
            return new LogDatabase(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** Inserts the rows in one transaction: one commit, one fsync of the log. */
    public void insertAndCommit(List<Row> rows) throws SQLException {
        try {
            for (Row row : rows) {
                insert.setLong(1, row.id());
                insert.setInt(2, row.key());
                insert.setLong(3, row.value());
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            insert.clearBatch();
            connection.rollback();
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            insert.close();
        } finally {
            connection.close();
        }
    }

    /** Rows in the database file, read through a connection of its own (the writer may still be running). */
    public static long countRows(Path file) throws SQLException {
        try (Connection reader = connect(file); Statement statement = reader.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM request_log")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Of {@code ids}, those that have no row in the database file. */
    public static Set<Long> missing(Path file, Collection<Long> ids) throws SQLException {
        Set<Long> present = new HashSet<>();
        try (Connection reader = connect(file); Statement statement = reader.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM request_log")) {
            while (rows.next()) {
                present.add(rows.getLong(1));
            }
        }
        Set<Long> missing = new HashSet<>(ids);
        missing.removeAll(present);
        return missing;
    }

    /** The row with this id, or null (tests check what was stored, not only how many). */
    public static Row find(Path file, long id) throws SQLException {
        try (Connection reader = connect(file);
             PreparedStatement query = reader.prepareStatement(
                     "SELECT id, request_key, value FROM request_log WHERE id = ?")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? new Row(rows.getLong(1), rows.getInt(2), rows.getLong(3)) : null;
            }
        }
    }
}
