package perfmastery.cpu;

import perfmastery.process.ChecksumChildMain;
import perfmastery.process.ChildJvm;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 5, the "Communication" and "Memory" rows of its worker comparison: what it costs to hand a
 * payload to a worker that reads it, and get its answer back.
 *
 * <h2>The guide's claim</h2>
 * Worker threads share memory ({@code SharedArrayBuffer}, transferred {@code ArrayBuffer}s): passing data
 * costs nothing per byte. {@code postMessage} without transfer copies the data (structured clone), and a
 * child process must serialise it and send it through a pipe: per-byte costs that grow with the payload.
 * So for big payloads: shared memory &lt; copied &lt; IPC.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * One operation = hand a payload of {@code payloadBytes} random bytes to a worker, which reads all of it
 * (a CRC32C checksum, {@link ChecksumChildMain#checksum}) and answers with the checksum; the benchmark
 * returns it. Every worker reads every byte it is given, so the variants differ only in how the bytes
 * reach it, and they all return the same checksum (the test checks it):
 * <ul>
 * <li>{@code sharedMemory}: the worker (one long-lived platform thread) is handed the caller's array
 * itself and reads it in place: no byte is copied; the cost is the hand-off between two threads (a
 * queue, a park and an unpark each way) and one read of the payload.</li>
 * <li>{@code copied}: the structured-clone analog: the caller clones the payload and hands the clone over
 * the same way; the worker reads the clone. One copy of the payload per operation more than shared.</li>
 * <li>{@code serializedIpc}: the payload is written as a frame (an int length, then the bytes) into the
 * stdin pipe of a long-lived child JVM ({@link ChecksumChildMain}, started once per trial, {@code -Xmx64m
 * -XX:+UseSerialGC} so it needs no GC threads on a 2-core machine), which reads it into its buffer,
 * checksums it and writes the 8-byte checksum back on its stdout. The bytes cross the kernel: copied into
 * the pipe and out of it, in pieces of at most the pipe's capacity (64 KiB on Linux), each piece waking
 * the other process.</li>
 * </ul>
 * CRC32C is the checksum because the JIT compiles it to the CPU's {@code crc32} instruction: reading a
 * payload costs less than copying it, so the read that every variant pays does not drown the copy that
 * the guide is about. (A loop that sums bytes one by one would.)
 *
 * <p>SampleTime, and the claims compare medians (p50): on a shared machine a few iterations disturbed by
 * other processes move a mean more than the variants differ.
 *
 * <h2>The heap, and G1's humongous objects</h2>
 * The fork runs with a pinned heap, {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:G1HeapRegionSize=4m}.
 * Without it the heap is a quarter of the host's memory, and G1 sizes its regions from the heap (on JDK 17
 * and 25: 1 MiB regions up to a 2 GiB heap, 2 MiB at 3 to 4 GiB, 4 MiB at 6 to 8 GiB, ...), so whether a
 * payload-sized array is a <em>humongous object</em> (half a region or more) would depend on the machine;
 * and the pages are touched at start-up, so no first-touch page fault lands in a measurement.
 *
 * <p>With the pinned 4 MiB regions, the 1 MiB arrays here (the payload, and each of {@code copied}'s
 * clones: 1 MiB of elements plus a 16-byte header) are a quarter of a region: ordinary objects of the
 * young generation, allocated in eden and dead by the next young collection. They are humongous wherever
 * regions are 2 MiB or less, which is G1's default for every heap under 6 GiB: a container with a 1 or
 * 2 GiB heap has 1 MiB regions, in which a 1 MiB array plus its header spans two regions. A humongous
 * array is allocated under the heap lock straight into free regions of the old generation (whole regions:
 * the unused rest of the last one is wasted), never copied by a young collection, and reclaimed at the
 * next young collection (eager reclaim: a primitive array that nothing references); its allocation counts
 * towards the old generation's occupancy and can start G1's concurrent cycles ("G1 Humongous Allocation"
 * in the GC log). So there {@code copied} pays a region allocation per operation on top of the copy. See
 * it with {@code ./run-benchmarks.sh --jvm-args "-XX:G1HeapRegionSize=1m" -- WorkerMessagingBenchmark}
 * (your flags come after the lesson's, so they win), or with {@code -p payloadBytes=16777216}, humongous
 * at any region size G1 picks for this heap. Parallel and Serial have no humongous objects (ZGC and
 * Shenandoah have their own rules for large ones). {@code sharedMemory} and {@code serializedIpc}
 * allocate no payload-sized array per operation (the child reuses its buffer). At 1 KiB nothing here is
 * humongous, whatever the region size.
 *
 * <h2>Thread budget (2 cores)</h2>
 * The JMH thread and one worker: the worker thread (parked between messages), or the child process's
 * main thread. At most two threads run at a time.
 *
 * <h2>What you should see</h2>
 * At 1 KiB the three are close: the hand-off (or the pipe's write, read and wake-up) dominates and the
 * channel hardly matters. At 1 MiB the guide's order holds at the median: {@code sharedMemory} (a
 * hand-off and one read) below {@code copied} (a 1 MiB copy more), below
 * {@code serializedIpc} (two copies through the kernel and a wake-up of the other process per 64 KiB).
 * {@code sharedMemory} allocates a few hundred bytes per operation at both sizes (the task and its
 * future), {@code copied} the payload more, and the parent side of {@code serializedIpc} next to nothing.
 * On a quiet machine the hand-offs can be slower than on a busy one: a parked thread woken on an idle
 * virtual CPU pays the wake-up from idle (tens of microseconds in a VM), while under load the cores never
 * idle.
 *
 * <p>Figures: {@code results/reference/report.md#workermessagingbenchmark-sample}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- WorkerMessagingBenchmark}; other sizes with
 * {@code -p payloadBytes=1024,32768,1048576,16777216}.
 *
 * <h2>What it does not measure</h2>
 * Not a Node structured clone of an object graph (here a flat byte array, the best case for a copy), not
 * Java serialisation of objects (a byte array needs only framing), and not the cost of starting the
 * worker ({@code WorkerStartupBenchmark}). Sharing is cheap only because this worker reads the bytes and
 * writes nothing: sharing mutable data needs synchronisation the copies do not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:G1HeapRegionSize=4m"})
@Claim(id = "shared-beats-copied-at-1MiB",
        text = "at 1 MiB, handing a worker the caller's buffer to read is at least 2x cheaper than handing it a copy to read (medians)",
        variant = "sharedMemory", baseline = "copied", metric = "p50", relation = Relation.LOWER, factor = 2,
        params = "payloadBytes=1048576", kind = Kind.GUIDE,
        basis = "copied does all that shared does (one hand-off, one CRC32C read of the payload) plus a copy of it;"
                + " a copy reads every byte and writes it to freshly allocated memory, which costs"
                + " at least a CRC32C read (one crc32 instruction per 8 bytes, from cache) plus a hand-off (a park"
                + " and an unpark, microseconds): so copied costs at least twice shared")
@Claim(id = "copied-beats-ipc-at-1MiB",
        text = "at 1 MiB, copying the payload to a worker thread is at least 2x cheaper than sending it through a child process's pipe (medians)",
        variant = "copied", baseline = "serializedIpc", metric = "p50", relation = Relation.LOWER, factor = 2,
        params = "payloadBytes=1048576", kind = Kind.MECHANISM,
        basis = "the pipe copies the payload twice (into the kernel and out of it) where copied copies it once,"
                + " and with a 64 KiB pipe it hands the CPU between the two processes at least 16 times per MiB"
                + " where copied hands off once; both then read it once: at least twice the work")
@Claim(id = "shared-copies-nothing-at-1MiB",
        text = "at 1 MiB, handing over the caller's buffer allocates less than 1 KiB per operation (no copy of the payload)",
        variant = "sharedMemory", metric = "gc.alloc.rate.norm", relation = Relation.LOWER, bound = 1024,
        params = "payloadBytes=1048576", kind = Kind.MECHANISM,
        basis = "no byte is copied: the hand-off's task, lambda and future are the only allocation, a few hundred"
                + " bytes whatever the payload's size")
@Claim(id = "copied-allocates-the-payload-at-1MiB",
        text = "at 1 MiB, the copied hand-off allocates at least the payload (1 MiB) per operation",
        variant = "copied", metric = "gc.alloc.rate.norm", relation = Relation.HIGHER, bound = 1_048_576,
        params = "payloadBytes=1048576", kind = Kind.MECHANISM,
        basis = "a copy of n bytes is a new array of n bytes (plus its header)")
public class WorkerMessagingBenchmark {

    /** Child JVM options: a small heap and no GC threads; the child reuses one buffer. */
    static final List<String> CHILD_JVM_OPTIONS = List.of("-Xmx64m", "-XX:+UseSerialGC");

    /** Payload size in bytes: 1 KiB and 1 MiB. */
    @Param({"1024", "1048576"})
    public int payloadBytes;

    byte[] payload;
    private ExecutorService worker;
    private Process child;
    private DataOutputStream toChild;
    private DataInputStream fromChild;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        payload = new byte[payloadBytes];
        new SplittableRandom(20_24).nextBytes(payload);
        worker = Executors.newFixedThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, "message-worker");
            thread.setDaemon(true);
            return thread;
        });
        try {
            startChild();
        } catch (IOException | RuntimeException e) {
            try {
                tearDown();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void startChild() throws IOException {
        child = new ProcessBuilder(ChildJvm.command(CHILD_JVM_OPTIONS, ChecksumChildMain.class))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        toChild = new DataOutputStream(new BufferedOutputStream(child.getOutputStream(), 1 << 16));
        fromChild = new DataInputStream(new BufferedInputStream(child.getInputStream(), 1 << 16));
        byte[] hello = {1, 2, 3};
        if (sendToChild(hello) != ChecksumChildMain.checksum(hello, 0, hello.length)) {
            throw new IllegalStateException("the checksum child JVM answered another checksum than this JVM computes");
        }
    }

    /**
     * Closes the child's stdin (it exits on EOF), then kills it if it lingers; stops the worker thread and
     * waits for it, whatever state setup reached.
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (child != null) {
                try {
                    child.getOutputStream().close();
                    if (!child.waitFor(5, TimeUnit.SECONDS)) {
                        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (IOException | InterruptedException e) {
                    child.destroyForcibly();
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        } finally {
            child = null;
            try {
                EventLoopBlockingBenchmark.shutDown(worker);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The worker reads the caller's own array in place: nothing is copied. */
    @Benchmark
    public long sharedMemory() throws Exception {
        byte[] shared = payload;
        return worker.submit(() -> ChecksumChildMain.checksum(shared, 0, shared.length)).get();
    }

    /** The caller copies the payload (the structured clone of postMessage); the worker reads the copy. */
    @Benchmark
    public long copied() throws Exception {
        byte[] sent = payload.clone();
        return worker.submit(() -> ChecksumChildMain.checksum(sent, 0, sent.length)).get();
    }

    /** The payload goes through the child's stdin pipe; the child reads it and answers its checksum. */
    @Benchmark
    public long serializedIpc() throws IOException {
        return sendToChild(payload);
    }

    private long sendToChild(byte[] message) throws IOException {
        toChild.writeInt(message.length);
        toChild.write(message);
        toChild.flush();
        try {
            return fromChild.readLong();
        } catch (EOFException e) {
            throw new IllegalStateException("the checksum child JVM closed its stdout without answering"
                    + " (its error output, if any, is above)", e);
        }
    }

    /** The child process, for tests that check it is gone after teardown. */
    Process child() {
        return child;
    }
}
