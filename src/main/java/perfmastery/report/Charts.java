package perfmastery.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.IntervalBarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.category.DefaultIntervalCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * Draws the report's charts with JFreeChart into SVG with JFreeSVG. Every text reaches the SVG through
 * JFreeSVG, which escapes it for XML. The output is deterministic: the defs prefix comes from the
 * chart's id (JFreeSVG's default is time-based) and nothing random is drawn.
 */
final class Charts {

    /** Bars that differ by more than this factor get a log scale. */
    static final double LOG_SCALE_SPREAD = 20;
    private static final int WIDTH = 760;
    private static final Color BAR = new Color(0x4C, 0x78, 0xA8);
    private static final Color WHISKER = new Color(0x22, 0x22, 0x22);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Variants as bars with their 99.9 % interval (JMH's score +- scoreError) as whiskers.
     *
     * @param errors NaN where JMH had no error (fewer than 3 samples)
     */
    static String lessonChart(String id, String title, List<String> categories, double[] scores, double[] errors,
                              String axisLabel) {
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        double minPositive = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < categories.size(); i++) {
            bars.addValue(scores[i], "score", categories.get(i));
            if (scores[i] > 0) {
                minPositive = Math.min(minPositive, scores[i]);
            }
            double top = scores[i] + (Double.isFinite(errors[i]) ? errors[i] : 0);
            max = Math.max(max, top);
        }
        boolean log = minPositive < Double.POSITIVE_INFINITY && max / minPositive > LOG_SCALE_SPREAD;
        double axisLow = log ? Math.pow(10, Math.floor(Math.log10(minPositive / 1.5))) : 0;
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        for (int i = 0; i < categories.size(); i++) {
            double e = Double.isFinite(errors[i]) ? errors[i] : 0;
            double low = scores[i] - e;
            starts[0][i] = log ? Math.max(low, axisLow) : Math.max(low, 0);
            ends[0][i] = scores[i] + e;
        }
        DefaultIntervalCategoryDataset whiskers = new DefaultIntervalCategoryDataset(
                new Comparable<?>[] {"99.9 % interval"}, categories.toArray(new Comparable<?>[0]), starts, ends);
        ValueAxis range;
        if (log) {
            LogAxis logAxis = new LogAxis(axisLabel + " (log scale)");
            logAxis.setRange(axisLow, Math.pow(10, Math.ceil(Math.log10(max * 1.2))));
            logAxis.setTickUnit(new NumberTickUnit(1));
            logAxis.setNumberFormatOverride(plainNumbers());
            range = logAxis;
        } else {
            NumberAxis linear = new NumberAxis(axisLabel);
            linear.setAutoRangeIncludesZero(true);
            range = linear;
        }
        BarRenderer barRenderer = new BarRenderer();
        barRenderer.setBarPainter(new StandardBarPainter());
        barRenderer.setShadowVisible(false);
        barRenderer.setSeriesPaint(0, BAR);
        barRenderer.setBase(axisLow);
        barRenderer.setMaximumBarWidth(0.6);
        IntervalBarRenderer whiskerRenderer = new IntervalBarRenderer();
        whiskerRenderer.setBarPainter(new StandardBarPainter());
        whiskerRenderer.setShadowVisible(false);
        whiskerRenderer.setSeriesPaint(0, WHISKER);
        whiskerRenderer.setMaximumBarWidth(0.004);
        whiskerRenderer.setMinimumBarLength(1);
        CategoryPlot plot = plot(bars, range, barRenderer);
        plot.setDataset(1, whiskers);
        plot.setRenderer(1, whiskerRenderer);
        return draw(id, title, plot, categories.size());
    }

