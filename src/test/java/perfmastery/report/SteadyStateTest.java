package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class SteadyStateTest {

    @Test
    void kendallsExactDistributionOfThreeValuesIsOneTwoTwoOneSixths() {
        double[] d = SteadyState.kendall(3);
        assertEquals(7, d.length);
        assertEquals(1 / 6.0, d[0], 1e-12);
        assertEquals(2 / 6.0, d[2], 1e-12);
        assertEquals(2 / 6.0, d[4], 1e-12);
        assertEquals(1 / 6.0, d[6], 1e-12);
    }

    @Test
    void threeForksRisingEveryIterationAreFlaggedAndMixedOrdersAreNot() {
        SteadyState.Trend rising = SteadyState.of(new double[][] {{1, 2, 3}, {5, 6, 7}, {2, 2.5, 2.6}});
        assertEquals(9, rising.s());
        assertEquals(2 / 216.0, rising.p(), 1e-12, "the smallest p with 3 forks of 3: 2 · 6⁻³");
        assertTrue(rising.flagged());
        SteadyState.Trend mixed = SteadyState.of(new double[][] {{1, 2, 3}, {7, 6, 5}, {2, 3, 1}});
        assertFalse(mixed.flagged());
        assertEquals(null, SteadyState.of(new double[][] {{1}, {2}}));
    }

    /** The test's false-flag rate on steady rows and its power on a warm-up trend, 3 forks x 3 iterations. */
    @Test
    void itsFalseFlagRateStaysAtItsLevelAndItsPowerIsPrinted() {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(6L);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        int trials = 20_000;
        StringBuilder out = new StringBuilder("[steady state] 3 forks x 3 iterations, trend per iteration in noise SDs:");
        double falseRate = 0;
        for (double trend : new double[] {0, 1, 2, 4}) {
            int flagged = 0;
            for (int t = 0; t < trials; t++) {
                double[][] forks = new double[3][3];
                for (int f = 0; f < 3; f++) {
                    double fork = 3 * gauss.sample();
                    for (int i = 0; i < 3; i++) {
                        forks[f][i] = 100 + fork - trend * i + gauss.sample();
                    }
                }
                flagged += SteadyState.of(forks).flagged() ? 1 : 0;
            }
            double rate = (double) flagged / trials;
            if (trend == 0) {
                falseRate = rate;
            }
            out.append(String.format(Locale.ROOT, " %.0f SD: %.1f %%;", trend, rate * 100));
        }
        System.out.println(out);
        assertTrue(falseRate <= SteadyState.LEVEL + 0.002, "false flags on steady rows: " + falseRate);
    }
}
