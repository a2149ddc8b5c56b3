package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

/**
 * A simulated coverage is held to the intervals' nominal level, within the simulation's own error: with n intervals
 * of true coverage 95 %, the share covered has a standard error of {@code √(0.95 · 0.05 / n)}, so a share below
 * {@code 0.95 − 3 SE} says the intervals cover less than they claim (a correct method falls there about once in 740
 * cells). A fixed floor such as 90 % would let a method that covers 91 % pass as a 95 % interval.
 */
final class NominalLevel {

    static final double NOMINAL = Intervals.LEVEL;

    private NominalLevel() {
    }

    /** The least share that is consistent with the nominal level for n simulated intervals. */
    static double floor(int n) {
        return NOMINAL - 3 * Math.sqrt(NOMINAL * (1 - NOMINAL) / n);
    }

    static void assertCovers(double share, int n, String what) {
        assertTrue(share >= floor(n), String.format(Locale.ROOT, "%s: %.1f %% of %d intervals covered, below the"
                + " nominal %.0f %% less 3 simulation SE (%.1f %%)", what, share * 100, n, NOMINAL * 100,
                floor(n) * 100));
    }
}
