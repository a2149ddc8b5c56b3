package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import perfmastery.production.StackTraceBenchmark.Failure;
import perfmastery.production.StackTraceBenchmark.OrderNotFoundException;

/** Every variant answers the failing request with the same 404, and the exceptions carry what they claim to. */
class StackTraceBenchmarkTest {

    private static final String NOT_FOUND = "{\"status\":404,\"error\":\"order 4711 not found\"}";

    private static StackTraceBenchmark at(int depth) {
        StackTraceBenchmark benchmark = new StackTraceBenchmark();
        benchmark.depth = depth;
        benchmark.setUp();
        return benchmark;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 50, 200})
    void everyVariantAnswersTheSame404(int depth) {
        StackTraceBenchmark benchmark = at(depth);
        assertEquals(NOT_FOUND, benchmark.filledStackTrace());
        assertEquals(NOT_FOUND, benchmark.stacklessException());
        assertEquals(NOT_FOUND, benchmark.preallocatedException());
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 50, 200})
    void theFilledExceptionRecordsEveryFrameOfTheDescent(int depth) {
        OrderNotFoundException e = at(depth).failure(Failure.FILLED);
        assertEquals("order 4711 not found", e.getMessage());
        long descents = Arrays.stream(e.getStackTrace()).filter(frame -> frame.getMethodName().equals("descend")).count();
        assertEquals(depth, descents, "one frame of descend per level of the request");
        assertEquals("descend", e.getStackTrace()[0].getMethodName(), "made at the bottom of the request");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 200})
    void theStacklessExceptionHasNoTraceAndIsNewEachTime(int depth) {
        StackTraceBenchmark benchmark = at(depth);
        OrderNotFoundException first = benchmark.failure(Failure.STACKLESS);
        OrderNotFoundException second = benchmark.failure(Failure.STACKLESS);
        assertEquals("order 4711 not found", first.getMessage());
        assertEquals(0, first.getStackTrace().length);
        assertNotSame(first, second);
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 200})
    void thePreallocatedExceptionIsOneStacklessInstance(int depth) {
        StackTraceBenchmark benchmark = at(depth);
        OrderNotFoundException first = benchmark.failure(Failure.PREALLOCATED);
        assertSame(first, benchmark.failure(Failure.PREALLOCATED));
        assertEquals("order 4711 not found", first.getMessage());
        assertEquals(0, first.getStackTrace().length);
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 50})
    void filledExceptionsAreNewEachTime(int depth) {
        StackTraceBenchmark benchmark = at(depth);
        assertNotSame(benchmark.failure(Failure.FILLED), benchmark.failure(Failure.FILLED));
    }
}
