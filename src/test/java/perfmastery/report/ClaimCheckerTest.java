package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        assertEquals(2.5, v.measured().value(), 1e-9);
        assertTrue(v.measured().low() >= 2 && v.measured().low() <= 2.5 && v.measured().high() >= 2.5);
        assertTrue(v.reason().contains("weakest of 2: fast (size=4096) vs slow (size=4096)"), v.reason());

        SyntheticJmh weaker = new SyntheticJmh("17.0.15");
        weaker.row(c + "slow", "avgt", "size=1024", tight(3000));
        weaker.row(c + "fast", "avgt", "size=1024", tight(1000));
        weaker.row(c + "slow", "avgt", "size=4096", tight(9000));
        weaker.row(c + "fast", "avgt", "size=4096", tight(5000)); // 1.8x
        ClaimChecker.Verdict w = only(weaker);
        assertEquals(ClaimChecker.REFUTED, w.status(), w.reason());
        assertEquals(1.8, w.measured().value(), 1e-9);
        assertTrue(w.measured().high() < 2, "the whole interval is below the factor");
        assertTrue(w.reason().contains("weakest of 2: fast (size=4096) vs slow (size=4096)")
                && w.reason().contains("lies wholly below the factor 2"), w.reason());
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
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        assertEquals(forkMeanOfMeans(tight(65_000)), v.measured().value(), 1e-6);
        assertEquals("B/op", v.unit());

        SyntheticJmh over = new SyntheticJmh("17.0.15");
        over.row(c + "streamed", "avgt", "size=1048576", tight(3000))
                .secondary("gc.alloc.rate.norm", "B/op", tight(70_000));
        assertEquals(ClaimChecker.REFUTED, only(over).status());

        SyntheticJmh noGc = new SyntheticJmh("17.0.15");
        noGc.row(c + "streamed", "avgt", "size=1048576", tight(3000));
        ClaimChecker.Verdict n = only(noGc);
        assertEquals(ClaimChecker.NOT_MEASURED, n.status());
        assertTrue(n.reason().contains("-prof gc"), n.reason());
    }

    @Test
    void higherOnAnAuxCounter() {
        String c = PKG + "Aux.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "uncached", "thrpt", "", tight(10)).secondary("hits", "#", tight(100));
        json.row(c + "cached", "thrpt", "", tight(50)).secondary("hits", "#", tight(900));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
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
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        // Every iteration's p99 is exactly the tail value: a constant row, a zero-width interval.
        assertEquals(5, v.measured().value(), 1e-9);
        assertEquals(5, v.measured().low(), 1e-9);
        assertEquals(5, v.measured().high(), 1e-9);

        SyntheticJmh avgt = new SyntheticJmh("17.0.15");
        avgt.row(c + "unpooled", "avgt", "", tight(150));
        avgt.row(c + "pooled", "avgt", "", tight(60));
        ClaimChecker.Verdict n = only(avgt);
        assertEquals(ClaimChecker.NOT_MEASURED, n.status());
        assertTrue(n.reason().contains("SampleTime"), n.reason());
    }

    private static double[][][][] histogram(double median, double tail) {
        return histogram(2, median, tail);
    }

    private static double[][][][] histogram(int forkCount, double median, double tail) {
        double[][][][] forks = new double[forkCount][2][][];
        for (int f = 0; f < forkCount; f++) {
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
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        assertEquals(2, v.measured().value(), 1e-9);
        assertTrue(v.reason().contains("weakest of 2: best (n=1) vs a (n=1)"), v.reason());
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
        assertEquals(ClaimChecker.CONFIRMED, v.get(0).status(), v.get(0).reason());
        assertEquals(2.5, v.get(0).measured().value(), 1e-9);
        assertEquals("health-inline-bound", v.get(1).claim().id());
        assertEquals(ClaimChecker.CONFIRMED, v.get(1).status(), v.get(1).reason());
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
        assertTrue(v.reason().contains("needs JDK 21+"), v.reason());

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

    /** Fork f iteration i of a row: {@code mean * forkFactor[f] * (1 + 0.005 * (i % 2 == 0 ? 1 : -1))}. */
    private static double[][] forks(double mean, double... forkFactors) {
        double[][] v = new double[forkFactors.length][4];
        for (int f = 0; f < forkFactors.length; f++) {
            for (int i = 0; i < 4; i++) {
                v[f][i] = mean * forkFactors[f] * (1 + 0.005 * (i % 2 == 0 ? 1 : -1));
            }
        }
        return v;
    }

    @Test
    void oneForkGivesNoVerdictWhateverTheIterationsSay() {
        String c = PKG + "Failing.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        // 20x apart, iterations within 1 %: a bootstrap over iterations would call the 10x claim CONFIRMED.
        json.row(c + "slow", "avgt", "", SyntheticJmh.around(2000, 1, 5, 0.01));
        json.row(c + "fast", "avgt", "", SyntheticJmh.around(100, 1, 5, 0.01));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.INCONCLUSIVE, v.status(), v.reason());
        assertEquals(20, v.measured().value(), 1e-9);
        assertFalse(v.measured().hasInterval());
        assertTrue(v.reason().endsWith("1 fork: no fork-to-fork variance (run 2+ forks)"), v.reason());
    }

    @Test
    void withoutRawDataThereIsNoInterval() {
        String c = PKG + "Failing.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "slow", "avgt", "", tight(2000)).dropRawData();
        json.row(c + "fast", "avgt", "", tight(100)).dropRawData();
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.INCONCLUSIVE, v.status(), v.reason());
        assertEquals(20, v.measured().value(), 1e-9);
        assertTrue(v.reason().contains("no rawData"), v.reason());
    }

    @Test
    void anIntervalAcrossTheFactorIsInconclusive() {
        String c = PKG + "Failing.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        // 10.5x measured, forks scattered by 10 %: the interval reaches below 10.
        json.row(c + "slow", "avgt", "", forks(1050, 0.9, 1.1, 1.0));
        json.row(c + "fast", "avgt", "", forks(100, 1.1, 0.9, 1.0));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.INCONCLUSIVE, v.status(), v.reason());
        assertTrue(v.measured().low() < 10 && v.measured().high() > 10, v.measured().toString());
        assertTrue(v.reason().contains("straddles the factor 10"), v.reason());
    }

    @Test
    void severalPairsRefuteWhenOneDoesAndConfirmOnlyWhenAllDo() {
        String c = PKG + "Ratio.";
        SyntheticJmh refuted = new SyntheticJmh("17.0.15");
        refuted.row(c + "slow", "avgt", "size=1024", tight(3000));
        refuted.row(c + "fast", "avgt", "size=1024", tight(1000)); // 3x: confirmed
        refuted.row(c + "slow", "avgt", "size=4096", tight(4000));
        refuted.row(c + "fast", "avgt", "size=4096", tight(4000)); // 1x: refuted
        ClaimChecker.Verdict r = only(refuted);
        assertEquals(ClaimChecker.REFUTED, r.status(), r.reason());
        assertTrue(r.reason().contains("fast (size=4096) vs slow (size=4096)"), r.reason());

        SyntheticJmh open = new SyntheticJmh("17.0.15");
        open.row(c + "slow", "avgt", "size=1024", forks(3000, 1.0, 1.0, 1.0));
        open.row(c + "fast", "avgt", "size=1024", forks(1000, 1.0, 1.0, 1.0)); // 3x: confirmed
        open.row(c + "slow", "avgt", "size=4096", forks(2100, 0.85, 1.15, 1.0));
        open.row(c + "fast", "avgt", "size=4096", forks(1000, 1.15, 0.85, 1.0)); // 2.1x, wide: inconclusive
        ClaimChecker.Verdict o = only(open);
        assertEquals(ClaimChecker.INCONCLUSIVE, o.status(), o.reason());
        assertEquals(2.1, o.measured().value(), 1e-9);
        assertTrue(o.reason().contains("fast (size=4096) vs slow (size=4096)"), o.reason());
    }

    @Test
    void aFactorBelowOneIsAnUpperLimit() {
        String c = PKG + "Kinds.";
        SyntheticJmh flat = new SyntheticJmh("17.0.15");
        flat.row(c + "work", "avgt", "size=1", tight(100)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        flat.row(c + "work", "avgt", "size=4", tight(150)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        List<String> warnings = new ArrayList<>();
        List<ClaimChecker.Verdict> v = verdicts(flat, warnings);
        assertEquals("flat", v.get(0).claim().id());
        assertEquals(ClaimChecker.CONFIRMED, v.get(0).status(), v.get(0).reason());
        assertEquals(100 / 150.0, v.get(0).measured().value(), 1e-9);

        SyntheticJmh steep = new SyntheticJmh("17.0.15");
        steep.row(c + "work", "avgt", "size=1", tight(100));
        steep.row(c + "work", "avgt", "size=4", tight(300)); // 3x the time at 4x the size: not flat
        ClaimChecker.Verdict s = verdicts(steep, new ArrayList<>()).get(0);
        assertEquals(ClaimChecker.REFUTED, s.status(), s.reason());
    }

    private static double[][] zeros() {
        return new double[3][4];
    }

    @Test
    void mechanismChecksAndClaimsWithoutBasis() {
        String c = PKG + "Kinds.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(c + "work", "avgt", "size=1", tight(100)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        json.row(c + "work", "avgt", "size=4", tight(150)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        List<String> warnings = new ArrayList<>();
        List<ClaimChecker.Verdict> v = verdicts(json, warnings);
        assertEquals(3, v.size());
        ClaimChecker.Verdict noAlloc = v.get(1);
        assertEquals(Claim.Kind.MECHANISM, noAlloc.claim().kind());
        // Exactly 0 B/op in every iteration of 3 forks: a zero-width interval at 0, well within 1 B/op.
        assertEquals(ClaimChecker.CONFIRMED, noAlloc.status(), noAlloc.reason());
        assertEquals(0, noAlloc.measured().low());
        assertEquals(0, noAlloc.measured().high());
        assertEquals("unexplained", v.get(2).claim().id());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("\"unexplained\"") && warnings.get(0).contains("has no basis"),
                warnings.get(0));
    }

    @Test
    void aRatioWithAZeroSideIsInfiniteOrZeroNeverNaN() {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        String c = PKG + "ZeroAlloc.";
        json.row(c + "churn", "avgt", "", tight(100)).secondary("gc.alloc.rate.norm", "B/op", tight(65_560));
        json.row(c + "reuse", "avgt", "", tight(10)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        assertEquals(Double.POSITIVE_INFINITY, v.measured().value());
        assertEquals(Double.POSITIVE_INFINITY, v.measured().low());

        SyntheticJmh both = new SyntheticJmh("17.0.15");
        both.row(c + "churn", "avgt", "", tight(100)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        both.row(c + "reuse", "avgt", "", tight(10)).secondary("gc.alloc.rate.norm", "B/op", zeros());
        ClaimChecker.Verdict z = only(both);
        assertEquals(ClaimChecker.INCONCLUSIVE, z.status(), z.reason());
        assertTrue(z.reason().contains("both sides are 0"), z.reason());
    }

    @Test
    void generationalScopeFollowsTheCollectorAndTheJdk() {
        String c = PKG + "Generational.";
        String[][] outside = {
                {"17.0.15", "-XX:+UseZGC"}, {"21.0.5", "-XX:+UseZGC"}, {"23.0.1", "-XX:+UseZGC -XX:-ZGenerational"},
                {"25.0.3", "-XX:+UseShenandoahGC"}, {"21.0.5", "-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC"}};
        for (String[] run : outside) {
            SyntheticJmh json = new SyntheticJmh(run[0], run[1].split(" "));
            json.row(c + "promoted", "avgt", "", tight(300)).secondary("gcNanosPerOp", "ns/op", tight(30));
            json.row(c + "dieYoung", "avgt", "", tight(100)).secondary("gcNanosPerOp", "ns/op", tight(3));
            ClaimChecker.Verdict v = only(json);
            assertEquals(ClaimChecker.NOT_MEASURED, v.status(), String.join(" ", run));
            assertTrue(v.reason().startsWith("outside the claim's scope (generational-gc)"), v.reason());
        }
        String[][] inside = {{"17.0.15", ""}, {"17.0.15", "-XX:+UseSerialGC"}, {"17.0.15", "-XX:+UseParallelGC"},
                {"21.0.5", "-XX:+UseZGC -XX:+ZGenerational"}, {"23.0.1", "-XX:+UseZGC"}, {"25.0.3", "-XX:+UseZGC"},
                {"25.0.3", "-XX:+UseZGC -XX:-ZGenerational"}, {"25.0.3", "-XX:+UseG1GC"}};
        for (String[] run : inside) {
            SyntheticJmh json = new SyntheticJmh(run[0], run[1].isEmpty() ? new String[0] : run[1].split(" "));
            json.row(c + "promoted", "avgt", "", tight(300)).secondary("gcNanosPerOp", "ns/op", tight(30));
            json.row(c + "dieYoung", "avgt", "", tight(100)).secondary("gcNanosPerOp", "ns/op", tight(3));
            ClaimChecker.Verdict v = only(json);
            assertEquals(ClaimChecker.CONFIRMED, v.status(), String.join(" ", run) + ": " + v.reason());
        }
        assertNull(RunScope.whyNotGenerational("25.0.3",
                List.of("-XX:+UseShenandoahGC", "-XX:ShenandoahGCMode=generational")));
        assertNull(RunScope.whyNotGenerational("17.0.15", List.of("-XX:+UseParallelGC",
                "-XX:+UseMaximumCompactionOnSystemGC")), "not a collector flag");
    }

    @Test
    void anUnknownScopeIsAMalformedClaim() {
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        json.row(PKG + "UnknownScope.slow", "avgt", "", tight(200));
        json.row(PKG + "UnknownScope.fast", "avgt", "", tight(100));
        List<String> warnings = new ArrayList<>();
        assertEquals(List.of(), verdicts(json, warnings));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("unknown requires \"quantum-gc\""), warnings.get(0));
    }

    @Test
    void percentilesOfOneForkOrWithoutHistogramsHaveNoVerdict() {
        String c = PKG + "Latency.";
        SyntheticJmh oneFork = new SyntheticJmh("17.0.15");
        oneFork.row(c + "unpooled", "sample", "", SyntheticJmh.around(150, 1, 2, 0.01))
                .histogram(histogram(1, 100, 1000));
        oneFork.row(c + "pooled", "sample", "", SyntheticJmh.around(60, 1, 2, 0.01)).histogram(histogram(1, 50, 200));
        ClaimChecker.Verdict v = only(oneFork);
        assertEquals(ClaimChecker.INCONCLUSIVE, v.status(), v.reason());
        assertTrue(v.reason().contains("1 fork"), v.reason());

        SyntheticJmh noHistogram = new SyntheticJmh("17.0.15");
        noHistogram.row(c + "unpooled", "sample", "", tight(150));
        noHistogram.row(c + "pooled", "sample", "", tight(60));
        ClaimChecker.Verdict n = only(noHistogram);
        assertEquals(ClaimChecker.INCONCLUSIVE, n.status(), n.reason());
        assertTrue(n.reason().contains("no rawDataHistogram"), n.reason());
    }

    @Test
    void percentileIntervalsComeFromEachIterationsPercentile() {
        String c = PKG + "Latency.";
        SyntheticJmh json = new SyntheticJmh("17.0.15");
        // p99 of each iteration: unpooled 1000, 1100 / 900, 1000; pooled 200 everywhere.
        double[][][][] unpooled = {
                {{{100, 980}, {1000, 20}}, {{100, 980}, {1100, 20}}},
                {{{100, 980}, {900, 20}}, {{100, 980}, {1000, 20}}}};
        json.row(c + "unpooled", "sample", "", tight(150)).histogram(unpooled);
        json.row(c + "pooled", "sample", "", tight(60)).histogram(histogram(2, 50, 200));
        ClaimChecker.Verdict v = only(json);
        assertEquals(ClaimChecker.CONFIRMED, v.status(), v.reason());
        assertEquals(1000 / 200.0, v.measured().value(), 1e-9, "mean of the per-iteration p99s, over pooled's");
        assertTrue(v.measured().low() < 5 && v.measured().high() > 5 && v.measured().low() >= 2, v.measured().toString());
    }
}
