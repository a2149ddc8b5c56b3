package perfmastery.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

class FibonacciBenchmarkTest {

    /** Above this the exponential variant takes seconds per value; its recurrence is the same for every n. */
    private static final int RECURSIVE_MAX_N = 32;

    private static long reference(int n) {
        BigInteger a = BigInteger.ZERO;
        BigInteger b = BigInteger.ONE;
        for (int i = 0; i < n; i++) {
            BigInteger next = a.add(b);
            a = b;
            b = next;
        }
        return a.longValueExact();
    }

    private static FibonacciBenchmark at(int n) {
        FibonacciBenchmark benchmark = new FibonacciBenchmark();
        benchmark.n = n;
        return benchmark;
    }

    @Test
    void knownValues() {
        assertEquals(0, reference(0));
        assertEquals(1, reference(1));
        assertEquals(6765, reference(20));
        assertEquals(832_040, reference(30));
        assertEquals(2_880_067_194_370_816_120L, reference(90));
    }

    @Test
    void memoizedIterativeAndFastDoublingAreRightFrom0To90() {
        for (int n = 0; n <= 90; n++) {
            long expected = reference(n);
            FibonacciBenchmark benchmark = at(n);
            assertEquals(expected, benchmark.memoized(), "memoized n=" + n);
            assertEquals(expected, benchmark.iterative(), "iterative n=" + n);
            assertEquals(expected, benchmark.fastDoubling(), "fastDoubling n=" + n);
        }
    }

    @Test
    void recursiveIsRightUpTo32() {
        for (int n = 0; n <= RECURSIVE_MAX_N; n++) {
            assertEquals(reference(n), at(n).recursive(), "recursive n=" + n);
        }
    }

    @Test
    void everyVariantIsRightAtTheDefaultParams() throws Exception {
        String[] defaults = FibonacciBenchmark.class.getField("n").getAnnotation(Param.class).value();
        assertEquals(List.of("20", "30"), List.of(defaults), "the claims are about n=20 and n=30");
        for (String value : defaults) {
            int n = Integer.parseInt(value);
            FibonacciBenchmark benchmark = at(n);
            long expected = reference(n);
            assertEquals(expected, benchmark.recursive(), "recursive n=" + n);
            assertEquals(expected, benchmark.memoized(), "memoized n=" + n);
            assertEquals(expected, benchmark.iterative(), "iterative n=" + n);
            assertEquals(expected, benchmark.fastDoubling(), "fastDoubling n=" + n);
        }
    }
}
