package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChartsTest {

    @Test
    void coordinatesKeepTwoDecimals() {
        assertEquals("0", Charts.twoDecimals(0));
        assertEquals("12", Charts.twoDecimals(12.001));
        assertEquals("12.5", Charts.twoDecimals(12.5));
        assertEquals("12.05", Charts.twoDecimals(12.049));
        assertEquals("-0.05", Charts.twoDecimals(-0.05));
        assertEquals("-1.5", Charts.twoDecimals(-1.5));
        assertEquals("760", Charts.twoDecimals(760.0));
    }

    @Test
    void chartsAreDeterministicAndCarryNoTimeBasedIds() {
        List<String> categories = List.of("slow n=20", "fast n=20");
        String first = Charts.lessonChart("lesson-x", "X", categories, new double[] {1000, 10}, new double[] {50, Double.NaN},
                "ns/op");
        String second = Charts.lessonChart("lesson-x", "X", categories, new double[] {1000, 10}, new double[] {50, Double.NaN},
                "ns/op");
        assertEquals(first, second);
        assertTrue(first.contains("(log scale)"), "1000 vs 10 is more than 20x apart");
        assertTrue(first.contains("id='lesson-x-clip-0'"), first.substring(0, 400));
        assertFalse(first.contains("NaN") || first.contains("Infinity"));
        String linear = Charts.lessonChart("l", "X", categories, new double[] {100, 50}, new double[] {5, 5}, "ns/op");
        assertFalse(linear.contains("(log scale)"));
        String ratios = Charts.comparisonChart("c", "a vs b", categories, new double[] {1.1, 0.5},
                new double[] {1.0, 0.4}, new double[] {1.2, Double.NaN});
        assertFalse(ratios.contains("NaN") || ratios.contains("Infinity"));
    }
}
