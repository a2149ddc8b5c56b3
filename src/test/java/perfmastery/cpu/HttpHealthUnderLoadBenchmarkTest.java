package perfmastery.cpu;

import perfmastery.load.OpenLoopHttpClient;
import perfmastery.load.OpenLoopProbe;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.Result;

import perfmastery.support.VirtualThreads;

class HttpHealthUnderLoadBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "offloaded"})
    void serverAnswersHealthAndHeavyCorrectlyUnderLoad(String server) throws Exception {
        check(server);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsServerToo() throws Exception {
        check("virtualThreads");
    }

    /** The smallest default size: the test needs the load, not the lesson's largest task. */
    private static final int HEAVY = 32;

    private static void check(String server) throws Exception {
        HttpHealthUnderLoadBenchmark benchmark = new HttpHealthUnderLoadBenchmark();
        benchmark.server = server;
        benchmark.heavy = HEAVY;
        benchmark.setUp();
        int port = benchmark.port();
        try {
            assertTrue(benchmark.settledUnderLoad, "the setup let the load run before the first iteration");
            // The probe ran through the warm-up too (its checks discarded), so its own path is compiled.
            assertTrue(benchmark.settleChecks > 0, "open-loop checks sent while the setup let the load run");
            benchmark.checkLoadIsRunning();
            assertEquals("127.0.0.1", benchmark.boundAddress().getHostAddress(), "bound to the IPv4 loopback only");
            assertEquals("ok", benchmark.health());
            assertEquals("2178309", benchmark.heavyOnce(), "fib(32), what the load threads ask for too");
            assertEquals("14930352", benchmark.get("/heavy/36").body());
            assertEquals("55", benchmark.get("/heavy/10").body());
            assertEquals("0", benchmark.get("/heavy/0").body());
            assertEquals(400, benchmark.get("/heavy/x").statusCode());
            assertEquals(400, benchmark.get("/heavy/46").statusCode());
            assertEquals("ok", benchmark.get("/health").body());
            assertEquals("text/plain; charset=utf-8",
                    benchmark.get("/health").headers().firstValue("Content-Type").orElse(""));
            benchmark.checkLoadIsRunning();
            assertEquals("ok", benchmark.health());

            // One iteration as JMH runs it: the open-loop schedule, then the gauges.
            benchmark.startIteration();
            for (int polls = 0; benchmark.openLoopChecksSent() < 200; polls++) {
                assertTrue(polls < 12_000, "fewer than 200 open-loop checks sent in two minutes");
                Thread.sleep(10);
            }
            Map<String, Result<?>> gauges = RecordedGauges.during(benchmark::endIteration);
            double checks = RecordedGauges.score(gauges, "openLoopChecks");
            assertTrue(checks >= 200, checks + " open-loop checks answered 200 ok");
            assertEquals(0, RecordedGauges.score(gauges, "openLoopErrors"), "no open-loop check failed");
            double p50 = RecordedGauges.score(gauges, "openLoopP50Us");
            double p99 = RecordedGauges.score(gauges, "openLoopP99Us");
            double p999 = RecordedGauges.score(gauges, "openLoopP999Us");
            assertTrue(0 < p50 && p50 <= p99 && p99 <= p999, p50 + " <= " + p99 + " <= " + p999);
            // Keep-alive: the settle's and this iteration's checks went over at most the probe's bound of connections.
            long sent = benchmark.settleChecks + (long) checks;
            int connections = benchmark.openLoopConnectionsOpened();
            assertTrue(connections >= 1 && connections <= HttpHealthUnderLoadBenchmark.OPEN_LOOP_MAX_OUTSTANDING
                    && connections < sent, connections + " connections for " + sent + " open-loop checks");
            assertEquals("ok", benchmark.health(), "the server still answers after the open-loop burst");
        } finally {
            benchmark.tearDown();
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.getPort();
            }
        }, "the server is stopped after teardown");
        assertEquals(List.of(), Threads.liveNamed("heavy-client-", "http-handler", "heavy-worker", "http-client",
                OpenLoopProbe.THREAD_NAME, OpenLoopHttpClient.THREAD_NAME));
    }

    @Test
    void theServerKeepsRoomForEveryConnectionTheClientsOpen() {
        // Reading a constant initialises the class, whose static block sets the JDK server's properties.
        assertTrue(HttpHealthUnderLoadBenchmark.MAX_IDLE_CONNECTIONS > HttpHealthUnderLoadBenchmark.OPEN_LOOP_MAX_OUTSTANDING + 3);
        assertEquals(Integer.toString(HttpHealthUnderLoadBenchmark.MAX_IDLE_CONNECTIONS),
                System.getProperty(HttpHealthUnderLoadBenchmark.MAX_IDLE_CONNECTIONS_PROPERTY));
        assertEquals("true", System.getProperty(HttpHealthUnderLoadBenchmark.NODELAY_PROPERTY));
    }

    @Test
    void heavyOutOfRangeIsOneClearErrorAndStartsNothing() throws Exception {
        HttpHealthUnderLoadBenchmark benchmark = new HttpHealthUnderLoadBenchmark();
        benchmark.server = "blocking";
        benchmark.heavy = 46;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, benchmark::setUp);
        assertEquals("heavy must be an integer in 0..45 (the n of /heavy/n), not 46", e.getMessage());
        benchmark.tearDown();
        assertEquals(List.of(), Threads.liveNamed("heavy-client-", "http-handler", "heavy-worker", "http-client",
                OpenLoopProbe.THREAD_NAME, OpenLoopHttpClient.THREAD_NAME));
    }

    @Test
    void aPortClashIsOneClearError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> HttpHealthUnderLoadBenchmark
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort())));
            assertTrue(e.getMessage().startsWith("could not start the HTTP server on "), e.getMessage());
            assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsSaysWhyOnOldJdks() {
        HttpHealthUnderLoadBenchmark benchmark = new HttpHealthUnderLoadBenchmark();
        benchmark.server = "virtualThreads";
        benchmark.heavy = HEAVY;
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, benchmark::setUp);
        assertTrue(e.getMessage().contains(VirtualThreads.UNAVAILABLE_REASON), e.getMessage());
    }
}
