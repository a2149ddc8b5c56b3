package perfmastery.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import perfmastery.support.VirtualThreads;

/**
 * Guide part 5 (its worker comparison, the "Memory" column): what a parked worker costs in memory, for
 * each kind of worker the JVM has. It stands beside {@link WorkerStartupBenchmark} (the "Startup" column)
 * and {@link WorkerMessagingBenchmark} ("Communication").
 *
 * <h2>The guide's claim</h2>
 * Workers are not free in memory either: a Node worker thread carries its own V8 isolate and heap, a child
 * process a whole runtime, so thousands of them are out of the question, and a pool of a few is the rule.
 * On the JVM the answer depends on the kind: a platform thread is an OS thread with its own stack (1 MiB
 * reserved by default, of which only the touched pages are resident); a virtual thread is a heap object
 * whose frames, while it is parked, are copied into a small heap chunk; a child process or child JVM has
 * its own address space, and a JVM its own heap, JIT, GC and class metadata.
 *
 * <h2>What this program measures</h2>
 * For each kind and count it starts that many workers, waits until every one is parked (a thread waiting
 * on a latch; a child blocked reading its stdin, proven by an echo), and divides the growth of each figure
 * by the count:
 * <ul>
 * <li><b>heap</b>: used heap after a full GC ({@code System.gc()}, {@link MemoryMXBean}): the {@code Thread}
 * objects, and a virtual thread's parked stack;</li>
 * <li><b>RSS</b>: this JVM's {@code VmRSS} from {@code /proc/self/status}, plus, for processes, the sum of
 * the children's {@code VmRSS}: what the OS holds in RAM, shared pages (libraries, the JDK's CDS archive)
 * counted once per process;</li>
 * <li><b>PSS</b> (processes only): the children's {@code Pss} from {@code /proc/<pid>/smaps_rollup}, each
 * shared page divided among the processes that share it: the fair share of RAM;</li>
 * <li><b>NMT</b>, when the JVM runs with {@code -XX:NativeMemoryTracking=summary} (read through the
 * DiagnosticCommand MBean, as {@code jcmd <pid> VM.native_memory summary} would): the Thread category's
 * committed memory (stacks as far as touched, and the JVM's per-thread structures) and the stacks'
 * reserved address space.</li>
 * </ul>
 * Kinds: {@code platformThread} and {@code virtualThread} (JDK 21+; on 17 it is skipped with the reason)
 * at 1, 1,000 and 10,000 workers; {@code childProcess} ({@code /bin/cat}, the OS's smallest parked
 * process) and {@code childJvm} ({@code java -cp <this class path> perfmastery.process.EchoChildMain}, default
 * options, the JVM's {@code child_process.fork()}) at 1 and 10. Before each measurement the same threads
 * (or one process) are started and stopped once, so one-time costs (loaded classes, the virtual-thread
 * scheduler's carrier threads, tables that grow with the count) are not counted per worker.
 *
 * <h2>Thread budget (2 cores)</h2>
 * The workers do nothing once parked; starting 10,000 platform threads takes a second or two of CPU, ten
 * child JVMs start on the 2 cores together. Everything is stopped (threads joined, children's stdin closed,
 * then killed if they linger) before the next row, and on any failure.
 *
 * <h2>What you should see</h2>
 * The shape, per worker: a platform thread costs little heap (a few hundred bytes) but tens of KiB of
 * RSS and of NMT committed memory (touched stack pages and thread structures) against 1 MiB of
 * reserved stack; a virtual thread costs no stack outside the heap and about a KiB of heap; a child
 * process costs about a MiB of RSS ({@code cat}); a child JVM tens of MiB of RSS, less in PSS since its
 * libraries and CDS archive are shared. Platform threads to virtual threads to processes: each step is
 * one to two orders of magnitude. Counts of 1 are dominated by noise (a page here or there, a GC that
 * freed a little more); read the per-worker figures at 1,000 and 10,000 (10 for processes). Figures: see
 * the reference results (results/reference/, made on a quiet machine).
 *
 * <h2>How to run it</h2>
 * {@code java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary -cp target/benchmarks.jar
 * perfmastery.process.WorkerFootprint [--threads 1,1000,10000] [--processes 1,10] [--kinds platformThread,...]}.
 * A pinned, pre-touched heap is resident from the start, so the RSS column holds native memory only
 * (stacks, thread structures, children); without it RSS also holds heap growth. Without NMT the NMT
 * columns read n/a.
 *
 * <h2>What it does not measure</h2>
 * Not workers doing work (a running thread's stack and a busy child's heap grow with what they do), not
 * kernel memory (a thread's kernel stack and task structure, page tables: not in RSS), and not a Node
 * isolate. Heap figures assume a collector whose {@code System.gc()} is a full collection (the default G1,
 * Serial, Parallel); {@code -XX:+DisableExplicitGC} makes them noise.
 */
