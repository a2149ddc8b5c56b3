package perfmastery.memory;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;

class CacheBoundsBenchmarkTest {

    private static final int CAPACITY = 256;
    private static final int KEYS = 8192;

    private static CacheBoundsBenchmark benchmark() {
        CacheBoundsBenchmark benchmark = new CacheBoundsBenchmark();
        benchmark.capacity = CAPACITY;
        benchmark.keys = KEYS;
        benchmark.setUpStream();
        return benchmark;
    }

    private static CacheBoundsBenchmark.Caches caches() {
        CacheBoundsBenchmark.Caches caches = new CacheBoundsBenchmark.Caches();
        caches.newCaches(CAPACITY);
        return caches;
    }

    private static final String[] VARIANTS = {"unboundedMap", "lruLinkedHashMap", "caffeine", "weakHashMap", "softValues"};

    private static BiFunction<CacheBoundsBenchmark, CacheBoundsBenchmark.Caches, byte[]> method(String variant) {
        return switch (variant) {
            case "unboundedMap" -> CacheBoundsBenchmark::unboundedMap;
            case "lruLinkedHashMap" -> CacheBoundsBenchmark::lruLinkedHashMap;
            case "caffeine" -> CacheBoundsBenchmark::caffeine;
            case "weakHashMap" -> CacheBoundsBenchmark::weakHashMap;
            case "softValues" -> CacheBoundsBenchmark::softValues;
            default -> throw new IllegalArgumentException(variant);
        };
    }

    @Test
    void everyVariantAnswersEachRequestWithTheValueOfItsKey() {
        int[] stream = CacheBoundsBenchmark.zipfStream(KEYS, CacheBoundsBenchmark.STREAM_LENGTH, 42);
        for (String variant : VARIANTS) {
            CacheBoundsBenchmark benchmark = benchmark();
            CacheBoundsBenchmark.Caches caches = caches();
            for (int i = 0; i < 50_000; i++) {
                byte[] value = method(variant).apply(benchmark, caches);
                assertArrayEquals(CacheBoundsBenchmark.compute(stream[i]), value, variant + " request " + i);
            }
            double hitRatio = caches.measuredHitRatio();
            assertTrue(hitRatio > 0.3 && hitRatio < 1, variant + " hit ratio " + hitRatio);
        }
    }

    @Test
    void theValueDependsOnTheKey() {
        byte[] value = CacheBoundsBenchmark.compute(70_000);
        assertEquals(CacheBoundsBenchmark.VALUE_BYTES, value.length);
        assertEquals((byte) 70_000, value[0]);
        assertEquals((byte) (70_000 >>> 8), value[1]);
        assertEquals((byte) (70_000 >>> 16), value[2]);
        assertTrue(!java.util.Arrays.equals(value, CacheBoundsBenchmark.compute(70_001)));
    }

    @Test
    void theStreamIsSeededSkewedAndClearOfTheIntegerCache() {
        assertTrue(CacheBoundsBenchmark.KEY_OFFSET > 127, "no key may be a cached Integer");
        int[] a = CacheBoundsBenchmark.zipfStream(KEYS, 100_000, 42);
        assertArrayEquals(a, CacheBoundsBenchmark.zipfStream(KEYS, 100_000, 42));
        int hottest = 0;
        Set<Integer> distinct = new HashSet<>();
        for (int key : a) {
            assertTrue(key >= CacheBoundsBenchmark.KEY_OFFSET + 1
                    && key <= CacheBoundsBenchmark.KEY_OFFSET + KEYS, "key " + key);
            if (key == CacheBoundsBenchmark.KEY_OFFSET + 1) {
                hottest++;
            }
            distinct.add(key);
        }
        // Zipf(1) over 8192 keys: rank 1 has probability 1/H(8192), about 10%.
        assertTrue(hottest > 8_000 && hottest < 12_000, "rank 1 drawn " + hottest + " times");
        assertTrue(distinct.size() > 4 * CAPACITY, "the stream is much larger than the capacity: " + distinct.size());
    }

    @Test
    void boundedCachesStayWithinCapacityTimesEntrySizeAndTheUnboundedOneGrows() {
        CacheBoundsBenchmark benchmark = benchmark();
        CacheBoundsBenchmark.Caches caches = caches();
        for (int i = 0; i < 100_000; i++) {
            benchmark.unboundedMap(caches);
            benchmark.lruLinkedHashMap(caches);
            benchmark.caffeine(caches);
        }
        long bound = CAPACITY * 1280L;
        long lru = caches.retainedBytes("lruLinkedHashMap");
        long caffeine = caches.retainedBytes("caffeine");
        long unbounded = caches.retainedBytes("unboundedMap");
        assertTrue(lru <= bound && lru > CAPACITY * 1024L, "LRU retains " + lru);
        assertTrue(caffeine <= bound && caffeine > CAPACITY * 1024L, "Caffeine retains " + caffeine);
        assertTrue(unbounded > 10 * lru, "the unbounded map retains " + unbounded);
        caches.release();
    }

    @Test
    void variantNamesComeFromTheBenchmarkName() {
        assertEquals("caffeine", CacheBoundsBenchmark.variantOf("perfmastery.memory.CacheBoundsBenchmark.caffeine"));
        assertThrows(IllegalArgumentException.class, () -> caches().retainedBytes("nope"));
    }

    @Test
    void iterationTeardownRecordsTheTrueFiguresOfTheVariantItRanAndReleases() throws Exception {
        for (String variant : VARIANTS) {
            CacheBoundsBenchmark benchmark = benchmark();
            CacheBoundsBenchmark.Caches caches = new CacheBoundsBenchmark.Caches();
            BenchmarkParams params = JmhParams.of("perfmastery.memory.CacheBoundsBenchmark." + variant,
                    Map.of("capacity", String.valueOf(CAPACITY), "keys", String.valueOf(KEYS)));
            caches.newCaches(params);
            for (int i = 0; i < 20_000; i++) {
                method(variant).apply(benchmark, caches);
            }
            double hitRatio = caches.measuredHitRatio();
            long retained = caches.retainedBytes(variant);
            Map<String, Result<?>> gauges = RecordedGauges.during(() -> caches.measureAndRelease(params));

            assertEquals(hitRatio, RecordedGauges.score(gauges, "hitRatio"), 0, variant);
            assertTrue(hitRatio > 0.3 && hitRatio < 1, variant + " hit ratio " + hitRatio);
            assertEquals(retained, RecordedGauges.score(gauges, "retainedBytes"), 0, variant);
            if (!variant.equals("weakHashMap")) {
                // (The weak map's entries may go at any collection, so it has no lower bound.)
                assertTrue(retained > CAPACITY * 1024L, variant + " retains at least a full cache of 1 KiB values: " + retained);
            }
            assertEquals(RecordedGauges.score(gauges, "gcPauseNanosPerOp") + RecordedGauges.score(gauges, "gcConcurrentNanosPerOp"),
                    RecordedGauges.score(gauges, "gcNanosPerOp"), 1e-9, variant);
            assertTrue(caches.released(), variant + ": the teardown drops every cache");
        }
    }
}
