package perfmastery.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * The long-lived worker process of {@link WorkerMessagingBenchmark}'s {@code serializedIpc}: reads framed
 * messages (an int length, then that many bytes) from stdin, reads each one through {@link #checksum} and
 * answers with the checksum (8 bytes) on stdout. It exits when stdin closes, so it dies with its parent
 * even if the parent never tears down.
 */
public final class ChecksumChildMain {

    /** Above this a frame is taken as a protocol error rather than allocated. */
    static final int MAX_FRAME_BYTES = 64 << 20;

    private ChecksumChildMain() {
    }

    /**
     * What every worker of the messaging lesson computes from the bytes it is given: CRC32C, which the
     * JIT compiles to the CPU's {@code crc32} instruction (SSE4.2 on x86, the CRC extension on ARMv8), so
     * a whole read of the payload costs little beside a copy of it and hides nothing.
     */
    public static long checksum(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
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
                System.err.println("ChecksumChildMain: bad frame length " + length + "; exiting");
                System.exit(2);
            }
            if (buffer.length < length) {
                buffer = new byte[length];
            }
            in.readFully(buffer, 0, length);
            out.writeLong(checksum(buffer, 0, length));
            out.flush();
        }
    }
}
