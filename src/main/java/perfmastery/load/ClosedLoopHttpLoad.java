package perfmastery.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load, as wrk or autocannon make it: {@code connections} keep-alive connections to a loopback
 * server, each with one {@code GET <path>} in flight, and the next one sent the moment an answer is in. The server
 * is never idle while it has a connection: what it answers per second is its throughput at saturation.
 *
 * <p>No thread of its own: whoever calls {@link #next()} (a JMH benchmark thread) runs the one selector, and each
 * call handles exactly one answer (reads it, checks status 200 and the expected body, sends that connection's next
 * request), so JMH's operations are the server's answers. Between {@link #start()} and {@link #stop} the load
 * runs; after {@code stop} every connection is idle and the server has nothing of it left to do. Each answer's
 * {@value CpuTaskServer#PID_HEADER} header is collected: which processes answered since {@link #start()}.
 */
public final class ClosedLoopHttpLoad implements AutoCloseable {

    private static final int MAX_ANSWER_BYTES = 4_096;
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};
    /** An answer that takes longer than this is a stalled server, not a slow one: the load fails. */
    static final long NO_ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final byte[] request;
    private final byte[] expectedBody;
    private final Set<Long> answeringPids = new HashSet<>();
    private Iterator<SelectionKey> ready = Collections.emptyIterator();
    private boolean resending;
    private int inFlight;
    private long answered;
    private long callerThreadId = -1;

    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(MAX_ANSWER_BYTES);

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private ClosedLoopHttpLoad(InetSocketAddress server, String path, String expectedBody) throws IOException {
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.expectedBody = expectedBody.getBytes(StandardCharsets.UTF_8);
        this.selector = Selector.open();
    }

    /** Opens {@code connections} connections to {@code server}; nothing is sent before {@link #start()}. */
    public static ClosedLoopHttpLoad open(InetSocketAddress server, String path, String expectedBody, int connections)
            throws IOException {
        if (connections < 1) {
            throw new IllegalArgumentException("a closed loop needs at least 1 connection, not " + connections);
        }
        ClosedLoopHttpLoad load = new ClosedLoopHttpLoad(server, path, expectedBody);
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = SocketChannel.open();
                try {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.connect(server);
                    channel.configureBlocking(false);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                Connection connection = new Connection(channel);
                channel.register(load.selector, SelectionKey.OP_READ, connection);
                load.connections.add(connection);
            }
        } catch (IOException | RuntimeException e) {
            load.close();
            throw e;
        }
        return load;
    }

    /** Sends a request on every connection and keeps sending until {@link #stop}; forgets the last run's figures. */
    public void start() throws IOException {
        if (inFlight != 0) {
            throw new IllegalStateException(inFlight + " requests of the last run are still in flight: stop() first");
        }
        answered = 0;
        answeringPids.clear();
        resending = true;
        for (Connection connection : connections) {
            send(connection);
        }
    }

    /**
     * Handles the next answer: reads it, checks it, and sends that connection's next request. Returns the count of
     * answers since {@link #start()}. Throws if an answer is wrong or none comes within 30 s.
     */
    public long next() throws IOException {
        callerThreadId = Thread.currentThread().getId();
        long giveUp = System.nanoTime() + NO_ANSWER_TIMEOUT_NANOS;
        while (true) {
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();
                if (read((Connection) key.attachment())) {
                    return answered;
                }
            }
            if (inFlight == 0) {
                throw new IllegalStateException("no request is in flight: start() the load first");
            }
            if (selector.select(1_000) == 0 && System.nanoTime() - giveUp > 0) {
                throw new IllegalStateException("no answer within " + TimeUnit.NANOSECONDS.toSeconds(NO_ANSWER_TIMEOUT_NANOS)
                        + " s with " + inFlight + " requests in flight: the server stalled or died");
            }
            ready = selector.selectedKeys().iterator();
        }
    }

    /** Stops sending and handles the answers still in flight, so that the server is left idle. */
    public void stop() throws IOException {
        resending = false;
        while (inFlight > 0) {
            next();
        }
    }

    /** Answers since {@link #start()}. */
    public long answered() {
        return answered;
    }

    /** The processes (by {@value CpuTaskServer#PID_HEADER}) that answered since {@link #start()}. */
    public Set<Long> answeringPids() {
        return Set.copyOf(answeringPids);
    }

    /** The id of the thread that last called {@link #next()}, the load's own thread; -1 before the first call. */
    public long callerThreadId() {
        return callerThreadId;
    }

    public int connections() {
        return connections.size();
    }

    private void send(Connection connection) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(request);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.hasRemaining()) {
            // One request in flight per connection, read by the server: its send buffer is empty.
            if (connection.channel.write(out) == 0) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new IOException("could not write a " + request.length + "-byte request within 5 s");
                }
                Thread.onSpinWait();
            }
        }
        inFlight++;
    }

    /** Reads what arrived; true when it completed an answer, which is then checked and counted. */
    private boolean read(Connection c) throws IOException {
        if (c.channel.read(c.in) < 0) {
            throw new EOFException("the server closed a connection after " + c.in.position() + " bytes of an answer");
        }
        int headersEnd = indexOf(c.in, HEADERS_END);
        if (headersEnd < 0) {
            if (!c.in.hasRemaining()) {
                throw new IOException("an answer's headers exceed " + MAX_ANSWER_BYTES + " bytes");
            }
            return false;
        }
        String head = new String(c.in.array(), 0, headersEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headersEnd + HEADERS_END.length;
        int length = intHeader(head, "Content-Length");
        if (length < 0) {
            throw new IOException("an answer without Content-Length: '" + head + "'");
        }
        if (c.in.position() - bodyStart < length) {
            return false;
        }
        int lineEnd = head.indexOf("\r\n");
        String statusLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
        if (!statusLine.startsWith("HTTP/1.1 200")) {
            throw new IllegalStateException("the server answered '" + statusLine + "'");
        }
        if (length != expectedBody.length || c.in.position() - bodyStart != length
                || !Arrays.equals(c.in.array(), bodyStart, bodyStart + length, expectedBody, 0, length)) {
            throw new IllegalStateException("the server answered '" + new String(c.in.array(), bodyStart,
                    c.in.position() - bodyStart, StandardCharsets.UTF_8) + "', expected '"
                    + new String(expectedBody, StandardCharsets.UTF_8) + "'");
        }
        int pid = intHeader(head, CpuTaskServer.PID_HEADER);
        if (pid > 0) {
            answeringPids.add((long) pid);
        }
        c.in.clear();
        inFlight--;
        answered++;
        if (resending) {
            send(c);
        }
        return true;
    }

    /** The value of a header (any case) as a non-negative int; -1 when absent or not a number. */
    static int intHeader(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                try {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
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

    /** Closes every connection; requests in flight are abandoned. */
    @Override
    public void close() {
        for (Connection connection : connections) {
            try {
                connection.channel.close();
            } catch (IOException ignored) {
                // a loopback socket we no longer use
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // releases its descriptor even when it reports a failure
        }
    }
}
