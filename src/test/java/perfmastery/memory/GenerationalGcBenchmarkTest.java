package perfmastery.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class GenerationalGcBenchmarkTest {

    private static GenerationalGcBenchmark withWindow(int window) {
        GenerationalGcBenchmark benchmark = new GenerationalGcBenchmark();
        benchmark.window = window;
        benchmark.setUp();
        return benchmark;
    }

    private static GenerationalGcBenchmark.GcTime gcTime() {
        GenerationalGcBenchmark.GcTime gc = new GenerationalGcBenchmark.GcTime();
        gc.start();
        return gc;
    }

    @Test
    void bothVariantsBuildTheSameRequests() {
        GenerationalGcBenchmark promoted = withWindow(16);
        GenerationalGcBenchmark dieYoung = withWindow(16);
        GenerationalGcBenchmark.GcTime gc = gcTime();
        for (int i = 0; i < 100; i++) {
            GenerationalGcBenchmark.Request kept = promoted.promoted(gc);
            GenerationalGcBenchmark.Request dropped = dieYoung.dieYoung(gc);
            assertEquals(kept.id(), dropped.id());
            assertEquals(17 + i, kept.id(), "ids continue after the 16 requests that fill the window");
            assertEquals(GenerationalGcBenchmark.BODY_BYTES, kept.body().length);
            assertEquals((byte) kept.id(), kept.body()[0]);
            assertEquals((byte) (kept.id() >>> 8), kept.body()[GenerationalGcBenchmark.BODY_BYTES - 1]);
            assertEquals(kept.body()[0], dropped.body()[0]);
        }
    }

    @Test
    void promotedKeepsExactlyTheLastWindowOfRequests() {
        GenerationalGcBenchmark benchmark = withWindow(8);
        GenerationalGcBenchmark.GcTime gc = gcTime();
        GenerationalGcBenchmark.Request[] last = new GenerationalGcBenchmark.Request[20];
        for (int i = 0; i < last.length; i++) {
            last[i] = benchmark.promoted(gc);
        }
        // After 20 requests into a ring of 8 (already full), slot k holds the newest request written there.
        List<Long> kept = benchmark.recentIds();
        assertEquals(8, kept.size());
        assertEquals(List.of(25L, 26L, 27L, 28L, 21L, 22L, 23L, 24L), kept);
        assertSame(last[19], benchmark.recentRequest(3));
    }

    private static GarbageCollectorMXBean bean(String name, long millis) {
        return (GarbageCollectorMXBean) Proxy.newProxyInstance(GarbageCollectorMXBean.class.getClassLoader(),
                new Class<?>[] {GarbageCollectorMXBean.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> name;
                    case "getCollectionTime" -> millis;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void zgcPausesAreNotCountedTwiceAndOtherCollectorsAreSummed() {
        List<GarbageCollectorMXBean> zgc = List.of(bean("ZGC Minor Cycles", 40), bean("ZGC Minor Pauses", 2),
                bean("ZGC Major Cycles", 100), bean("ZGC Major Pauses", 3));
        List<GarbageCollectorMXBean> counted = GenerationalGcBenchmark.countedCollectors(zgc);
        assertEquals(List.of("ZGC Minor Cycles", "ZGC Major Cycles"),
                counted.stream().map(GarbageCollectorMXBean::getName).collect(Collectors.toList()));
        assertEquals(140, GenerationalGcBenchmark.collectionMillis(counted));

        List<GarbageCollectorMXBean> g1 = List.of(bean("G1 Young Generation", 30), bean("G1 Old Generation", 0),
                bean("G1 Concurrent GC", 5));
        assertEquals(35, GenerationalGcBenchmark.collectionMillis(GenerationalGcBenchmark.countedCollectors(g1)));
        assertEquals(-1 + 1, GenerationalGcBenchmark.collectionMillis(List.of(bean("Copy", -1))),
                "a bean that does not know its time (-1) counts as 0");
    }

    @Test
    void gcTimePerOpIsMillisecondsSpreadOverOps() {
        assertEquals(2_000.0, GenerationalGcBenchmark.nanosPerOp(4, 2_000), 1e-9);
        assertEquals(0.0, GenerationalGcBenchmark.nanosPerOp(5, 0), 0);
        assertEquals(0.0, GenerationalGcBenchmark.nanosPerOp(0, 1_000), 0);
    }

    @Test
    void theJvmsOwnCollectorsCanBeRead() {
        List<GarbageCollectorMXBean> counted = GenerationalGcBenchmark.countedCollectors(
                ManagementFactory.getGarbageCollectorMXBeans());
        assertEquals(false, counted.isEmpty());
        assertEquals(true, GenerationalGcBenchmark.collectionMillis(counted) >= 0);
    }
}
