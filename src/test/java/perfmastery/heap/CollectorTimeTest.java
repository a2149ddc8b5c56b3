package perfmastery.heap;

import perfmastery.memory.Garbage;

import perfmastery.support.RecordedGauges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

class CollectorTimeTest {

    private static GarbageCollectorMXBean bean(String name, long millis, long count) {
        return (GarbageCollectorMXBean) Proxy.newProxyInstance(GarbageCollectorMXBean.class.getClassLoader(),
                new Class<?>[] {GarbageCollectorMXBean.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> name;
                    case "getCollectionTime" -> millis;
                    case "getCollectionCount" -> count;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theBeansOfEveryHotSpotCollectorAreClassified() {
        for (String cycles : List.of("ZGC Cycles", "ZGC Minor Cycles", "ZGC Major Cycles", "Shenandoah Cycles")) {
            assertEquals(CollectorTime.Kind.CONCURRENT_CYCLE, CollectorTime.kindOf(cycles), cycles);
        }
        for (String pauses : List.of("Copy", "MarkSweepCompact", "PS Scavenge", "PS MarkSweep", "G1 Young Generation",
                "G1 Old Generation", "ZGC Pauses", "ZGC Minor Pauses", "ZGC Major Pauses", "Shenandoah Pauses")) {
            assertEquals(CollectorTime.Kind.PAUSE, CollectorTime.kindOf(pauses), pauses);
        }
        // JDK 20+: the bean of G1's concurrent cycle times its Remark and Cleanup pauses (JDK-8297247).
        assertEquals(CollectorTime.Kind.PAUSE, CollectorTime.kindOf("G1 Concurrent GC"));
    }

    @Test
    void generationalZgcPausesInsideItsCyclesAreNotCountedTwice() {
        CollectorTime.Snapshot zgc = CollectorTime.of(List.of(bean("ZGC Minor Cycles", 40, 4), bean("ZGC Minor Pauses", 2, 12),
                bean("ZGC Major Cycles", 100, 1), bean("ZGC Major Pauses", 3, 3)));
        assertEquals(5, zgc.pauseMillis());
        assertEquals(135, zgc.concurrentMillis(), "cycles' wall time without their pauses");
        assertEquals(140, zgc.totalMillis(), "the cycles' wall time: each millisecond once");
        assertEquals(20, zgc.collections());
    }

    @Test
    void g1AndTheStopTheWorldCollectorsArePausesOnly() {
        CollectorTime.Snapshot g1 = CollectorTime.of(List.of(bean("G1 Young Generation", 30, 5), bean("G1 Old Generation", 0, 0),
                bean("G1 Concurrent GC", 5, 2)));
        assertEquals(35, g1.pauseMillis());
        assertEquals(0, g1.concurrentMillis());
        assertEquals(35, g1.totalMillis());
        CollectorTime.Snapshot serial = CollectorTime.of(List.of(bean("Copy", 7, 3), bean("MarkSweepCompact", -1, -1)));
        assertEquals(7, serial.pauseMillis(), "a bean that does not know its time (-1) counts as 0");
        assertEquals(3, serial.collections());
        CollectorTime.Snapshot shenandoah = CollectorTime.of(List.of(bean("Shenandoah Pauses", 1, 24), bean("Shenandoah Cycles", 223, 8)));
        assertEquals(1, shenandoah.pauseMillis());
        assertEquals(222, shenandoah.concurrentMillis());
    }

    @Test
    void growthIsTheDifferenceOfTwoReadings() {
        CollectorTime.Snapshot before = new CollectorTime.Snapshot(10, 100, 2, 5);
        CollectorTime.Snapshot after = new CollectorTime.Snapshot(14, 160, 3, 9);
        CollectorTime.Snapshot growth = after.since(before);
        assertEquals(new CollectorTime.Snapshot(4, 60, 1, 4), growth);
        assertEquals(59, growth.concurrentMillis());
        assertEquals(63, growth.totalMillis());
    }

    @Test
    void gaugesAreMillisecondsSpreadOverTheOps() throws Exception {
        assertEquals(2_000.0, CollectorTime.nanosPerOp(4, 2_000), 1e-9);
        assertEquals(0.0, CollectorTime.nanosPerOp(5, 0), 0);
        Map<String, Result<?>> gauges = RecordedGauges.during(
                () -> CollectorTime.recordPerOp(new CollectorTime.Snapshot(3, 10, 1, 4), 1_000));
        assertEquals(List.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp"), List.copyOf(gauges.keySet()));
        assertEquals(3_000.0, RecordedGauges.score(gauges, "gcPauseNanosPerOp"), 1e-9);
        assertEquals(9_000.0, RecordedGauges.score(gauges, "gcConcurrentNanosPerOp"), 1e-9);
        assertEquals(12_000.0, RecordedGauges.score(gauges, "gcNanosPerOp"), 1e-9);
        assertEquals("ns/op", gauges.get("gcNanosPerOp").getScoreUnit());
    }

    @Test
    void aFullCollectionOfThisJvmMovesItsPauseCounters() {
        CollectorTime.Snapshot before = CollectorTime.now();
        assertTrue(Garbage.collectWithALiveSet() > 0);
        CollectorTime.Snapshot growth = CollectorTime.now().since(before);
        assertTrue(growth.collections() >= 1, "System.gc() collected: " + growth);
        assertTrue(growth.pauseMillis() >= 1, "a stop-the-world collection marking 600,000 objects: " + growth);
        assertEquals(0, growth.concurrentMillis(), "the test JVM's collector (G1, Serial or Parallel) has no cycle beans");
    }

    /** Run in a child JVM under ZGC by {@link #aZgcCycleMovesTheConcurrentCounter}: prints the growth. */
    public static void main(String[] args) {
        CollectorTime.Snapshot before = CollectorTime.now();
        long sum = Garbage.collectWithALiveSet();
        CollectorTime.Snapshot growth = CollectorTime.now().since(before);
        System.out.println(growth.pauseMillis() + " " + growth.concurrentMillis() + " " + growth.collections() + " " + sum);
    }

    @Test
    void aZgcCycleMovesTheConcurrentCounter() throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseZGC", "-Xmx512m", "-cp", System.getProperty("java.class.path"), CollectorTimeTest.class.getName())
                .redirectErrorStream(true).start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
            assertEquals(0, child.exitValue(), out);
            String[] fields = out.lines().reduce((first, last) -> last).orElse("").split(" ");
            assertEquals(4, fields.length, out);
            long concurrent = Long.parseLong(fields[1]);
            long collections = Long.parseLong(fields[2]);
            assertTrue(collections >= 1, "System.gc() ran a ZGC cycle: " + out);
            assertTrue(concurrent >= 1, "the cycle's concurrent time (marking 600,000 objects) was read: " + out);
        } finally {
            child.destroyForcibly();
        }
    }
}
