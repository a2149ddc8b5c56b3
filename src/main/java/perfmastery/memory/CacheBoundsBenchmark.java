package perfmastery.memory;

import perfmastery.support.AuxCounterMean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.IterationParams;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import perfmastery.support.Claim;
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
 * values only under memory pressure, so with a heap of several GB it grows like the unbounded map.</li>
 * </ul>
 * Secondary metrics, as {@code @AuxCounters} fields (the mean over measurement iterations, see
 * {@link AuxCounterMean}): {@code hitRatio}, the share of requests answered without computing, and
 * {@code retainedBytes}, the bytes reachable from the cache at the iteration's end (after Caffeine's
 * pending maintenance, {@code cleanUp()}, has run), with JOL's object sizes: the total of JOL's
 * {@code GraphLayout}, walked by {@link RetainedSize}, which allocates about 11 MB for a 100,000-entry
 * map where {@code GraphLayout} allocates 1.5 GB. The walk runs in the iteration's teardown, outside the
 * timed path but inside the window where {@code -prof gc} counts bytes, so B/op includes it, spread over
 * the iteration's requests: about 11 MB over millions of requests, a few B/op at most for the large
 * caches and well under one for the bounded ones. Each iteration starts with an
 * empty cache, so the hit ratio includes the cold start and the unbounded map's size is what one
 * iteration's stream leaves in it.
 *
 * <h2>What you should see</h2>
 * One fork, 3 x 1 s warmup and 3 x 1 s measurement, {@code -prof gc}, 2 shared cores (times vary up to
 * 3x between runs here; hit ratios and retained bytes do not, except that the unbounded caches hold what
 * the iteration had time to request):
 * <pre>
 * variant             JDK 17.0.15: ns/op  hitRatio  retainedBytes   Temurin 25: ns/op  hitRatio  retainedBytes
 * unboundedMap                2,859        0.852     76,503,040               154        0.985    106,502,080
 * lruLinkedHashMap              338        0.493      1,130,576               288        0.493      1,130,576
 * caffeine                      899        0.578      1,165,064               503        0.582      1,165,064
 * weakHashMap                 1,455        0.892     94,282,816               456        0.955    107,281,376
 * softValues                  2,395        0.860     82,036,675             1,087        0.919    102,834,213
 * </pre>
 * The bounds hold: 1,130,576 and 1,165,064 bytes for 1024 entries (1,104 and 1,138 bytes per entry, see
 * {@code footprint}) under the claimed 1,310,720; the unbounded map holds 68x (JDK 17) and 94x (JDK 25)
 * the LRU's bytes; Caffeine's hit ratio beats LRU's by 1.17x. The weak map (G1, the default collector)
 * and the soft values kept about as much as the unbounded map, which is the point of the lesson: they
 * are not bounds. The unbounded map is the fastest when it is not being collected, since it almost never
 * misses: the guide's objection to it is memory, and its {@code gc.time} (0.5 to 2 s over 3 s) is where
 * that shows in time.
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
@Fork(value = 1, jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"})
@Claim(id = "lru-retains-at-most-capacity-entries",
        text = "the LRU LinkedHashMap retains at most capacity x 1.25 KiB (a 1 KiB value with its key and node) at capacity=1024",
        variant = "lruLinkedHashMap", relation = Relation.LOWER, bound = 1024 * 1280,
        metric = "retainedBytes", params = "capacity=1024")
@Claim(id = "caffeine-retains-at-most-capacity-entries",
        text = "Caffeine with maximumSize retains at most capacity x 1.25 KiB (a 1 KiB value with its key and node) at capacity=1024",
        variant = "caffeine", relation = Relation.LOWER, bound = 1024 * 1280,
        metric = "retainedBytes", params = "capacity=1024")
@Claim(id = "unbounded-grows-with-the-stream",
        text = "the unbounded map retains at least 10x more than the LRU bound: it grows with the stream",
        variant = "lruLinkedHashMap", baseline = "unboundedMap", relation = Relation.LOWER, factor = 10,
        metric = "retainedBytes")
@Claim(id = "caffeine-hit-ratio-at-least-lru",
        text = "Caffeine's hit ratio is at least the LRU's on a skewed stream",
        variant = "caffeine", baseline = "lruLinkedHashMap", relation = Relation.HIGHER, factor = 1,
        metric = "hitRatio")
public class CacheBoundsBenchmark {

    /** Requests in the precomputed stream (a power of two, replayed in a loop). */
    static final int STREAM_LENGTH = 1 << 20;
    /** Zipf exponent of the key popularity. */
    static final double ZIPF_EXPONENT = 1.0;
    /** Added to every key so that none is one of the JVM's cached Integers (-128..127). */
    static final int KEY_OFFSET = 1_000;
    /** Bytes in each computed value. */
    static final int VALUE_BYTES = 1024;

    /** Entries the bounded caches keep. */
    @Param({"1024"})
    public int capacity;

    /** Distinct keys in the stream: much more than the capacity. */
    @Param({"131072"})
    public int keys;

    private int[] stream;
    private int cursor;

    /**
     * The caches of one iteration, its request and miss counts, and what JMH reads after it. JMH reads the
     * public fields of an {@code @AuxCounters} state after the iteration's {@code @TearDown(Level.Iteration)}
     * methods have run, so the teardown is where the figures are computed and JOL measures.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Caches {

        /** Share of requests answered from the cache: the mean over measurement iterations. */
        public double hitRatio;
        /** Bytes reachable from the cache at the iteration's end (JOL): the mean over measurement iterations. */
        public double retainedBytes;

        private long requests;
        private long misses;

        private Map<Integer, byte[]> unbounded;
        private Map<Integer, byte[]> lru;
        private Cache<Integer, byte[]> caffeine;
        private Map<Integer, byte[]> weak;
        private Cache<Integer, byte[]> soft;

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
        }

        /** Measures the cache this benchmark method used (the others are empty), then drops all of them. */
        @TearDown(Level.Iteration)
        public void measureAndRelease(BenchmarkParams benchmark, IterationParams iteration) {
            hitRatio = AuxCounterMean.share(measuredHitRatio(), benchmark, iteration);
            retainedBytes = AuxCounterMean.share(retainedBytes(variantOf(benchmark.getBenchmark())), benchmark, iteration);
            release();
        }

        void release() {
            unbounded = null;
            lru = null;
            caffeine = null;
            weak = null;
            soft = null;
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
    static final class LruMap<K, V> extends LinkedHashMap<K, V> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        LruMap(int capacity) {
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
    static byte[] compute(int key) {
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
