package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** About 4 significant digits everywhere, and never hundreds of digits. */
class FmtTest {

    @Test
    void valuesKeepAboutFourSignificantDigits() {
        assertEquals("8.226", Fmt.value(8.225981901391654));
        assertEquals("524.2", Fmt.value(524.2));
        assertEquals("1235", Fmt.value(1234.5));
        assertEquals("12350", Fmt.value(12345.678));
        assertEquals("2231000", Fmt.value(2230980.25));
        assertEquals("123500000", Fmt.value(123456789));
        assertEquals("-1235", Fmt.value(-1234.5));
        assertEquals("1.700e+308", Fmt.value(1.7e308));
        assertEquals("+inf", Fmt.value(Double.POSITIVE_INFINITY));
    }

    @Test
    void factorsOfAHundredOrMoreKeepAboutFourDigits() {
        assertEquals("412", Fmt.factor(412.3));
        assertEquals("5686", Fmt.factor(5685.81));
        assertEquals("79090", Fmt.factor(79086.3));
        assertEquals("275400", Fmt.factor(275412.9));
        assertEquals("1.000e+300", Fmt.factor(1e300));
        assertEquals("3.10", Fmt.factor(3.1));
    }

    @Test
    void csvKeepsPlainDigitsForMeasurementsAndAnExponentBeyond() {
        assertEquals("5685.81", Fmt.csv(5685.8123));
        assertEquals("0.000000001", Fmt.csv(1e-9));
        assertEquals("1.7E+308", Fmt.csv(1.7e308));
        assertEquals("1E-300", Fmt.csv(1e-300));
        assertEquals("", Fmt.csv(Double.NaN));
    }

    /** Fmt.fixed is String.format's "%.Nf" without a Formatter: the same bytes, ties and negative zeros included. */
    @Test
    void fixedIsStringFormatByteForByte() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double x = switch (i % 4) {
                case 0 -> Math.exp(random.nextDouble(-8, 22)) * (random.nextBoolean() ? 1 : -1);
                case 1 -> Math.round(random.nextDouble(0, 100000)) / 1000.0 + (random.nextInt(3) - 1) * 0.0005;
                case 2 -> random.nextInt(100000) / 200.0; // ties at the third decimal
                default -> random.nextDouble(-0.01, 0.01);
            };
            for (int d = 0; d <= 4; d++) {
                org.junit.jupiter.api.Assertions.assertEquals(String.format(java.util.Locale.ROOT, "%." + d + "f", x),
                        Fmt.fixed(x, d), x + " at " + d + " decimals");
            }
        }
        for (double x : new double[] {-0.0, 0.0, 1.005, 2.675, 0.125, -0.004, 1e-3, 999.95, 99.995}) {
            for (int d = 0; d <= 4; d++) {
                org.junit.jupiter.api.Assertions.assertEquals(String.format(java.util.Locale.ROOT, "%." + d + "f", x),
                        Fmt.fixed(x, d), x + " at " + d + " decimals");
            }
        }
    }
}
