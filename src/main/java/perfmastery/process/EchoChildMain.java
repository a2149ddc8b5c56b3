package perfmastery.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The smallest parked child JVM of {@link WorkerFootprint}: a Java {@code cat}. It writes back what it
 * reads from stdin, flushing each read, so its parent can prove it runs, and otherwise waits in read().
 * It exits when stdin closes, so it dies with its parent.
 */
public final class EchoChildMain {

    private EchoChildMain() {
    }

    public static void main(String[] args) throws IOException {
        InputStream in = System.in;
        OutputStream out = System.out;
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }
}
