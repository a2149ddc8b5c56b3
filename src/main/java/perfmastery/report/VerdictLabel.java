package perfmastery.report;

import java.util.Map;

/**
 * A verdict as the findings show it: a mark and the word, so it reads without colour (colour-blind readers,
 * Markdown, a printout), and a CSS class the HTML colours it by. claims.csv keeps the bare word.
 */
final class VerdictLabel {

    private static final Map<String, String> MARK = Map.of(
            ClaimChecker.CONFIRMED, "✔",
            ClaimChecker.REFUTED, "✘",
            ClaimChecker.INCONCLUSIVE, "?",
            ClaimChecker.NOT_MEASURED, "–");

    private VerdictLabel() {
    }

    /** "✔ CONFIRMED", "✘ REFUTED", "? INCONCLUSIVE", "– NOT MEASURED"; anything else as it is. */
    static String of(String status) {
        String mark = MARK.get(status);
        return mark == null ? status : mark + " " + status;
    }

    /** The CSS class of a cell that holds a verdict label ("v-confirmed"), or null for any other cell. */
    static String cssClass(String cell) {
        int space = cell.indexOf(' ');
        if (space < 0 || space > 2) {
            return null;
        }
        String status = cell.substring(space + 1);
        String mark = MARK.get(status);
        if (mark == null || !cell.startsWith(mark)) {
            return null;
        }
        return "v-" + status.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
    }
}
