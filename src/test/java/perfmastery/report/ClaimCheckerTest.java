package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.support.Claim;

/** The claim forms that lessons use, checked against synthetic JMH JSON whose figures the test knows. */
class ClaimCheckerTest {

    private static final String PKG = "perfmastery.report.ClaimLessons.";

    @TempDir
    Path dir;

    private List<ClaimChecker.Verdict> verdicts(SyntheticJmh json, List<String> warnings) {
        Run run = JmhJsonReader.read(json.write(dir.resolve("run.json"))).withLabel("JDK test");
        return new ClaimChecker(warnings).check(run);
    }

    private ClaimChecker.Verdict only(SyntheticJmh json) {
        List<String> warnings = new ArrayList<>();
        List<ClaimChecker.Verdict> v = verdicts(json, warnings);
        assertEquals(1, v.size(), v.toString());
        assertEquals(List.of(), warnings);
        return v.get(0);
    }

    /** The mean of the fork means, computed here independently of the report. */
    static double forkMeanOfMeans(double[][] forks) {
        double sum = 0;
        for (double[] fork : forks) {
            double f = 0;
            for (double v : fork) {
                f += v;
            }
            sum += f / fork.length;
        }
        return sum / forks.length;
    }

    private static double[][] tight(double mean) {
        return SyntheticJmh.around(mean, 3, 4, 0.01);
    }

    @Test
    void ratioWithParamsAlternativesQuotesTheWeakestPair() {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        String c = PKG + "Ratio.";
        json.row(c + "slow", "avgt", "size=64", tight(120));
        json.row(c + "fast", "avgt", "size=64", tight(100)); // 1.2x, outside the claim's params
        json.row(c + "slow", "avgt", "size=1024", tight(3000));
        json.row(c + "fast", "avgt", "size=1024", tight(1000)); // 3x
        json.row(c + "slow", "avgt", "size=4096", tight(10000));
        json.row(c + "fast", "avgt", "size=4096", tight(4000)); // 2.5x, the weakest
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.detail());
        assertEquals(2.5, v.measured().value(), 1e-9);
        assertTrue(v.measured().low() >= 2 && v.measured().low() <= 2.5 && v.measured().high() >= 2.5);
        assertTrue(v.detail().contains("weakest of 2: fast (size=4096) vs slow (size=4096)"), v.detail());

