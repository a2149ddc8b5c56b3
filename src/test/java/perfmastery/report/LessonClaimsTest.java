package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

import perfmastery.support.Claim;

/**
 * Every lesson the jar runs (its classes in JMH's {@code META-INF/BenchmarkList}, so a new lesson is checked
 * without being listed here) has claims that name rows it makes, say where their thresholds come from and
 * can be read by the report. A claim on a method or param value that does not exist would only ever read
 * NOT MEASURED. A param may live in the lesson, in a class it extends, or in a {@code @State} class nested in
 * it (WarmupBenchmark's {@code requests}, which only the request variants take). The lesson-specific tests
 * ({@code CpuClaimsTest}, {@code MemoryClaimsTest}, {@code ProductionClaimsTest}, ...) check where each
 * threshold comes from.
 */
class LessonClaimsTest {

    /**
     * Lessons whose claims are all mechanism checks, with the reason. STYLE.md asks every lesson for a claim
     * of the guide's performance consequence; an entry here is a known gap, not a second rule.
     */
    private static final Map<String, String> ONLY_MECHANISM = Map.of(
            "perfmastery.cpu.FibonacciBenchmark",
            "its three factors follow from call counts, true by construction (issue 19)");

    static List<Class<?>> lessons() throws Exception {
        Set<String> names = new TreeSet<>();
        try (InputStream in = LessonClaimsTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            if (in == null) {
                throw new AssertionError("no META-INF/BenchmarkList on the test class path: build with ./mvnw");
            }
            for (BenchmarkListEntry entry : BenchmarkList.readBenchmarkList(in)) {
                names.add(entry.getUserClassQName());
            }
        }
        List<Class<?>> lessons = new ArrayList<>();
        for (String name : names) {
            lessons.add(Class.forName(name));
        }
        return lessons;
    }

    @Test
    void theBenchmarkListHoldsTheLessonsOfEveryPackage() throws Exception {
        Set<String> packages = new TreeSet<>();
        for (Class<?> lesson : lessons()) {
            packages.add(lesson.getPackageName());
        }
        assertTrue(packages.containsAll(List.of("perfmastery.cpu", "perfmastery.memory", "perfmastery.io",
                "perfmastery.production")), "lessons read from the BenchmarkList: " + packages);
    }

    @ParameterizedTest
    @MethodSource("lessons")
    void everyClaimNamesRowsTheLessonMakesAndStatesItsBasis(Class<?> lesson) {
        Claim[] claims = lesson.getAnnotationsByType(Claim.class);
        String name = lesson.getSimpleName();
        assertTrue(claims.length > 0, name + " has claims");
        boolean guide = Arrays.stream(claims).anyMatch(c -> c.kind() == Claim.Kind.GUIDE);
        if (ONLY_MECHANISM.containsKey(lesson.getName())) {
            assertFalse(guide, name + " has a guide claim now: take it off ONLY_MECHANISM");
        } else {
            assertTrue(guide, name + " claims at least one of the guide's performance consequences");
        }
        Set<String> ids = new HashSet<>();
        for (Claim claim : claims) {
            String where = name + " claim " + claim.id();
            assertTrue(ids.add(claim.id()), where + ": ids are unique");
            assertFalse(claim.basis().isBlank(), where + ": says where its threshold comes from");
            assertFalse(claim.text().isBlank(), where);
            assertTrue(RunScope.known(claim.requires()), where + ": unknown requires " + claim.requires());
            checkSelector(lesson, claim.variant(), where);
            if (claim.baseline().isEmpty()) {
                assertFalse(Double.isNaN(claim.bound()), where + ": a claim without a baseline has a bound");
            } else {
                checkSelector(lesson, claim.baseline(), where);
            }
            for (String alternative : claim.params()) {
                pairs(alternative).forEach((k, v) -> checkParamValue(lesson, k, v, where));
            }
            if (claim.dependsOnCores()) {
                assertTrue(claim.text().matches("(?s).*\\b\\d+ cores\\b.*"),
                        where + ": depends on the cores, so its text names how many it was reasoned on: "
                                + claim.text());
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

    /** The param's public field in the lesson (or a class it extends) or in one of its nested {@code @State} classes. */
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
}
