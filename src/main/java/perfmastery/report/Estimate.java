package perfmastery.report;

/**
 * A figure (a mean, or a ratio of two means) with its 95 % interval, or without one and the reason.
 *
 * @param value the point figure: a mean of fork means, or the quotient of two
 * @param low   the interval's lower end; NaN when there is no interval
 * @param high  the interval's upper end; NaN when there is no interval
 * @param note  why there is no interval (e.g. "1 fork: ..."), or a caveat about it; empty otherwise
 */
record Estimate(double value, double low, double high, String note) {

    /** A figure with no interval, and why. */
    static Estimate point(double value, String why) {
        return new Estimate(value, Double.NaN, Double.NaN, why);
    }

    boolean hasInterval() {
        return !Double.isNaN(low) && !Double.isNaN(high);
    }
}
