package perfmastery.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection to a loopback server, used by one thread at a time: {@link #get} writes a
 * request of a few dozen bytes and reads the answer (status line, headers, a {@code Content-Length} body).
 * A light blocking client, for load whose paths change from request to request (a request id in the path), where
 * {@link OpenLoopHttpClient} sends one fixed path. No future, no executor, no selector.
 */
public final class HttpConnection implements AutoCloseable {

    /** An answer: its status code and its body. */
    public record Answer(int status, String body) {
    }

    static final int MAX_HEAD_BYTES = 4_096;
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    private HttpConnection(Socket socket, String host) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8_192);
        this.out = socket.getOutputStream();
        this.host = host;
    }

    /** Connects (TCP_NODELAY, a read timeout of {@code timeoutMillis}); fails with the server's address in the message. */
    public static HttpConnection open(InetSocketAddress server, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(server, timeoutMillis);
            return new HttpConnection(socket, server.getHostString() + ":" + server.getPort());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw new IOException("could not connect to " + server + ": " + e.getMessage(), e);
        }
    }

    /** Sends {@code GET path} and returns the answer; the connection stays open for the next request. */
    public Answer get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 answer: '" + statusLine + "'");
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("no status code in '" + statusLine + "'", e);
        }
        int length = -1;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    length = Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IOException("a bad Content-Length: '" + line + "'", e);
                }
            }
        }
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new IOException("an answer without a Content-Length of at most " + MAX_BODY_BYTES + " bytes ("
                    + length + ")");
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("the server closed the connection after " + body.length + " of " + length
                    + " body bytes");
        }
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection"
                        + (line.length() > 0 ? " after '" + line + "'" : ""));
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_HEAD_BYTES) {
                throw new IOException("an answer's header line exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // a loopback socket we no longer use: nothing to do about a failure to close it
        }
    }
}
