package perfmastery.cpu;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Relation;

/**
 * Guide part 3.1, "blocking math": recursive against memoized work.
 *
 * <h2>The guide's claim</h2>
 * The naive recursive Fibonacci recomputes the same sub-problems again and again, so its cost grows
 * as O(2^n) (more exactly, as the golden ratio to the n): a few more n and a request that took
 * microseconds takes seconds. Remembering each sub-result (memoisation) makes it O(n), and the fix
 * is an algorithm, not a faster machine.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Four ways to compute F(n) as a {@code long}, each returning its result to JMH:
 * <ul>
 * <li>{@code recursive}: the guide's function, {@code fib(n-1) + fib(n-2)}. The JIT inlines a few
 * levels of the recursion, which buys a constant factor and nothing against the exponent.</li>
 * <li>{@code memoized}: the guide's top-down memo, with a table made fresh in each call so that two
 * algorithms are compared, not one algorithm against a cache lookup. It pays an allocation of
 * n + 1 longs per call; read it as B/op with {@code -prof gc}.</li>
 * <li>{@code iterative}: two running values, O(n) time and O(1) space, no allocation.</li>
 * <li>{@code fastDoubling}: F(2k) = F(k)(2F(k+1) - F(k)) and F(2k+1) = F(k)^2 + F(k+1)^2, O(log n).</li>
 * </ul>
 * The gap between {@code recursive} and the others grows by about 1.618x per step of n, so it is a
 * factor of about 123 from n=20 to n=30. At these n the three fast variants are a few dozen
 * nanoseconds apart: they differ by constant factors (allocation, loop length), not by complexity,
 * until n is large, and a {@code long} overflows past n = 92.
 *
 * <h2>What you should see</h2>
 * One fork, 3 x 1 s warmup and 3 x 1 s measurement with {@code -prof gc}, on this project's 2-core
 * machine while other jobs shared it (so the errors are wide; read the ratios, not the digits).
 * Average time per call, lower is better:
 * <pre>
 * variant        n   JDK 17.0.15 ns/op   JDK 25.0.3 ns/op   B/op
 * recursive     20              18,466             23,361      0
 * memoized      20                  54                 59    184
 * iterative     20                 4.4                4.1      0
 * fastDoubling  20                 8.3                8.5      0
 * recursive     30           2,490,089          2,718,340      0
 * memoized      30                  79                 82    264
 * iterative     30                 7.2                5.6      0
 * fastDoubling  30                 9.6                8.0      0
 * </pre>
 * At n=30 recursive is about 31,000x slower than memoized on JDK 17 (33,000x on 25); at n=20 about
 * 340x. From n=20 to n=30 recursive grew 135x (the golden ratio to the tenth is 123), memoized 1.5x.
 * The memo table is the only allocation: 16 bytes of array header plus 8 bytes per entry.
 * {@code fastDoubling} is slower than {@code iterative} here: its multiplications cost more than
 * the 30 additions they save. O(log n) wins only where n is large, and a {@code long} stops at n = 92.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- FibonacciBenchmark}; other sizes with
 * {@code ./run-benchmarks.sh -- FibonacciBenchmark -p n=10,20,30,40} (n=40 makes {@code recursive}
 * take about half a second per call: give it time).
 *
 * <h2>What it does not measure</h2>
 * Not the cost of blocking an event loop with this work (that is {@code EventLoopBlockingBenchmark}),
 * and not a memo kept across calls: a warm cache answers in a few nanoseconds whatever the algorithm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Claim(id = "memoized-1000x-at-30",
        text = "memoized is at least 1000x faster than recursive at n=30",
        variant = "memoized", baseline = "recursive", relation = Relation.LOWER, factor = 1000,
        params = "n=30")
@Claim(id = "recursive-grows-exponentially",
        text = "every linear or better variant is at least 100x faster than recursive at n=20",
        variant = "*", baseline = "recursive", relation = Relation.LOWER, factor = 100,
        params = "n=20")
public class FibonacciBenchmark {

    /** The index into the Fibonacci sequence; F(0) = 0, F(1) = 1. */
    @Param({"20", "30"})
    public int n;

    @Benchmark
    public long recursive() {
        return recursive(n);
    }

    @Benchmark
    public long memoized() {
        return memoized(n);
    }

    @Benchmark
    public long iterative() {
        return iterative(n);
    }

    @Benchmark
    public long fastDoubling() {
        return fastDoubling(n);
    }

    static long recursive(int n) {
        return n < 2 ? n : recursive(n - 1) + recursive(n - 2);
    }

    static long memoized(int n) {
        long[] memo = new long[n + 1];
        return memoized(n, memo);
    }

    private static long memoized(int n, long[] memo) {
        if (n < 2) {
            return n;
        }
        if (memo[n] != 0) {
            return memo[n];
        }
        long value = memoized(n - 1, memo) + memoized(n - 2, memo);
        memo[n] = value;
        return value;
    }

    static long iterative(int n) {
        long previous = 0;
        long current = 1;
        for (int i = 0; i < n; i++) {
            long next = previous + current;
            previous = current;
            current = next;
        }
        return previous;
    }

    static long fastDoubling(int n) {
        long a = 0; // F(k)
        long b = 1; // F(k+1)
        for (int bit = Integer.SIZE - 1 - Integer.numberOfLeadingZeros(n); bit >= 0; bit--) {
            long doubled = a * (2 * b - a);        // F(2k)
            long doubledPlusOne = a * a + b * b;   // F(2k+1)
            if (((n >>> bit) & 1) == 0) {
                a = doubled;
                b = doubledPlusOne;
            } else {
                a = doubledPlusOne;
                b = doubled + doubledPlusOne;
            }
        }
        return a;
    }
}
