package perfmastery.io;

import perfmastery.files.ScratchDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;
import perfmastery.support.Gauges;

/**
 * Why the guide prefers {@code pipeline()} over {@code a.pipe(b)}: cleanup when the consumer goes away.
 *
 * <h2>The guide's claim</h2>
 * {@code src.pipe(dest)} does not destroy the source when the destination fails (a client that
 * disconnects half-way): the file stays open, and a server that serves many aborted downloads runs out
 * of file descriptors. {@code pipeline()} destroys every stream of the chain on error, so an aborted
 * transfer leaves nothing behind, and the cleanup costs no time worth speaking of.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * A transfer opens a 64 KiB file and copies it with {@code transferTo} to a consumer that goes away
 * half-way: it takes 32 KiB, then throws {@code IOException}. One invocation is a batch of
 * {@value #TRANSFERS_PER_INVOCATION} such transfers; each aborted transfer is caught by the caller, as a
 * request handler would.
 * <ul>
 * <li>{@code naive}: open, copy, close; the close is skipped when the copy throws (the guide's wrong
 * way, the analog of {@code pipe()}).</li>
 * <li>{@code tryWithResources}: the same in {@code try (InputStream in = ...)}, which closes on every
 * path (the analog of {@code pipeline()}).</li>
 * </ul>
 *
 * <h2>Both variants pay for the same closes, in the timed region</h2>
 * Each batch, inside the timed method and the same way for both variants: count this process's open
 * descriptors ({@code /proc/self/fd}), make the {@value #TRANSFERS_PER_INVOCATION} transfers, count
 * again (what is still open now is what the batch <em>left</em>), then close every stream the batch
 * opened. For {@code naive} that last step is where its leaked descriptors are closed, after they were
 * counted as left open; for {@code tryWithResources} it finds them closed already (a no-op), because it
 * closed each one inside its {@code try}. So both variants make the same opens, reads, closes and
 * two listings per batch, all timed, and no fixture does work for one variant only: the times compare
 * the same work. The two listings are spread over the batch's {@value #TRANSFERS_PER_INVOCATION}
 * transfers and cost the same on both sides. (Before, {@code naive}'s leaks were closed in an untimed
 * invocation teardown while {@code tryWithResources} closed inside the timed method, so {@code naive}
 * was timed without its closes.) At most {@value #TRANSFERS_PER_INVOCATION} descriptors are ever leaked at once, far below any
 * {@code ulimit -n}. In a real program a lost stream is closed by its {@code Cleaner} only when a GC
 * happens to find it unreachable, which a server with a quiet heap may not do before the descriptor
 * limit is reached.
 *
 * <h2>Metrics</h2>
 * <ul>
 * <li>primary: average time per transfer, microseconds.</li>
 * <li>{@code fdsLeftPerTransfer} (a {@link Gauges gauge}): descriptors left open by the iteration's
 * batches divided by the transfers they made, recorded once per iteration in its teardown. JMH's JSON
 * has each iteration's true ratio in {@code rawData} and their mean as {@code score}. Where procfs is
 * missing (macOS, Windows) it is not recorded, so the report says NOT MEASURED rather than show a
 * wrong number; the fork says so on stderr.</li>
 * </ul>
 *
 * <h2>What you should see</h2>
 * {@code naive} leaves one descriptor per aborted transfer ({@code fdsLeftPerTransfer} 1.0) and
 * {@code tryWithResources} none (0.0), in every iteration. The times are the same within the noise:
 * both make the same system calls, so the leak costs nothing until the limit is reached, which is why
 * the bug survives: it shows up as descriptors, not as time.
 * Figures: {@code results/reference/report.md#abortedtransferbenchmark-avgt}, the reference run (JDK 17 and 25,
 * 3 forks per row, on a quiet machine; its sidecars hold the load average). The table that was here was
 * measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>The heap</h2>
 * {@code -Xms64m -Xmx64m -Xmn16m -XX:+AlwaysPreTouch} (appended to the fork's flags). On some virtual machines
 * the first touch of a heap page costs far more than its second touch, and a default heap keeps growing into
 * fresh pages during the measured iterations: the lesson would time the host's page faults, not the cleanup. A
 * small heap, fixed and touched once as the fork starts, with a fixed young generation of 16m, makes every
 * allocation reuse pages already touched, at the cost of touching 64m once per fork (a fraction of the time a
 * default 1 GiB pre-touch takes). A transfer holds a stream and a small buffer at a time, so 64 MiB is many
 * times the live set. Run with {@code -prof perfmastery.support.PageFaultProfiler} (the runner adds it) to see
 * that the measured iterations fault about zero times ({@code faults.minor}).
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- AbortedTransferBenchmark}.
 *
 * <h2>What it does not measure</h2>
 * Sockets: the consumer is in memory, and the leaked resource is the file. Nor the failure itself,
 * which a real server meets only when the limit is reached ({@code Too many open files}); counting the
 * descriptors shows the leak long before that.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms64m", "-Xmx64m", "-Xmn16m", "-XX:+AlwaysPreTouch"})
@Claim(id = "cleanup-costs-no-time",
        text = "tryWithResources, which closes on every path, takes at most 1.11x naive's time per transfer",
        variant = "tryWithResources", baseline = "naive", relation = Relation.LOWER, factor = 0.9,
        kind = Claim.Kind.GUIDE,
        basis = "The guide: pipeline() cleans up on error at no cost worth speaking of. Both variants make the same"
                + " system calls per transfer (open, read until the consumer goes away, close), all in the timed"
                + " method; try-with-resources only moves the close onto the error path. So the times are equal in"
                + " principle; the claim allows 10 %, fixed beforehand as the least difference that would change a"
                + " server author's choice (an equivalence margin), not read from a run.")
@Claim(id = "tryWithResources-leaves-nothing",
        text = "tryWithResources leaves 0 open descriptors per aborted transfer",
        variant = "tryWithResources", metric = "fdsLeftPerTransfer", relation = Relation.LOWER, bound = 0.001,
        kind = Claim.Kind.MECHANISM,
        basis = "try-with-resources closes its resource on every path out of the block, the exceptional one"
                + " included (JLS 14.20.3), so nothing a transfer opened is open after it; 0.001 allows one"
                + " descriptor that another thread of the JVM opens in a thousand transfers (the count is"
                + " process-wide).")
@Claim(id = "naive-leaks-one-per-transfer",
        text = "naive leaves (at least) 1 open descriptor per aborted transfer",
        variant = "naive", metric = "fdsLeftPerTransfer", relation = Relation.HIGHER, bound = 0.999,
        kind = Claim.Kind.MECHANISM,
        basis = "By construction: every transfer opens the source and skips its close() when the consumer throws,"
                + " as pipe() does not destroy the source; 0.001 allows one descriptor that another thread of the"
                + " JVM closes in a thousand transfers (the count is process-wide).")
@Claim(id = "naive-leaks-only-the-source",
        text = "naive leaves no more than 1 open descriptor per aborted transfer: the source file",
        variant = "naive", metric = "fdsLeftPerTransfer", relation = Relation.LOWER, bound = 1.001,
        kind = Claim.Kind.MECHANISM,
        basis = "A transfer opens one descriptor (the source file); the consumer is in memory. 0.001 allows one"
                + " descriptor that another thread of the JVM opens in a thousand transfers.")
public class AbortedTransferBenchmark {

    static final int TRANSFERS_PER_INVOCATION = 64;

    static final int FILE_BYTES = 64 * 1024;

    static final long CONSUMER_LIMIT_BYTES = FILE_BYTES / 2;

    private ScratchDirectory scratch;
    private Path source;

    @Setup(Level.Trial)
    public void writeSource() throws IOException {
        scratch = ScratchDirectory.create("AbortedTransferBenchmark");
        try {
            scratch.requireSpace(FILE_BYTES, "AbortedTransferBenchmark (a 64 KiB source file)");
            source = scratch.resolve("source.bin");
            FileCopyBenchmark.writeDeterministic(source, FILE_BYTES);
        } catch (IOException | RuntimeException failure) {
            scratch.close();
            throw failure;
        }
    }

    @TearDown(Level.Trial)
    public void deleteSource() throws IOException {
        if (scratch != null) {
            scratch.close();
        }
    }

    /**
     * The streams a batch opened and this iteration's descriptor counts; records the
     * {@code fdsLeftPerTransfer} gauge at the end of each iteration.
     */
    @State(Scope.Thread)
    public static class Descriptors {
        private final List<InputStream> opened = new ArrayList<>(TRANSFERS_PER_INVOCATION);
        private boolean measurable;
        private long before;
        private long left;
        private long transfers;

        @Setup(Level.Trial)
        public void checkProcfs() {
            measurable = openDescriptors().isPresent();
            if (!measurable) {
                System.err.println("AbortedTransferBenchmark: no /proc/self/fd on this platform, so"
                        + " fdsLeftPerTransfer is NOT MEASURED");
            }
        }

        @Setup(Level.Iteration)
        public void resetIteration() {
            left = 0;
            transfers = 0;
        }

        /** The iteration's true ratio, not a share of it: see {@link Gauges}. */
        @TearDown(Level.Iteration)
        public void recordIteration() {
            if (measurable && transfers > 0) {
                Gauges.record("fdsLeftPerTransfer", leftPerTransferThisIteration(), "fds/transfer");
            }
        }

        /** Called by both variants, in the timed method, before a batch. */
        void startBatch() {
            before = measurable ? openDescriptors().getAsLong() : 0;
        }

        /**
         * Called by both variants, in the timed method, after a batch: counts what the batch left open,
         * then closes every stream it opened (naive's leaks; a no-op for streams closed already).
         */
        void endBatch() throws IOException {
            if (measurable) {
                left += openDescriptors().getAsLong() - before;
            }
            transfers += TRANSFERS_PER_INVOCATION;
            closeAll();
        }

        /** Also the trial's safety net: a batch that failed half-way leaves nothing open. */
        @TearDown(Level.Trial)
        public void closeAll() throws IOException {
            for (InputStream stream : opened) {
                stream.close(); // idempotent for the ones tryWithResources closed
            }
            opened.clear();
        }

        InputStream open(Path file) throws IOException {
            InputStream in = Files.newInputStream(file);
            opened.add(in);
            return in;
        }

        /** Descriptors left per transfer in this iteration so far. */
        double leftPerTransferThisIteration() {
            return (double) left / transfers;
        }

        boolean measurable() {
            return measurable;
        }
    }

    /** The number of open descriptors of this process, or empty where there is no procfs. */
    static OptionalLong openDescriptors() {
        Path fds = Paths.get("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return OptionalLong.empty();
        }
        // The listing's own descriptor is counted every time, so it cancels out of every difference.
        try (Stream<Path> listing = Files.list(fds)) {
            return OptionalLong.of(listing.count());
        } catch (IOException unreadable) {
            return OptionalLong.empty();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TRANSFERS_PER_INVOCATION)
    public long naive(Descriptors descriptors) throws IOException {
        descriptors.startBatch();
        long delivered = 0;
        for (int i = 0; i < TRANSFERS_PER_INVOCATION; i++) {
            GoneAwayConsumer consumer = new GoneAwayConsumer(CONSUMER_LIMIT_BYTES);
            try {
                InputStream in = descriptors.open(source);
                in.transferTo(consumer);
                in.close(); // never reached when the consumer goes away
            } catch (IOException aborted) {
                // the request handler logs and moves on
            }
            delivered += consumer.checksum();
        }
        descriptors.endBatch();
        return delivered;
    }

    @Benchmark
    @OperationsPerInvocation(TRANSFERS_PER_INVOCATION)
    public long tryWithResources(Descriptors descriptors) throws IOException {
        descriptors.startBatch();
        long delivered = 0;
        for (int i = 0; i < TRANSFERS_PER_INVOCATION; i++) {
            GoneAwayConsumer consumer = new GoneAwayConsumer(CONSUMER_LIMIT_BYTES);
            try (InputStream in = descriptors.open(source)) {
                in.transferTo(consumer);
            } catch (IOException aborted) {
                // the request handler logs and moves on
            }
            delivered += consumer.checksum();
        }
        descriptors.endBatch();
        return delivered;
    }

    // For tests.
    Path source() {
        return source;
    }

    Path folder() {
        return scratch.folder();
    }

    /** A consumer that takes {@code limit} bytes, then goes away like a client that disconnects. */
    static final class GoneAwayConsumer extends OutputStream {
        private final long limit;
        private long received;
        private long checksum;

        GoneAwayConsumer(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int accepted = (int) Math.min(length, limit - received);
            for (int i = 0; i < accepted; i++) {
                checksum = checksum * 31 + bytes[offset + i];
            }
            received += accepted;
            if (accepted < length) {
                throw new ConsumerGoneException(received);
            }
        }

        long received() {
            return received;
        }

        /** A hash of the bytes received, in order: what the benchmark returns, so the copy is not dead code. */
        long checksum() {
            return checksum;
        }
    }

    /** The consumer went away; a checked exception, as a broken pipe is. */
    static final class ConsumerGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        ConsumerGoneException(long received) {
            super("consumer went away after " + received + " bytes");
        }
    }
}
