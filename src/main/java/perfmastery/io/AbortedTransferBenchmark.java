package perfmastery.io;

import perfmastery.support.AuxCounterMean;
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

import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Why the guide prefers {@code pipeline()} over {@code a.pipe(b)}: cleanup when the consumer goes away.
 *
 * <h2>The guide's claim</h2>
 * {@code src.pipe(dest)} does not destroy the source when the destination fails (a client that
 * disconnects half-way): the file stays open, and a server that serves many aborted downloads runs out
 * of file descriptors. {@code pipeline()} destroys every stream of the chain on error, so an aborted
 * transfer leaves nothing behind.
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
 * Open descriptors are counted from {@code /proc/self/fd} before and after each invocation, outside the
 * timed region ({@code Level.Invocation} fixtures, whose timing overhead is small beside an invocation
 * of {@value #TRANSFERS_PER_INVOCATION} file opens). After counting, the invocation teardown closes what
 * the naive variant leaked, so at most {@value #TRANSFERS_PER_INVOCATION} descriptors are ever leaked
 * at once, far below any {@code ulimit -n}. The teardown holds each opened stream until then; in a real
 * program a lost stream is closed by its {@code Cleaner} only when a GC happens to find it unreachable,
 * which a server with a quiet heap may not do before the descriptor limit is reached.
 *
 * <h2>Metrics</h2>
 * <ul>
 * <li>primary: average time per transfer, microseconds. Skipping {@code close()} makes {@code naive}
 * no slower, which is why the bug survives: it shows up as descriptors, not as time.</li>
 * <li>{@code fdsLeftPerTransfer}: descriptors open after an invocation minus those open before it,
 * divided by the transfers it made. JMH sums {@code EVENTS} counters over iterations, forks and
 * threads, so each measurement iteration reports its own ratio divided by (measurement iterations x
 * forks x threads): the figure in the JSON is the mean of the per-iteration ratios, and every iteration
 * makes whole invocations, so it is exactly the descriptors left per transfer. Where procfs is missing
 * (macOS, Windows) it is {@code NaN}, written as {@code "NaN"} in the JSON: not measured, rather than a
 * wrong number; the fork says so on stderr.</li>
 * </ul>
 *
 * <h2>What you should see</h2>
 * The quick preset ({@code -f 1 -wi 3 -i 3 -w 1s -r 1s -prof gc}) on this project's 2-core machine,
 * shared with other jobs (load average 5 to 12 during the runs), so times are noisy: read ratios, and
 * trust B/op, which is steady.
 * <pre>
 *                     JDK 17.0.15                      Temurin 25.0.3
 * variant           µs/transfer  fdsLeftPerTransfer   µs/transfer  fdsLeftPerTransfer
 * naive                    71.2                 1.0          93.7                 1.0
 * tryWithResources         70.2                 0.0         101.8                 0.0
 * </pre>
 * The times are the same within the noise: the leak costs nothing until the limit is reached.
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
@Fork(1)
@Claim(id = "tryWithResources-leaves-nothing",
        text = "tryWithResources leaves 0 open descriptors per aborted transfer",
        variant = "tryWithResources", metric = "fdsLeftPerTransfer", relation = Relation.LOWER, bound = 0)
@Claim(id = "naive-leaks-one-per-transfer",
        text = "naive leaves (at least) 1 open descriptor per aborted transfer",
        variant = "naive", metric = "fdsLeftPerTransfer", relation = Relation.HIGHER, bound = 0.999)
@Claim(id = "naive-leaks-only-the-source",
        text = "naive leaves no more than 1 open descriptor per aborted transfer: the source file",
        variant = "naive", metric = "fdsLeftPerTransfer", relation = Relation.LOWER, bound = 1.001)
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
     * Opened streams, descriptor counts and the {@code fdsLeftPerTransfer} counter: the only public field.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Descriptors {
        public double fdsLeftPerTransfer;

        private final List<InputStream> opened = new ArrayList<>(TRANSFERS_PER_INVOCATION);
        private double shareOfEachIteration = 1;
        private boolean measurable;
        private long before;
        private long left;
        private long transfers;

        @Setup(Level.Trial)
        public void share(BenchmarkParams params) {
            start(AuxCounterMean.weight(params));
        }

        void start(double share) {
            shareOfEachIteration = share;
            measurable = openDescriptors().isPresent();
            if (!measurable) {
                System.err.println("AbortedTransferBenchmark: no /proc/self/fd on this platform, so"
                        + " fdsLeftPerTransfer is NaN: NOT MEASURED");
            }
        }

        @Setup(Level.Iteration)
        public void resetIteration() {
            left = 0;
            transfers = 0;
            fdsLeftPerTransfer = measurable ? 0 : Double.NaN;
        }

        @Setup(Level.Invocation)
        public void countBefore() {
            before = measurable ? openDescriptors().getAsLong() : 0;
        }

        @TearDown(Level.Invocation)
        public void countAfterAndCloseLeaks() throws IOException {
            if (measurable) {
                left += openDescriptors().getAsLong() - before;
                transfers += TRANSFERS_PER_INVOCATION;
                fdsLeftPerTransfer = (double) left / transfers * shareOfEachIteration;
            }
            closeAll();
        }

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

        /** Ratio of this iteration so far, before the JSON share; for tests. */
        double leftPerTransferThisIteration() {
            return (double) left / transfers;
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
    public long naive(Descriptors descriptors) {
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
        return delivered;
    }

    @Benchmark
    @OperationsPerInvocation(TRANSFERS_PER_INVOCATION)
    public long tryWithResources(Descriptors descriptors) {
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
