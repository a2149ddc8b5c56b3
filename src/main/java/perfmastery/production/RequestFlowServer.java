package perfmastery.production;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import perfmastery.db.LogDatabase;
import perfmastery.db.LogWriter;
import perfmastery.db.LogWriter.WhenFull;
import perfmastery.process.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server of {@link RequestFlowBenchmark}: the guide's architecture summary as one HTTP server.
 *
 * <p>{@code GET /flow/{id}/{key}}:
 * <ol>
 * <li><b>cache first</b>: a Caffeine {@code AsyncLoadingCache} of {@code key -> value}, bounded to
 * {@code cacheSize} entries;</li>
 * <li><b>offload the CPU task</b>: on a miss the cache computes {@link #value} (a recursive fib of
 * {@code taskN}, plus the key) on the worker thread, never on the event loop;</li>
 * <li><b>keep the event loop free</b>: the loop (one thread, the HTTP server's executor) only parses, looks the
 * key up and answers; a miss continues on the worker, a commit on the log writer's thread, and every answer is
 * written by the loop;</li>
 * <li><b>save a log row</b> {@code (id, key, value)} to SQLite through {@link LogWriter}, as {@link Save} says;</li>
 * <li><b>answer 200</b> with {@code "<id> <value>"}.</li>
 * </ol>
 * A row dropped because the log queue was full ({@code whenFull=drop}) is answered {@code "<id> <value> unlogged"}
 * by the asynchronous saves (the reply does not depend on the log) and 503 by {@code sync} (its reply promises the
 * row); either way the drop is counted.
 *
 * <p>{@code GET /stats} answers the counters, {@code name=value} separated by spaces: {@code answered},
 * {@code acknowledged} (answers whose row was accepted for saving), {@code committed}, {@code commits},
 * {@code dropped}, {@code failed}, {@code hits}, {@code misses}, and the durability window since the previous
 * {@code /stats}: {@code windowSamples}, {@code windowMean}, {@code windowMax}. The window is sampled every
 * millisecond as acknowledged minus committed rows (at least 0): rows the client was told about and a crash would
 * lose.
 *
 * <p>As a child JVM ({@code java -cp ... RequestFlowServer <dbFile> <save> <whenFull> <queueBound> <groupBound>
 * <taskN> <cacheSize>}) it prints {@code port <n>} on its first stdout line and serves until its stdin closes (its
 * parent closed it, or died): then it commits what is queued, closes the database and exits.
 */
public final class RequestFlowServer implements AutoCloseable {

    /** When the 200 goes out, and how rows are committed. */
    public enum Save {
        /** The row is committed (a transaction of its own) before the answer. */
        SYNC("sync"),
        /** Answer at once; the writer commits the queued rows one per transaction. */
        ASYNC_ROW("asyncRow"),
        /** Answer at once; the writer commits what is queued, up to the group bound, per transaction. */
        ASYNC_GROUP("asyncGroup"),
        /** No log row: the floor. */
        NONE("none");

        private final String paramName;

        Save(String paramName) {
            this.paramName = paramName;
        }

        public String paramName() {
            return paramName;
        }

        public static Save parse(String text) {
            for (Save save : values()) {
                if (save.paramName.equals(text)) {
                    return save;
                }
            }
            throw new IllegalArgumentException("save must be one of sync, asyncRow, asyncGroup, none, not '" + text + "'");
        }
    }

    /** The server's settings; {@link #args()} and {@link #parse} make and read its command line. */
    public record Config(Path dbFile, Save save, WhenFull whenFull, int queueBound, int groupBound, int taskN,
                         int cacheSize) {
        public Config {
            if (queueBound < 1 || groupBound < 1 || cacheSize < 1 || taskN < 0 || taskN > MAX_TASK_N) {
                throw new IllegalArgumentException("queueBound, groupBound and cacheSize must be at least 1 and taskN in 0.."
                        + MAX_TASK_N + ", not " + queueBound + ", " + groupBound + ", " + cacheSize + ", " + taskN);
            }
        }

        /** Rows per commit: 1 unless the save groups them. */
        int rowsPerCommit() {
            return save == Save.ASYNC_GROUP ? groupBound : 1;
        }

        List<String> args() {
            return List.of(dbFile.toAbsolutePath().toString(), save.paramName(),
                    whenFull.name().toLowerCase(Locale.ROOT), Integer.toString(queueBound), Integer.toString(groupBound),
                    Integer.toString(taskN), Integer.toString(cacheSize));
        }

        static Config parse(String[] args) {
            if (args.length != 7) {
                throw new IllegalArgumentException(USAGE);
            }
            try {
                return new Config(Paths.get(args[0]), Save.parse(args[1]), WhenFull.parse(args[2]),
                        Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number among '" + String.join(" ", args) + "'; " + USAGE);
            }
        }
    }

    static final String USAGE = "usage: RequestFlowServer <dbFile> <sync|asyncRow|asyncGroup|none> <block|drop>"
            + " <queueBound> <groupBound> <taskN 0..35> <cacheSize>";
    static final int MAX_TASK_N = 35;
    static final String UNLOGGED = " unlogged";
    private static final int ACCEPT_BACKLOG = 1_024;
    private static final long WINDOW_SAMPLE_MICROS = 1_000;

    private final Config config;
    private final HttpServer httpServer;
    private final ExecutorService loop;
    private final ExecutorService worker;
    private final ScheduledExecutorService sampler;
    private final AsyncLoadingCache<Integer, Long> cache;
    private final LogDatabase database;
    private final LogWriter writer;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    /** A copy of taskN the JIT cannot fold. */
    private volatile int taskN;

    // Guarded by this: the durability window since the last /stats.
    private long windowSamples;
    private long windowSum;
    private long windowMax;

    private RequestFlowServer(Config config) throws IOException, SQLException {
        this.config = config;
        this.taskN = config.taskN();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            loop = Executors.newSingleThreadExecutor(daemon("event-loop"));
            opened.add(loop::shutdownNow);
            worker = Executors.newSingleThreadExecutor(daemon("cpu-worker"));
            opened.add(worker::shutdownNow);
            sampler = Executors.newSingleThreadScheduledExecutor(daemon("durability-window-sampler"));
            opened.add(sampler::shutdownNow);
            if (config.save() == Save.NONE) {
                database = null;
                writer = null;
            } else {
                database = LogDatabase.open(config.dbFile());
                opened.add(database);
                writer = new LogWriter(database, config.queueBound(), config.rowsPerCommit(), config.whenFull()).start();
                opened.add(writer);
            }
            cache = Caffeine.newBuilder().maximumSize(config.cacheSize()).executor(worker)
                    .buildAsync(key -> value(key, taskN));
            httpServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ACCEPT_BACKLOG);
            httpServer.setExecutor(loop);
            httpServer.createContext("/flow/", this::flow);
            httpServer.createContext("/stats", this::stats);
            sampler.scheduleAtFixedRate(this::sampleWindow, WINDOW_SAMPLE_MICROS, WINDOW_SAMPLE_MICROS,
                    TimeUnit.MICROSECONDS);
            httpServer.start();
        } catch (IOException | SQLException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** Starts a server in this JVM (tests); the benchmark runs it as a child JVM ({@link Child}). */
    public static RequestFlowServer start(Config config) throws IOException, SQLException {
        // Like Node's http server: no Nagle delay on the answers.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        return new RequestFlowServer(config);
    }

    /** The CPU task behind a key: fib(n), computed the slow way, plus the key. */
    public static long value(int key, int n) {
        return fib(n) + key;
    }

    private static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /** What the client expects for request {@code id} and {@code key} when its row was accepted. */
    public static String body(long id, int key, int taskN) {
        return id + " " + value(key, taskN);
    }

    public int port() {
        return httpServer.getAddress().getPort();
    }

    private void flow(HttpExchange exchange) {
        long id;
        int key;
        try {
            String[] parts = exchange.getRequestURI().getPath().substring("/flow/".length()).split("/");
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            id = Long.parseLong(parts[0]);
            key = Integer.parseInt(parts[1]);
            if (key < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            respond(exchange, 400, "expected /flow/<id>/<key>, both non-negative integers\n");
            return;
        }
        CompletableFuture<Long> cached = cache.getIfPresent(key);
        if (cached != null && cached.isDone()) {
            hits.incrementAndGet();
        } else {
            misses.incrementAndGet();
            cached = cache.get(key);
        }
        // Done (a hit): continues here on the loop. Else it continues on the worker when the value is computed.
        cached.whenComplete((value, error) -> {
            if (error != null) {
                fail(exchange, error);
            } else {
                save(exchange, new LogDatabase.Row(id, key, value));
            }
        });
    }

    private void save(HttpExchange exchange, LogDatabase.Row row) {
        String body = row.id() + " " + row.value();
        if (writer == null) {
            answer(exchange, 200, body, false);
            return;
        }
        CompletableFuture<Void> committed;
        try {
            committed = writer.save(row);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(exchange, e);
            return;
        } catch (RuntimeException e) {
            fail(exchange, e);
            return;
        }
        if (config.save() == Save.SYNC) {
            if (committed == null) {
                answer(exchange, 503, "log queue full\n", false);
                return;
            }
            // The answer waits for the commit; the loop writes it, so the writer goes on to the next commit.
            committed.whenCompleteAsync((ok, error) -> {
                if (error != null) {
                    respond(exchange, 500, "the log row was not committed: " + error + "\n");
                } else {
                    answer(exchange, 200, body, true);
                }
            }, loop);
        } else if (committed == null) {
            answer(exchange, 200, body + UNLOGGED, false);
        } else {
            answer(exchange, 200, body, true);
        }
    }

    private void answer(HttpExchange exchange, int status, String body, boolean rowAccepted) {
        if (rowAccepted) {
            // Counted before the bytes leave: a client can never hold an answer the window did not count.
            acknowledged.incrementAndGet();
        }
        if (respond(exchange, status, body)) {
            answered.incrementAndGet();
        }
    }

    private void fail(HttpExchange exchange, Throwable error) {
        firstError.compareAndSet(null, error);
        respond(exchange, 500, "failed: " + error + "\n");
    }

    private static boolean respond(HttpExchange exchange, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return true;
        } catch (IOException clientWentAway) {
            exchange.close();
            return false;
        }
    }

    private void sampleWindow() {
        long window = windowNow();
        synchronized (this) {
            windowSamples++;
            windowSum += window;
            windowMax = Math.max(windowMax, window);
        }
    }

    /** Acknowledged rows not yet committed (at least 0: a row may commit before its answer is counted). */
    long windowNow() {
        if (writer == null) {
            return 0;
        }
        long committed = writer.committed();
        return Math.max(0, acknowledged.get() - committed);
    }

    private void stats(HttpExchange exchange) {
        respond(exchange, 200, statsLine());
    }

    /** The counters, and the window since the last call (which starts a new one). */
    synchronized String statsLine() {
        String line = String.format(Locale.ROOT,
                "answered=%d acknowledged=%d committed=%d commits=%d dropped=%d failed=%d hits=%d misses=%d"
                        + " windowSamples=%d windowMean=%.3f windowMax=%d",
                answered.get(), acknowledged.get(), writer == null ? 0 : writer.committed(),
                writer == null ? 0 : writer.commits(), writer == null ? 0 : writer.dropped(),
                writer == null ? 0 : writer.failed(), hits.get(), misses.get(), windowSamples,
                windowSamples == 0 ? 0.0 : windowSum / (double) windowSamples, windowMax);
        windowSamples = 0;
        windowSum = 0;
        windowMax = 0;
        return line;
    }

    /** A {@code /stats} line as numbers by name; a line that is not one fails with the line in the message. */
    public static java.util.Map<String, Double> parseStats(String line) {
        java.util.Map<String, Double> stats = new java.util.LinkedHashMap<>();
        for (String pair : line.trim().split(" ")) {
            int equals = pair.indexOf('=');
            try {
                stats.put(pair.substring(0, equals), Double.parseDouble(pair.substring(equals + 1)));
            } catch (RuntimeException e) {
                throw new IllegalStateException("not a /stats line: '" + line + "'", e);
            }
        }
        return stats;
    }

    Throwable firstError() {
        return firstError.get();
    }

    /** Stops taking requests, commits what is queued, closes the database and stops every thread. */
    @Override
    public void close() throws InterruptedException, SQLException {
        httpServer.stop(0);
        sampler.shutdownNow();
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            worker.shutdownNow();
            loop.shutdownNow();
            if (database != null) {
                database.close();
            }
        }
        worker.awaitTermination(10, TimeUnit.SECONDS);
        loop.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public static void main(String[] args) {
        Config config;
        try {
            config = Config.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("RequestFlowServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        RequestFlowServer server;
        try {
            server = start(config);
        } catch (IOException | SQLException | RuntimeException e) {
            System.err.println("RequestFlowServer: could not start: " + e);
            System.exit(1);
            return;
        }
        System.out.println("port " + server.port());
        System.out.flush();
        waitForEndOfFile(System.in);
        try {
            server.close();
        } catch (InterruptedException | SQLException | RuntimeException e) {
            System.err.println("RequestFlowServer: closing: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    /** The parent holds our stdin: it closes it on teardown, and the OS closes it when the parent dies. */
    private static void waitForEndOfFile(InputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing is sent on stdin
            }
        } catch (IOException e) {
            // the pipe broke: the parent is gone
        }
    }

    /** The parent's handle on a server child JVM: its address, a graceful close and a SIGKILL. */
    public static final class Child implements AutoCloseable {
        private static final long START_TIMEOUT_SECONDS = 60;

        private final Process process;
        private final InetSocketAddress address;

        private Child(Process process, int port) {
            this.process = process;
            this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }

        /**
         * Starts the server JVM on {@code config} and waits for its port. {@code nativeDir} is where sqlite-jdbc
         * unpacks its native library (a scratch folder, so nothing is left in the system's temporary folder).
         * On any failure the process is gone when this throws.
         */
        public static Child start(Config config, Path nativeDir, List<String> jvmOptions)
                throws IOException, InterruptedException {
            List<String> options = new ArrayList<>(jvmOptions);
            options.add("-Dorg.sqlite.tmpdir=" + nativeDir.toAbsolutePath());
            options.add("-Dsun.net.httpserver.nodelay=true");
            // sqlite-jdbc loads a JNI library: JDK 24+ warns unless allowed; JDK 17 accepts the option too.
            options.add("--enable-native-access=ALL-UNNAMED");
            Process process = new ProcessBuilder(ChildJvm.command(options, RequestFlowServer.class,
                    config.args().toArray(String[]::new)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                return new Child(process, readPort(process));
            } catch (IOException | InterruptedException | RuntimeException e) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw e;
            }
        }

        private static int readPort(Process process) throws IOException, InterruptedException {
            AtomicReference<String> firstLine = new AtomicReference<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII));
            Thread portReader = new Thread(() -> {
                try {
                    firstLine.set(reader.readLine());
                } catch (IOException e) {
                    // the process died: reported below as no port
                }
            }, "flow-server-port-reader");
            portReader.setDaemon(true);
            portReader.start();
            portReader.join(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            String line = firstLine.get();
            if (portReader.isAlive() || line == null || !line.startsWith("port ")) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the request-flow server JVM did not start (first line "
                        + (line == null ? "none" : "'" + line + "'")
                        + (process.isAlive() ? "" : ", exit status " + process.exitValue()) + "; its errors are above)");
            }
            return Integer.parseInt(line.substring("port ".length()).trim());
        }

        public InetSocketAddress address() {
            return address;
        }

        public long pid() {
            return process.pid();
        }

        /** SIGKILL on Linux: no shutdown hook, no commit of what is queued. Waits until the process is gone. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the request-flow server (pid " + process.pid()
                        + ") outlived SIGKILL for 30 s");
            }
        }

        /**
         * Closes the server's stdin: it commits what is queued and exits. Killed if it lingers.
         *
         * @return its exit status (0: a clean close)
         */
        public int closeGracefully() throws InterruptedException {
            try {
                process.getOutputStream().close();
            } catch (IOException alreadyGone) {
                // killed below if need be
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            try {
                if (process.isAlive()) {
                    closeGracefully();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
