package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Per request or once, each pair computes the same, correct answer. */
class CompileOnceBenchmarkTest {

    private static CompileOnceBenchmark benchmark() {
        CompileOnceBenchmark benchmark = new CompileOnceBenchmark();
        benchmark.setUp();
        return benchmark;
    }

    @Test
    void bothPatternVariantsReadTheOrderAndItemFromThePath() {
        CompileOnceBenchmark benchmark = benchmark();
        assertEquals(4_711_003, benchmark.compilePatternPerRequest());
        assertEquals(4_711_003, benchmark.compiledPatternInField());
    }

    @Test
    void theRouteFollowsThePathAndRejectsOthers() {
        CompileOnceBenchmark benchmark = benchmark();
        benchmark.path = "/orders/12/items/345";
        assertEquals(12_345, benchmark.compilePatternPerRequest());
        assertEquals(12_345, benchmark.compiledPatternInField());
        benchmark.path = "/orders/12/items/345/extra";
        assertEquals(-1, benchmark.compilePatternPerRequest());
        assertEquals(-1, benchmark.compiledPatternInField());
        assertEquals(-1, CompileOnceBenchmark.route(Pattern.compile(benchmark.routeRegex), "/users/1/items/2"));
    }

    @Test
    void bothMapperVariantsTotalTheOrder() {
        CompileOnceBenchmark benchmark = benchmark();
        assertEquals(2_999, benchmark.objectMapperPerRequest());
        assertEquals(2_999, benchmark.reusedObjectReader());
        benchmark.orderBody = OrderRequestHandler.request(41);
        assertEquals(2_999 + 41, benchmark.objectMapperPerRequest());
        assertEquals(2_999 + 41, benchmark.reusedObjectReader());
    }
}
