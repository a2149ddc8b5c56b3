package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.Result;

import perfmastery.cpu.Threads;
import perfmastery.load.CpuTaskServer;
import perfmastery.load.OpenLoopHttpClient;
import perfmastery.load.OpenLoopProbe;
import perfmastery.process.ChildJvm;
import perfmastery.process.ResidentSetSize;
import perfmastery.support.Claim;
import perfmastery.support.RecordedGauges;
import perfmastery.support.VirtualThreads;

/**
 * Every server of the cluster lesson answers fib(n) right, the reuse-port server really spreads connections over its
 * processes, no server process outlives a teardown, a failed setup or a killed parent, and the claims name rows and
 * gauges the lesson makes.
 */
@EnabledOnOs(OS.LINUX)
class ClusterScalingBenchmarkTest {

    /** A small task: the tests need right answers and a running load, not the lesson's task size. */
    private static final int FIB = 20;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @ParameterizedTest
    @ValueSource(strings = {"oneThread", "threadPool", "reusePortProcesses", "processesWithWorkers"})
    void everyServerAnswersFibRightAndAnIterationRecordsItsGauges(String server) throws Exception {
        check(server);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsServerToo() throws Exception {
        check("virtualThreads");
    }

    private static ClusterScalingBenchmark lesson(String server, int fib) {
        ClusterScalingBenchmark benchmark = new ClusterScalingBenchmark();
        benchmark.server = server;
        benchmark.fib = fib;
        benchmark.calibrationWarmUpMillis = 100;
        benchmark.calibrationMillis = 100;
        benchmark.windowMillis = 100;
        return benchmark;
    }

    private static void check(String server) throws Exception {
        ClusterScalingBenchmark benchmark = lesson(server, FIB);
        ClusterScalingBenchmark.ServerKind kind = ClusterScalingBenchmark.ServerKind.parse(server);
        int processes = kind.processes(CORES);
        benchmark.setUp();
        Map<String, Result<?>> gauges;
        try {
            assertEquals(processes, benchmark.serverPids().size(), server + " runs as many processes as it says");
            assertEquals("127.0.0.1", benchmark.address().getAddress().getHostAddress());
            assertTrue(benchmark.oneThreadRequestsPerSecond > 0, "the setup measured one thread's capacity");
            assertEquals(Math.round(0.5 * benchmark.oneThreadRequestsPerSecond), benchmark.halfRequestsPerSecond(), 1);
            assertEquals(Math.round(0.8 * benchmark.oneThreadRequestsPerSecond), benchmark.fourFifthsRequestsPerSecond(), 1);

            InetSocketAddress address = benchmark.address();
            Answer twenty = get(address, "/fib/20");
            assertEquals(200, twenty.status());
            assertEquals("6765", twenty.body(), "fib(20)");
            assertTrue(benchmark.serverPids().contains(twenty.pid()), "the answer names one of the server's processes");
            assertEquals("75025", get(address, "/fib/25").body(), "fib(25), the lesson's default task");
            assertEquals("0", get(address, "/fib/0").body());
            assertEquals("1", get(address, "/fib/1").body());
            assertEquals("832040", get(address, "/fib/30").body());
            assertEquals(400, get(address, "/fib/41").status(), "beyond the bound");
            assertEquals(400, get(address, "/fib/x").status());
            assertEquals(400, get(address, "/health").status());

            // One iteration as JMH runs it: the closed loop, then the open-loop windows and the gauges.
            benchmark.startLoad();
            for (long i = 1; i <= 300; i++) {
                assertEquals(i, benchmark.saturated(), "each operation is one more checked answer");
            }
            gauges = RecordedGauges.during(benchmark::endIteration);
            ClusterScalingBenchmark.IterationFigures figures = benchmark.lastIteration;
            assertEquals(CORES, RecordedGauges.score(gauges, "hostCores"));
            assertEquals(benchmark.oneThreadRequestsPerSecond, RecordedGauges.score(gauges, "oneThreadRequestsPerSecond"));
            double scaling = RecordedGauges.score(gauges, "scalingPerCore");
            assertTrue(scaling > 0, "scalingPerCore " + scaling);
            assertEquals(figures.requestsPerSecond() / (CORES * benchmark.oneThreadRequestsPerSecond), scaling, 1e-12,
                    "the iteration's rate over N times one thread's, not pre-divided by anything else");
            double clientShare = RecordedGauges.score(gauges, "clientCpuShare");
            assertTrue(clientShare > 0 && clientShare <= 1.0, "the load's share of the cores " + clientShare);
            double answering = RecordedGauges.score(gauges, "answeringProcesses");
            assertTrue(answering >= 1 && answering <= processes, answering + " of " + processes + " processes answered");
            assertEquals(0, RecordedGauges.score(gauges, "openLoopErrors"), "no open-loop request failed");
            for (String rate : List.of("openLoop50", "openLoop80")) {
                double checks = RecordedGauges.score(gauges, rate + "Checks");
                assertTrue(checks > 0, rate + ": " + checks + " requests answered");
                double p50 = RecordedGauges.score(gauges, rate + "P50Us");
                double p99 = RecordedGauges.score(gauges, rate + "P99Us");
                assertTrue(0 < p50 && p50 <= p99, rate + ": " + p50 + " <= " + p99);
            }
            assertEquals(figures.half().checks(), RecordedGauges.score(gauges, "openLoop50Checks"));
            double serverRss = RecordedGauges.score(gauges, "serverRssMiB");
            double perProcess = RecordedGauges.score(gauges, "rssPerProcessMiB");
            assertEquals(serverRss, perProcess * processes, 1e-9, "the server's memory is the sum over its processes");
            double nowMiB = ResidentSetSize.sum(benchmark.serverPids()).orElseThrow() / (1024.0 * 1024.0);
            assertTrue(serverRss > 16 * processes && Math.abs(nowMiB - serverRss) < 0.5 * nowMiB,
                    "a JVM holds tens of MiB resident: " + serverRss + " MiB recorded, " + nowMiB + " MiB now");
            checkClaimMetricsAreRecorded(server, gauges.keySet());
            assertEquals("6765", get(address, "/fib/20").body(), "the server still answers after the iteration");
        } finally {
            benchmark.tearDown();
        }
        assertNoneAlive(benchmark.startedPids);
        int calibrationServers = kind == ClusterScalingBenchmark.ServerKind.ONE_THREAD ? 0 : 1;
        assertEquals(processes + calibrationServers, benchmark.startedPids.size(),
                "the variant's processes and the one-thread calibration server");
        assertEquals(List.of(), Threads.liveNamed(OpenLoopProbe.THREAD_NAME, OpenLoopHttpClient.THREAD_NAME,
                "cluster-calibration-starter", "cpu-task-server-port-reader"));
    }

    /** Every claim on this server's rows reads a metric the iteration recorded (or JMH's own score). */
    private static void checkClaimMetricsAreRecorded(String server, Set<String> recorded) {
        for (Claim claim : ClusterScalingBenchmark.class.getAnnotationsByType(Claim.class)) {
            boolean onThisServer = claim.variant().contains("server=" + server + "]")
                    || claim.baseline().contains("server=" + server + "]");
            if (onThisServer && !claim.metric().equals("primary")) {
                assertTrue(recorded.contains(claim.metric()), claim.id() + " reads " + claim.metric()
                        + ", which the iteration did not record: " + recorded);
            }
        }
    }

    @Test
    void theReusePortServerSpreadsConnectionsOverItsProcesses() throws Exception {
        ClusterScalingBenchmark benchmark = lesson("reusePortProcesses", 10);
        benchmark.setUp();
        try {
            Set<Long> expected = new HashSet<>(benchmark.serverPids());
            assertEquals(CORES, expected.size(), "one process per core");
            Set<Long> answered = new HashSet<>();
            // Each request on a new connection: the kernel picks a process per connection by a hash of its ports.
            // All processes answer within a few connections; 200 leave no room for chance (2 x 2^-200 on 2 cores).
            for (int connections = 0; connections < 200 && !answered.equals(expected); connections++) {
                Answer answer = get(benchmark.address(), "/fib/10");
                assertEquals("55", answer.body());
                answered.add(answer.pid());
            }
            assertEquals(expected, answered, "different processes answered on different connections");
        } finally {
            benchmark.tearDown();
        }
        assertNoneAlive(benchmark.startedPids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oneThread", "reusePortProcesses"})
    void aSetupThatFailsLeavesNoServerProcess(String server) throws Exception {
        ClusterScalingBenchmark benchmark = lesson(server, FIB);
        benchmark.afterServersStarted = () -> {
            throw new IllegalStateException("injected failure after the servers started");
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, benchmark::setUp);
        assertEquals("injected failure after the servers started", e.getMessage());
        assertFalse(benchmark.startedPids.isEmpty(), "the failure came after server processes had started");
        assertNoneAlive(benchmark.startedPids);
        benchmark.tearDown(); // JMH may call it after a failed setup: nothing is left to stop, and it says nothing
    }

    /**
     * A fork that is killed (SIGKILL: no teardown, no shutdown hook) leaves no server behind: each child sees its
     * stdin close when its parent dies and exits. The parent here is a JVM that sets the lesson up and waits.
     */
    @Test
    void aKilledForkLeavesNoServerProcess() throws Exception {
        Process parent = new ProcessBuilder(ChildJvm.command(List.of("-Xmx128m"), ClusterParentMain.class,
                "reusePortProcesses", Integer.toString(FIB))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> children = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.US_ASCII));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("pids "), "the parent set the lesson up: " + line);
            for (String pid : line.substring("pids ".length()).trim().split(" ")) {
                children.add(Long.parseLong(pid));
            }
            assertEquals(CORES, children.size());
            for (long pid : children) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server " + pid + " runs");
            }
        } finally {
            parent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertNoneAlive(children);
    }

