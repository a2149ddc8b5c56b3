package perfmastery.heap;

import perfmastery.memory.ClosureRetentionBenchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import com.sun.management.HotSpotDiagnosticMXBean;

import perfmastery.heap.ClassHistogram.Growth;

/**
 * Guide part 2.4, heap snapshots and DevTools' Comparison view, on the JVM: run the closure scenario of
 * {@link ClosureRetentionBenchmark}, take a class histogram of the live heap before and after, and print
 * the classes that grew most, in instances and bytes.
 *
 * <p>{@code ./run-benchmarks.sh heap-compare [leaky|scoped] [--requests N] [--dump DIR]}. The histograms
 * come from the DiagnosticCommand MBean's {@code GC.class_histogram} (what {@code jcmd PID
 * GC.class_histogram} prints), which runs a full GC first and so counts only live objects. With
 * {@code --dump DIR}, a live heap dump ({@code .hprof}, also after a full GC) is written before and after,
 * for Eclipse MAT or VisualVM, whose "compare to another heap dump" is the Comparison view itself.
 * Nothing is overwritten: the files carry the scenario, the time and, if needed, a counter.
 */
public final class HeapCompare {

    static final String USAGE = "usage: heap-compare [leaky|scoped] [--requests N] [--dump DIR]";
    static final int DEFAULT_REQUESTS = 50;
    /** Classes printed. */
    static final int TOP = 10;

    enum Scenario {
        LEAKY, SCOPED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The parsed command line. {@code dumpDir} is null without {@code --dump}. */
    record Options(Scenario scenario, int requests, Path dumpDir) {
    }

    /** What the comparison found; the dumps list is empty without {@code --dump}. */
    record Comparison(Options options, ClassHistogram before, ClassHistogram after, List<Growth> growth,
            List<Path> dumps, long checksum) {
    }

    /** A mistake in the command line, said in one line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private HeapCompare() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status (0 ok, 2 bad input, 1 failure). Never calls System.exit. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                out.println(USAGE);
                return 0;
            }
            options = parse(args, Runtime.getRuntime().maxMemory());
        } catch (UsageException e) {
            err.println("heap-compare: " + e.getMessage());
            return 2;
        }
        try {
            print(compare(options), out);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("heap-compare: failed: " + e);
            return 1;
        }
    }

    static Options parse(String[] args, long maxHeapBytes) throws UsageException {
        Scenario scenario = Scenario.LEAKY;
        int requests = DEFAULT_REQUESTS;
        Path dumpDir = null;
        boolean scenarioGiven = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "leaky", "scoped" -> {
                    if (scenarioGiven) {
                        throw new UsageException("give one scenario, leaky or scoped; " + USAGE);
                    }
                    scenario = Scenario.valueOf(arg.toUpperCase(Locale.ROOT));
                    scenarioGiven = true;
                }
                case "--requests" -> {
                    String value = valueOf(args, ++i, arg);
                    try {
                        requests = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--requests wants a whole number, not '" + value + "'; " + USAGE);
                    }
                    if (requests < 1) {
                        throw new UsageException("--requests must be at least 1, not " + requests);
                    }
                }
                case "--dump" -> {
                    dumpDir = Paths.get(valueOf(args, ++i, arg));
                    if (Files.exists(dumpDir) && !Files.isDirectory(dumpDir)) {
                        throw new UsageException("--dump " + dumpDir + " is a file, not a directory: give a directory");
                    }
                }
                default -> throw new UsageException("unknown argument '" + arg + "'; " + USAGE);
            }
        }
        long retained = (long) requests * payloadBytes();
        if (scenario == Scenario.LEAKY && retained > maxHeapBytes / 2) {
            throw new UsageException(String.format(Locale.ROOT,
                    "--requests %d would keep about %d MB alive, more than half of the %d MB heap: "
                            + "use fewer requests or a larger -Xmx", requests, retained >> 20, maxHeapBytes >> 20));
        }
        return new Options(scenario, requests, dumpDir);
    }

    private static String valueOf(String[] args, int index, String option) throws UsageException {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new UsageException(option + " needs a value; " + USAGE);
        }
        return args[index];
    }

    static int payloadBytes() {
        return 1_000_000;
    }

    /** Runs the scenario between two histograms (and dumps), keeping its closures alive until both are taken. */
    static Comparison compare(Options options) throws IOException {
        ClosureRetentionBenchmark requests = new ClosureRetentionBenchmark();
        requests.payloadLength = payloadBytes();
        requests.setUp();
        // One request of each kind first, so that class loading and lambda linkage are not counted as growth.
        long checksum = ClosureRetentionBenchmark.leakyHandler(requests.newRequest()).getAsInt()
                + ClosureRetentionBenchmark.scopedHandler(requests.newRequest()).getAsInt();
        List<IntSupplier> globalListeners = new ArrayList<>(options.requests());
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        List<Path> dumps = new ArrayList<>();

        ClassHistogram before = ClassHistogram.ofLiveHeap();
        if (options.dumpDir() != null) {
            dumps.add(dump(options.dumpDir(), "heap-compare-" + options.scenario().label() + "-" + stamp + "-before"));
        }
        for (int i = 0; i < options.requests(); i++) {
            ClosureRetentionBenchmark.Request request = requests.newRequest();
            IntSupplier handler = options.scenario() == Scenario.LEAKY
                    ? ClosureRetentionBenchmark.leakyHandler(request)
                    : ClosureRetentionBenchmark.scopedHandler(request);
            globalListeners.add(handler);
            checksum += handler.getAsInt();
        }
        ClassHistogram after = ClassHistogram.ofLiveHeap();
        if (options.dumpDir() != null) {
            dumps.add(dump(options.dumpDir(), "heap-compare-" + options.scenario().label() + "-" + stamp + "-after"));
        }
        Reference.reachabilityFence(globalListeners);
        return new Comparison(options, before, after, after.grewSince(before), List.copyOf(dumps), checksum);
    }

    /** Writes a live heap dump into {@code dir} under a name no existing file has. */
    static Path dump(Path dir, String baseName) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(baseName + ".hprof");
        for (int n = 2; Files.exists(file); n++) {
            file = dir.resolve(baseName + "-" + n + ".hprof");
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        hotspot.dumpHeap(file.toAbsolutePath().toString(), true);
        return file;
    }

    static void print(Comparison comparison, PrintStream out) {
        Options options = comparison.options();
        out.printf(Locale.ROOT, "heap-compare: %s closures, %d requests of %,d bytes each, kept in a global list%n",
                options.scenario().label(), options.requests(), payloadBytes());
        out.println("live heap before and after (GC.class_histogram, after a full GC); classes that grew most:");
        out.printf(Locale.ROOT, "%16s %12s  %s%n", "+bytes", "+instances", "class");
        comparison.growth().stream().limit(TOP).forEach(growth -> out.printf(Locale.ROOT, "%,16d %,12d  %s%n",
                growth.bytes(), growth.instances(), ClassHistogram.readableName(growth.className())));
        if (comparison.growth().isEmpty()) {
            out.println("  (no class grew)");
        }
        out.println("(noise: the tool's own first histogram, still held, shows up as ClassHistogram$Count, String and their byte[])");
        long before = comparison.before().totalBytes();
        long after = comparison.after().totalBytes();
        out.printf(Locale.ROOT, "live heap: %,d bytes before, %,d after (%+,d)%n", before, after, after - before);
        for (Path dump : comparison.dumps()) {
            out.println("heap dump: " + dump + " (open both in Eclipse MAT or VisualVM and compare)");
        }
    }
}
