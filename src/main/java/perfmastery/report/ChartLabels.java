package perfmastery.report;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The category labels of a chart, made to fit a column of fixed width without losing what tells rows apart.
 * A label is a list of tokens ({@code FibonacciBenchmark.memoized}, {@code n=30}, {@code avgt}). Tokens every
 * row has say nothing about one row: they are taken out and said once ({@link Result#common()}). What remains
 * is wrapped at token boundaries into at most {@link #MAX_LINES} lines; a token wider than a line, or a label
 * that needs more lines, loses the middle of its longest tokens ({@code Lesson…Benchmark}), keeping their start
 * and end, where names differ most. Labels that end up equal get " #2", " #3", so every label stays unique.
 */
final class ChartLabels {

    static final int MAX_LINES = 3;
    private static final String ELLIPSIS = "\u2026";

    /**
     * @param lines  per category, its label as lines (each at most the width given)
     * @param common the tokens every category shares, in the first category's order, space-separated; empty if none
     */
    record Result(List<List<String>> lines, String common) {

        int maxLines() {
            return lines.stream().mapToInt(List::size).max().orElse(1);
        }

        /** Each label on one line (for tests and alt texts). */
        List<String> joined() {
            return lines.stream().map(l -> String.join(" ", l)).toList();
        }
    }

    private ChartLabels() {
    }

    /** Measures text in the font of the labels, the same way for every chart (the SVG's own measure). */
    static FontMetrics metrics(Font font) {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    static Result compact(List<List<String>> tokens, FontMetrics metrics, int width) {
        Set<String> common = new LinkedHashSet<>(tokens.isEmpty() ? List.of() : tokens.get(0));
        for (List<String> row : tokens) {
            common.retainAll(new HashSet<>(row));
        }
        List<List<String>> rest = new ArrayList<>();
        for (List<String> row : tokens) {
            List<String> kept = row.stream().filter(t -> !common.contains(t)).toList();
            rest.add(kept);
        }
        if (rest.stream().allMatch(List::isEmpty)) {
            // Every row is the same: nothing to take out (the repeats are told apart below).
            rest = tokens.stream().map(List::copyOf).toList();
            common.clear();
        }
        List<List<String>> lines = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            // A row made only of what every row has (its neighbours have more) keeps its own tokens.
            lines.add(fit(rest.get(i).isEmpty() ? tokens.get(i) : rest.get(i), metrics, width));
        }
        // Unique: a repeat gets " #2", " #3" on its last line (which fits: the last line is shortened for it).
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            List<String> label = lines.get(i);
            String key = String.join("\n", label);
            if (seen.add(key)) {
                continue;
            }
            for (int n = 2; ; n++) {
                List<String> numbered = new ArrayList<>(label);
                String suffix = " #" + n;
                String last = numbered.get(numbered.size() - 1);
                numbered.set(numbered.size() - 1, shorten(last, metrics, width - metrics.stringWidth(suffix)) + suffix);
                if (seen.add(String.join("\n", numbered))) {
                    lines.set(i, numbered);
                    break;
                }
            }
        }
        return new Result(lines, String.join(" ", common));
    }

    /** The tokens wrapped into at most {@link #MAX_LINES} lines of at most {@code width}, shortening the longest. */
    static List<String> fit(List<String> row, FontMetrics metrics, int width) {
        List<String> tokens = new ArrayList<>(row);
        for (int i = 0; i < tokens.size(); i++) {
            tokens.set(i, shorten(tokens.get(i), metrics, width));
        }
        while (true) {
            List<String> lines = wrap(tokens, metrics, width);
            if (lines.size() <= MAX_LINES) {
                return lines;
            }
            // Too many lines: take the middle out of the longest token and try again.
            int longest = 0;
            for (int i = 1; i < tokens.size(); i++) {
                if (tokens.get(i).length() > tokens.get(longest).length()) {
                    longest = i;
                }
            }
            String t = tokens.get(longest);
            if (t.length() <= 5) {
                // Nothing left to shorten: the last line takes the rest, shortened to fit.
                List<String> kept = new ArrayList<>(lines.subList(0, MAX_LINES - 1));
                kept.add(shorten(String.join(" ", lines.subList(MAX_LINES - 1, lines.size())), metrics, width));
                return kept;
            }
            tokens.set(longest, middleOut(t, Math.max(5, (int) (t.length() * 0.7))));
        }
    }

    private static List<String> wrap(List<String> tokens, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String token : tokens) {
            if (line.length() > 0 && metrics.stringWidth(line + " " + token) > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(token);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** The text, or its start and end around an ellipsis, at most {@code width} wide. */
    static String shorten(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        for (int keep = text.length() - 1; keep > 2; keep--) {
            String s = middleOut(text, keep);
            if (metrics.stringWidth(s) <= width) {
                return s;
            }
        }
        return middleOut(text, 2);
    }

    /** {@code keep} characters of {@code text}: its start and its end around an ellipsis. */
    static String middleOut(String text, int keep) {
        if (text.length() <= keep) {
            return text;
        }
        int head = (keep + 1) / 2;
        int tail = keep - head;
        return text.substring(0, head) + ELLIPSIS + text.substring(text.length() - tail);
    }
}