        SyntheticJmh weaker = new SyntheticJmh("17.0.15");
        weaker.row(c + "slow", "avgt", "size=1024", tight(3000));
        weaker.row(c + "fast", "avgt", "size=1024", tight(1000));
        weaker.row(c + "slow", "avgt", "size=4096", tight(9000));
        weaker.row(c + "fast", "avgt", "size=4096", tight(5000)); // 1.8x
        ClaimChecker.Verdict w = only(weaker);
        assertEquals(ClaimChecker.NOT_CONFIRMED, w.status());
        assertEquals(1.8, w.measured().value(), 1e-9);
    }

    @Test
    void boundFormOnAllocation() {
        String c = PKG + "Bound.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "buffered", "avgt", "size=1048576", tight(5000))
                .secondary("gc.alloc.rate.norm", "B/op", tight(1_048_600));
        json.row(c + "streamed", "avgt", "size=1048576", tight(3000))
                .secondary("gc.alloc.rate.norm", "B/op", tight(65_000));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.detail());
        assertEquals(forkMeanOfMeans(tight(65_000)), v.measured().value(), 1e-6);
        assertEquals("B/op", v.unit());

        SyntheticJmh over = new SyntheticJmh("17.0.15");
        over.row(c + "streamed", "avgt", "size=1048576", tight(3000))
                .secondary("gc.alloc.rate.norm", "B/op", tight(70_000));
        assertEquals(ClaimChecker.NOT_CONFIRMED, only(over).status());

        SyntheticJmh noGc = new SyntheticJmh("17.0.15");
        noGc.row(c + "streamed", "avgt", "size=1048576", tight(3000));
        ClaimChecker.Verdict n = only(noGc);
        assertEquals(ClaimChecker.NOT_MEASURED, n.status());
        assertTrue(n.detail().contains("-prof gc"), n.detail());
    }

    @Test
    void higherOnAnAuxCounter() {
        String c = PKG + "Aux.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "uncached", "thrpt", "", tight(10)).secondary("hits", "#", tight(100));
        json.row(c + "cached", "thrpt", "", tight(50)).secondary("hits", "#", tight(900));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.detail());
        assertEquals(9, v.measured().value(), 1e-9);
    }

    @Test
    void percentileInSampleMode() {
        String c = PKG + "Latency.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        // 1000 samples per iteration: 980 at the median, 20 in the tail (p99 = the tail value).
        json.row(c + "unpooled", "sample", "", tight(150)).histogram(histogram(100, 1000));
        json.row(c + "pooled", "sample", "", tight(60)).histogram(histogram(50, 200));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.detail());
        assertEquals(5, v.measured().value(), 1e-9);
        assertTrue(v.detail().contains("percentiles have no interval"), v.detail());

        SyntheticJmh avgt = new SyntheticJmh("17.0.15");
        avgt.row(c + "unpooled", "avgt", "", tight(150));
        avgt.row(c + "pooled", "avgt", "", tight(60));
        ClaimChecker.Verdict n = only(avgt);
        assertEquals(ClaimChecker.NOT_MEASURED, n.status());
        assertTrue(n.detail().contains("SampleTime"), n.detail());
    }

    private static double[][][][] histogram(double median, double tail) {
        double[][][][] forks = new double[2][2][][];
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < 2; i++) {
                forks[f][i] = new double[][] {{median, 980}, {tail, 20}};
            }
        }
        return forks;
    }

    @Test
    void baselineStarMeansEveryOtherMethod() {
        String c = PKG + "Fastest.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "a", "avgt", "n=1", tight(20));
        json.row(c + "b", "avgt", "n=1", tight(30));
        json.row(c + "best", "avgt", "n=1", tight(10));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.detail());
        assertEquals(2, v.measured().value(), 1e-9);
        assertTrue(v.detail().contains("weakest of 2: best (n=1) vs a (n=1)"), v.detail());
    }

    @Test
    void paramSelectorsPairMethodByMethod() {
        String c = PKG + "Strategy.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "compute", "avgt", "strategy=inline", tight(3000));
        json.row(c + "compute", "avgt", "strategy=workerPool", tight(1000)); // 3x
        json.row(c + "health", "avgt", "strategy=inline", tight(800));
        json.row(c + "health", "avgt", "strategy=workerPool", tight(320)); // 2.5x
        List<String> warnings = new ArrayList<>();
        List<ClaimChecker.Verdict> v = verdicts(json, warnings);
        assertEquals(List.of(), warnings);
        assertEquals("pool-2x", v.get(0).claim().id());
        assertEquals(ClaimChecker.CONFIRMED, v.get(0).status(), v.get(0).detail());
        assertEquals(2.5, v.get(0).measured().value(), 1e-9);
        assertEquals("health-inline-bound", v.get(1).claim().id());
        assertEquals(ClaimChecker.CONFIRMED, v.get(1).status(), v.get(1).detail());
        assertEquals(forkMeanOfMeans(tight(800)), v.get(1).measured().value(), 1e-9);
    }

    @Test
    void virtualVariantsAreNotMeasuredBeforeJdk21() {
        String c = PKG + "Virtual.";
        SyntheticJmh jdk17 = new SyntheticJmh("17.0.15");
        jdk17.row(c + "platformThreads", "thrpt", "", tight(100));
        ClaimChecker.Verdict v = only(jdk17);
        assertEquals(ClaimChecker.NOT_MEASURED, v.status());
        assertNull(v.measured());
        assertTrue(v.detail().contains("needs JDK 21+"), v.detail());

        SyntheticJmh jdk21 = new SyntheticJmh("21.0.5");
        jdk21.row(c + "platformThreads", "thrpt", "", tight(100));
        jdk21.row(c + "virtualThreads", "thrpt", "", tight(400));
        assertEquals(ClaimChecker.CONFIRMED, only(jdk21).status());
    }

    @Test
    void malformedClaimsAreWarningsNotCrashes() {
        String c = PKG + "Malformed.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "slow", "avgt", "", tight(200));
        json.row(c + "fast", "avgt", "", tight(100));
        List<String> warnings = new ArrayList<>();
        List<ClaimChecker.Verdict> v = verdicts(json, warnings);
        assertEquals(1, v.size());
        assertEquals("well-formed", v.get(0).claim().id());
        assertEquals(ClaimChecker.CONFIRMED, v.get(0).status());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("\"bad-selector\"") && warnings.get(0).contains("bad selector"));
        assertTrue(warnings.get(1).contains("\"both-forms\"") && warnings.get(1).contains("both baseline and bound"));
    }

    @Test
    void selectorSyntax() {
        var s = ClaimChecker.Selector.parse("health[strategy=inline;size=64]");
        assertEquals("health", s.method());
        assertEquals(2, s.constraints().size());
        assertTrue(ClaimChecker.Selector.parse("*").anyMethod());
        for (String bad : new String[] {"", "a[", "a[b]", "a[=1]", "a b", "*[x=1]]"}) {
            try {
                ClaimChecker.Selector.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains("bad selector"), expected.getMessage());
            }
        }
        Claim[] fib = perfmastery.cpu.FibonacciBenchmark.class.getAnnotationsByType(Claim.class);
        for (Claim claim : fib) {
            assertNull(ClaimChecker.problem(claim), claim.id());
        }
    }
}
