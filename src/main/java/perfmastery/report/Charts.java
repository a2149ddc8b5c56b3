package perfmastery.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.ArrayList;
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
    /**
     * Scores beyond this (or not finite) are left out of charts: no JMH measurement comes near it (a day per
     * operation is 8.64e13 ns), and one such bar stretches a log axis over hundreds of decades.
     */
    static final double PLOTTABLE_LIMIT = 1e100;
    /** A log axis spans at most this many decades; bars below its floor are cut, and its label says so. */
    static final int MAX_DECADES = 24;
    /** A log axis has about this many tick labels at most, so that they never overlap. */
    private static final int MAX_TICKS = 8;
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
    static String lessonChart(String id, String title, List<String> allCategories, double[] allScores,
                              double[] allErrors, String axisLabel) {
        // Rows no chart can draw (non-finite or absurd scores) are left out; the reader warned about them.
        List<String> categories = new ArrayList<>();
        List<Double> kept = new ArrayList<>();
        List<Double> keptErrors = new ArrayList<>();
        for (int i = 0; i < allCategories.size(); i++) {
            if (plottable(allScores[i])) {
                categories.add(allCategories.get(i));
                kept.add(allScores[i]);
                keptErrors.add(plottable(allErrors[i]) ? Math.abs(allErrors[i]) : 0.0);
            }
        }
        categories = unique(categories);
        double[] scores = kept.stream().mapToDouble(Double::doubleValue).toArray();
        double[] errors = keptErrors.stream().mapToDouble(Double::doubleValue).toArray();
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        double minPositive = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < categories.size(); i++) {
            bars.addValue(scores[i], "score", categories.get(i));
            if (scores[i] > 0) {
                minPositive = Math.min(minPositive, scores[i]);
                // A whisker reaching far beyond its bar does not stretch the axis: it runs off the plot instead.
                max = Math.max(max, Math.min(scores[i] + errors[i], scores[i] * 10));
            }
        }
        boolean log = minPositive < Double.POSITIVE_INFINITY && max / minPositive > LOG_SCALE_SPREAD;
        double axisLow = 0;
        ValueAxis range;
        if (log) {
            int top = (int) Math.ceil(Math.log10(max) + Math.log10(1.2));
            int bottom = (int) Math.floor(Math.log10(minPositive) - Math.log10(1.5));
            boolean cut = top - bottom > MAX_DECADES;
            bottom = Math.max(bottom, top - MAX_DECADES);
            axisLow = Math.pow(10, bottom);
            LogAxis logAxis = new LogAxis(axisLabel + (cut ? " (log scale, cut at " + tickText(axisLow) + ")"
                    : " (log scale)"));
            logAxis.setRange(axisLow, Math.pow(10, top));
            logAxis.setTickUnit(new NumberTickUnit(decadesPerTick(top - bottom)));
            logAxis.setNumberFormatOverride(new TickFormat());
            range = logAxis;
        } else {
            NumberAxis linear = new NumberAxis(axisLabel);
            linear.setAutoRangeIncludesZero(true);
            linear.setNumberFormatOverride(new TickFormat());
            range = linear;
        }
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        for (int i = 0; i < categories.size(); i++) {
            double low = scores[i] - errors[i];
            starts[0][i] = log ? Math.max(low, axisLow) : Math.max(low, 0);
            ends[0][i] = scores[i] + errors[i];
        }
        DefaultIntervalCategoryDataset whiskers = new DefaultIntervalCategoryDataset(
                new Comparable<?>[] {"99.9 % interval"}, categories.toArray(new Comparable<?>[0]), starts, ends);
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
        // The width is a share of the category axis: keep the whisker about 2 px thick at any chart height.
        whiskerRenderer.setMaximumBarWidth(2.0 / plotHeight(categories.size()));
        whiskerRenderer.setMinimumBarLength(1);
        CategoryPlot plot = plot(bars, range, barRenderer);
        plot.setDataset(1, whiskers);
        plot.setRenderer(1, whiskerRenderer);
        return draw(id, title, plot, categories.size());
    }

    /** Finite and within {@link #PLOTTABLE_LIMIT}. */
    static boolean plottable(double value) {
        return Double.isFinite(value) && Math.abs(value) < PLOTTABLE_LIMIT;
    }

    /** Whole decades per tick, so that a log axis over {@code decades} has at most {@link #MAX_TICKS} labels. */
    static int decadesPerTick(int decades) {
        return Math.max(1, (int) Math.ceil(decades / (double) MAX_TICKS));
    }

    /** Category labels made unique (a dataset keeps one value per label): a repeat gets " (2)", " (3)". */
    static List<String> unique(List<String> labels) {
        List<String> out = new ArrayList<>(labels.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String label : labels) {
            String l = label;
            for (int n = 2; !seen.add(l); n++) {
                l = label + " (" + n + ")";
            }
            out.add(l);
        }
        return out;
    }

    /** Ratios (above 1: the later run is better) as points with their 95 % interval, around a line at 1. */
    static String comparisonChart(String id, String title, List<String> allCategories, double[] allRatios,
                                  double[] allLows, double[] allHighs) {
        // A ratio no axis can hold (non-finite, zero, or beyond any measurement) is left out; its table row stays.
        List<String> categories = new ArrayList<>();
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < allCategories.size(); i++) {
            if (plottable(allRatios[i]) && allRatios[i] > 1 / PLOTTABLE_LIMIT) {
                categories.add(allCategories.get(i));
                double low = plottable(allLows[i]) && allLows[i] > 0 ? allLows[i] : allRatios[i];
                double high = plottable(allHighs[i]) ? allHighs[i] : allRatios[i];
                kept.add(new double[] {allRatios[i], low, high});
            }
        }
        categories = unique(categories);
        DefaultCategoryDataset points = new DefaultCategoryDataset();
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        double min = 1;
        double max = 1;
        for (int i = 0; i < categories.size(); i++) {
            double[] p = kept.get(i);
            points.addValue(p[0], "ratio", categories.get(i));
            starts[0][i] = p[1];
            ends[0][i] = p[2];
            min = Math.min(min, p[1]);
            max = Math.max(max, p[2]);
        }
        DefaultIntervalCategoryDataset intervals = new DefaultIntervalCategoryDataset(
                new Comparable<?>[] {"95 % interval"}, categories.toArray(new Comparable<?>[0]), starts, ends);
        ValueAxis range;
        if (max / min > LOG_SCALE_SPREAD) {
            double top = Math.log10(max) + Math.log10(1.2);
            double bottom = Math.max(Math.log10(min) - Math.log10(1.2), top - MAX_DECADES);
            boolean cut = bottom > Math.log10(min) - Math.log10(1.2);
            LogAxis logAxis = new LogAxis("ratio, above 1: the later run is better (log scale"
                    + (cut ? ", cut at " + tickText(Math.pow(10, bottom)) : "") + ")");
            logAxis.setRange(Math.pow(10, bottom), Math.pow(10, top));
            // Ticks at powers of 2 (0.5, 1, 2, 4) while that gives a handful of them, else whole decades.
            logAxis.setTickUnit(new NumberTickUnit(max / min <= 256 ? Math.log10(2)
                    : decadesPerTick((int) Math.ceil(top - bottom))));
            logAxis.setNumberFormatOverride(new TickFormat());
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
        intervalRenderer.setMaximumBarWidth(Math.min(0.02, 6.0 / plotHeight(categories.size())));
        intervalRenderer.setMinimumBarLength(1);
        CategoryPlot plot = plot(intervals, range, intervalRenderer);
        plot.setDataset(1, points);
        plot.setRenderer(1, pointRenderer);
        ValueMarker one = new ValueMarker(1.0, Color.GRAY, new BasicStroke(1f));
        plot.addRangeMarker(one);
        return draw(id, title, plot, categories.size());
    }

    /**
     * Tick labels: plain numbers from 0.0001 to below a million ("0.5", "1,000"), powers of ten beyond
     * ("1e9", "1e-12"), so that labels on an axis over many decades stay short. One per axis: charts are
     * drawn in parallel, and a NumberFormat is not safe to share between threads.
     */
    static String tickText(double value) {
        return new TickFormat().format(value);
    }

    private static final class TickFormat extends java.text.NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double number, StringBuffer to, java.text.FieldPosition pos) {
            double a = Math.abs(number);
            if (a == 0 || (a >= 1e-4 && a < 1e6)) {
                return to.append(new java.text.DecimalFormat("#,##0.####",
                        java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)).format(number));
            }
            return to.append(new java.text.DecimalFormat("0.##E0",
                    java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)).format(number).replace("E", "e"));
        }

        @Override
        public StringBuffer format(long number, StringBuffer to, java.text.FieldPosition pos) {
            return format((double) number, to, pos);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException("tick labels are only written");
        }
    }

    private static int plotHeight(int categories) {
        return Math.max(40, height(categories) - 90);
    }

    private static int height(int categories) {
        return 90 + 24 * Math.max(categories, 2);
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
        int height = height(categories);
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
