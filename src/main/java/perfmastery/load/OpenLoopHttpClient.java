package perfmastery.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of an open-loop probe: {@code GET <path>} on keep-alive connections to a loopback server, each
 * answer checked (status 200, the expected body) and handed to a callback with the check's intended time. It is
 * meant to be a light instrument, as wrk2 is: the sender writes a request of a few dozen bytes on an idle
 * connection and returns; one selector thread ({@value #THREAD_NAME}) reads every answer; per check there is no
 * future, no executor task and no object beyond the bytes read.
 *
 * <p>Why not {@code java.net.http.HttpClient}: its asynchronous path runs each exchange through futures, its
 * selector thread and an executor, and its cost is the JDK's, not the server's. In the reference run on JDK 17
 * the open-loop median of {@code /health} on the offloaded server was 7.5 ms against a closed-loop median of
 * 0.6 ms on the same server (1.4 ms against 0.4 ms on JDK 25): the probe measured itself, and differently on
 * each JDK, where the lesson compares servers and JDKs.
 *
 * <p>Connections: one request in flight per connection (no pipelining). A check takes the connection that has
 * been idle longest (a FIFO, so every connection is used in turn and none sits idle long enough for the server
 * to close it), or opens one when none is idle. At most {@code maxConnections} are open: the probe keeps at
 * most as many checks unanswered. A connection that fails (reset, closed by the server, a wrong answer) fails
 * its check and is closed; the next check opens another.
 */
public final class OpenLoopHttpClient implements AutoCloseable {

    /** Where each check's outcome goes: exactly one call per check sent. */
    interface Outcome {
        void answered(long intendedNanos);

        void failed(Throwable error);
    }

    public static final String THREAD_NAME = "open-loop-http-reader";
    /** Room for an answer's status line, headers and a small body; a longer answer fails its check. */
    static final int MAX_ANSWER_BYTES = 4_096;
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private final InetSocketAddress server;
    private final byte[] request;
    private final byte[] expectedBody;
    private final int maxConnections;
    private final Outcome outcome;
    private final Selector selector;
    private final Thread reader;
    private final Queue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final Queue<Connection> waiting = new ConcurrentLinkedQueue<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean closed;

    /** One keep-alive connection; its fields are the sender's until it is queued, then the reader's. */
    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(MAX_ANSWER_BYTES);
        long intendedNanos;
        SelectionKey key;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private OpenLoopHttpClient(InetSocketAddress server, String path, String expectedBody, int maxConnections,
                               Outcome outcome) throws IOException {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("an open-loop HTTP client needs at least 1 connection, not " + maxConnections);
        }
        this.server = server;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.expectedBody = expectedBody.getBytes(StandardCharsets.UTF_8);
        this.maxConnections = maxConnections;
        this.outcome = outcome;
        this.selector = Selector.open();
        this.reader = new Thread(this::read, THREAD_NAME);
        reader.setDaemon(true);
    }

    /** A client whose reader thread is started; {@link #close()} stops it and closes every connection. */
    public static OpenLoopHttpClient start(InetSocketAddress server, String path, String expectedBody, int maxConnections,
                                    Outcome outcome) throws IOException {
        OpenLoopHttpClient client = new OpenLoopHttpClient(server, path, expectedBody, maxConnections, outcome);
        client.reader.start();
        return client;
    }

    /**
     * Sends one check, timed from {@code intendedNanos}, and returns without waiting for its answer; the reader
     * thread reports it. Called by one sender thread. A check that cannot be sent fails at once (reported to the
     * outcome, not thrown).
     */
    public void send(long intendedNanos) {
        Connection connection = idle.poll();
        try {
            if (closed) {
                throw new IOException("the open-loop HTTP client is closed");
            }
            if (connection == null) {
                connection = connect();
            }
            connection.intendedNanos = intendedNanos;
            connection.in.clear();
            ByteBuffer out = ByteBuffer.wrap(request);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (out.hasRemaining()) {
                // A connection carries one request at a time and the server reads it, so its send buffer is empty
                // and a few dozen bytes go at once; the loop only guards the impossible.
                if (connection.channel.write(out) == 0) {
                    if (System.nanoTime() - giveUp > 0) {
                        throw new IOException("could not write a " + request.length + "-byte request within 5 s");
                    }
                    Thread.onSpinWait();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                discard(connection);
            }
            outcome.failed(e);
            return;
        }
        waiting.add(connection);
        selector.wakeup();
    }

    private Connection connect() throws IOException {
        if (open.size() >= maxConnections) {
            throw new IOException("all " + maxConnections + " connections are busy (the probe allows as many checks"
                    + " unanswered)");
        }
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
        open.add(connection);
        opened.incrementAndGet();
        return connection;
    }

    /**
     * Opens connections until {@code count} are open (at most the client's bound) and leaves them idle. Checks take
     * the connection idle longest, so they then go to each in turn: a server of several processes sharing a port
     * gets its connections, and so its checks, spread over its processes as the kernel spreads connections, where
     * the one or two connections a light probe would open by itself could all reach one process.
     */
    public void openConnections(int count) throws IOException {
        while (open.size() < Math.min(count, maxConnections)) {
            idle.add(connect());
        }
    }

    /** The reader thread: registers each connection that carries a request, and reads answers. */
    private void read() {
        try {
            while (!closed) {
                selector.select();
                for (Connection c; (c = waiting.poll()) != null; ) {
                    try {
                        if (c.key == null) {
                            c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
                        } else {
                            c.key.interestOps(SelectionKey.OP_READ);
                        }
                    } catch (IOException | RuntimeException e) {
                        fail(c, e);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    try {
                        readAnswer(c);
                    } catch (IOException | RuntimeException e) {
                        fail(c, e);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                // The selector itself failed: fail every check in flight, so the probe's wait ends.
                for (Connection c : open) {
                    if (!idle.contains(c)) {
                        fail(c, e);
                    }
                }
            }
        }
    }

    private void readAnswer(Connection c) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0) {
            throw new EOFException("the server closed the connection after " + c.in.position() + " bytes of the answer");
        }
        int headersEnd = indexOf(c.in, HEADERS_END);
        if (headersEnd < 0) {
            if (!c.in.hasRemaining()) {
                throw new IOException("an answer's headers exceed " + MAX_ANSWER_BYTES + " bytes");
            }
            return;
        }
        String head = new String(c.in.array(), 0, headersEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headersEnd + HEADERS_END.length;
        int length = contentLength(head);
        if (c.in.position() - bodyStart < length) {
            if (!c.in.hasRemaining()) {
                throw new IOException("an answer exceeds " + MAX_ANSWER_BYTES + " bytes");
            }
            return;
        }
        int lineEnd = head.indexOf("\r\n");
        String statusLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
        if (!statusLine.startsWith("HTTP/1.1 200")) {
            throw new IOException("the server answered '" + statusLine + "'");
        }
        if (length != expectedBody.length || c.in.position() - bodyStart != length
                || !Arrays.equals(c.in.array(), bodyStart, bodyStart + length, expectedBody, 0, length)) {
            throw new IOException("the server answered '" + new String(c.in.array(), bodyStart,
                    c.in.position() - bodyStart, StandardCharsets.UTF_8) + "', expected '"
                    + new String(expectedBody, StandardCharsets.UTF_8) + "'");
        }
        long intended = c.intendedNanos;
        c.key.interestOps(0);
        if ("close".equalsIgnoreCase(header(head, "Connection"))) {
            discard(c);
        } else {
            // From here the connection is the sender's again: nothing below touches it.
            idle.add(c);
        }
        outcome.answered(intended);
    }

    /** The Content-Length of an answer's head (the JDK's server writes {@code Content-length}); -1 when absent. */
    static int contentLength(String head) {
        String value = header(head, "Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The value of the first header named {@code name} (any case) in an answer's head, trimmed; null when absent. */
    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
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

    private void fail(Connection c, Exception error) {
        discard(c);
        outcome.failed(error);
    }

    private void discard(Connection c) {
        open.remove(c);
        idle.remove(c);
        if (c.key != null) {
            c.key.cancel();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // Closing a loopback socket we no longer use: nothing to do about a failure.
        }
    }

    /** Connections opened so far (tests: keep-alive reuses them). */
    public int connectionsOpened() {
        return opened.get();
    }

    /** Connections open now (tests: none after close). */
    int connectionsOpen() {
        return open.size();
    }

    boolean isRunning() {
        return reader.isAlive();
    }

    /** Stops the reader thread and closes every connection; checks still in flight are not reported. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        selector.wakeup();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        for (Connection c : open) {
            discard(c);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // The selector holds no resource beyond its descriptor, which close releases even when it throws.
        }
        if (reader.isAlive()) {
            throw new IllegalStateException(THREAD_NAME + " did not stop within 10 s");
        }
    }
}
