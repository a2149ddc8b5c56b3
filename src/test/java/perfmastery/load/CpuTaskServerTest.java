package perfmastery.load;

import perfmastery.cpu.Threads;
import perfmastery.process.ChildJvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CPU-task server in this JVM, driven by the closed loop: every handler answers fib(n) right and names this
 * process; the closed loop counts one operation per checked answer, fails on a wrong one, and leaves the server idle
 * when stopped; the open-loop client opens the connections it is asked for; the server's child main refuses bad
 * arguments with one line and exit status 2. No assertion rests on how fast anything ran.
 */
class CpuTaskServerTest {

    private static InetSocketAddress at(CpuTaskServer server) {
        return new InetSocketAddress(CpuTaskServer.loopback(), server.port());
    }

    @ParameterizedTest
    @EnumSource(value = CpuTaskServer.Handlers.class, names = {"INLINE", "POOL"})
    void everyHandlerAnswersFibAndTheClosedLoopCountsEachCheckedAnswer(CpuTaskServer.Handlers handlers) throws Exception {
        try (CpuTaskServer server = CpuTaskServer.start(new InetSocketAddress(CpuTaskServer.loopback(), 0), false,
                handlers, 2)) {
            try (ClosedLoopHttpLoad load = ClosedLoopHttpLoad.open(at(server), "/fib/20", "6765", 4)) {
                load.start();
                for (long i = 1; i <= 100; i++) {
                    assertEquals(i, load.next());
                }
                load.stop();
                assertTrue(load.answered() >= 100 && load.answered() <= 104, "the 4 in flight answered, none sent again: "
                        + load.answered());
                assertEquals(Set.of(ProcessHandle.current().pid()), load.answeringPids());
                assertEquals(Thread.currentThread().getId(), load.callerThreadId());
                IllegalStateException idle = assertThrows(IllegalStateException.class, load::next);
                assertEquals("no request is in flight: start() the load first", idle.getMessage());
                load.start(); // a second run starts from zero on the same connections
                assertEquals(1, load.next());
                load.stop();
            }
        }
        assertEquals(List.of(), Threads.liveNamed(CpuTaskServer.LOOP_THREAD, CpuTaskServer.HANDLER_THREAD + "-"));
    }

    @Test
    void aWrongAnswerFailsTheClosedLoop() throws Exception {
        try (CpuTaskServer server = CpuTaskServer.start(new InetSocketAddress(CpuTaskServer.loopback(), 0), false,
                CpuTaskServer.Handlers.INLINE, 0);
             ClosedLoopHttpLoad load = ClosedLoopHttpLoad.open(at(server), "/fib/20", "6766", 1)) {
            load.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, load::next);
            assertEquals("the server answered '6765', expected '6766'", e.getMessage());
        }
        try (CpuTaskServer server = CpuTaskServer.start(new InetSocketAddress(CpuTaskServer.loopback(), 0), false,
                CpuTaskServer.Handlers.INLINE, 0);
             ClosedLoopHttpLoad load = ClosedLoopHttpLoad.open(at(server), "/fib/41", "0", 1)) {
            load.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, load::next);
            assertEquals("the server answered 'HTTP/1.1 400 Bad Request'", e.getMessage());
        }
    }

    @Test
    void pathsOutsideTheRouteAreRefused() {
        assertEquals(25, CpuTaskServer.parseN("/fib/25"));
        assertEquals(0, CpuTaskServer.parseN("/fib/0"));
        assertEquals(40, CpuTaskServer.parseN("/fib/40"));
        for (String path : List.of("/fib/41", "/fib/", "/fib/-1", "/fib/2x", "/fib/100", "/health", "/fib/25?x=1")) {
            assertEquals(-1, CpuTaskServer.parseN(path), path);
        }
    }

    @Test
    void theOpenLoopClientOpensTheConnectionsItIsAskedForUpToItsBound() throws Exception {
        ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
        try (CpuTaskServer server = CpuTaskServer.start(new InetSocketAddress(CpuTaskServer.loopback(), 0), false,
                CpuTaskServer.Handlers.INLINE, 0)) {
            OpenLoopHttpClient client = OpenLoopHttpClient.start(at(server), "/fib/10", "55", 6,
                    new OpenLoopHttpClient.Outcome() {
                        @Override
                        public void answered(long intendedNanos) {
                            answered.add(intendedNanos);
                        }

                        @Override
                        public void failed(Throwable error) {
                            throw new AssertionError(error);
                        }
                    });
            try {
                client.openConnections(4);
                assertEquals(4, client.connectionsOpen());
                client.openConnections(10);
                assertEquals(6, client.connectionsOpen(), "never beyond the bound");
                for (long i = 0; i < 6; i++) {
                    client.send(i);
                }
                for (int polls = 0; answered.size() < 6; polls++) {
                    assertTrue(polls < 3_000, "6 answers within 30 s");
                    Thread.sleep(10);
                }
                assertEquals(6, client.connectionsOpened(), "the checks took the connections opened first");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void theChildMainRefusesBadArgumentsWithOneLineAndStatus2() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(List.of("-Xmx32m"), CpuTaskServer.class, "0", "forked", "1",
                "false")).redirectErrorStream(true).start();
        child.getOutputStream().close();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, child.exitValue());
        assertEquals("CpuTaskServer: bad arguments '0 forked 1 false'; " + CpuTaskServer.USAGE, output);
    }

    @Test
    void aPoolWithoutThreadsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuTaskServer.start(
                new InetSocketAddress(CpuTaskServer.loopback(), 0), false, CpuTaskServer.Handlers.POOL, 0));
        assertEquals("a pool needs at least 1 thread, not 0", e.getMessage());
    }
}
