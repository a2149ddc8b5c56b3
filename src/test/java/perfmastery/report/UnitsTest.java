package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void timeUnitsConvertIntoEachOther() {
        assertEquals(1e-3, Units.factor("ns/op", "us/op"), 1e-18);
        assertEquals(1e9, Units.factor("s/op", "ns/op"), 1e-6);
        assertEquals(60, Units.factor("min/op", "s/op"), 1e-12);
        assertEquals(1, Units.factor("\u00b5s/op", "us/op"), 0);
        assertEquals(1, Units.factor("ms/op", "ms/op"), 0);
    }

    @Test
    void throughputUnitsConvertIntoEachOther() {
        assertEquals(1000, Units.factor("ops/ms", "ops/s"), 1e-9);
        assertEquals(60, Units.factor("ops/s", "ops/min"), 1e-12);
        assertEquals(1e-9, Units.factor("ops/s", "ops/ns"), 1e-21);
        assertEquals(86400, Units.factor("ops/s", "ops/day"), 1e-6);
    }

    @Test
    void nothingElseConverts() {
        for (String[] pair : new String[][] {{"ops/s", "ns/op"}, {"ns/op", "ops/s"}, {"B/op", "ns/op"},
                {"B/op", "KB/op"}, {"#", "#/op"}, {"MB/sec", "MB/s"}, {"", "ns/op"}, {"ops/parsec", "ops/s"}}) {
            assertTrue(Double.isNaN(Units.factor(pair[0], pair[1])), pair[0] + " -> " + pair[1]);
            assertTrue(!Units.convertible(pair[0], pair[1]));
        }
        assertEquals(1, Units.factor("B/op", "B/op"), 0, "a unit equals itself");
    }

    @Test
    void convertingAMetricScalesEveryFigureItHolds() {
        TreeMap<Double, Double> percentiles = new TreeMap<>();
        percentiles.put(50.0, 2000.0);
        TreeMap<Double, Long> histogram = new TreeMap<>();
        histogram.put(1000.0, 3L);
        histogram.put(3000.0, 1L);
        Metric ns = new Metric(Metric.PRIMARY, 1500, 100, "ns/op", new double[][] {{1000, 2000}, {1500}},
                percentiles, histogram);
        Metric us = Units.convert(ns, "us/op");
        assertEquals("us/op", us.unit());
        assertEquals(1.5, us.score(), 1e-12);
        assertEquals(0.1, us.scoreError(), 1e-12);
        assertArrayEquals(new double[] {1, 2}, us.forks()[0], 1e-12);
        assertArrayEquals(new double[] {1.5}, us.forks()[1], 1e-12);
        assertEquals(2.0, us.percentile(50), 1e-12);
        assertEquals(3.0, us.histogram().lastKey(), 1e-12);
        assertArrayEquals(new double[] {1000, 2000}, ns.forks()[0], 0, "the original is left alone");
        assertSame(ns, Units.convert(ns, "ns/op"));
        assertNull(Units.convert(ns, "ops/s"));
    }

    @Test
    void pairTextSaysBothUnitsWhenTheyDiffer() {
        assertEquals("ns/op", Units.pairText("ns/op", "ns/op"));
        assertEquals("ops/ms (b: ops/s, converted)", Units.pairText("ops/ms", "ops/s"));
        assertEquals("ns/op vs ops/s (do not convert)", Units.pairText("ns/op", "ops/s"));
    }
}
