package perfmastery.heap;

import perfmastery.memory.CacheBoundsBenchmark;
import perfmastery.memory.ClosureRetentionBenchmark;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Prints, with JOL, the layouts and retained sizes of the memory lessons' key objects: the captured
 * closure of {@link ClosureRetentionBenchmark}, one cache entry of {@link CacheBoundsBenchmark} (the
 * "entry size" of its bound), and a boxed {@code Integer} against an {@code int}.
 *
 * <p>{@code ./run-benchmarks.sh footprint}. The numbers depend on the JVM's flags: compressed oops and
 * class pointers (on by default below 32 GB of heap, off under ZGC for oops) change headers and references.
 */
public final class Footprint {

    static final String USAGE = "usage: footprint (no arguments; prints JOL layouts of the memory lessons' objects)";
    /** Entries filled into the caches to measure the size of one entry in a full cache. */
    static final int CAPACITY = 1024;

    private Footprint() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status (0 ok, 2 bad input). Never calls System.exit. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return 0;
        }
        if (args.length > 0) {
            err.println("footprint: takes no arguments, got '" + String.join(" ", args) + "'; " + USAGE);
            return 2;
        }
        RetainedSize.configureJol();
        print(out);
        return 0;
    }

    /** What one entry of a full cache costs, bytes per entry, for the bound of CacheBoundsBenchmark. */
    record EntrySizes(double lruLinkedHashMap, double caffeine) {
    }

    static IntSupplier leakyClosure() {
        return ClosureRetentionBenchmark.leakyHandler(request());
    }

    static IntSupplier scopedClosure() {
        return ClosureRetentionBenchmark.scopedHandler(request());
    }

    private static ClosureRetentionBenchmark.Request request() {
        ClosureRetentionBenchmark requests = new ClosureRetentionBenchmark();
        requests.payloadLength = 1_000_000;
        requests.setUp();
        return requests.newRequest();
    }

    /** Fills an LRU LinkedHashMap and a Caffeine cache to {@link #CAPACITY} and divides their retained size. */
    static EntrySizes entrySizes() {
        Map<Integer, byte[]> lru = new CacheBoundsBenchmark.LruMap<>(CAPACITY);
        Cache<Integer, byte[]> caffeine = Caffeine.newBuilder().executor(Runnable::run).maximumSize(CAPACITY).build();
        for (int i = 0; i < 4 * CAPACITY; i++) {
            Integer key = CacheBoundsBenchmark.KEY_OFFSET + i;
            lru.computeIfAbsent(key, CacheBoundsBenchmark::compute);
            caffeine.get(key, CacheBoundsBenchmark::compute);
        }
        caffeine.cleanUp();
        return new EntrySizes((double) RetainedSize.of(lru) / lru.size(),
                (double) RetainedSize.of(caffeine) / caffeine.estimatedSize());
    }

    static void print(PrintStream out) {
        out.println("== The JVM (JOL)");
        out.println(VM.current().details());

        IntSupplier leaky = leakyClosure();
        IntSupplier scoped = scopedClosure();
        out.println("== ClosureRetentionBenchmark: the captured closure");
        // A lambda is a hidden class: JOL cannot print its field table, but it can size it and its graph.
        out.println("-- leaky: () -> request.payload().length ^ request.id(), captures the request");
        out.printf(Locale.ROOT, "the closure object itself: %d bytes%n", ClassLayout.parseInstance(leaky).instanceSize());
        out.println(GraphLayout.parseInstance(leaky).toFootprint());
        out.println("-- scoped: () -> length ^ id, captures two ints");
        out.printf(Locale.ROOT, "the closure object itself: %d bytes%n", ClassLayout.parseInstance(scoped).instanceSize());
        out.println(GraphLayout.parseInstance(scoped).toFootprint());
        out.printf(Locale.ROOT, "retained per closure: leaky %,d bytes, scoped %,d bytes%n%n",
                RetainedSize.of(leaky), RetainedSize.of(scoped));

        out.println("== CacheBoundsBenchmark: one cache entry (Integer key, 1 KiB value)");
        Map<Integer, byte[]> one = new LinkedHashMap<>(16, 0.75f, true);
        one.put(CacheBoundsBenchmark.KEY_OFFSET + 1, CacheBoundsBenchmark.compute(1));
        Map.Entry<Integer, byte[]> node = one.entrySet().iterator().next();
        out.println("-- a LinkedHashMap node (the entry object itself):");
        out.println(ClassLayout.parseClass(node.getClass()).toPrintable());
        out.println(GraphLayout.parseInstance(node).toFootprint());
        EntrySizes sizes = entrySizes();
        out.printf(Locale.ROOT, "per entry in a full cache of %d (nodes, keys, values, table and policy "
                + "overhead): LRU LinkedHashMap %,.0f bytes, Caffeine maximumSize %,.0f bytes%n"
                + "(CacheBoundsBenchmark's bound allows 1,280 bytes per entry)%n%n",
                CAPACITY, sizes.lruLinkedHashMap(), sizes.caffeine());

        out.println("== A boxed Integer against an int");
        out.println(ClassLayout.parseInstance(Integer.valueOf(CacheBoundsBenchmark.KEY_OFFSET)).toPrintable());
        int[] ints = new int[1000];
        Integer[] boxed = new Integer[1000];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = CacheBoundsBenchmark.KEY_OFFSET + i;
            boxed[i] = ints[i];
        }
        out.printf(Locale.ROOT, "1000 ints: int[] %,d bytes; Integer[] of distinct boxes %,d bytes "
                + "(an int is 4 bytes, a boxed one a reference plus a whole object)%n",
                RetainedSize.of(ints), RetainedSize.of(boxed));
    }
}
