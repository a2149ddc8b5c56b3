package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import perfmastery.support.Claim;

/**
 * The production lessons' claims keep the thresholds their stated principle gives. That every claim names
 * rows the lesson makes and states a basis is checked for all lessons at once by
 * {@code perfmastery.report.LessonClaimsTest}.
 */
class ProductionClaimsTest {

    private static Claim claim(Class<?> lesson, String id) {
        return Arrays.stream(lesson.getAnnotationsByType(Claim.class)).filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(lesson.getSimpleName() + " has no claim " + id));
    }

    @Test
    void coldAgainstWarmComparesTheFirstRequestsOwnTimeAnOrderOfMagnitudeApart() {
        Claim claim = claim(WarmupBenchmark.class, "steady-state-10x-first-request");
        assertEquals(WarmupBenchmark.REQUESTS_GAUGE, claim.metric(),
                "the requests' own time: the child's score holds the JVM's start as well");
        assertEquals(List.of("requests=1"), List.of(claim.params()), "the guide's first request");
        assertEquals(10, claim.factor(), "interpretation against compiled code: an order of magnitude");
        assertEquals("firstRequestsInFreshJvm", claim.baseline(), "the cold server is the baseline");
        assertTrue(claim.basis().contains("interpret"), claim.basis());
    }

    @Test
    void theArchiveIsComparedWithThePlainStartOfOneRequest() {
        Claim claim = claim(WarmupBenchmark.class, "archive-cuts-time-to-first-response");
        assertEquals("firstRequestsInFreshJvm[requests=1]", claim.baseline(),
                "the archived child handles one request: its baseline is the plain child's one-request row");
        assertEquals("primary", claim.metric(), "the time to first response, the start included");
        assertEquals(Claim.Relation.LOWER, claim.relation());
        assertTrue(claim.factor() > 1, "a stated share of the start, not merely no slower");
        assertEquals(1.2, claim.factor(), 1e-12, "at least a sixth of the start removed: 1 / (1 - 1/6)");
    }

    @Test
    void stackTraceClaimsSitAtTheDepthsTheirBasesReasonAbout() {
        Claim time = claim(StackTraceBenchmark.class, "stackless-5x-filled-at-50");
        assertEquals(List.of("depth=50"), List.of(time.params()));
        assertEquals(5, time.factor());
        assertEquals("filledStackTrace", time.baseline(), "the guide's wrong way is the baseline");

        Claim bytes = claim(StackTraceBenchmark.class, "filled-allocates-5x-stackless-at-200");
        assertEquals("gc.alloc.rate.norm", bytes.metric());
        assertEquals(Claim.Kind.MECHANISM, bytes.kind());
        assertEquals(List.of("depth=200"), List.of(bytes.params()));
        double backtraceBytes = 8 * 200;
        double stacklessRequestBytes = 320;
        assertEquals(backtraceBytes / stacklessRequestBytes, bytes.factor(), 1e-12,
                "at least 8 bytes a frame over 200 frames, against a stackless request's 320 bytes at most");
    }

    @Test
    void compileOnceFactorsComeFromSetUpDominating() {
        Claim pattern = claim(CompileOnceBenchmark.class, "compiled-pattern-2x-compile-per-request");
        assertEquals(2, pattern.factor(), "set-up at least the match's work: set-up plus match at least twice the match");
        Claim mapper = claim(CompileOnceBenchmark.class, "reused-reader-10x-mapper-per-request");
        assertEquals(10, mapper.factor(), "an order of magnitude per property");
        for (Claim claim : List.of(pattern, mapper)) {
            assertTrue(claim.basis().startsWith("parse/setup dominates"), claim.id());
            assertEquals(Claim.Relation.LOWER, claim.relation());
            assertTrue(claim.baseline().contains("PerRequest"), claim.id() + ": per request is the baseline");
        }
    }
}