public final class WorkerFootprint {

    static final String USAGE = "usage: WorkerFootprint [--threads 1,1000,10000] [--processes 1,10]"
            + " [--kinds platformThread,virtualThread,childProcess,childJvm]";
    static final List<Integer> DEFAULT_THREAD_COUNTS = List.of(1, 1_000, 10_000);
    static final List<Integer> DEFAULT_PROCESS_COUNTS = List.of(1, 10);
    /** The smallest parked native process: it echoes stdin and waits in read(). */
    static final String CAT = "/bin/cat";
    static final String THREAD_NAME_PREFIX = "footprint-worker-";
    private static final long PARK_TIMEOUT_SECONDS = 120;
    /** Bytes a parked child echoes to prove it is running: echoed back by {@link EchoChildMain} and by cat alike. */
    private static final byte[] PROBE = {0, 0, 0, 1, 42};

    private WorkerFootprint() {
    }

    /** The kinds of worker, by the name the command line and the table use. */
    enum Kind {
        PLATFORM_THREAD("platformThread", true), VIRTUAL_THREAD("virtualThread", true),
        CHILD_PROCESS("childProcess", false), CHILD_JVM("childJvm", false);

        final String label;
        final boolean thread;

        Kind(String label, boolean thread) {
            this.label = label;
            this.thread = thread;
        }