    /** Ratios (above 1: the later run is better) as points with their 95 % interval, around a line at 1. */
    static String comparisonChart(String id, String title, List<String> categories, double[] ratios, double[] lows,
                                  double[] highs) {
        DefaultCategoryDataset points = new DefaultCategoryDataset();
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        double min = 1;
        double max = 1;
        for (int i = 0; i < categories.size(); i++) {
            points.addValue(finiteOrNull(ratios[i]), "ratio", categories.get(i));
            double low = Double.isFinite(lows[i]) && lows[i] > 0 ? lows[i] : ratios[i];
            double high = Double.isFinite(highs[i]) ? highs[i] : ratios[i];
            starts[0][i] = finiteOrNull(low);
            ends[0][i] = finiteOrNull(high);
            if (Double.isFinite(low) && low > 0) {
                min = Math.min(min, low);
            }
            if (Double.isFinite(high)) {
                max = Math.max(max, high);
            }
        }
        DefaultIntervalCategoryDataset intervals = new DefaultIntervalCategoryDataset(
                new Comparable<?>[] {"95 % interval"}, categories.toArray(new Comparable<?>[0]), starts, ends);
        ValueAxis range;
        if (max / min > LOG_SCALE_SPREAD) {
            LogAxis logAxis = new LogAxis("ratio, above 1: the later run is better (log scale)");
            logAxis.setRange(min / 1.2, max * 1.2);
            // Ticks at powers of 2 (0.5, 1, 2, 4) while that gives a handful of them, else decades.
            logAxis.setTickUnit(new NumberTickUnit(max / min <= 256 ? Math.log10(2) : 1));
            logAxis.setNumberFormatOverride(plainNumbers());
            range = logAxis;
        } else {
            NumberAxis linear = new NumberAxis("ratio, above 1: the later run is better");
            linear.setAutoRangeIncludesZero(false);
            double pad = Math.max(0.02, (max - min) * 0.08);
            linear.setRange(Math.max(0, min - pad), max + pad);
            range = linear;
        }
        LineAndShapeRenderer pointRenderer = new LineAndShapeRenderer(false, true);
        pointRenderer.setSeriesPaint(0, WHISKER);
        IntervalBarRenderer intervalRenderer = new IntervalBarRenderer();
        intervalRenderer.setBarPainter(new StandardBarPainter());
        intervalRenderer.setShadowVisible(false);
        intervalRenderer.setSeriesPaint(0, BAR);
        intervalRenderer.setMaximumBarWidth(0.02);
        intervalRenderer.setMinimumBarLength(1);
        CategoryPlot plot = plot(intervals, range, intervalRenderer);
        plot.setDataset(1, points);
        plot.setRenderer(1, pointRenderer);
        ValueMarker one = new ValueMarker(1.0, Color.GRAY, new BasicStroke(1f));
        plot.addRangeMarker(one);
        return draw(id, title, plot, categories.size());
    }

    private static java.text.NumberFormat plainNumbers() {
        return new java.text.DecimalFormat("#,##0.####", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static CategoryPlot plot(org.jfree.data.category.CategoryDataset dataset, ValueAxis range,
                                     org.jfree.chart.renderer.category.CategoryItemRenderer renderer) {
        CategoryAxis categories = new CategoryAxis();
        categories.setTickLabelFont(LABEL);
        categories.setMaximumCategoryLabelWidthRatio(0.45f);
        range.setTickLabelFont(LABEL);
        range.setLabelFont(LABEL);
        CategoryPlot plot = new CategoryPlot(dataset, categories, range, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    /** Set by a developer's visual check to see the charts as {@link JFreeChart}s; null otherwise. */
    static java.util.function.BiConsumer<JFreeChart, Integer> peek;

    private static String draw(String id, String title, CategoryPlot plot, int categories) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        int height = 90 + 24 * Math.max(categories, 2);
        if (peek != null) {
            peek.accept(chart, height);
        }
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, height);
        g2.setDefsKeyPrefix(safeId(id) + "-");
        g2.setGeomDoubleConverter(Charts::twoDecimals);
        g2.setTransformDoubleConverter(Charts::twoDecimals);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, height));
        // A viewBox lets the inlined chart scale down with the page without being cropped.
        return g2.getSVGElement(null, true, new org.jfree.svg.ViewBox(0, 0, WIDTH, height),
                org.jfree.svg.PreserveAspectRatio.XMID_YMID, org.jfree.svg.MeetOrSlice.MEET);
    }

    /** Coordinates to 1/100 pixel: smaller SVG than full double precision, and cheap to format. */
    static String twoDecimals(double value) {
        if (!Double.isFinite(value)) {
            return "0";
        }
        long hundredths = Math.round(value * 100);
        long whole = hundredths / 100;
        long fraction = Math.abs(hundredths % 100);
        String sign = hundredths < 0 && whole == 0 ? "-" : "";
        if (fraction == 0) {
            return sign + whole;
        }
        return sign + whole + (fraction < 10 ? ".0" : ".") + (fraction % 10 == 0 ? fraction / 10 : fraction);
    }

    /** A name safe for file names and XML ids. */
    static String safeId(String text) {
        String s = text.replaceAll("[^A-Za-z0-9._-]+", "-");
        return s.toLowerCase(Locale.ROOT);
    }
}
