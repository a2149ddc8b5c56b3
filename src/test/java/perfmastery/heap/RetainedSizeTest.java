package perfmastery.heap;

import perfmastery.memory.CacheBoundsBenchmark;
import perfmastery.memory.ClosureRetentionBenchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/** The light walk must give JOL's own GraphLayout totals on every graph the lessons measure. */
class RetainedSizeTest {

    @BeforeAll
    static void configure() {
        RetainedSize.configureJol();
    }

    private static void sameAsJol(Object root) {
        assertEquals(GraphLayout.parseInstance(root).totalSize(), RetainedSize.of(root), root.getClass().getName());
    }

    @Test
    void closuresRecordsAndLists() {
        ClosureRetentionBenchmark benchmark = new ClosureRetentionBenchmark();
        benchmark.payloadLength = 1000;
        benchmark.setUp();
        List<IntSupplier> list = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            list.add(ClosureRetentionBenchmark.leakyHandler(benchmark.newRequest()));
            list.add(ClosureRetentionBenchmark.scopedHandler(benchmark.newRequest()));
        }
        sameAsJol(list);
        sameAsJol(list.get(0));
        sameAsJol(list.get(1));
    }

    @Test
    void everyCacheOfTheLesson() {
        Map<Integer, byte[]> unbounded = new HashMap<>();
        Map<Integer, byte[]> lru = new CacheBoundsBenchmark.LruMap<>(100);
        Map<Integer, byte[]> weak = new WeakHashMap<>();
        Cache<Integer, byte[]> caffeine = Caffeine.newBuilder().executor(Runnable::run).maximumSize(100).build();
        Cache<Integer, byte[]> soft = Caffeine.newBuilder().executor(Runnable::run).softValues().build();
        List<Integer> keepWeakKeys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Integer key = CacheBoundsBenchmark.KEY_OFFSET + i;
            keepWeakKeys.add(key);
            unbounded.computeIfAbsent(key, CacheBoundsBenchmark::compute);
            lru.computeIfAbsent(key, CacheBoundsBenchmark::compute);
            weak.computeIfAbsent(key, CacheBoundsBenchmark::compute);
            caffeine.get(key, CacheBoundsBenchmark::compute);
            soft.get(key, CacheBoundsBenchmark::compute);
        }
        caffeine.cleanUp();
        soft.cleanUp();
        sameAsJol(unbounded);
        sameAsJol(lru);
        sameAsJol(weak);
        sameAsJol(caffeine);
        sameAsJol(soft);
        // The weak map's keys must stay reachable until it has been measured.
        Reference.reachabilityFence(keepWeakKeys);
    }

    @Test
    void arraysAndBoxes() {
        Integer[] boxed = new Integer[100];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = 1000 + i;
        }
        sameAsJol(boxed);
        sameAsJol(new int[100]);
        sameAsJol(new Object[] {boxed, boxed, new byte[3]});
        assertEquals(0, RetainedSize.of(null));
    }
}
