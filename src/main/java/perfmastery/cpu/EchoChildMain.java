package perfmastery.cpu;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The long-lived worker process of {@link WorkerMessagingBenchmark}'s {@code serializedIpc}: reads framed
 * messages (an int length, then that many bytes) from stdin and writes each one back, same frame, on
 * stdout. It exits when stdin closes, so it dies with its parent even if the parent never tears down.
 */
public final class EchoChildMain {

    /** Above this a frame is taken as a protocol error rather than allocated. */
    static final int MAX_FRAME_BYTES = 64 << 20;

    private EchoChildMain() {
    }

    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out, 1 << 16));
        byte[] buffer = new byte[0];
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException parentClosedStdin) {
                return;
            }
            if (length < 0 || length > MAX_FRAME_BYTES) {
                System.err.println("EchoChildMain: bad frame length " + length + "; exiting");
                System.exit(2);
            }
            if (buffer.length < length) {
                buffer = new byte[length];
            }
            in.readFully(buffer, 0, length);
            out.writeInt(length);
            out.write(buffer, 0, length);
            out.flush();
        }
    }
}
