package perfmastery.load;

import perfmastery.process.ChildJvm;
import perfmastery.process.ResidentSetSize;
import perfmastery.support.VirtualThreads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small HTTP/1.1 server whose one route costs a stated amount of CPU: {@code GET /fib/n} answers {@code fib(n)},
 * computed by the exponential recursion (2F(n+1) - 1 calls), with a header {@value #PID_HEADER} naming the process
 * that answered. It is Node's http server in miniature: one thread (its loop, {@value #LOOP_THREAD}) accepts,
 * reads and parses every connection through one selector; where the task runs is the server's {@link Handlers}:
 * on the loop itself (Node without workers), on a pool of platform threads, or on a virtual thread per request.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: it binds its own socket, so no {@code SO_REUSEPORT} can be
 * set on it, and its dispatcher thread adds a hop that a Node process does not have. Keep-alive, one request in
 * flight per connection (no pipelining), {@code TCP_NODELAY} on every accepted socket (Node's default), 127.0.0.1
 * only.
 *
 * <p>Run as a child JVM ({@code java -cp ... perfmastery.load.CpuTaskServer <port> <handlers> <threads>
 * <reusePort>}), it prints {@code port <n> pid <pid>} on its first stdout line and serves until its stdin closes,
 * so it dies with its parent even if the parent never tears down (killed, crashed). {@link Processes} starts and
 * stops such children, several on one port with {@code SO_REUSEPORT} (Linux): the kernel hands each new connection
 * to one of the listening processes, by a hash of its addresses and ports.
 */
public final class CpuTaskServer implements AutoCloseable {

    public static final String PID_HEADER = "X-Server-Pid";
    public static final String LOOP_THREAD = "cpu-task-loop";
    public static final String HANDLER_THREAD = "cpu-task-handler";
    /** fib(40) is about a second of CPU: beyond it a request is no longer "a task of stated size" but a stall. */
    public static final int MAX_N = 40;
    static final String USAGE = "usage: CpuTaskServer <port 0..65535> <inline|pool|virtual> <threads 0..256>"
            + " <reusePort true|false>";
    /** The kernel caps the accept queue at net.core.somaxconn. */
    private static final int BACKLOG = 1_024;
    private static final int MAX_REQUEST_BYTES = 2_048;
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    /** Where a request's task runs. */
    public enum Handlers {
        /** On the loop thread: the loop computes, and nothing else is read or answered meanwhile. */
        INLINE,
        /** On a fixed pool of platform threads; the loop only reads, parses and dispatches. */
        POOL,
        /** On a new virtual thread per request (JDK 21+), scheduled on the JDK's carriers (one per core). */
        VIRTUAL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Handlers parse(String text) {
            for (Handlers handlers : values()) {
                if (handlers.label().equals(text)) {
                    return handlers;
                }
            }
            throw new IllegalArgumentException("unknown handlers '" + text + "'");
        }
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Handlers handlers;
    private final ExecutorService executor;
    private final Thread loop;
    private final byte[] pidHeader;
    /** Connections whose answer a handler wrote: the loop reads them again. */
    private final Queue<SelectionKey> answered = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** One connection's request bytes so far. */
    private static final class Connection {
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_BYTES);
    }

    private CpuTaskServer(InetSocketAddress address, boolean reusePort, Handlers handlers, int threads)
            throws IOException {
        if (handlers == Handlers.POOL && threads < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, not " + threads);
        }
        this.handlers = handlers;
        this.pidHeader = (PID_HEADER + ": " + ProcessHandle.current().pid() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.selector = Selector.open();
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open();
            if (reusePort) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("this OS offers no SO_REUSEPORT (it needs Linux 3.9+ or a BSD)");
                }
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(address, BACKLOG);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            selector.close();
            throw e;
        }
        this.server = channel;
        this.executor = switch (handlers) {
            case INLINE -> null;
            case POOL -> Executors.newFixedThreadPool(threads, namedDaemons(HANDLER_THREAD));
            case VIRTUAL -> VirtualThreads.newVirtualThreadPerTaskExecutor();
        };
        this.loop = new Thread(this::serve, LOOP_THREAD);
        loop.setDaemon(true);
    }

    /**
     * A server listening on {@code address} (127.0.0.1; port 0 for an ephemeral one) whose loop is running.
     * {@code threads} is the pool's size for {@link Handlers#POOL} and ignored otherwise.
     */
    public static CpuTaskServer start(InetSocketAddress address, boolean reusePort, Handlers handlers, int threads)
            throws IOException {
        CpuTaskServer server = new CpuTaskServer(address, reusePort, handlers, threads);
        server.loop.start();
        return server;
    }

    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("the server's socket is closed", e);
        }
    }

    /** The task: fib(n) by the exponential recursion, 2F(n+1) - 1 calls, so its cost is stated by n. */
    public static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /** The body a correct server answers to {@code GET /fib/n}, computed by iteration, not by the server's recursion. */
    public static String expectedBody(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long next = a + b;
            a = b;
            b = next;
        }
        return Long.toString(a);
    }

    private void serve() {
        try {
            while (!closed) {
                selector.select();
                for (SelectionKey key; (key = answered.poll()) != null; ) {
                    if (key.isValid()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else if (key.isReadable()) {
                        read(key);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                System.err.println("CpuTaskServer: the loop stopped: " + e);
            }
        }
    }

    private void acceptAll() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.register(selector, SelectionKey.OP_READ, new Connection());
        }
    }

    private void read(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        try {
            if (channel.read(connection.in) < 0) {
                close(key);
                return;
            }
        } catch (IOException e) {
            close(key);
            return;
        }
        int end = indexOf(connection.in, HEADERS_END);
        if (end < 0) {
            if (!connection.in.hasRemaining()) {
                answerAndClose(key, 431, "request headers exceed " + MAX_REQUEST_BYTES + " bytes\n");
            }
            return;
        }
        String head = new String(connection.in.array(), 0, end, StandardCharsets.ISO_8859_1);
        connection.in.clear(); // one request in flight per connection: nothing follows it
        int lineEnd = head.indexOf("\r\n");
        String[] requestLine = (lineEnd < 0 ? head : head.substring(0, lineEnd)).split(" ");
        int n = requestLine.length == 3 && requestLine[0].equals("GET") ? parseN(requestLine[1]) : -1;
        if (n < 0) {
            answerAndClose(key, 400, "usage: GET /fib/n with n in 0.." + MAX_N + "\n");
            return;
        }
        key.interestOps(0);
        if (handlers == Handlers.INLINE) {
            if (answer(key, n)) {
                key.interestOps(SelectionKey.OP_READ);
            }
        } else {
            executor.execute(() -> {
                if (answer(key, n)) {
                    answered.add(key);
                    selector.wakeup();
                }
            });
        }
    }

    /** n of a {@code /fib/n} path, or -1. */
    static int parseN(String path) {
        if (!path.startsWith("/fib/")) {
            return -1;
        }
        String digits = path.substring("/fib/".length());
        if (digits.isEmpty() || digits.length() > 2 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(digits);
        return n <= MAX_N ? n : -1;
    }

    /** Computes and writes the answer; false (the connection closed) when the client went away. */
    private boolean answer(SelectionKey key, int n) {
        try {
            write((SocketChannel) key.channel(), response(200, Long.toString(fib(n))));
            return true;
        } catch (IOException e) {
            close(key);
            return false;
        }
    }

    private void answerAndClose(SelectionKey key, int status, String body) {
        try {
            write((SocketChannel) key.channel(), response(status, body));
        } catch (IOException ignored) {
            // closing below either way
        }
        close(key);
    }

    private ByteBuffer response(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            default -> "Request Header Fields Too Large";
        };
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(head.length + pidHeader.length + 2 + bytes.length);
        out.put(head).put(pidHeader).put((byte) '\r').put((byte) '\n').put(bytes).flip();
        return out;
    }

    /**
     * Writes all of a small answer. The client reads each answer before it sends again, so the socket's send
     * buffer is empty and it goes at once; the wait only guards a client that stopped reading.
     */
    private static void write(SocketChannel channel, ByteBuffer out) throws IOException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new IOException("the client read nothing for 5 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }

    private static int indexOf(ByteBuffer buffer, byte[] pattern) {
        byte[] bytes = buffer.array();
        for (int i = 0; i + pattern.length <= buffer.position(); i++) {
            int j = 0;
            while (j < pattern.length && bytes[i + j] == pattern[j]) {
                j++;
            }
            if (j == pattern.length) {
                return i;
            }
        }
        return -1;
    }

    /** Stops the loop and the handlers and closes every connection. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        selector.wakeup();
        loop.join(TimeUnit.SECONDS.toMillis(10));
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException | ClosedSelectorException ignored) {
            // descriptors are released by close even when it reports a failure
        }
        if (loop.isAlive()) {
            throw new IllegalStateException(LOOP_THREAD + " did not stop within 10 s");
        }
    }

    private static java.util.concurrent.ThreadFactory namedDaemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The child JVM: serve until stdin closes. */
    public static void main(String[] args) {
        int port;
        Handlers handlers;
        int threads;
        boolean reusePort;
        try {
            if (args.length != 4 || !(args[3].equals("true") || args[3].equals("false"))) {
                throw new IllegalArgumentException();
            }
            port = Integer.parseInt(args[0]);
            handlers = Handlers.parse(args[1]);
            threads = Integer.parseInt(args[2]);
            reusePort = Boolean.parseBoolean(args[3]);
            if (port < 0 || port > 65_535 || threads < 0 || threads > 256) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("CpuTaskServer: bad arguments '" + String.join(" ", args) + "'; " + USAGE);
            System.exit(2);
            return;
        }
        try {
            CpuTaskServer server = start(new InetSocketAddress(loopback(), port), reusePort, handlers, threads);
            exitWhenStdinCloses(System.in);
            System.out.println("port " + server.port() + " pid " + ProcessHandle.current().pid());
            System.out.flush();
            server.loop.join();
        } catch (IOException | RuntimeException e) {
            System.err.println("CpuTaskServer: could not serve on 127.0.0.1:" + port + ": " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(1);
        }
    }

    /** The parent holds our stdin: when it closes it (teardown, or the parent died), we exit. */
    private static void exitWhenStdinCloses(InputStream in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // nothing is sent on stdin; wait for end of file
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone
            }
            System.exit(0);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** 127.0.0.1 itself, not whatever the loopback name resolves to first. */
    public static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError("a 4-byte address is always valid", impossible);
        }
    }

    /**
     * The parent's handle on one server of {@code count} child JVMs on one port: one child listens alone;
     * several each set {@code SO_REUSEPORT} and bind the same port, which the parent reserves first (a listener
     * of its own with the option, closed once every child listens, before any client connects). Whatever fails,
     * no child is left: a failed start stops those started, {@link #close()} stops them all, a shutdown hook stops
     * them if the parent exits without closing, and a child whose parent dies sees its stdin close and exits.
     */
    public static final class Processes implements AutoCloseable {
        /** The children's heap, pinned so their memory does not depend on the host's (a quarter of its RAM). */
        public static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx64m");
        private static final long START_TIMEOUT_SECONDS = 60;

        private final List<Process> processes;
        private final List<Long> pids;
        private final InetSocketAddress address;
        private final Thread hook;

        private Processes(List<Process> processes, List<Long> pids, int port, Thread hook) {
            this.processes = processes;
            this.pids = pids;
            this.address = new InetSocketAddress(loopback(), port);
            this.hook = hook;
        }

        /**
         * Starts {@code count} server JVMs, each with the given handlers and pool size, on one port, and waits
         * until each listens. {@code pidsStarted} receives each child's pid as soon as it is started (tests prove
         * with it that none outlives a failure).
         */
        public static Processes start(int count, Handlers handlers, int threads, List<Long> pidsStarted)
                throws IOException, InterruptedException {
            if (count < 1) {
                throw new IllegalArgumentException("a server needs at least 1 process, not " + count);
            }
            List<Process> processes = new ArrayList<>();
            Thread hook = new Thread(() -> processes.forEach(Processes::destroy), "stop-cpu-task-servers");
            Runtime.getRuntime().addShutdownHook(hook);
            ServerSocketChannel reservation = null;
            try {
                int port = 0;
                boolean reusePort = count > 1;
                if (reusePort) {
                    reservation = ServerSocketChannel.open();
                    if (!reservation.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                        throw new IllegalStateException("several server processes on one port need SO_REUSEPORT,"
                                + " which this OS does not offer (Linux 3.9+ does)");
                    }
                    reservation.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    reservation.bind(new InetSocketAddress(loopback(), 0), 1);
                    port = ((InetSocketAddress) reservation.getLocalAddress()).getPort();
                }
                List<String> command = ChildJvm.command(JVM_OPTIONS, CpuTaskServer.class, Integer.toString(port),
                        handlers.label(), Integer.toString(threads), Boolean.toString(reusePort));
                for (int i = 0; i < count; i++) {
                    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    processes.add(process);
                    pidsStarted.add(process.pid());
                }
                List<Long> pids = new ArrayList<>();
                int listening = -1;
                for (Process process : processes) {
                    long[] portAndPid = readPortAndPid(process);
                    if (listening >= 0 && portAndPid[0] != listening) {
                        throw new IllegalStateException("the server processes listen on ports " + listening + " and "
                                + portAndPid[0] + ", not one");
                    }
                    listening = (int) portAndPid[0];
                    pids.add(portAndPid[1]);
                }
                return new Processes(List.copyOf(processes), List.copyOf(pids), listening, hook);
            } catch (IOException | InterruptedException | RuntimeException e) {
                processes.forEach(Processes::destroy);
                removeHook(hook);
                throw e;
            } finally {
                if (reservation != null) {
                    reservation.close();
                }
            }
        }

        private static long[] readPortAndPid(Process process) throws IOException, InterruptedException {
            AtomicReference<String> firstLine = new AtomicReference<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII));
            Thread lineReader = new Thread(() -> {
                try {
                    firstLine.set(reader.readLine());
                } catch (IOException e) {
                    // the process died: reported below as no port
                }
            }, "cpu-task-server-port-reader");
            lineReader.setDaemon(true);
            lineReader.start();
            lineReader.join(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            if (lineReader.isAlive()) {
                throw new IllegalStateException("a server JVM printed no port within " + START_TIMEOUT_SECONDS + " s");
            }
            String line = firstLine.get();
            String[] words = line == null ? new String[0] : line.trim().split(" ");
            if (words.length != 4 || !words[0].equals("port") || !words[2].equals("pid")) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("a server JVM did not start (first line "
                        + (line == null ? "none" : "'" + line + "'")
                        + (process.isAlive() ? "" : ", exit status " + process.exitValue()) + "; its errors are above)");
            }
            return new long[] {Long.parseLong(words[1]), Long.parseLong(words[3])};
        }

        public InetSocketAddress address() {
            return address;
        }

        /** The children's process ids, in start order. */
        public List<Long> pids() {
            return pids;
        }

        /** The server's resident memory, the sum of its processes' {@code VmRSS}; empty where /proc has none. */
        public OptionalLong residentBytes() {
            return ResidentSetSize.sum(pids);
        }

        /** Whether every child still runs (a child that died mid-run fails the run that measures it). */
        public boolean allAlive() {
            return processes.stream().allMatch(Process::isAlive);
        }

        /** Closes each child's stdin (it exits on end of file), and kills any that lingers. */
        @Override
        public void close() {
            processes.forEach(process -> {
                try {
                    process.getOutputStream().close();
                } catch (IOException alreadyGone) {
                    // destroyed below
                }
            });
            processes.forEach(Processes::destroy);
            removeHook(hook);
        }

        private static void removeHook(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it stops the children itself
            }
        }

        private static void destroy(Process process) {
            try {
                try {
                    process.getOutputStream().close();
                } catch (IOException alreadyGone) {
                    // destroy below
                }
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
