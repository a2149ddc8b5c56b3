package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.Result;

import perfmastery.db.LogDatabase;
import perfmastery.db.LogWriter.WhenFull;
import perfmastery.load.HttpConnection;
import perfmastery.process.ChildJvm;
import perfmastery.production.RequestFlowServer.Save;
import perfmastery.support.Claim;
import perfmastery.support.RecordedGauges;

/**
 * Every save answers the right body and leaves its rows in a real SQLite file; the benchmark's trial proves the
 * rows are there and leaves no process or file behind; the claims name rows the lesson makes and keep the
 * thresholds their bases give.
 */
class RequestFlowBenchmarkTest {

    @TempDir
    Path folder;

    private static RequestFlowServer.Config config(Path db, Save save, WhenFull whenFull, int queueBound) {
        return new RequestFlowServer.Config(db, save, whenFull, queueBound, RequestFlowBenchmark.GROUP_BOUND,
                RequestFlowBenchmark.TASK_N, RequestFlowBenchmark.CACHE_SIZE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "asyncRow", "asyncGroup", "none"})
    void eachSaveAnswersTheRightBodyAndStoresTheRowItAnswered(String save) throws Exception {
        Path db = folder.resolve("flow.db");
        Save kind = Save.parse(save);
        int requests = 60;
        RequestFlowServer server = RequestFlowServer.start(config(db, kind, WhenFull.BLOCK, 1_024));
        try (HttpConnection connection = HttpConnection.open(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.port()), 30_000)) {
            for (long id = 0; id < requests; id++) {
                int key = (int) (id % 7); // repeats: hits and misses both answer
                HttpConnection.Answer answer = connection.get("/flow/" + id + "/" + key);
                assertEquals(200, answer.status(), answer.body());
                assertEquals(id + " " + (fib(RequestFlowBenchmark.TASK_N) + key), answer.body());
            }
            Map<String, Double> stats = RequestFlowServer.parseStats(connection.get("/stats").body());
            assertEquals(requests, stats.get("answered"));
            assertEquals(7, stats.get("misses"), "one miss per distinct key");
            assertEquals(requests - 7, stats.get("hits"));
            assertEquals(400, connection.get("/flow/x/1").status());
        } finally {
            server.close();
        }
        assertNull(server.firstError());
        if (kind == Save.NONE) {
            assertFalse(Files.exists(db), "none saves nothing");
            return;
        }
        assertEquals(requests, LogDatabase.countRows(db));
        for (long id : new long[] {0, 13, requests - 1}) {
            int key = (int) (id % 7);
            assertEquals(new LogDatabase.Row(id, key, fib(RequestFlowBenchmark.TASK_N) + key), LogDatabase.find(db, id),
                    "the row holds what was answered");
        }
    }

    private static long fib(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long next = a + b;
            a = b;
            b = next;
        }
        return a;
    }

    @Test
    void theValueIsFibPlusTheKey() {
        assertEquals(6765 + 3, RequestFlowServer.value(3, 20));
    }

    @Test
    void syncNeverAcknowledgesAnUncommittedRow() throws Exception {
        Path db = folder.resolve("sync.db");
        RequestFlowServer server = RequestFlowServer.start(config(db, Save.SYNC, WhenFull.BLOCK, 1_024));
        try (HttpConnection connection = HttpConnection.open(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.port()), 30_000)) {
            for (long id = 0; id < 30; id++) {
                assertEquals(200, connection.get("/flow/" + id + "/1").status());
                // Answered, hence committed: the row is visible to another connection now.
                assertNotNull(LogDatabase.find(db, id), "row " + id + " is committed when its answer arrives");
            }
            assertEquals(0, server.windowNow());
        } finally {
            server.close();
        }
    }

    /**
     * With a queue of one row and four clients, rows are dropped: each drop is counted by the server, told to the
     * client ("unlogged", or 503 for sync), and missing from the database; every other answered row is in it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "asyncRow", "asyncGroup"})
    void droppedRowsAreCountedToldAndAbsent(String save) throws Exception {
        Path db = folder.resolve("drop.db");
        Save kind = Save.parse(save);
        RequestFlowServer server = RequestFlowServer.start(config(db, kind, WhenFull.DROP, 1));
        java.net.InetSocketAddress address = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(),
                server.port());
        java.util.concurrent.ConcurrentLinkedQueue<Long> saved = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.ConcurrentLinkedQueue<Long> toldDropped = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong();
        long taskValue = RequestFlowServer.value(0, RequestFlowBenchmark.TASK_N);
        List<Thread> clients = new java.util.ArrayList<>();
        Map<String, Double> stats;
        try {
            for (int c = 0; c < 4; c++) {
                Thread client = new Thread(() -> {
                    try (HttpConnection connection = HttpConnection.open(address, 30_000)) {
                        for (int i = 0; i < 100; i++) {
                            long id = nextId.getAndIncrement();
                            HttpConnection.Answer answer = connection.get("/flow/" + id + "/3");
                            String body = id + " " + (taskValue + 3);
                            if (answer.status() == 200 && answer.body().equals(body)) {
                                saved.add(id);
                            } else if (kind == Save.SYNC ? answer.status() == 503
                                    : answer.status() == 200 && answer.body().equals(body + RequestFlowServer.UNLOGGED)) {
                                toldDropped.add(id);
                            } else {
                                wrong.add(new AssertionError(id + ": " + answer));
                            }
                        }
                    } catch (Throwable t) {
                        wrong.add(t);
                    }
                });
                clients.add(client);
                client.start();
            }
            for (Thread client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(60));
            }
            try (HttpConnection connection = HttpConnection.open(address, 30_000)) {
                stats = RequestFlowServer.parseStats(connection.get("/stats").body());
            }
        } finally {
            server.close();
        }
        assertEquals(List.of(), List.copyOf(wrong));
        assertEquals(400, saved.size() + toldDropped.size());
        assertEquals(toldDropped.size(), stats.get("dropped").longValue(), "every drop counted, and told");
        assertEquals(saved.size(), stats.get("acknowledged").longValue());
        assertEquals(saved.size(), LogDatabase.countRows(db), "the saved rows are in, the dropped are not");
        assertEquals(Set.of(), LogDatabase.missing(db, saved));
        for (long id : toldDropped) {
            assertNull(LogDatabase.find(db, id), "dropped row " + id + " is not in the database");
        }
        System.out.printf("RequestFlowBenchmarkTest save=%s whenFull=drop, queue of 1: %d saved, %d dropped%n", save,
                saved.size(), toldDropped.size());
    }

    @Test
    void theGaugesAreTheIterationsDifferences() throws Exception {
        RequestFlowBenchmark flow = new RequestFlowBenchmark();
        flow.save = "asyncGroup";
        flow.whenFull = "block";
        setKinds(flow);
        Map<String, Double> start = RequestFlowServer.parseStats("answered=10 acknowledged=10 committed=8 commits=2"
                + " dropped=1 failed=0 hits=4 misses=6 windowSamples=3 windowMean=1.000 windowMax=2");
        Map<String, Double> end = RequestFlowServer.parseStats("answered=110 acknowledged=110 committed=108 commits=6"
                + " dropped=4 failed=0 hits=79 misses=31 windowSamples=400 windowMean=12.500 windowMax=40");
        Map<String, Result<?>> gauges = RecordedGauges.during(() -> flow.recordGauges(start, end));
        assertEquals(100, RecordedGauges.score(gauges, "committedRows"));
        assertEquals(25, RecordedGauges.score(gauges, "rowsPerCommit"));
        assertEquals(3, RecordedGauges.score(gauges, "droppedRows"));
        assertEquals(0.75, RecordedGauges.score(gauges, "cacheHitRatio"), 1e-12);
        assertEquals(12.5, RecordedGauges.score(gauges, "durabilityWindowMeanRows"), 1e-12);
        assertEquals(40, RecordedGauges.score(gauges, "durabilityWindowMaxRows"));

        flow.save = "none";
        setKinds(flow);
        Map<String, Result<?>> none = RecordedGauges.during(() -> flow.recordGauges(start, end));
        assertEquals(Set.of("cacheHitRatio"), none.keySet(), "none saves nothing: no database gauge");
    }

    private static void setKinds(RequestFlowBenchmark flow) throws Exception {
        var save = RequestFlowBenchmark.class.getDeclaredField("saveKind");
        save.setAccessible(true);
        save.set(flow, Save.parse(flow.save));
        var whenFull = RequestFlowBenchmark.class.getDeclaredField("whenFullKind");
        whenFull.setAccessible(true);
        whenFull.set(flow, WhenFull.parse(flow.whenFull));
    }

    /** The benchmark's own trial, as JMH runs it, with the child server: rows proven, nothing left behind. */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "asyncRow", "asyncGroup", "none"})
    void aTrialLeavesEveryAcknowledgedRowInTheDatabaseAndNothingBehind(String save) throws Exception {
        RequestFlowBenchmark flow = new RequestFlowBenchmark();
        flow.save = save;
        flow.whenFull = "block";
        flow.setUp(true);
        long pid = flow.serverPid();
        Path scratch = flow.scratchFolder();
        RequestFlowBenchmark.Client client = new RequestFlowBenchmark.Client();
        try {
            client.connect(flow, 0);
            flow.startIteration();
            for (int i = 0; i < 40; i++) {
                assertEquals(200, flow.saturated(client));
            }
            flow.fixedRate();
            Map<String, Result<?>> gauges = RecordedGauges.during(flow::endIteration);
            assertTrue(RecordedGauges.score(gauges, "openLoopChecks") >= 0);
            if (!save.equals("none")) {
                assertTrue(RecordedGauges.score(gauges, "committedRows") <= 40 + RecordedGauges.score(gauges,
                        "openLoopChecks"));
                assertEquals(0, RecordedGauges.score(gauges, "droppedRows"));
            }
        } finally {
            client.disconnect();
            flow.tearDown();
        }
        assertTrue(flow.trialAnswered() >= 40, "the trial's answers: " + flow.trialAnswered());
        if (save.equals("none")) {
            assertEquals(0, flow.trialAcknowledged(), "none accepts no row");
            assertEquals(0, flow.trialRows());
        } else {
            assertEquals(flow.trialAnswered(), flow.trialAcknowledged(), "with block, every answered row was accepted");
            assertEquals(flow.trialAcknowledged(), flow.trialRows(), "after a clean close every acknowledged row is in");
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server pid " + pid + " survived");
        assertFalse(Files.exists(scratch), "the database's folder " + scratch + " is deleted");
    }

    @Test
    void aBadParamFailsWithOneLineAndStartsNoServer() {
        RequestFlowBenchmark flow = new RequestFlowBenchmark();
        flow.save = "later";
        flow.whenFull = "block";
        Set<Long> before = childPids();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flow.setUp(false));
        assertEquals("save must be one of sync, asyncRow, asyncGroup, none, not 'later'", e.getMessage());
        assertEquals(before, childPids(), "no child process was started");
    }

    private static Set<Long> childPids() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle.current().children().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    /**
     * A parent that dies by SIGTERM (the runner's fork, stopped) takes its server with it: the server exits when
     * its stdin closes, and the test finds it gone by its pid.
     */
    @Test
    void theServerDiesWithItsParent() throws Exception {
        Path db = folder.resolve("orphan.db");
        Process parent = new ProcessBuilder(ChildJvm.command(List.of("-Xmx64m"), ServerParentMain.class,
                db.toString(), folder.resolve("native").toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long serverPid;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII));
            String line = out.readLine();
            assertNotNull(line, "the parent printed the server's pid");
            serverPid = Long.parseLong(line.trim());
            assertTrue(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "the server runs");
        } finally {
            parent.destroy(); // SIGTERM
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
        }
        ProcessHandle server = ProcessHandle.of(serverPid).orElse(null);
        if (server != null) {
            server.onExit().get(30, TimeUnit.SECONDS);
        }
        assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false),
                "server pid " + serverPid + " outlived its parent");
    }

    /** A stand-in for a JMH fork: starts a server, prints its pid, waits to be killed. */
    public static final class ServerParentMain {
        public static void main(String[] args) throws Exception {
            Path db = Path.of(args[0]);
            Path nativeDir = Files.createDirectories(Path.of(args[1]));
            RequestFlowServer.Child child = RequestFlowServer.Child.start(config(db, Save.ASYNC_GROUP, WhenFull.BLOCK,
                    64), nativeDir, List.of("-Xmx64m"));
            System.out.println(child.pid());
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(2));
        }
    }

    // --- claims -------------------------------------------------------------------------------------------------

    private static Claim claim(String id) {
        return Arrays.stream(RequestFlowBenchmark.class.getAnnotationsByType(Claim.class))
                .filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("RequestFlowBenchmark has no claim " + id));
    }

    @Test
    void theGroupCommitClaimAsksForBatchesOfTwo() {
        Claim group = claim("asyncGroup-throughput-2x-sync");
        assertEquals(2.0, group.factor(), "one fsync per 2 rows instead of per row");
        assertEquals(Claim.Relation.HIGHER, group.relation(), "throughput: higher is better");
        assertEquals("primary", group.metric());
        assertTrue(RequestFlowBenchmark.SATURATING_CLIENTS > group.factor(),
                "more requests in flight than the batch the claim asks for");
        assertTrue(RequestFlowBenchmark.GROUP_BOUND >= RequestFlowBenchmark.SATURATING_CLIENTS);
        Claim latency = claim("asyncRow-answers-2x-faster-than-sync");
        assertEquals("openLoopP50Us", latency.metric());
        assertEquals(Claim.Relation.LOWER, latency.relation());
        Claim window = claim("sync-durability-window-zero");
        assertEquals(Claim.Kind.MECHANISM, window.kind());
        assertTrue(window.bound() < 1, "less than one row: none");
    }

    @Test
    void theOfferedRateIsHalfOfOneFsyncPerRowAtTwoAndAHalfMilliseconds() {
        double fsyncMillis = 2.5;
        assertEquals(1_000 / fsyncMillis / 2, RequestFlowBenchmark.OFFERED_RATE_PER_SECOND, 1e-9);
    }
}
