package perfmastery.load;

import perfmastery.process.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The slow remote service of {@link IoBoundOffloadBenchmark}: a TCP server on 127.0.0.1 that answers each
 * request about {@code delayMillis} after it arrived, as a database or an HTTP service would, without a
 * thread per connection.
 *
 * <p>Protocol, one request per connection: the client connects and sends an 8-byte id; the server answers
 * {@link #answer(long, long) answer(id, salt)} (8 bytes) once the delay has passed, then closes its side.
 * A client that got the right number cannot have skipped the wait or the server.
 *
 * <p>One thread, one selector: accepted connections are read without blocking, and answers wait in a FIFO
 * queue (every answer has the same delay, so arrival order is due order) until the selector's timeout
 * says they are due. The delay is "at least {@code delayMillis}": the selector's timeout has millisecond
 * granularity and the thread may wait for a core.
 *
 * <p>Started as a child JVM ({@code java -cp ... perfmastery.load.DelayedAnswerServer <delayMillis> <salt>}),
 * it prints {@code port <n>} on its first stdout line, then serves until its stdin closes, so it dies with
 * its parent even if the parent never tears down. Why a separate process: 10,000 requests in flight hold
 * 10,000 client sockets and 10,000 server sockets, more descriptors than one process may open on many
 * machines (20,000 here), and the server's own CPU, allocation and threads stay out of the figures of the
 * JVM being measured.
 */
public final class DelayedAnswerServer {

    public static final int REQUEST_BYTES = Long.BYTES;
    static final String USAGE = "usage: DelayedAnswerServer <delayMillis 1..60000> <salt (a long)>";
    /** The kernel caps the accept queue at net.core.somaxconn (4096 here). */
    private static final int BACKLOG = 65_535;

    /** The server JVM's options: a small heap, no GC threads, C1 only (it lives a trial, its code is tiny). */
    static final List<String> SERVER_JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Selector selector;
    private final ServerSocketChannel server;
    private final long delayNanos;
    private final long salt;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** An answer waiting for its time. */
    private record Pending(SelectionKey key, long dueNanos, ByteBuffer answer) {
    }

    private DelayedAnswerServer(long delayNanos, long salt) throws IOException {
        this.delayNanos = delayNanos;
        this.salt = salt;
        this.selector = Selector.open();
        try {
            this.server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /** What the server answers to request {@code id}: a client checks it against its own computation. */
    public static long answer(long id, long salt) {
        long mixed = (id ^ salt) * 0x9E3779B97F4A7C15L;
        return mixed ^ (mixed >>> 29);
    }

    public static void main(String[] args) {
        long delayMillis;
        long salt;
        try {
            if (args.length != 2) {
                throw new NumberFormatException();
            }
            delayMillis = Long.parseLong(args[0]);
            salt = Long.parseLong(args[1]);
            if (delayMillis < 1 || delayMillis > 60_000) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            System.err.println("DelayedAnswerServer: bad arguments '" + String.join(" ", args) + "'; " + USAGE);
            System.exit(2);
            return;
        }
        try {
            DelayedAnswerServer server = new DelayedAnswerServer(TimeUnit.MILLISECONDS.toNanos(delayMillis), salt);
            exitWhenStdinCloses(System.in);
            PrintStream out = System.out;
            out.println("port " + ((InetSocketAddress) server.server.getLocalAddress()).getPort());
            out.flush();
            server.serve();
        } catch (IOException e) {
            System.err.println("DelayedAnswerServer: " + e.getMessage());
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

    private void serve() throws IOException {
        try {
            while (true) {
                long timeoutMillis = 0; // block until a connection or a request
                Pending first = pending.peekFirst();
                if (first != null) {
                    long nanos = first.dueNanos() - System.nanoTime();
                    if (nanos > 0) {
                        timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
                    } else {
                        timeoutMillis = -1;
                    }
                }
                if (timeoutMillis < 0) {
                    selector.selectNow();
                } else {
                    selector.select(timeoutMillis);
                }
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else if (key.isReadable()) {
                        readRequest(key);
                    } else if (key.isWritable()) {
                        writeAnswer(key, (ByteBuffer) key.attachment());
                    }
                }
                answerDue();
            }
        } catch (ClosedSelectorException e) {
            // shutting down
        }
    }

    private void acceptAll() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(REQUEST_BYTES));
        }
    }

    private void readRequest(SelectionKey key) {
        SocketChannel client = (SocketChannel) key.channel();
        ByteBuffer request = (ByteBuffer) key.attachment();
        try {
            if (client.read(request) < 0) {
                close(key); // the client gave up before sending a whole request
                return;
            }
        } catch (IOException e) {
            close(key);
            return;
        }
        if (!request.hasRemaining()) {
            key.interestOps(0);
            ByteBuffer answer = ByteBuffer.allocate(Long.BYTES).putLong(0, answer(request.getLong(0), salt));
            pending.addLast(new Pending(key, System.nanoTime() + delayNanos, answer));
        }
    }

    private void answerDue() {
        long now = System.nanoTime();
        while (!pending.isEmpty() && pending.peekFirst().dueNanos() - now <= 0) {
            Pending due = pending.removeFirst();
            writeAnswer(due.key(), due.answer());
        }
    }

    /** Writes what is left of the answer; closes when it is all out, else waits for the socket to drain. */
    private void writeAnswer(SelectionKey key, ByteBuffer answer) {
        try {
            ((SocketChannel) key.channel()).write(answer);
        } catch (IOException e) {
            close(key);
            return;
        }
        if (answer.hasRemaining()) {
            key.attach(answer);
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            close(key);
        }
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // nothing to do: the connection is gone either way
        }
    }

    /** The parent's handle on a server child JVM: its port, and a close that leaves no process behind. */
    public static final class Child implements AutoCloseable {
        private static final long START_TIMEOUT_SECONDS = 60;

        private final Process process;
        private final InetSocketAddress address;

        private Child(Process process, int port) {
            this.process = process;
            this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }

        /** Starts the server JVM and waits for its port; on any failure the process is gone when this throws. */
        public static Child start(long delayMillis, long salt) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(ChildJvm.command(SERVER_JVM_OPTIONS, DelayedAnswerServer.class,
                    Long.toString(delayMillis), Long.toString(salt)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                return new Child(process, readPort(process));
            } catch (IOException | InterruptedException | RuntimeException e) {
                destroy(process);
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
            }, "server-port-reader");
            portReader.setDaemon(true);
            portReader.start();
            portReader.join(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            if (portReader.isAlive()) {
                process.destroyForcibly();
                portReader.join(TimeUnit.SECONDS.toMillis(5));
                throw new IllegalStateException("the delayed-answer server JVM printed no port within "
                        + START_TIMEOUT_SECONDS + " s");
            }
            String line = firstLine.get();
            if (line == null || !line.startsWith("port ")) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("the delayed-answer server JVM did not start (first line "
                        + (line == null ? "none" : "'" + line + "'")
                        + (process.isAlive() ? "" : ", exit status " + process.exitValue())
                        + "; its errors are above)");
            }
            return Integer.parseInt(line.substring("port ".length()).trim());
        }

        public InetSocketAddress address() {
            return address;
        }

        public Process process() {
            return process;
        }

        /** Closes the server's stdin (it exits on end of file), and kills it if it lingers. */
        @Override
        public void close() {
            destroy(process);
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
