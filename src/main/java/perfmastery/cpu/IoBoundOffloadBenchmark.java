package perfmastery.cpu;

import perfmastery.load.DelayedAnswerServer;
import perfmastery.process.WorkerFootprint;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

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
import org.openjdk.jmh.infra.BenchmarkParams;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import perfmastery.support.Gauges;
import perfmastery.support.VirtualThreads;

/**
 * Guide parts 3.2 and 5, offloading, and the JVM's own answer for I/O-bound work: many requests that each
 * wait about 10 ms for a slow service.
 *
 * <h2>The guide's claim</h2>
 * Offload what would block the event loop (part 3.2), to workers (part 5). Behind that advice is Node's
 * model, which tells waiting from computing: a Node process does not give each slow socket a thread; its
 * event loop waits on all of them at once and runs a callback when an answer arrives, so a thousand waits
 * overlap in one thread. Only work that cannot wait that way goes to a small pool of threads that block
 * (libuv's, 4 threads by default), and there waits queue for the pool. The JVM's classic servers give
 * every request a pool thread that blocks; its answer since JDK 21 is the virtual thread, blocking code
 * that waits like the event loop.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * One operation = {@code requests} requests started at once, each a round trip to a
 * {@link DelayedAnswerServer} on 127.0.0.1 that answers about 10 ms after the request arrived (connect,
 * send an 8-byte id, read the 8-byte answer, close; every answer is checked against the id). The score is
 * the time until the last answer is in (SingleShotTime, milliseconds). The server is a child JVM
 * started per trial: 10,000 waits in flight hold 10,000 sockets on each side, more descriptors than one
 * process may open here (20,000), and its CPU, allocation and threads stay out of this JVM's figures. The
 * variants, the baseline of the claims first:
 * <ul>
 * <li>{@code coresPool}: a fixed pool of as many platform threads as cores ({@code availableProcessors()},
 * 2 here); each request blocks its thread in a socket read;</li>
 * <li>{@code largePool}: the same with 200 threads, the classic servlet container's answer;</li>
 * <li>{@code virtualThreadPerRequest} (JDK 21+): a new virtual thread per request, the same blocking
 * code; a virtual thread blocked on a socket unmounts, and the JDK's poller mounts it again when the
 * socket is ready;</li>
 * <li>{@code asyncChain}: no thread waits at all: {@code AsynchronousSocketChannel} connect, write and
 * read chained as {@code CompletableFuture} stages, on a channel group of as many threads as cores (the
 * event loop's way, with callbacks).</li>
 * </ul>
 * The principle: a pool of P threads keeps at most P waits in flight, so N requests take N/P waits in
 * turn: with P = 2 and N = 1,000, 500 waits of 10 ms, 5 s. A virtual thread per request and the async
 * chain keep all N waits in flight at once: about one wait, plus the CPU cost of N connections (connect,
 * accept, two small writes, two closes; on loopback both ends run on this machine's 2 cores), which is
 * what grows with N there. Gauges per iteration: {@code peakInFlight}, the most requests between
 * connect and answer at once (P for a pool, up to N otherwise), and {@code peakPlatformThreads}, the JVM's
 * peak count of live platform threads (JMH's own included; virtual threads are not platform threads).
 * {@code -prof gc} gives the allocation per operation ({@code gc.alloc.rate.norm}, all N requests
 * together; {@code WorkerFootprint} measures what a parked thread costs).
 *
 * <h2>Thread budget (2 cores)</h2>
 * This JVM: the JMH thread (waiting for the answers), and the variant's threads: 2 pool threads, 200
 * pool threads, 2 carrier threads of the virtual-thread scheduler plus the JDK's poller thread(s), or
 * the async group's 2 threads. All of them mostly wait: the work per request is microseconds of CPU. The
 * server JVM: one selector thread, one thread parked on stdin, and its JVM's own (Serial GC, C1).
 *
 * <h2>Cost of a run (think before adding sizes)</h2>
 * {@code coresPool} takes N/P x 10 ms per operation: 0.5 s at N = 100, 5 s at 1,000, 50 s at 10,000 (on
 * 2 cores). SingleShotTime runs one operation per iteration, so the smoke preset (1 warm-up, 1
 * measurement) costs about 11 s in {@code coresPool} plus a fork and a server JVM per variant and size:
 * about 25 s for the lesson; the quick preset (2 forks x 6 operations) about 70 s in {@code coresPool}.
 * That is why the default sizes stop at 1,000 and the claims are made there. 10,000 is one {@code -p} away
 * and costs 50 s per {@code coresPool} operation: {@code ./run-benchmarks.sh -- IoBoundOffloadBenchmark
 * -p requests=100,1000,10000} (about 10 min in quick), or leave the cores pool out at that size:
 * {@code ./run-benchmarks.sh -- 'IoBoundOffloadBenchmark.(largePool|virtual|async)' -p requests=10000}.
 * Each request needs a descriptor in this JVM and one in the server while in flight: the setup refuses, in
 * one line, a size the open-file limit ({@code ulimit -n}) cannot hold. At 10,000 the connects can outrun
 * the server's accept queue ({@code net.core.somaxconn}, 4096 here); a connection dropped there waits for
 * a SYN retry of a second or more, and the iteration prints a warning with the count.
 *
 * <h2>What you should see</h2>
 * The shape, by the principle: {@code coresPool} grows linearly with N (N/P waits in turn);
 * {@code largePool} keeps up with the virtual threads while N is at most 200 and then grows as N/200
 * waits; {@code virtualThreadPerRequest} and {@code asyncChain} stay near one wait at N = 100 and grow
 * only with the CPU per connection beyond, where they tie. {@code peakInFlight} reads P for the cores
 * pool, 200 (or N) for the large pool, and up to N for the other two. Where the async chain ties and
 * where it does not: it issues every connect from one thread (the JMH thread, as an event loop would),
 * so at 1,000 and more its own CPU per request, not the waits, sets its time, and fewer than N requests
 * may be in flight at once; virtual threads spread the same connects over the carriers. The claims: at
 * N = 1,000 virtual threads and the async chain each finish at least 10x sooner than the cores-sized
 * pool, and virtual threads take at most 2x the async chain's time. Allocation per operation grows
 * with N in every variant (a socket, its buffers and a future per request); a virtual thread per request
 * allocates more per request than a pooled task, its thread object and the heap copy of its stack at
 * every park being part of the price.
 * Figures: {@code results/reference/report.md#ioboundoffloadbenchmark-ss}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- IoBoundOffloadBenchmark}; one variant with
 * {@code ./run-benchmarks.sh -- 'IoBoundOffloadBenchmark.asyncChain'}; sizes with {@code -p requests=...}
 * (see the cost above). On JDK 17 the runner leaves {@code virtualThreadPerRequest} out.
 *
 * <h2>What it does not measure</h2>
 * Not a network (loopback: no latency but the server's delay, no bandwidth limit), not a real database
 * or HTTP client (their connection pools cap concurrency too, whatever the threads), not CPU-bound work
 * (there a pool sized to the cores is right and virtual threads do not help: {@code EventLoopBlockingBenchmark},
 * {@code HttpHealthUnderLoadBenchmark}), and not the pinning of virtual threads inside
 * {@code synchronized} blocks on JDK 21 to 23 (this blocking code holds no monitor). A pool of P threads
 * takes N/P waits on any machine, so with more cores the cores pool's gap shrinks in proportion: on a
 * 64-core machine run {@code -p requests=10000} to see the same order.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
@Fork(2)
@Claim(id = "virtual-10x-cores-pool-at-1000",
        text = "for 1,000 blocking waits of 10 ms, a virtual thread per request finishes at least 10x sooner than a pool sized to the cores (reasoned on 2 cores: the pool's size follows the host's cores)",
        variant = "virtualThreadPerRequest", baseline = "coresPool", relation = Relation.LOWER, factor = 10,
        params = "requests=1000", kind = Kind.MECHANISM, dependsOnCores = true,
        basis = "a pool of P threads takes N/P waits in turn: with P = 2 cores and N = 1,000, 500 waits of 10 ms, 5 s; a virtual thread per request overlaps all N waits, so it takes about one wait plus its CPU per request; 10x is the order of magnitude the guide's event-loop model promises, far below N/P = 500")
@Claim(id = "async-10x-cores-pool-at-1000",
        text = "for 1,000 waits of 10 ms, an async CompletableFuture chain (no thread waits) finishes at least 10x sooner than a pool sized to the cores (reasoned on 2 cores: the pool's size follows the host's cores)",
        variant = "asyncChain", baseline = "coresPool", relation = Relation.LOWER, factor = 10,
        params = "requests=1000", kind = Kind.MECHANISM, dependsOnCores = true,
        basis = "the same principle: the pool takes N/P waits in turn, the async chain overlaps all N as Node's event loop does")
@Claim(id = "virtual-ties-async-at-1000",
        text = "for 1,000 waits of 10 ms, a virtual thread per request takes at most 2x the time of the async chain: blocking code waits as well as callbacks",
        variant = "virtualThreadPerRequest", baseline = "asyncChain", relation = Relation.LOWER, factor = 0.5,
        params = "requests=1000", kind = Kind.GUIDE,
        basis = "both overlap all N waits, so both take about one wait plus their CPU per request; a virtual thread adds only its start and one park and unpark per wait, small against a loopback connection (JEP 444: virtual threads are for high-concurrency, I/O-bound work)")
public class IoBoundOffloadBenchmark {

    /** The thread count of {@code largePool}: a classic servlet container's default. */
    static final int LARGE_POOL_THREADS = 200;
    /** Descriptors this JVM needs besides the requests' sockets (jars, JMH's pipes, the selector...). */
    static final int DESCRIPTOR_MARGIN = 256;

    /** Requests started at once per operation. 10,000 is one -p away; see the class Javadoc for its cost. */
    @Param({"100", "1000"})
    public int requests;

    /** How long the server waits before it answers. */
    long delayMillis;
    /** The first request's id; the server's answers are keyed by id and salt. */
    long firstId;
    long salt;

    private Variant variant;
    private long listenOverflowsAtStart = -1;
    private DelayedAnswerServer.Child server;
    private InetSocketAddress address;
    private ExecutorService coresPool;
    private ExecutorService largePool;
    private ExecutorService virtualThreads;
    private AsynchronousChannelGroup asyncGroup;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

    /** The four ways to offload, by benchmark method name. */
    enum Variant {
        CORES_POOL("coresPool"), LARGE_POOL("largePool"), VIRTUAL_THREAD_PER_REQUEST("virtualThreadPerRequest"),
        ASYNC_CHAIN("asyncChain");

        final String method;

        Variant(String method) {
            this.method = method;
        }

        static Variant ofBenchmark(String benchmark) {
            for (Variant candidate : values()) {
                if (benchmark.endsWith("." + candidate.method)) {
                    return candidate;
                }
            }
            throw new IllegalArgumentException("no variant for benchmark " + benchmark);
        }
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException, InterruptedException {
        prepare(Variant.ofBenchmark(params.getBenchmark()));
    }

    /** The setup without JMH (tests): starts the server and the one executor the variant uses. */
    void prepare(Variant chosen) throws IOException, InterruptedException {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, got " + requests);
        }
        if (chosen == Variant.VIRTUAL_THREAD_PER_REQUEST) {
            VirtualThreads.requireAvailable();
        }
        variant = chosen;
        checkDescriptorLimit(maxInFlight(chosen));
        delayMillis = 10;
        firstId = 1_000_000;
        salt = 0x5EED_0FF1_0ADL;
        try {
            server = DelayedAnswerServer.Child.start(delayMillis, salt);
            address = server.address();
            switch (chosen) {
                case CORES_POOL -> coresPool = Executors.newFixedThreadPool(cores(), named("io-cores-pool-"));
                case LARGE_POOL -> largePool = Executors.newFixedThreadPool(LARGE_POOL_THREADS, named("io-large-pool-"));
                case VIRTUAL_THREAD_PER_REQUEST -> virtualThreads = VirtualThreads.newVirtualThreadPerTaskExecutor();
                case ASYNC_CHAIN -> asyncGroup = AsynchronousChannelGroup.withFixedThreadPool(cores(), named("io-async-"));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                tearDown();
            } catch (RuntimeException | InterruptedException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The most sockets one operation of the variant holds at once in this JVM (and in the server). */
    int maxInFlight(Variant chosen) {
        return switch (chosen) {
            case CORES_POOL -> Math.min(requests, cores());
            case LARGE_POOL -> Math.min(requests, LARGE_POOL_THREADS);
            case VIRTUAL_THREAD_PER_REQUEST, ASYNC_CHAIN -> requests;
        };
    }

    private static void checkDescriptorLimit(int sockets) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if ((long) sockets + DESCRIPTOR_MARGIN > limit) {
                throw new IllegalStateException("requests in flight would hold " + sockets
                        + " sockets in this JVM and as many in the server, but a process may open only " + limit
                        + " descriptors here (ulimit -n): raise the limit or use a smaller -p requests");
            }
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        peakInFlight.set(inFlight.get());
        threadBean.resetPeakThreadCount();
        listenOverflowsAtStart = listenOverflows();
    }

    /**
     * This iteration's peaks, each the true value for the iteration (gauges, see {@link Gauges}); and a
     * warning when connections overflowed an accept queue meanwhile.
     */
    @TearDown(Level.Iteration)
    public void recordGauges() {
        Gauges.record("peakInFlight", peakInFlight.get(), "#");
        Gauges.record("peakPlatformThreads", threadBean.getPeakThreadCount(), "#");
        long overflows = listenOverflows() - listenOverflowsAtStart;
        if (listenOverflowsAtStart >= 0 && overflows > 0) {
            System.out.printf(Locale.ROOT, "%n%s: %d connections overflowed an accept queue during this iteration"
                    + " (a machine-wide count, net.core.somaxconn is the limit): each waited for a SYN retry of 1 s"
                    + " or more, so this iteration's time includes those retries%n",
                    IoBoundOffloadBenchmark.class.getSimpleName(), overflows);
        }
    }

    /** Linux's count of connections dropped because an accept queue was full ({@code ListenOverflows}), or -1. */
    static long listenOverflows() {
        try {
            List<String> lines = Files.readAllLines(Paths.get("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] names = lines.get(i).trim().split("\\s+");
                String[] values = lines.get(i + 1).trim().split("\\s+");
                for (int k = 1; k < Math.min(names.length, values.length); k++) {
                    if (names[0].equals("TcpExt:") && names[k].equals("ListenOverflows")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format we do not know: no warning
        }
        return -1;
    }

    /** Stops the server first, so that a read still blocked fails at once, then every thread of the variant. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        RuntimeException failure = null;
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            for (ExecutorService executor : new ExecutorService[] {coresPool, largePool, virtualThreads}) {
                failure = stop(executor, failure);
            }
            coresPool = null;
            largePool = null;
            virtualThreads = null;
            if (asyncGroup != null) {
                try {
                    asyncGroup.shutdownNow(); // closes every channel still open
                } catch (IOException e) {
                    failure = failure != null ? failure : new IllegalStateException("cannot close the async channel group: " + e, e);
                }
                if (!asyncGroup.awaitTermination(10, TimeUnit.SECONDS) && failure == null) {
                    failure = new IllegalStateException("the async channel group did not stop within 10 s");
                }
                asyncGroup = null;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException stop(ExecutorService executor, RuntimeException failure) throws InterruptedException {
        if (executor == null) {
            return failure;
        }
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS) && failure == null) {
            return new IllegalStateException("an executor did not stop within 10 s");
        }
        return failure;
    }

    @Benchmark
    public long coresPool() throws InterruptedException {
        return blockingRequests(coresPool);
    }

    @Benchmark
    public long largePool() throws InterruptedException {
        return blockingRequests(largePool);
    }

    @Benchmark
    public long virtualThreadPerRequest() throws InterruptedException {
        return blockingRequests(virtualThreads);
    }

    @Benchmark
    public long asyncChain() throws InterruptedException {
        List<CompletableFuture<Long>> answers = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            answers.add(asyncRequest(firstId + i));
        }
        return checkedSum(answers);
    }

    /** Submits every request as a blocking task, then waits for every answer. */
    private long blockingRequests(ExecutorService executor) throws InterruptedException {
        if (executor == null) {
            throw new IllegalStateException("this variant was not prepared: the setup prepares only " + variant);
        }
        List<Future<Long>> answers = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            long id = firstId + i;
            answers.add(executor.submit(() -> blockingRequest(id)));
        }
        return checkedSum(answers);
    }

    /**
     * Waits for every answer in order and checks it against the request's id: the sum of the answers is the
     * operation's result. On any failure the requests not yet answered are cancelled before this throws.
     */
    private long checkedSum(List<? extends Future<Long>> answers) throws InterruptedException {
        long deadline = System.nanoTime() + operationTimeoutNanos();
        boolean complete = false;
        try {
            long sum = 0;
            for (int i = 0; i < answers.size(); i++) {
                long id = firstId + i;
                long answer;
                try {
                    answer = answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("request " + id + " failed: " + e.getCause(), e.getCause());
                } catch (TimeoutException e) {
                    throw new IllegalStateException("only " + i + " of " + answers.size() + " answers arrived within "
                            + TimeUnit.NANOSECONDS.toSeconds(operationTimeoutNanos()) + " s");
                }
                long expected = DelayedAnswerServer.answer(id, salt);
                if (answer != expected) {
                    throw new IllegalStateException("request " + id + ": the server answered " + answer
                            + ", expected " + expected);
                }
                sum += answer;
            }
            complete = true;
            return sum;
        } finally {
            if (!complete) {
                for (Future<Long> answer : answers) {
                    answer.cancel(true);
                }
            }
        }
    }

    /** Generous: every request one after the other, twice over, plus a minute. */
    private long operationTimeoutNanos() {
        return TimeUnit.SECONDS.toNanos(60) + 2L * requests * TimeUnit.MILLISECONDS.toNanos(delayMillis);
    }

    /**
     * One request the blocking way: the calling thread waits in connect and read. No socket timeout: a timed
     * wait costs a timer per request (for a virtual thread, a task on the JDK's unparker), which the async
     * chain would not pay; a server that never answers is caught by the operation's deadline instead, and the
     * teardown stops the server, which ends every read still blocked.
     */
    long blockingRequest(long id) throws IOException {
        enterFlight();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            byte[] message = new byte[DelayedAnswerServer.REQUEST_BYTES];
            ByteBuffer.wrap(message).putLong(0, id);
            socket.getOutputStream().write(message);
            InputStream in = socket.getInputStream();
            int read = in.readNBytes(message, 0, message.length);
            if (read < message.length) {
                throw new EOFException("the server closed request " + id + "'s connection after " + read
                        + " of " + message.length + " bytes");
            }
            return ByteBuffer.wrap(message).getLong(0);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** One request the async way: each step starts the next from its completion handler; no thread waits. */
    CompletableFuture<Long> asyncRequest(long id) {
        enterFlight();
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open(asyncGroup);
        } catch (IOException | RuntimeException e) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(DelayedAnswerServer.REQUEST_BYTES).putLong(0, id);
        return Connect.start(channel, address)
                .thenCompose(connected -> Transfer.write(channel, buffer))
                .thenCompose(sent -> Transfer.read(channel, buffer.clear()))
                .thenApply(received -> buffer.getLong(0))
                .whenComplete((answer, failure) -> {
                    closeQuietly(channel);
                    inFlight.decrementAndGet();
                });
    }

    private void enterFlight() {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    private static void closeQuietly(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // the request's result is already decided
        }
    }

    /** An asynchronous connect as a future, completed by its handler. */
    static final class Connect implements CompletionHandler<Void, Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        static CompletableFuture<Void> start(AsynchronousSocketChannel channel, InetSocketAddress address) {
            Connect connect = new Connect();
            try {
                channel.connect(address, null, connect);
            } catch (RuntimeException e) {
                connect.done.completeExceptionally(e);
            }
            return connect.done;
        }

        @Override
        public void completed(Void result, Void attachment) {
            done.complete(null);
        }

        @Override
        public void failed(Throwable failure, Void attachment) {
            done.completeExceptionally(failure);
        }
    }

    /** Writes a buffer's remaining bytes, or reads until it is full: each completion starts the next part. */
    static final class Transfer implements CompletionHandler<Integer, Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AsynchronousSocketChannel channel;
        private final ByteBuffer buffer;
        private final boolean read;

        private Transfer(AsynchronousSocketChannel channel, ByteBuffer buffer, boolean read) {
            this.channel = channel;
            this.buffer = buffer;
            this.read = read;
        }

        static CompletableFuture<Void> write(AsynchronousSocketChannel channel, ByteBuffer buffer) {
            return new Transfer(channel, buffer, false).next();
        }

        static CompletableFuture<Void> read(AsynchronousSocketChannel channel, ByteBuffer buffer) {
            return new Transfer(channel, buffer, true).next();
        }

        private CompletableFuture<Void> next() {
            try {
                if (read) {
                    channel.read(buffer, null, this);
                } else {
                    channel.write(buffer, null, this);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            return done;
        }

        @Override
        public void completed(Integer bytes, Void attachment) {
            if (bytes < 0) {
                done.completeExceptionally(new EOFException("the server closed the connection after "
                        + buffer.position() + " of " + buffer.limit() + " bytes"));
            } else if (buffer.hasRemaining()) {
                next();
            } else {
                done.complete(null);
            }
        }

        @Override
        public void failed(Throwable failure, Void attachment) {
            done.completeExceptionally(failure);
        }
    }

    /** The variant the setup prepared (tests). */
    Variant variant() {
        return variant;
    }

    /** The server's process, for tests that check it is gone after teardown. */
    Process serverProcess() {
        return server == null ? null : server.process();
    }

    /** The peak of requests in flight since the last {@link #startIteration()} (tests). */
    int peakInFlight() {
        return peakInFlight.get();
    }
}
