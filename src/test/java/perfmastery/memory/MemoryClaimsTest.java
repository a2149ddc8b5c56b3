package perfmastery.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import perfmastery.support.Claim;

/** Every memory lesson states the guide's consequence, and every claim says where its threshold comes from. */
class MemoryClaimsTest {

    /** The metrics each lesson writes: its gauges, besides the primary score and -prof gc's figures. */
    private static final Map<Class<?>, Set<String>> GAUGES = Map.of(
            AllocationChurnBenchmark.class, Set.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp"),
            GenerationalGcBenchmark.class, Set.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp"),
            ClosureRetentionBenchmark.class, Set.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp",
                    "retainedBytesPerRequest"),
            CacheBoundsBenchmark.class, Set.of("gcPauseNanosPerOp", "gcConcurrentNanosPerOp", "gcNanosPerOp",
                    "retainedBytes", "hitRatio"));

    private static List<Claim> claimsOf(Class<?> lesson) {
        return List.of(lesson.getAnnotationsByType(Claim.class));
    }

    @Test
    void everyLessonClaimsTheGuidesConsequenceAndEveryClaimHasABasis() {
        for (Class<?> lesson : GAUGES.keySet()) {
            List<Claim> claims = claimsOf(lesson);
            assertTrue(claims.stream().anyMatch(c -> c.kind() == Claim.Kind.GUIDE), lesson.getSimpleName() + " has a GUIDE claim");
            for (Claim claim : claims) {
                String where = lesson.getSimpleName() + "." + claim.id();
                assertFalse(claim.basis().isBlank(), where + " has a basis");
                assertTrue(claim.metric().equals("primary") || claim.metric().equals("gc.alloc.rate.norm")
                        || GAUGES.get(lesson).contains(claim.metric()), where + " reads a metric the lesson writes: " + claim.metric());
                if (claim.kind() == Claim.Kind.GUIDE) {
                    assertTrue(claim.metric().equals("primary") || claim.metric().startsWith("gc") || claim.metric().equals("hitRatio"),
                            where + " is about time, GC cost or a cache's misses, not bytes: " + claim.metric());
                }
            }
        }
    }

    @Test
    void theGenerationalClaimIsScopedToGenerationalCollectors() {
        List<Claim> guide = claimsOf(GenerationalGcBenchmark.class).stream()
                .filter(c -> c.kind() == Claim.Kind.GUIDE).toList();
        assertEquals(1, guide.size());
        assertEquals("generational-gc", guide.get(0).requires(), "ZGC on JDK 17 is outside the claim, not against it");
        assertEquals("gcNanosPerOp", guide.get(0).metric());
    }

    @Test
    void theUnboundedMapsClaimReasonsFromTheWholeStream() {
        Claim claim = claimsOf(CacheBoundsBenchmark.class).stream()
                .filter(c -> c.id().equals("unbounded-grows-with-the-stream")).findFirst().orElseThrow();
        // Expected distinct keys of N Zipf(1) draws over K keys: the sum over keys of 1 - (1 - p)^N.
        int keys = 131_072;
        double harmonic = 0;
        for (int k = 1; k <= keys; k++) {
            harmonic += 1.0 / k;
        }
        double distinct = 0;
        for (int k = 1; k <= keys; k++) {
            distinct += 1 - Math.pow(1 - 1 / (k * harmonic), CacheBoundsBenchmark.STREAM_LENGTH);
        }
        String stated = String.format(java.util.Locale.ROOT, "%,d", Math.round(distinct));
        assertTrue(claim.basis().contains(stated), "the basis states the stream's distinct keys, " + stated + ": "
                + claim.basis());
        assertTrue(claim.basis().contains("2^20"), "it reasons from the stream the iterations replay");
        assertTrue(claim.factor() <= distinct / 1024, "the factor is at most what the stream gives by construction");
        assertEquals(Claim.Kind.MECHANISM, claim.kind());
    }

    @Test
    void idsAreUniqueWithinALesson() {
        for (Class<?> lesson : GAUGES.keySet()) {
            List<String> ids = claimsOf(lesson).stream().map(Claim::id).toList();
            assertEquals(Set.copyOf(ids).size(), ids.size(), lesson.getSimpleName() + ": " + ids);
        }
    }
}
