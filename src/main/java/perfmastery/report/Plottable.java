package perfmastery.report;

/**
 * Which scores a chart can show. Kept apart from {@link Charts}, whose class initialisation loads Java2D's fonts
 * and JFreeChart: reading a JSON file checks every score, and should not pay for drawing on the main thread.
 */
final class Plottable {

    /**
     * Scores beyond this (or not finite) are left out of charts: no JMH measurement comes near it (a day per
     * operation is 8.64e13 ns), and one such bar stretches a log axis over hundreds of decades.
     */
    static final double LIMIT = 1e100;

    private Plottable() {
    }

    /** Finite and within {@link #LIMIT}. */
    static boolean value(double value) {
        return Double.isFinite(value) && Math.abs(value) < LIMIT;
    }
}
