package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.State;

import perfmastery.support.Claim;

/**
 * The production lessons' claims name rows that the lessons make (a claim on a method or param value that
 * does not exist would only ever read NOT MEASURED), say where their thresholds come from, and keep the
 * thresholds their stated principle gives. A param may live in the lesson or in a {@code @State} class of
 * its own (WarmupBenchmark's {@code requests}, which only the request variants take).
 */
class ProductionClaimsTest {

    @ParameterizedTest
    @ValueSource(classes = {WarmupBenchmark.class, StackTraceBenchmark.class, CompileOnceBenchmark.class})
    void everyClaimNamesRowsTheLessonMakesAndStatesItsBasis(Class<?> lesson) {
        Claim[] claims = lesson.getAnnotationsByType(Claim.class);
        assertTrue(claims.length > 0, lesson.getSimpleName() + " has claims");
        assertTrue(Arrays.stream(claims).anyMatch(c -> c.kind() == Claim.Kind.GUIDE),
                lesson.getSimpleName() + " claims at least one of the guide's performance consequences");
        Set<String> ids = new HashSet<>();
        for (Claim claim : claims) {
            String where = lesson.getSimpleName() + " claim " + claim.id();
            assertTrue(ids.add(claim.id()), where + ": ids are unique");
            assertFalse(claim.basis().isBlank(), where + ": says where its threshold comes from");
            assertFalse(claim.text().isBlank(), where);
            checkSelector(lesson, claim.variant(), where);
            if (!claim.baseline().isEmpty()) {
                checkSelector(lesson, claim.baseline(), where);
            }
            for (String alternative : claim.params()) {
                pairs(alternative).forEach((k, v) -> checkParamValue(lesson, k, v, where));
            }
        }
    }

    private static void checkSelector(Class<?> lesson, String selector, String where) {
        int bracket = selector.indexOf('[');
        String method = bracket < 0 ? selector : selector.substring(0, bracket);
        if (!method.equals("*")) {
            assertTrue(benchmarkMethods(lesson).contains(method), where + ": no @Benchmark method " + method);
        }
        if (bracket >= 0) {
            assertTrue(selector.endsWith("]"), where + ": " + selector);
            pairs(selector.substring(bracket + 1, selector.length() - 1))
                    .forEach((k, v) -> checkParamValue(lesson, k, v, where));
        }
    }

    /** The param's field in the lesson itself or in one of its nested {@code @State} classes. */
    private static void checkParamValue(Class<?> lesson, String name, String value, String where) {
        List<Class<?>> states = new ArrayList<>(List.of(lesson));
        for (Class<?> nested : lesson.getClasses()) {
            if (nested.isAnnotationPresent(State.class)) {
                states.add(nested);
            }
        }
        Field field = null;
        for (Class<?> state : states) {
            try {
                field = state.getField(name);
                break;
            } catch (NoSuchFieldException notHere) {
                // the next state class
            }
        }
        if (field == null) {
            throw new AssertionError(where + ": no @Param " + name);
        }
        Param param = field.getAnnotation(Param.class);
        assertTrue(param != null && List.of(param.value()).contains(value),
                where + ": " + name + "=" + value + " is not among the default values "
                        + (param == null ? "(not a @Param)" : List.of(param.value())));
    }

    private static Set<String> benchmarkMethods(Class<?> lesson) {
        Set<String> names = new HashSet<>();
        for (Method method : lesson.getMethods()) {
            if (method.isAnnotationPresent(Benchmark.class)) {
                names.add(method.getName());
            }
        }
        return names;
    }

    private static Map<String, String> pairs(String text) {
        Map<String, String> pairs = new TreeMap<>();
        for (String pair : text.split(";")) {
            String[] kv = pair.split("=", 2);
            assertEquals(2, kv.length, "k=v: " + pair);
            pairs.put(kv[0].strip(), kv[1].strip());
        }
        return pairs;
    }

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
