package perfmastery.load;

import perfmastery.cpu.HttpHealthUnderLoadBenchmark;
import perfmastery.cpu.Threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open-loop probe's HTTP client against the JDK's own server, as the lesson uses it: every check gets exactly
 * one outcome, with its own intended time; answers are checked (status and body); connections are kept alive and
 * reused; a wrong answer or a closed connection fails its check and nothing else; close leaves no thread and no
 * connection. No assertion rests on how fast anything ran.
 */
class OpenLoopHttpClientTest {

    private HttpServer server;
    private ExecutorService handler;
    private final AtomicInteger served = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
    private OpenLoopHttpClient client;

    @BeforeEach
    void startServer() throws IOException {
        handler = Executors.newSingleThreadExecutor();
        server = HttpServer.create(new InetSocketAddress(HttpHealthUnderLoadBenchmark.LOOPBACK, 0), 64);
        server.setExecutor(handler);
        server.createContext("/health", exchange -> respond(exchange, 200, "ok"));
        server.createContext("/wrong", exchange -> respond(exchange, 200, "no"));
        server.createContext("/missing", exchange -> respond(exchange, 404, "ok"));
        server.createContext("/drop", HttpExchange::close);
        server.start();
    }

    private void respond(HttpExchange exchange, int status, String body) throws IOException {
        served.incrementAndGet();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.stop(0);
        handler.shutdownNow();
        assertTrue(handler.awaitTermination(10, TimeUnit.SECONDS));
    }

    private OpenLoopHttpClient client(String path, int maxConnections) throws IOException {
        client = OpenLoopHttpClient.start(server.getAddress(), path, "ok", maxConnections, new OpenLoopHttpClient.Outcome() {
            @Override
            public void answered(long intendedNanos) {
                answered.add(intendedNanos);
            }

            @Override
            public void failed(Throwable error) {
                failed.add(error);
            }
        });
        return client;
    }

    private void awaitOutcomes(int expected) throws InterruptedException {
        for (int polls = 0; answered.size() + failed.size() < expected; polls++) {
            assertTrue(polls < 6_000, (answered.size() + failed.size()) + " of " + expected + " outcomes in a minute");
            Thread.sleep(10);
        }
        Thread.sleep(50);
        assertEquals(expected, answered.size() + failed.size(), "exactly one outcome per check");
    }

    @Test
    void eachCheckIsAnsweredWithItsOwnIntendedTimeOnReusedConnections() throws Exception {
        OpenLoopHttpClient c = client("/health", 8);
        for (long i = 1; i <= 500; i++) {
            // The probe keeps at most maxConnections unanswered; so does this loop.
            while (i - 1 - answered.size() - failed.size() >= 8) {
                Thread.onSpinWait();
            }
            c.send(i);
        }
        awaitOutcomes(500);
        assertTrue(failed.isEmpty(), "no check failed: " + failed.peek());
        assertEquals(500, served.get(), "the server saw each check once");
        List<Long> times = answered.stream().sorted().toList();
        for (int i = 0; i < 500; i++) {
            assertEquals(i + 1L, times.get(i), "each intended time reported once");
        }
        assertTrue(c.connectionsOpened() <= 8, c.connectionsOpened() + " connections for 500 checks: kept alive");
    }

    @Test
    void checksSentAtOnceOpenAConnectionEachUpToTheBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.createContext("/slow", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "ok");
        });
        OpenLoopHttpClient c = client("/slow", 3);
        c.send(1);
        c.send(2);
        c.send(3);
        c.send(4);
        assertEquals(3, c.connectionsOpened(), "one connection per unanswered check, at most the bound");
        release.countDown();
        awaitOutcomes(4);
        assertEquals(3, answered.size());
        assertEquals(1, failed.size(), "the check beyond the bound failed, the others were answered");
        assertTrue(failed.peek().getMessage().contains("busy"), failed.peek().getMessage());
    }

    @Test
    void aWrongBodyAWrongStatusOrADroppedConnectionFailsItsCheckOnly() throws Exception {
        for (String path : new String[] {"/wrong", "/missing", "/drop"}) {
            answered.clear();
            failed.clear();
            if (client != null) {
                client.close();
            }
            OpenLoopHttpClient c = client(path, 2);
            c.send(1);
            awaitOutcomes(1);
            assertEquals(1, failed.size(), path + " fails its check");
            assertEquals(0, c.connectionsOpen(), path + ": the failed connection is closed");
        }
    }

    @Test
    void closeStopsTheReaderAndClosesEveryConnection() throws Exception {
        OpenLoopHttpClient c = client("/health", 4);
        c.send(1);
        c.send(2);
        awaitOutcomes(2);
        assertTrue(c.isRunning());
        assertTrue(c.connectionsOpen() > 0, "kept alive after the answers");
        c.close();
        client = null;
        assertFalse(c.isRunning(), "the reader thread ended");
        assertEquals(0, c.connectionsOpen(), "no connection left open");
        assertEquals(List.of(), Threads.liveNamed(OpenLoopHttpClient.THREAD_NAME));
        c.send(3);
        awaitOutcomes(3);
        assertEquals(1, failed.size(), "a check sent after close fails at once");
    }

    @Test
    void contentLengthIsReadWhateverTheHeadersCase() {
        assertEquals(2, OpenLoopHttpClient.contentLength("HTTP/1.1 200 OK\r\nContent-length: 2"));
        assertEquals(17, OpenLoopHttpClient.contentLength("HTTP/1.1 200 OK\r\nDate: x\r\nCONTENT-LENGTH:  17 "));
        assertEquals(-1, OpenLoopHttpClient.contentLength("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"));
    }
}
