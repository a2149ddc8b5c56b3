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
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleInsets;
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
    /** A log axis spans at most this many decades; bars below its floor are cut, and its label says so. */
    static final int MAX_DECADES = 24;
    /** A log axis has about this many tick labels at most, so that they never overlap. */
    private static final int MAX_TICKS = 8;
    /** A chart shows at most this many rows; a comparison the ones that changed most, a lesson its first ones. */
    static final int MAX_ROWS = 50;
    /** Width of every chart in pixels: it fits the report's page (1100 px) and scales down with it. */
    static final int WIDTH = 800;
    /** The label column is at most this wide; longer labels wrap and lose their middles ({@link ChartLabels}). */
    static final int MAX_LABEL_WIDTH = 300;
    /** Whiskers: a line with caps of this height, the same at any chart size. */
    static final int WHISKER_CAP = 8;
    private static final Color BAR = new Color(0x4C, 0x78, 0xA8);
    private static final Color WHISKER = new Color(0x22, 0x22, 0x22);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final java.awt.FontMetrics LABEL_METRICS = ChartLabels.metrics(LABEL);
    private static final int LINE_HEIGHT = LABEL_METRICS.getHeight();

    private Charts() {
    }

    /**
     * The variants as bars with their interval as whiskers, at most {@link #MAX_ROWS} of them (the first ones;
     * the subtitle says how many the lesson has).
     *
     * @param labels per row, the tokens of its label (taken apart and fitted by {@link ChartLabels})
     * @param lows   each interval's lower end; NaN where there is none (no whisker)
     * @param highs  each interval's upper end; NaN where there is none
     */
    static String lessonChart(String id, String title, List<List<String>> labels, double[] values, double[] lows,
                              double[] highs, String axisLabel) {
        // Rows no chart can draw (non-finite or absurd scores) are left out; the reader warned about them.
        List<Integer> drawable = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (Plottable.value(values[i])) {
                drawable.add(i);
            }
        }
        List<Integer> kept = drawable.size() > MAX_ROWS ? drawable.subList(0, MAX_ROWS) : drawable;
        String capped = drawable.size() > MAX_ROWS
                ? "the first " + MAX_ROWS + " of " + drawable.size() + " rows (all are in the tables)" : null;
        List<List<String>> tokens = new ArrayList<>();
        double[] scores = new double[kept.size()];
        double[] low = new double[kept.size()];
        double[] high = new double[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            int i = kept.get(k);
            tokens.add(labels.get(i));
            scores[k] = values[i];
            low[k] = Plottable.value(lows[i]) ? Math.min(lows[i], values[i]) : Double.NaN;
            high[k] = Plottable.value(highs[i]) ? Math.max(highs[i], values[i]) : Double.NaN;
        }
        ChartLabels.Result fitted = ChartLabels.compact(tokens, LABEL_METRICS, MAX_LABEL_WIDTH);
        List<String> categories = keys(fitted);
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        double minPositive = Double.POSITIVE_INFINITY;
        double max = 0;
        boolean negative = false;
        for (int i = 0; i < categories.size(); i++) {
            bars.addValue(scores[i], "score", categories.get(i));
            negative |= scores[i] < 0;
            if (scores[i] > 0) {
                minPositive = Math.min(minPositive, scores[i]);
                // A whisker reaching far beyond its bar does not stretch the axis: it runs off the plot instead.
                double top = Double.isNaN(high[i]) ? scores[i] : high[i];
                max = Math.max(max, Math.min(top, scores[i] * 10));
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
            if (!negative) {
                // From 0 to just past the top: autoRange would add a share of the axis as a blank margin.
                linear.setRange(0, max > 0 ? max * 1.08 : 1);
            }
            range = linear;
        }
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        for (int i = 0; i < categories.size(); i++) {
            if (Double.isNaN(low[i]) || Double.isNaN(high[i])) {
                continue; // no interval: no whisker
            }
            starts[0][i] = log ? Math.max(low[i], axisLow) : Math.max(low[i], 0);
            ends[0][i] = high[i];
        }
        DefaultIntervalCategoryDataset whiskers = new DefaultIntervalCategoryDataset(
                new Comparable<?>[] {"interval"}, categories.toArray(new Comparable<?>[0]), starts, ends);
        BarRenderer barRenderer = new BarRenderer();
        barRenderer.setBarPainter(new StandardBarPainter());
        barRenderer.setShadowVisible(false);
        barRenderer.setSeriesPaint(0, BAR);
        barRenderer.setBase(axisLow);
        barRenderer.setMaximumBarWidth(0.6);
        CategoryPlot plot = plot(bars, range, barRenderer);
        plot.setDataset(1, whiskers);
        plot.setRenderer(1, new WhiskerRenderer(WHISKER));
        return draw(id, title, plot, fitted, capped);
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

    /** The dataset's keys: the fitted labels on one line each (unique, as {@link ChartLabels} makes them). */
    private static List<String> keys(ChartLabels.Result fitted) {
        return unique(fitted.lines().stream().map(l -> String.join("\n", l)).toList());
    }

    /**
     * The indices of at most {@code max} ratios that lie farthest from 1 on the log scale, in their order; all of
     * them when there are no more than {@code max}. Ratios no chart can draw are never picked.
     */
    static List<Integer> mostChanged(double[] ratios, int max) {
        List<Integer> drawable = new ArrayList<>();
        for (int i = 0; i < ratios.length; i++) {
            if (Plottable.value(ratios[i]) && ratios[i] > 1 / Plottable.LIMIT) {
                drawable.add(i);
            }
        }
        if (drawable.size() <= max) {
            return drawable;
        }
        List<Integer> byChange = new ArrayList<>(drawable);
        // Farthest from 1 first; ties keep their order, so the choice is the same on every machine.
        byChange.sort(java.util.Comparator.comparingDouble((Integer i) -> -Math.abs(Math.log(ratios[i]))));
        List<Integer> picked = new ArrayList<>(byChange.subList(0, max));
        picked.sort(null);
        return picked;
    }

    /**
     * Ratios (above 1: the later run is better) as points with their 95 % interval, around a line at 1. With more
     * than {@link #MAX_ROWS} drawable rows, the {@link #MAX_ROWS} that changed most (farthest from 1), and the
     * subtitle says so.
     */
    static String comparisonChart(String id, String title, List<List<String>> labels, double[] allRatios,
                                  double[] allLows, double[] allHighs) {
        // A ratio no axis can hold (non-finite, zero, or beyond any measurement) is left out; its table row stays.
        List<Integer> drawable = mostChanged(allRatios, Integer.MAX_VALUE);
        List<Integer> kept = mostChanged(allRatios, MAX_ROWS);
        String capped = drawable.size() > MAX_ROWS ? "the " + MAX_ROWS + " of " + drawable.size()
                + " rows that changed most (all are in the table and comparison.csv)" : null;
        List<List<String>> tokens = new ArrayList<>();
        List<double[]> points = new ArrayList<>();
        for (int i : kept) {
            tokens.add(labels.get(i));
            double low = Plottable.value(allLows[i]) && allLows[i] > 0 ? allLows[i] : allRatios[i];
            double high = Plottable.value(allHighs[i]) ? allHighs[i] : allRatios[i];
            points.add(new double[] {allRatios[i], low, high});
        }
        ChartLabels.Result fitted = ChartLabels.compact(tokens, LABEL_METRICS, MAX_LABEL_WIDTH);
        List<String> categories = keys(fitted);
        DefaultCategoryDataset dots = new DefaultCategoryDataset();
        Number[][] starts = new Number[1][categories.size()];
        Number[][] ends = new Number[1][categories.size()];
        double min = 1;
        double max = 1;
        for (int i = 0; i < categories.size(); i++) {
            double[] p = points.get(i);
            dots.addValue(p[0], "ratio", categories.get(i));
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
            linear.setNumberFormatOverride(new TickFormat());
            double pad = Math.max(0.02, (max - min) * 0.08);
            linear.setRange(Math.max(0, min - pad), max + pad);
            range = linear;
        }
        LineAndShapeRenderer pointRenderer = new LineAndShapeRenderer(false, true);
        pointRenderer.setSeriesPaint(0, WHISKER);
        pointRenderer.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-3.5, -3.5, 7, 7));
        CategoryPlot plot = plot(intervals, range, new WhiskerRenderer(BAR));
        plot.setDataset(1, dots);
        plot.setRenderer(1, pointRenderer);
        ValueMarker one = new ValueMarker(1.0, Color.GRAY, new BasicStroke(1f));
        plot.addRangeMarker(one);
        return draw(id, title, plot, fitted, capped);
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

    private static CategoryPlot plot(org.jfree.data.category.CategoryDataset dataset, ValueAxis range,
                                     org.jfree.chart.renderer.category.CategoryItemRenderer renderer) {
        CategoryAxis categories = new CategoryAxis();
        // The labels are drawn by draw() itself, wrapped and fitted; the axis only places the rows.
        categories.setTickLabelsVisible(false);
        categories.setTickMarksVisible(false);
        range.setTickLabelFont(LABEL);
        range.setLabelFont(LABEL);
        CategoryPlot plot = new CategoryPlot(dataset, categories, range, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setInsets(new RectangleInsets(2, 2, 2, 2));
        return plot;
    }

    /** Set by a developer's visual check to see the charts as {@link JFreeChart}s; null otherwise. */
    static java.util.function.BiConsumer<JFreeChart, Integer> peek;

    /** Space above the rows: title, subtitle lines, the range axis's label and tick labels, paddings. */
    private static int overhead(int subtitleLines) {
        return 86 + subtitleLines * (LINE_HEIGHT + 2);
    }

    private static int rowHeight(int lines) {
        return Math.max(22, lines * LINE_HEIGHT + 8);
    }

    private static String draw(String id, String title, CategoryPlot plot, ChartLabels.Result labels,
                               String capped) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        // Room on the right for the last tick label, which is centred on the plot's edge ("100,000", "1e7").
        chart.setPadding(new RectangleInsets(6, 8, 6, 30));
        List<String> subtitle = new ArrayList<>();
        if (!labels.common().isEmpty()) {
            subtitle.add("all rows: " + labels.common());
        }
        if (capped != null) {
            subtitle.add("showing " + capped);
        }
        int subtitleLines = 0;
        for (String line : subtitle) {
            org.jfree.chart.title.TextTitle t = new org.jfree.chart.title.TextTitle(line, LABEL);
            chart.addSubtitle(t);
            subtitleLines += 1 + LABEL_METRICS.stringWidth(line) / (WIDTH - 60);
        }
        int labelWidth = 8;
        for (List<String> label : labels.lines()) {
            for (String line : label) {
                labelWidth = Math.max(labelWidth, LABEL_METRICS.stringWidth(line));
            }
        }
        // A little slack: a browser's sans-serif may run a few percent wider than the font measured here.
        labelWidth = Math.min(MAX_LABEL_WIDTH, labelWidth) + labelWidth / 20 + 10;
        org.jfree.chart.axis.AxisSpace space = new org.jfree.chart.axis.AxisSpace();
        space.setLeft(labelWidth);
        plot.setFixedDomainAxisSpace(space);
        int rows = Math.max(labels.lines().size(), 1);
        int row = rowHeight(labels.maxLines());
        int rowsHeight = rows * row;
        // The axis's margins are shares of its length: 4 px at either end whatever the number of rows.
        CategoryAxis axis = plot.getDomainAxis();
        double axisLength = rowsHeight + 8;
        axis.setLowerMargin(4 / axisLength);
        axis.setUpperMargin(4 / axisLength);
        axis.setCategoryMargin(0.15);
        int height = overhead(subtitleLines) + (int) axisLength;
        if (peek != null) {
            peek.accept(chart, height);
        }
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, height);
        g2.setDefsKeyPrefix(LessonNames.safeId(id) + "-");
        g2.setGeomDoubleConverter(Charts::twoDecimals);
        g2.setTransformDoubleConverter(Charts::twoDecimals);
        org.jfree.chart.ChartRenderingInfo info = new org.jfree.chart.ChartRenderingInfo(null);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, height), info);
        drawLabels(g2, plot, info.getPlotInfo().getDataArea(), labels);
        // A viewBox lets the inlined chart scale down with the page without being cropped.
        return g2.getSVGElement(null, true, new org.jfree.svg.ViewBox(0, 0, WIDTH, height),
                org.jfree.svg.PreserveAspectRatio.XMID_YMID, org.jfree.svg.MeetOrSlice.MEET);
    }

    /** Each row's label, right-aligned beside the plot and centred on its row, line by line. */
    private static void drawLabels(SVGGraphics2D g2, CategoryPlot plot, java.awt.geom.Rectangle2D dataArea,
                                   ChartLabels.Result labels) {
        g2.setFont(LABEL);
        g2.setPaint(Color.BLACK);
        // Right-aligned by the SVG itself: the browser's sans-serif need not be as wide as the font measured here.
        java.util.Map<String, String> group = new java.util.LinkedHashMap<>();
        group.put("text-anchor", "end");
        g2.setRenderingHint(org.jfree.svg.SVGHints.KEY_BEGIN_GROUP, group);
        int count = labels.lines().size();
        CategoryAxis axis = plot.getDomainAxis();
        for (int i = 0; i < count; i++) {
            List<String> lines = labels.lines().get(i);
            double middle = axis.getCategoryMiddle(i, count, dataArea, plot.getDomainAxisEdge());
            double top = middle - lines.size() * LINE_HEIGHT / 2.0 + LABEL_METRICS.getAscent();
            for (int l = 0; l < lines.size(); l++) {
                g2.drawString(lines.get(l), (float) (dataArea.getX() - 6), (float) (top + l * LINE_HEIGHT));
            }
        }
        g2.setRenderingHint(org.jfree.svg.SVGHints.KEY_END_GROUP, "labels");
    }

    /**
     * An interval as a line with a cap at either end, drawn at the middle of its row: the same few pixels thick
     * at any chart height (a bar renderer's width is a share of the axis, which made 12-19 px blocks on tall
     * charts). Rows without an interval (null start or end) get none.
     */
    static final class WhiskerRenderer extends org.jfree.chart.renderer.category.AbstractCategoryItemRenderer {
        private static final long serialVersionUID = 1L;
        private final Color color;

        WhiskerRenderer(Color color) {
            this.color = color;
        }

        @Override
        public org.jfree.data.Range findRangeBounds(org.jfree.data.category.CategoryDataset dataset) {
            return findRangeBounds(dataset, true);
        }

        @Override
        public void drawItem(java.awt.Graphics2D g2, org.jfree.chart.renderer.category.CategoryItemRendererState state,
                             java.awt.geom.Rectangle2D dataArea, CategoryPlot plot, CategoryAxis domainAxis,
                             ValueAxis rangeAxis, org.jfree.data.category.CategoryDataset dataset, int row, int column,
                             int pass) {
            if (!(dataset instanceof org.jfree.data.category.IntervalCategoryDataset intervals)) {
                return;
            }
            Number start = intervals.getStartValue(row, column);
            Number end = intervals.getEndValue(row, column);
            if (start == null || end == null) {
                return;
            }
            org.jfree.chart.ui.RectangleEdge rangeEdge = plot.getRangeAxisEdge();
            double lo = rangeAxis.valueToJava2D(start.doubleValue(), dataArea, rangeEdge);
            double hi = rangeAxis.valueToJava2D(end.doubleValue(), dataArea, rangeEdge);
            // Clip to the plot: a whisker beyond the axis runs off it instead of off the chart.
            lo = Math.max(dataArea.getMinX(), Math.min(dataArea.getMaxX(), lo));
            hi = Math.max(dataArea.getMinX(), Math.min(dataArea.getMaxX(), hi));
            double y = domainAxis.getCategoryMiddle(column, dataset.getColumnCount(), dataArea,
                    plot.getDomainAxisEdge());
            double cap = WHISKER_CAP / 2.0;
            g2.setPaint(color);
            g2.setStroke(new BasicStroke(1.5f));
            g2.draw(new java.awt.geom.Line2D.Double(lo, y, hi, y));
            g2.draw(new java.awt.geom.Line2D.Double(lo, y - cap, lo, y + cap));
            g2.draw(new java.awt.geom.Line2D.Double(hi, y - cap, hi, y + cap));
        }
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

}
