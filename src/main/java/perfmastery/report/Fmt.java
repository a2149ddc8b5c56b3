package perfmastery.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Number formatting for the report: fixed locale, so the same input gives the same bytes. */
final class Fmt {

    private Fmt() {
    }

    /** A measured value, about 4 significant digits, no exponent for everyday magnitudes. */
    static String value(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+inf" : "-inf";
        }
        double a = Math.abs(x);
        if (a == 0) {
            return "0";
        }
        if (a >= 1e9 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", x);
        }
        if (a >= 1000) {
            return significant(x, 4);
        }
        if (a >= 100) {
            return fixed(x, 1);
        }
        if (a >= 10) {
            return fixed(x, 2);
        }
        if (a >= 1) {
            return fixed(x, 3);
        }
        return fixed(x, 4);
    }

    /** A ratio or factor: 3 to 4 significant digits (412, 3.10, 1.02, 79090, 1.235e+12). */
    static String factor(double x) {
        if (!Double.isFinite(x)) {
            return value(x);
        }
        double a = Math.abs(x);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.3e", x);
        }
        if (a >= 1000) {
            return significant(x, 4);
        }
        if (a >= 100) {
            return fixed(x, 0);
        }
        if (a >= 10) {
            return fixed(x, 1);
        }
        if (a >= 0.01 || a == 0) {
            return fixed(x, 2);
        }
        return String.format(Locale.ROOT, "%.2e", x);
    }

    /**
     * {@code String.format(Locale.ROOT, "%.Nf", x)}, byte for byte (half-up on the shortest decimal of x, a minus
     * kept on a negative value that rounds to 0) without a Formatter per call: the report formats every cell.
     */
    static String fixed(double x, int decimals) {
        String s = new BigDecimal(Double.toString(x)).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString();
        return (x < 0 || (x == 0 && 1 / x < 0)) && s.charAt(0) != '-' ? "-" + s : s;
    }

    /** A whole number (|x| at least 1000) rounded to {@code digits} significant digits: 123456 to "123500". */
    private static String significant(double x, int digits) {
        return new BigDecimal(x).round(new MathContext(digits)).setScale(0, java.math.RoundingMode.HALF_EVEN)
                .toPlainString();
    }

    /** For CSV: 6 significant digits, plain notation from 1e-9 to 1e15, empty when not a number. */
    static String csv(double x) {
        if (Double.isNaN(x)) {
            return "";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Infinity" : "-Infinity";
        }
        BigDecimal rounded = new BigDecimal(x).round(new MathContext(6)).stripTrailingZeros();
        double a = Math.abs(x);
        // Plain digits for every measurement; an exponent ("1.7E+308") rather than hundreds of digits beyond.
        return a != 0 && (a >= 1e15 || a < 1e-9) ? rounded.toString() : rounded.toPlainString();
    }

    /** score ± error. */
    static String scoreError(double score, double error) {
        return Double.isFinite(error) ? value(score) + " ± " + value(error) : value(score) + " ± n/a";
    }

    /** "low to high", or "n/a". */
    static String interval(Estimate e) {
        if (e == null || !e.hasInterval()) {
            return "n/a";
        }
        return factor(e.low()) + " to " + factor(e.high());
    }
}