        static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown kind '" + label + "': use "
                    + String.join(",", Arrays.stream(values()).map(k -> k.label).toArray(String[]::new)));
        }
    }

    /** What {@code workers} parked workers of a kind added, in bytes (growth of each figure, not per worker). */
    record Measurement(Kind kind, int workers, long heapBytes, OptionalLong ownRssBytes, OptionalLong childrenRssBytes,
            OptionalLong childrenPssBytes, OptionalLong nmtThreadCommittedBytes, OptionalLong nmtStackReservedBytes) {

        double heapPerWorker() {
            return (double) heapBytes / workers;
        }

        /** This JVM's RSS growth plus the children's RSS, per worker. */
        OptionalLong rssTotalBytes() {
            if (ownRssBytes.isEmpty() || (!kind.thread && childrenRssBytes.isEmpty())) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(ownRssBytes.getAsLong() + childrenRssBytes.orElse(0));
        }
    }

    /** Memory figures of this JVM at one moment, after a full GC. */
    private record Snapshot(long heapUsed, OptionalLong rss, ProcMemory.NmtThreads nmt) {
        static Snapshot take() {
            for (int i = 0; i < 2; i++) {
                System.gc();
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            return new Snapshot(memory.getHeapMemoryUsage().getUsed(), ProcMemory.ownRssBytes(),
                    ProcMemory.nativeMemoryThreads());
        }
    }

    /** Started, parked workers: {@link #close()} stops every one or says which it could not. */
    interface Workers extends AutoCloseable {
        /** Sum of the children's RSS (processes), empty for threads or where /proc is absent. */
        OptionalLong childrenRss();

        /** Sum of the children's PSS (processes), empty for threads or where /proc is absent. */
        OptionalLong childrenPss();

        @Override
        void close() throws InterruptedException;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The value after an option, at {@code index}. */
    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** Runs the command; returns the exit status (0 ok, 1 a measurement failed, 2 bad input). Never calls System.exit. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<Integer> threadCounts = DEFAULT_THREAD_COUNTS;
        List<Integer> processCounts = DEFAULT_PROCESS_COUNTS;
        List<Kind> kinds = List.of(Kind.values());
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("-h") || option.equals("--help")) {
                    out.println(USAGE);
                    return 0;
                }
                switch (option) {
                    case "--threads" -> threadCounts = counts(option, valueOf(args, ++i, option));
                    case "--processes" -> processCounts = counts(option, valueOf(args, ++i, option));
                    case "--kinds" -> kinds = Arrays.stream(valueOf(args, ++i, option).split(",")).map(String::trim)
                            .map(Kind::of).toList();
                    default -> throw new IllegalArgumentException(option.startsWith("-")
                            ? "unknown option '" + option + "'" : "unexpected argument '" + option + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("WorkerFootprint: " + e.getMessage() + "; " + USAGE);
            return 2;
        }

        printHeader(out);
        List<Measurement> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean failed = false;
        for (Kind kind : kinds) {
            if (kind == Kind.VIRTUAL_THREAD && !VirtualThreads.isAvailable()) {
                notes.add(kind.label + ": skipped: " + VirtualThreads.UNAVAILABLE_REASON
                        + " for virtual threads (running on Java " + Runtime.version().feature() + ")");
                continue;
            }
            for (int count : kind.thread ? threadCounts : processCounts) {
                try {
                    rows.add(measure(kind, count));
                } catch (IOException | RuntimeException | OutOfMemoryError e) {
                    notes.add(kind.label + " x " + count + ": failed: " + e.getMessage());
                    failed = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    err.println("WorkerFootprint: interrupted");
                    return 1;
                }
            }
        }
        printTable(out, rows);
        notes.forEach(out::println);
        return failed ? 1 : 0;
    }

    private static List<Integer> counts(String option, String value) {
        List<Integer> counts = new ArrayList<>();
        for (String word : value.split(",")) {
            int count;
            try {
                count = Integer.parseInt(word.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes counts like 1,1000, got '" + value + "'");
            }
            if (count < 1) {
                throw new IllegalArgumentException(option + " counts must be at least 1, got " + count);
            }
            counts.add(count);
        }
        return counts;
    }

    /**
     * Starts {@code workers} parked workers of a kind, reads what they added, and stops them all, also when
     * anything fails. Throws {@link UnsupportedOperationException} for virtual threads before JDK 21.
     */
    static Measurement measure(Kind kind, int workers) throws IOException, InterruptedException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (kind == Kind.VIRTUAL_THREAD) {
            VirtualThreads.requireAvailable();
        }
        warmUp(kind, kind.thread ? workers : 1);
        Snapshot before = Snapshot.take();
        try (Workers started = start(kind, workers)) {
            Snapshot after = Snapshot.take();
            return new Measurement(kind, workers, after.heapUsed() - before.heapUsed(),
                    difference(after.rss(), before.rss()), started.childrenRss(), started.childrenPss(),
                    before.nmt() == null || after.nmt() == null ? OptionalLong.empty()
                            : OptionalLong.of(after.nmt().committedBytes() - before.nmt().committedBytes()),
                    before.nmt() == null || after.nmt() == null ? OptionalLong.empty()
                            : OptionalLong.of(after.nmt().stackReservedBytes() - before.nmt().stackReservedBytes()));
        }
    }

    /**
     * Starts and stops the same workers once, so that one-time costs are not counted per worker: loaded
     * classes, process plumbing, the virtual-thread scheduler's carriers, tables that grow with the count.
     * A method of its own: a local variable of the caller's frame would keep the stopped workers reachable
     * (the interpreter does not know a local is dead) and inflate the "before" heap. Waits until the OS
     * has ended the stopped platform threads, whose stacks would otherwise still count in "before".
     */
    private static void warmUp(Kind kind, int workers) throws IOException, InterruptedException {
        OptionalLong osThreadsBefore = osThreads();
        try (Workers warm = start(kind, workers)) {
            // started, all parked; close() stops them
        }
        if (kind == Kind.PLATFORM_THREAD && osThreadsBefore.isPresent()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (osThreads().orElse(0) > osThreadsBefore.getAsLong() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        }
    }

    /** The OS's count of this process's threads ({@code Threads:} in /proc/self/status). */
    private static OptionalLong osThreads() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return OptionalLong.of(Long.parseLong(line.substring("Threads:".length()).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return OptionalLong.empty();
    }

    private static OptionalLong difference(OptionalLong after, OptionalLong before) {
        return after.isPresent() && before.isPresent() ? OptionalLong.of(after.getAsLong() - before.getAsLong())
                : OptionalLong.empty();
    }

    static Workers start(Kind kind, int workers) throws IOException, InterruptedException {
        return switch (kind) {
            case PLATFORM_THREAD -> ParkedThreads.start(platformThreads(), workers, kind.label);
            case VIRTUAL_THREAD -> ParkedThreads.start(VirtualThreads.factory(), workers, kind.label);
            case CHILD_PROCESS -> ParkedProcesses.start(List.of(cat().toString()), workers);
            case CHILD_JVM -> ParkedProcesses.start(ChildJvm.command(List.of(), EchoChildMain.class), workers);
        };
    }

    private static ThreadFactory platformThreads() {
        int[] next = {0};
        return runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME_PREFIX + next[0]++);
            thread.setDaemon(true);
            return thread;
        };
    }

    static Path cat() {
        Path cat = Paths.get(CAT);
        if (!Files.isExecutable(cat)) {
            throw new IllegalStateException("childProcess needs " + CAT + ", which is missing or not executable here");
        }
        return cat;
    }

    /** Threads each waiting on one latch until {@link #close()} opens it. */
    static final class ParkedThreads implements Workers {
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Thread> threads;

        private ParkedThreads(int count) {
            threads = new ArrayList<>(count);
        }

        static ParkedThreads start(ThreadFactory factory, int count, String what) throws InterruptedException {
            ParkedThreads parked = new ParkedThreads(count);
            try {
                for (int i = 0; i < count; i++) {
                    Thread thread = factory.newThread(parked::park);
                    try {
                        thread.start();
                    } catch (OutOfMemoryError e) {
                        throw new IllegalStateException("could start only " + i + " of " + count + " " + what
                                + "s: " + e.getMessage() + " (the OS's thread or memory limits)");
                    }
                    parked.threads.add(thread);
                }
                parked.awaitAllParked();
                return parked;
            } catch (InterruptedException | RuntimeException | Error e) {
                try {
                    parked.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }

        private void park() {
            try {
                release.await();
            } catch (InterruptedException e) {
                // released by interruption: end
            }
        }

        private void awaitAllParked() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PARK_TIMEOUT_SECONDS);
            for (Thread thread : threads) {
                while (thread.getState() != Thread.State.WAITING) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("not every worker parked within " + PARK_TIMEOUT_SECONDS + " s");
                    }
                    Thread.sleep(1);
                }
            }
        }

        @Override
        public OptionalLong childrenRss() {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong childrenPss() {
            return OptionalLong.empty();
        }

        /** Opens the latch and joins every thread; throws if one is still alive after 10 s. */
        @Override
        public void close() throws InterruptedException {
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int alive = 0;
            for (Thread thread : threads) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (thread.isAlive()) {
                    alive++;
                }
            }
            if (alive > 0) {
                throw new IllegalStateException(alive + " of " + threads.size() + " workers did not stop within 10 s");
            }
        }
    }

    /** Child processes each blocked reading its stdin, which {@link #close()} closes. */
    static final class ParkedProcesses implements Workers {
        private final List<Process> processes;

        private ParkedProcesses(int count) {
            processes = new ArrayList<>(count);
        }

        /** Starts them all, then proves each one runs by an echo; on any failure every one is stopped. */
        static ParkedProcesses start(List<String> command, int count) throws IOException, InterruptedException {
            // close() may wait for the children: hence InterruptedException
            ParkedProcesses parked = new ParkedProcesses(count);
            try {
                for (int i = 0; i < count; i++) {
                    parked.processes.add(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
                }
                for (Process process : parked.processes) {
                    echo(process);
                }
                return parked;
            } catch (IOException | RuntimeException | Error e) {
                try {
                    parked.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }

        private static void echo(Process process) {
            byte[] answer;
            try {
                OutputStream in = process.getOutputStream();
                in.write(PROBE);
                in.flush();
                InputStream out = process.getInputStream();
                answer = out.readNBytes(PROBE.length);
            } catch (IOException e) {
                throw new IllegalStateException("child " + process.pid() + " did not echo its probe: " + e.getMessage()
                        + " (its errors are above)", e);
            }
            if (!Arrays.equals(PROBE, answer)) {
                throw new IllegalStateException("child " + process.pid() + " did not echo its probe (got "
                        + answer.length + " of " + PROBE.length + " bytes back; its errors are above)");
            }
        }

        @Override
        public OptionalLong childrenRss() {
            return sum(ProcMemory::rssBytes);
        }

        @Override
        public OptionalLong childrenPss() {
            return sum(ProcMemory::pssBytes);
        }

        private OptionalLong sum(LongFunction<OptionalLong> ofPid) {
            long total = 0;
            for (Process process : processes) {
                OptionalLong bytes = ofPid.apply(process.pid());
                if (bytes.isEmpty()) {
                    return OptionalLong.empty();
                }
                total += bytes.getAsLong();
            }
            return OptionalLong.of(total);
        }

        /** Closes every child's stdin (it exits on end of file), then kills what lingers; throws if one survives. */
        @Override
        public void close() throws InterruptedException {
            for (Process process : processes) {
                try {
                    process.getOutputStream().close();
                } catch (IOException alreadyGone) {
                    // killed below if still alive
                }
            }
            int alive = 0;
            for (Process process : processes) {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                if (process.isAlive()) {
                    alive++;
                }
            }
            if (alive > 0) {
                throw new IllegalStateException(alive + " of " + processes.size() + " child processes did not stop");
            }
        }
    }

    private static void printHeader(PrintStream out) {
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        out.printf(Locale.ROOT, "Worker footprint: memory per parked worker (Java %s, %d cores, heap max %d MiB)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        out.println("heap: used after a full GC; RSS: /proc VmRSS of this JVM, plus the children's for processes;"
                + " PSS: the children's shared pages divided among them; NMT: Native Memory Tracking's Thread category");
        if (!jvmArgs.contains("-XX:+AlwaysPreTouch")) {
            out.println("note: the heap is not pre-touched, so RSS also holds heap growth; for native memory only,"
                    + " start with -Xms256m -Xmx256m -XX:+AlwaysPreTouch");
        }
        if (ProcMemory.nativeMemoryThreads() == null) {
            out.println("note: NMT is off (n/a below); start with -XX:NativeMemoryTracking=summary for thread stacks");
        }
        out.println();
    }

    static void printTable(PrintStream out, List<Measurement> rows) {
        out.printf(Locale.ROOT, "%-15s %8s %13s %13s %13s %17s %17s%n", "kind", "workers", "heap/worker",
                "RSS/worker", "PSS/worker", "NMT committed/w", "stack reserved/w");
        for (Measurement row : rows) {
            out.printf(Locale.ROOT, "%-15s %,8d %13s %13s %13s %17s %17s%n", row.kind().label, row.workers(),
                    bytes(row.heapPerWorker()), perWorker(row.rssTotalBytes(), row.workers()),
                    perWorker(row.childrenPssBytes(), row.workers()),
                    perWorker(row.nmtThreadCommittedBytes(), row.workers()),
                    perWorker(row.nmtStackReservedBytes(), row.workers()));
        }
    }

    private static String perWorker(OptionalLong total, int workers) {
        return total.isPresent() ? bytes((double) total.getAsLong() / workers) : "n/a";
    }

    /** Bytes for people: B below 10 KiB, KiB below 10 MiB, MiB above (negative when noise outweighs a small count). */
    static String bytes(double bytes) {
        double magnitude = Math.abs(bytes);
        if (magnitude < 10 * 1024) {
            return String.format(Locale.ROOT, "%,.0f B", bytes);
        }
        if (magnitude < 10 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%,.1f KiB", bytes / 1024);
        }
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / (1024 * 1024));
    }
}