    @Test
    void badParametersAreOneClearLineAndStartNothing() throws Exception {
        ClusterScalingBenchmark tooBig = lesson("threadPool", 33);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tooBig::setUp);
        assertEquals("fib must be an integer in 1..32 (the n of /fib/n), not 33", e.getMessage());
        assertEquals(List.of(), tooBig.startedPids);
        tooBig.tearDown();
        ClusterScalingBenchmark unknown = lesson("fork", FIB);
        e = assertThrows(IllegalArgumentException.class, unknown::setUp);
        assertEquals("unknown server 'fork': use one of oneThread, threadPool, virtualThreads, reusePortProcesses,"
                + " processesWithWorkers", e.getMessage());
        assertEquals(List.of(), unknown.startedPids);
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsSaysWhyOnOldJdks() {
        ClusterScalingBenchmark benchmark = lesson("virtualThreads", FIB);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::setUp);
        assertTrue(e.getMessage().contains(VirtualThreads.UNAVAILABLE_REASON), e.getMessage());
        assertEquals(List.of(), benchmark.startedPids);
    }

    @Test
    void theTaskIsFibAndItsExpectedBodyComesFromAnotherAlgorithm() {
        assertEquals("75025", CpuTaskServer.expectedBody(25));
        for (int n = 0; n <= 25; n++) {
            assertEquals(CpuTaskServer.expectedBody(n), Long.toString(CpuTaskServer.fib(n)), "fib(" + n + ")");
        }
    }

    // ---- claims ----

    @Test
    void scalingClaimsAreStatedPerCoreAndNameTheCores() {
        int scaling = 0;
        for (Claim claim : ClusterScalingBenchmark.class.getAnnotationsByType(Claim.class)) {
            if (claim.metric().equals("scalingPerCore")) {
                scaling++;
                assertEquals(0.7, claim.bound(), claim.id() + ": 0.7 x N x one thread, on any N");
                assertEquals(Claim.Relation.HIGHER, claim.relation());
                assertTrue(claim.text().contains("the host's N cores (2 on the reference machine"), claim.id()
                        + " names the cores it is about, and that the load generator shares them: " + claim.text());
                assertTrue(claim.text().contains("load generator on the same cores"), claim.id());
            }
        }
        assertEquals(4, scaling, "every server that can use the cores has its scaling claim");
        for (String id : List.of("reusePort-p99-at-80pct-1.5x-lower", "threadPool-p99-at-80pct-1.5x-lower")) {
            Claim claim = claim(id);
            assertEquals("openLoop80P99Us", claim.metric());
            assertEquals("saturated[server=oneThread]", claim.baseline(), "against one thread at the same offered rate");
            // One thread at 80 % works a backlog off with 20 % of a core; N = 2 cores at 40 % each with 60 %: 3x.
            double fourFifths = ClusterScalingBenchmark.FOUR_FIFTHS;
            double backlogSpeedUp = (1 - fourFifths / 2) / (1 - fourFifths);
            assertEquals(backlogSpeedUp / 2, claim.factor(), 1e-9, id + ": half of the 3x");
        }
        assertTrue(claim("cores-do-not-shorten-one-request").factor() < 1,
                "no faster is an upper limit on the speed-up: a factor below 1");
    }

    private static Claim claim(String id) {
        return Arrays.stream(ClusterScalingBenchmark.class.getAnnotationsByType(Claim.class))
                .filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no claim " + id));
    }

    static void assertNoneAlive(List<Long> pids) throws InterruptedException {
        List<Long> alive = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
            if (handle == null) {
                continue;
            }
            try {
                handle.onExit().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // checked below
            }
            if (handle.isAlive()) {
                alive.add(pid);
            }
        }
        assertEquals(List.of(), alive, "server processes still alive");
    }

    record Answer(int status, Map<String, String> headers, String body) {
        long pid() {
            return Long.parseLong(headers.getOrDefault(CpuTaskServer.PID_HEADER.toLowerCase(Locale.ROOT), "-1"));
        }
    }

    /** One GET on a new connection, read by hand: status, headers (lower-case names) and body. */
    static Answer get(InetSocketAddress address, String path) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the server closed the connection within the headers: " + head);
                }
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
        }
    }
}
