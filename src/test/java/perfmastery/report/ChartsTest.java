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

    /** Labels of space-separated tokens. */
    static List<List<String>> labels(String... labels) {
        return java.util.Arrays.stream(labels).map(l -> List.of(l.split(" "))).toList();
    }

    /** A lesson chart with whiskers of score ± error (none where the error is NaN). */
    static String lessonChart(String id, String title, List<String> categories, double[] scores, double[] errors,
                              String unit) {
        double[] lows = new double[scores.length];
        double[] highs = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            lows[i] = scores[i] - errors[i];
            highs[i] = scores[i] + errors[i];
        }
        return Charts.lessonChart(id, title, categories.stream().map(l -> List.of(l.split(" "))).toList(), scores,
                lows, highs, unit);
    }

    static String comparisonChart(String id, String title, List<String> categories, double[] ratios, double[] lows,
                                  double[] highs) {
        return Charts.comparisonChart(id, title, categories.stream().map(l -> List.of(l.split(" "))).toList(), ratios,
                lows, highs);
    }

    @Test
    void chartsAreDeterministicAndCarryNoTimeBasedIds() {
        List<String> categories = List.of("slow n=20", "fast n=20");
        String first = lessonChart("lesson-x", "X", categories, new double[] {1000, 10}, new double[] {50, Double.NaN},
                "ns/op");
        String second = lessonChart("lesson-x", "X", categories, new double[] {1000, 10}, new double[] {50, Double.NaN},
                "ns/op");
        assertEquals(first, second);
        assertTrue(first.contains("(log scale)"), "1000 vs 10 is more than 20x apart");
        assertTrue(first.contains("id='lesson-x-clip-0'"), first.substring(0, 400));
        assertFalse(first.contains("NaN") || first.contains("Infinity"));
        String linear = lessonChart("l", "X", categories, new double[] {100, 50}, new double[] {5, 5}, "ns/op");
        assertFalse(linear.contains("(log scale)"));
        String ratios = comparisonChart("c", "a vs b", categories, new double[] {1.1, 0.5},
                new double[] {1.0, 0.4}, new double[] {1.2, Double.NaN});
        assertFalse(ratios.contains("NaN") || ratios.contains("Infinity"));
    }

    /** The tick labels of a chart's SVG, in drawing order. */
    static java.util.List<String> texts(String svg) {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aLogAxisOverManyDecadesHasFewShortTickLabels() {
        // 1 ps/op to 1000 s/op in ns: 15 decades. One tick per decade overlapped and printed 1,000,000,000,000.
        String svg = lessonChart("wide", "Wide", List.of("a", "b", "c"), new double[] {1e-3, 1, 1e12},
                new double[] {0, 0, 0}, "ns/op");
        // A log axis's tick labels are attributed strings, which JFreeSVG draws as glyph outlines, one group each.
        int labels = svg.split("<g style='fill:rgb\\(0,0,0\\);stroke:none'", -1).length - 1;
        assertTrue(labels >= 3 && labels <= 9, labels + " tick labels");
        assertEquals(2, Charts.decadesPerTick(15));
        assertEquals(1, Charts.decadesPerTick(3));
        assertEquals("1e12", Charts.tickText(1e12));
        assertEquals("1e-12", Charts.tickText(1e-12));
        assertEquals("100,000", Charts.tickText(1e5));
        assertEquals("0.5", Charts.tickText(0.5));
        assertEquals("0.0001", Charts.tickText(1e-4));
    }

    @Test
    void aLogAxisIsCutAtTwentyFourDecadesAndNeverRunsToInfinity() {
        String svg = lessonChart("cut", "Cut", List.of("tiny", "big", "inf", "huge"),
                new double[] {1e-30, 1e50, Double.POSITIVE_INFINITY, 1.7e308}, new double[] {0, 1.7e308, 0, 0}, "x");
        // An error of 1.7e308 is no figure (no whisker): the top is 1e50, rounded up to 1e51, the floor 24 decades below.
        assertTrue(svg.contains("(log scale, cut at 1e27)"), texts(svg).toString());
        assertFalse(svg.contains(">inf<") || svg.contains(">huge<"), "left out: " + texts(svg));
        assertFalse(svg.contains("NaN") || svg.contains("Infinity"));
        String ratios = comparisonChart("r", "r", List.of("a", "b", "c", "d"),
                new double[] {1e-50, 1e50, Double.POSITIVE_INFINITY, 0}, new double[] {1e-51, 1e49, 1, 0},
                new double[] {1e-49, Double.POSITIVE_INFINITY, 2, 0});
        assertTrue(ratios.contains("cut at"), texts(ratios).toString());
        assertFalse(ratios.contains(">c<") || ratios.contains(">d<"), texts(ratios).toString());
    }

    @Test
    void repeatedCategoryLabelsAreKeptApart() {
        assertEquals(List.of("a", "a (2)", "b", "a (3)"), Charts.unique(List.of("a", "a", "b", "a")));
    }
}
