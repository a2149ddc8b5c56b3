package perfmastery.memory;

import perfmastery.heap.CollectorTime;
import perfmastery.heap.RetainedSize;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;
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

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import perfmastery.support.Claim;
import perfmastery.support.Gauges;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 2.3, caches: an unbounded cache is a leak; bound it with LRU, and know what weak references do.
 *
 * <h2>The guide's claim</h2>
 * A cache that only grows keeps every value it has ever computed: memory grows with the key stream,
 * not with what is useful. An LRU bound keeps memory at capacity x entry size and, on a skewed stream,
 * still answers most requests. Weak references (WeakMap) tie an entry to the life of its key, which is a
 * lifetime rule, not a size bound.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Every op is one request: get-or-compute the value for the next key of a Zipf stream (exponent
 * {@code 1.0} over {@code keys} distinct keys, seeded, precomputed: 2^20 requests, replayed in a loop).
 * A miss computes a 1 KiB value. The variants:
 * <ul>
 * <li>{@code unboundedMap}: {@code HashMap.computeIfAbsent}: the guide's wrong way.</li>
 * <li>{@code lruLinkedHashMap}: a {@code LinkedHashMap} in access order whose {@code removeEldestEntry}
 * drops the least recently used entry beyond {@code capacity}.</li>
 * <li>{@code caffeine}: Caffeine with {@code maximumSize(capacity)}: what Java users reach for. Its
 * W-TinyLFU policy admits a new key only if it is likely to be used more than the entry it would evict,
 * which is why its hit ratio beats LRU's on a skewed stream. It is built with
 * {@code executor(Runnable::run)}: its maintenance (eviction) then runs on the requesting thread and is
 * counted in the time per request instead of being done for free on the other core, and JOL's walk of
 * the cache does not wander into the common pool's threads.</li>
 * <li>{@code weakHashMap}: weak keys. The keys are boxed per request (as keys parsed from a request would
 * be), so nothing else holds them: an entry may go at any collection, used or not. Which collection
 * actually clears it depends on the collector, and that is the lesson: the size of a weak "cache" is set
 * by the GC, not by you. Measured on this machine (JDK 17, a 100,000-key fill then more allocation):
 * under Serial and Parallel each young collection emptied the map; under G1 (the default) young
 * collections discovered the weak keys but cleared none ({@code -Xlog:gc+ref=debug}: "WeakReference
 * Discovered: 7756, Cleared: 0"), the map kept 73,520 of 100,000 entries, and in this benchmark it
 * grows like the unbounded map until a full or concurrent cycle. (Keys are offset past 127 so that none
 * is a cached {@code Integer}, which would never be released.)</li>
 * <li>{@code softValues}: Caffeine's {@code softValues()} without a size: the collector clears soft
 * values only under memory pressure (HotSpot keeps a soft value while it was used within the last second
 * per free megabyte of heap), so in a 1 GB heap that the caches fill to a few hundred MB at most it grows
 * like the unbounded map.</li>
 * </ul>
 * Per iteration the lesson records, as gauges ({@code perfmastery.support.Gauges}):
 * <ul>
 * <li>{@code hitRatio}: the share of the iteration's requests answered without computing;</li>
 * <li>{@code retainedBytes}: the bytes reachable from the cache at the iteration's end (after Caffeine's
 * pending maintenance, {@code cleanUp()}, has run), with JOL's object sizes: the total of JOL's
 * {@code GraphLayout}, walked by {@link RetainedSize}, which allocates about 11 MB for a 100,000-entry
 * map where {@code GraphLayout} allocates 1.5 GB;</li>
 * <li>{@code gcPauseNanosPerOp}, {@code gcConcurrentNanosPerOp} and {@code gcNanosPerOp}: the
 * collectors' time over the iteration per request, from their own beans ({@link CollectorTime}), read
 * before the JOL walk so that a collection the walk causes is not counted.</li>
 * </ul>
 * The walk runs in the iteration's teardown, outside the timed path but inside the window where
 * {@code -prof gc} counts bytes, so B/op includes it, spread over the iteration's requests: about 11 MB
 * over millions of requests, a few B/op at most for the large caches and well under one for the bounded
 * ones. Each iteration starts with an empty cache, so the hit ratio includes the cold start and the
 * unbounded map's size is what one iteration's stream leaves in it: it grows over the iteration, and
 * the collector copies and promotes each new entry and then traces a larger old generation.
 *
 * <p>The heap is pinned, {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch} (appended to the fork's flags): how
 * much the unbounded, weak and soft caches cost the collector depends on how full the heap gets, which
 * with an unpinned heap (a quarter of the host's memory) would depend on the machine. The unbounded map
 * holds at most the 131,072 distinct keys, about 150 MB, so it fits.
 *
 * <h2>What you should see</h2>
 * The bounded caches stay within capacity x 1.25 KiB ({@code retainedBytes}: about 1,100 bytes per
 * entry, see {@code footprint}); the unbounded map holds tens of times more, as many entries as the
 * iteration's stream had distinct keys. The guide expects the unbounded map to cost more collector time
 * per request than the LRU: its new entries survive and are copied and promoted, the LRU's evicted ones
 * die young. Against that, the LRU misses about half the time and the unbounded map rarely, so the LRU
 * allocates several times more bytes per request and starts more young collections; the claim tests
 * which weighs more, and a REFUTED there would be a finding. Caffeine's hit ratio is higher than the
 * LRU's, so it recomputes less. The weak map (under G1, the default collector) and the soft values keep about as
 * much as the unbounded map, which is the point of the lesson: they are not bounds. In time per request
 * the unbounded map can be the fastest, since it almost never misses: the guide's objection to it is
 * memory and the collector's work, and {@code gcNanosPerOp} is where that shows in time.
 *
 * <p>Figures: {@code results/reference/report.md#cacheboundsbenchmark-avgt}, the reference run
 * (JDK 17 and 25, 3 forks per row, on a quiet machine; its sidecars hold the load average). A table
 * that was here was measured while other jobs shared the 2 cores, so it was removed.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- CacheBoundsBenchmark}; other bounds with {@code -p capacity=256,4096}.
 * The per-entry footprint behind the bound is printed by {@code ./run-benchmarks.sh footprint}.
 *
 * <h2>What it does not measure</h2>
 * Not concurrent access (one thread: Caffeine's advantage grows with threads, a synchronized
 * LinkedHashMap's shrinks) and not a miss that costs I/O: here a miss costs about as much as a few hits.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Claim(id = "unbounded-costs-gc-time",
        text = "the unbounded map costs more collector time per request than the LRU bound",
        variant = "lruLinkedHashMap", baseline = "unboundedMap", relation = Relation.LOWER, factor = 1,
        metric = "gcNanosPerOp", params = "capacity=1024", kind = Claim.Kind.GUIDE,
        basis = "The guide: an unbounded cache is a leak, and a growing live set is what a tracing collector pays "
                + "for: every entry the unbounded map adds survives, so collections copy and promote it and the old "
                + "generation they trace keeps growing, while the LRU's evicted entries die young. Against the guide: "
                + "the LRU misses more often and so allocates more. The guide states a direction, not a factor, so the "
                + "threshold is 1.")
@Claim(id = "caffeine-misses-less-than-lru",
        text = "Caffeine's hit ratio is higher than the LRU's on a skewed stream: it recomputes less",
        variant = "caffeine", baseline = "lruLinkedHashMap", relation = Relation.HIGHER, factor = 1,
        metric = "hitRatio", params = "capacity=1024", kind = Claim.Kind.GUIDE,
        basis = "A bounded cache's throughput is its hit ratio: every miss is a recomputation (here 1 KiB; in a "
                + "service, a database call). W-TinyLFU admits a new key only when its estimated frequency beats the "
                + "entry it would evict, which on a Zipf stream keeps the hot keys that LRU lets one-off keys push out. "
                + "The principle gives a direction, not a size: the threshold is 1.")
@Claim(id = "lru-retains-at-most-capacity-entries",
        text = "the LRU LinkedHashMap retains at most capacity x 1.25 KiB (a 1 KiB value with its key and node) at capacity=1024",
        variant = "lruLinkedHashMap", relation = Relation.LOWER, bound = 1024 * 1280,
        metric = "retainedBytes", params = "capacity=1024", kind = Claim.Kind.MECHANISM,
        basis = "An entry is a 1,040-byte value (1 KiB and its array header), a 16-byte Integer key and a 40-byte "
                + "LinkedHashMap node, 1,096 bytes, plus a slot of the hash table; 1,280 bytes (1.25 KiB) per entry "
                + "leaves about 15 % for the table and no room for a second value per entry.")
@Claim(id = "caffeine-retains-at-most-capacity-entries",
        text = "Caffeine with maximumSize retains at most capacity x 1.25 KiB (a 1 KiB value with its key and node) at capacity=1024",
        variant = "caffeine", relation = Relation.LOWER, bound = 1024 * 1280,
        metric = "retainedBytes", params = "capacity=1024", kind = Claim.Kind.MECHANISM,
        basis = "As for the LRU: a 1,040-byte value, a 16-byte key and Caffeine's node (larger than LinkedHashMap's: "
                + "it also carries the policy's links), plus its table and frequency sketch; 1,280 bytes per entry "
                + "leaves room for that and none for a second value per entry.")
@Claim(id = "unbounded-grows-with-the-stream",
        text = "the unbounded map retains at least 10x more than the LRU bound: it keeps every distinct key the iteration requested",
        variant = "lruLinkedHashMap", baseline = "unboundedMap", relation = Relation.LOWER, factor = 10,
        metric = "retainedBytes", params = "capacity=1024", kind = Claim.Kind.MECHANISM,
        basis = "The unbounded map starts each iteration empty and keeps one entry per distinct key the iteration "
                + "requested, the LRU at most 1,024. The requests replay one fixed, seeded stream of 2^20 requests "
                + "(Zipf(1) over 131,072 keys), whose expected distinct keys are the sum over keys of 1 - (1 - p)^N: "
                + "97,555 for N = 2^20. An iteration that makes the whole stream (a hit is one hash lookup, so a "
                + "measured iteration does) therefore ends with every distinct key of the stream, the same number in "
                + "every iteration and fork: 95x the LRU's 1,024 by construction, not a growth measured over time. "
                + "10x needs 10,240 distinct keys, which the stream holds after about 30,000 requests, so the claim "
                + "holds for any iteration longer than that: a mechanism check that an unbounded map keeps what the "
                + "stream brings, with 10x as the order of magnitude.")
public class CacheBoundsBenchmark {

    /** Requests in the precomputed stream (a power of two, replayed in a loop). */
    static final int STREAM_LENGTH = 1 << 20;
    /** Zipf exponent of the key popularity. */
    static final double ZIPF_EXPONENT = 1.0;
    /** Added to every key so that none is one of the JVM's cached Integers (-128..127). */
    public static final int KEY_OFFSET = 1_000;
    /** Bytes in each computed value. */
    public static final int VALUE_BYTES = 1024;

    /** Entries the bounded caches keep. */
    @Param({"1024"})
    public int capacity;

    /** Distinct keys in the stream: much more than the capacity. */
    @Param({"131072"})
    public int keys;

    private int[] stream;
    private int cursor;

    /**
     * The caches of one iteration and its request and miss counts. The teardown is where the iteration's
     * figures are computed, JOL measures and the gauges are recorded.
     */
    @State(Scope.Thread)
    public static class Caches {

        private long requests;
        private long misses;

        private Map<Integer, byte[]> unbounded;
        private Map<Integer, byte[]> lru;
        private Cache<Integer, byte[]> caffeine;
        private Map<Integer, byte[]> weak;
        private Cache<Integer, byte[]> soft;
        private CollectorTime.Snapshot gcAtStart;

        @Setup(Level.Iteration)
        public void newCaches(BenchmarkParams benchmark) {
            newCaches(Integer.parseInt(benchmark.getParam("capacity")));
        }

        void newCaches(int capacity) {
            requests = 0;
            misses = 0;
            unbounded = new HashMap<>();
            lru = new LruMap<>(capacity);
            caffeine = Caffeine.newBuilder().executor(Runnable::run).maximumSize(capacity).build();
            weak = new WeakHashMap<>();
            soft = Caffeine.newBuilder().executor(Runnable::run).softValues().build();
            gcAtStart = CollectorTime.now();
        }

        /**
         * Records the iteration's GC time per request (first: the JOL walk allocates), its hit ratio and the
         * bytes the cache this benchmark method used retains (the others are empty), then drops the caches.
         */
        @TearDown(Level.Iteration)
        public void measureAndRelease(BenchmarkParams benchmark) {
            recordAndRelease(variantOf(benchmark.getBenchmark()));
        }

        void recordAndRelease(String variant) {
            CollectorTime.recordPerOp(CollectorTime.now().since(gcAtStart), requests);
            Gauges.record("hitRatio", measuredHitRatio(), "ratio");
            Gauges.record("retainedBytes", retainedBytes(variant), "B");
            release();
        }

        void release() {
            unbounded = null;
            lru = null;
            caffeine = null;
            weak = null;
            soft = null;
        }

        boolean released() {
            return unbounded == null && lru == null && caffeine == null && weak == null && soft == null;
        }

        double measuredHitRatio() {
            return requests == 0 ? 0 : 1.0 - (double) misses / requests;
        }

        /** Bytes reachable from the named variant's cache, after Caffeine's pending maintenance. */
        long retainedBytes(String variant) {
            Object root = switch (variant) {
                case "unboundedMap" -> unbounded;
                case "lruLinkedHashMap" -> lru;
                case "caffeine" -> {
                    caffeine.cleanUp();
                    yield caffeine;
                }
                case "weakHashMap" -> weak;
                case "softValues" -> {
                    soft.cleanUp();
                    yield soft;
                }
                default -> throw new IllegalArgumentException("no cache variant " + variant);
            };
            return RetainedSize.of(root);
        }

        byte[] miss(Integer key) {
            misses++;
            return compute(key);
        }
    }

    /**
     * The LRU cache: a LinkedHashMap in access order that drops its eldest entry beyond the capacity. A
     * named static class, not an anonymous one, so that it holds no hidden reference to its creator
     * (which JOL would count as retained).
     */
    public static final class LruMap<K, V> extends LinkedHashMap<K, V> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        public LruMap(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
        }
    }

    /** Key stream: Zipf-distributed ranks 1..keys, seeded, shifted past the Integer cache. */
    static int[] zipfStream(int keys, int length, long seed) {
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(random, keys, ZIPF_EXPONENT);
        int[] stream = new int[length];
        for (int i = 0; i < length; i++) {
            stream[i] = zipf.sample() + KEY_OFFSET;
        }
        return stream;
    }

    /** The value a miss computes: 1 KiB that depends on the key. */
    public static byte[] compute(int key) {
        byte[] value = new byte[VALUE_BYTES];
        value[0] = (byte) key;
        value[1] = (byte) (key >>> 8);
        value[2] = (byte) (key >>> 16);
        value[VALUE_BYTES - 1] = (byte) (key * 31);
        return value;
    }

    static String variantOf(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    @Setup(Level.Trial)
    public void setUpStream() {
        stream = zipfStream(keys, STREAM_LENGTH, 42);
        cursor = 0;
    }

    private Integer nextKey(Caches caches) {
        caches.requests++;
        int key = stream[cursor];
        cursor = (cursor + 1) & (STREAM_LENGTH - 1);
        // Boxed per request, as a key parsed from a request is a fresh object.
        return Integer.valueOf(key);
    }

    @Benchmark
    public byte[] unboundedMap(Caches caches) {
        return caches.unbounded.computeIfAbsent(nextKey(caches), caches::miss);
    }

    @Benchmark
    public byte[] lruLinkedHashMap(Caches caches) {
        return caches.lru.computeIfAbsent(nextKey(caches), caches::miss);
    }

    @Benchmark
    public byte[] caffeine(Caches caches) {
        return caches.caffeine.get(nextKey(caches), caches::miss);
    }

    @Benchmark
    public byte[] weakHashMap(Caches caches) {
        return caches.weak.computeIfAbsent(nextKey(caches), caches::miss);
    }

    @Benchmark
    public byte[] softValues(Caches caches) {
        return caches.soft.get(nextKey(caches), caches::miss);
    }
}
