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
}
