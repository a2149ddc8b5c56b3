package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import perfmastery.db.LogDatabase;
import perfmastery.db.LogWriter.WhenFull;
import perfmastery.load.HttpConnection;
import perfmastery.production.RequestFlowServer.Save;

/**
 * The fault test of {@link RequestFlowBenchmark}: the server, a child JVM, is killed with SIGKILL
 * ({@code Process.destroyForcibly()} on Linux) while clients keep requests in flight, restarted on the same
 * database file, and killed again; at the end the acknowledged rows missing from the database are counted.
 * {@code sync} answers only after the commit and must lose none, in every one of {@value #KILLS} kills. The async
 * saves answer before the commit: what they lose is printed, a figure and not a failure.
 *
 * <p>Bounded: each round runs the load until {@value #ROWS_BEFORE_KILL} answers or {@value #MAX_ROUND_MILLIS} ms,
 * whichever comes first, but at least until {@value #MIN_ROWS_BEFORE_KILL} answers are in (at most
 * {@value #MAX_WAIT_FOR_FIRST_ANSWERS_SECONDS} s); a save takes a few seconds on a quiet machine, mostly four JVM
 * starts.
 */
class RequestFlowKillTest {

    static final int KILLS = 3;
    static final int CLIENTS = 4;
    static final int ROWS_BEFORE_KILL = 300;
    static final long MAX_ROUND_MILLIS = 1_500;
    static final int MIN_ROWS_BEFORE_KILL = 20;
    static final long MAX_WAIT_FOR_FIRST_ANSWERS_SECONDS = 60;

    @TempDir
    Path folder;

    @ParameterizedTest
    @ValueSource(strings = {"sync", "asyncRow", "asyncGroup"})
    void killedUnderLoadTheServerLosesOnlyWhatItAcknowledgedBeforeCommitting(String save) throws Exception {
        Save kind = Save.parse(save);
        Path db = folder.resolve("killed.db");
        Path nativeDir = Files.createDirectories(folder.resolve("native"));
        RequestFlowServer.Config config = new RequestFlowServer.Config(db, kind, WhenFull.BLOCK,
                RequestFlowBenchmark.QUEUE_BOUND, RequestFlowBenchmark.GROUP_BOUND, RequestFlowBenchmark.TASK_N,
                RequestFlowBenchmark.CACHE_SIZE);
        List<Long> acknowledged = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        long taskValue = RequestFlowServer.value(0, RequestFlowBenchmark.TASK_N);
        for (int round = 0; round < KILLS; round++) {
            try (RequestFlowServer.Child server = RequestFlowServer.Child.start(config, nativeDir,
                    List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))) {
                pids.add(server.pid());
                List<Long> answered = loadThenKill(server, round * 1_000_000_000L, taskValue);
                assertTrue(answered.size() > 0, "round " + round + ": the server answered before it was killed");
                acknowledged.addAll(answered);
                assertFalse(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false),
                        "round " + round + ": pid " + server.pid() + " survived SIGKILL");
            }
        }
        // Restarted on the same file: it opens (and recovers) the database, then closes cleanly.
        try (RequestFlowServer.Child restarted = RequestFlowServer.Child.start(config, nativeDir, List.of("-Xmx128m"))) {
            pids.add(restarted.pid());
            try (HttpConnection connection = HttpConnection.open(restarted.address(), 30_000)) {
                long id = 9_000_000_000L;
                HttpConnection.Answer answer = connection.get("/flow/" + id + "/5");
                assertEquals(200, answer.status(), answer.body());
                assertEquals(id + " " + (taskValue + 5), answer.body());
                acknowledged.add(id);
            }
            assertEquals(0, restarted.closeGracefully(), "a clean close after the kills");
        }
        Set<Long> missing = LogDatabase.missing(db, acknowledged);
        long rows = LogDatabase.countRows(db);
        System.out.printf("RequestFlowKillTest save=%s: %d kills, %d acknowledged rows, %d in the database,"
                + " %d acknowledged rows lost%n", save, KILLS, acknowledged.size(), rows, missing.size());
        if (kind == Save.SYNC) {
            assertEquals(Set.of(), missing, "sync acknowledges only committed rows: it loses none");
        }
        assertFalse(missing.contains(9_000_000_000L), "the row of the clean close is in");
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " survived");
        }
    }

    /**
     * {@value #CLIENTS} clients, each a closed loop on its own connection; once {@value #ROWS_BEFORE_KILL} answers
     * are in (or the time is up) the server is killed while they still send. Returns the ids answered 200 with the
     * right body, the acknowledged rows.
     */
    private static List<Long> loadThenKill(RequestFlowServer.Child server, long firstId, long taskValue)
            throws Exception {
        ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
        AtomicLong nextId = new AtomicLong(firstId);
        ConcurrentLinkedQueue<Throwable> wrongAnswers = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        InetSocketAddress address = server.address();
        for (int c = 0; c < CLIENTS; c++) {
            int seed = c;
            Thread client = new Thread(() -> {
                try (HttpConnection connection = HttpConnection.open(address, 30_000)) {
                    for (int i = 0; i < 1_000_000; i++) {
                        long id = nextId.getAndIncrement();
                        int key = (int) ((id * 31 + seed) % RequestFlowBenchmark.KEY_COUNT);
                        HttpConnection.Answer answer = connection.get("/flow/" + id + "/" + key);
                        if (answer.status() != 200 || !answer.body().equals(id + " " + (taskValue + key))) {
                            wrongAnswers.add(new AssertionError("/flow/" + id + "/" + key + ": " + answer));
                            return;
                        }
                        answered.add(id);
                    }
                } catch (IOException killed) {
                    // the server died under us: the point of the test
                }
            }, "kill-test-client-" + c);
            client.setDaemon(true);
            clients.add(client);
            client.start();
        }
        long enough = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_ROUND_MILLIS);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_WAIT_FOR_FIRST_ANSWERS_SECONDS);
        // Kill at ROWS_BEFORE_KILL answers or after MAX_ROUND_MILLIS, but not before MIN_ROWS_BEFORE_KILL: on a busy
        // machine with slow fsyncs a synchronous server answers few requests in the first second.
        while (answered.size() < ROWS_BEFORE_KILL && wrongAnswers.isEmpty()
                && (System.nanoTime() < enough || answered.size() < MIN_ROWS_BEFORE_KILL) && System.nanoTime() < giveUp
                && clients.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(5);
        }
        boolean clientsStillSending = clients.stream().anyMatch(Thread::isAlive);
        server.kill();
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(client.isAlive(), client.getName() + " did not stop after the kill");
        }
        assertTrue(wrongAnswers.isEmpty(), "wrong answers: " + wrongAnswers);
        assertTrue(clientsStillSending, "the kill came under load, with requests in flight");
        return new ArrayList<>(answered);
    }
}
