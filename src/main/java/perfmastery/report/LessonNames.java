package perfmastery.report;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Names of benchmark classes for headings, table rows and chart files, unique among the rows given.
 * A class is shown by its simple name, unless another package has a class of the same simple name (two
 * {@code Bar}s would share a heading and a chart file), then by its full name; a benchmark name without a
 * class part ({@code "bar"}) belongs to {@value #NO_CLASS}. Chart ids are never empty and never repeat.
 */
final class LessonNames {

    static final String NO_CLASS = "(no class)";

    private final Map<String, Set<String>> classesBySimpleName = new HashMap<>();
    private final Set<String> usedIds = new HashSet<>();
    private final Map<String, String> idByLesson = new HashMap<>();

    LessonNames(Collection<Row> rows) {
        for (Row row : rows) {
            String cls = row.className();
            classesBySimpleName.computeIfAbsent(simple(cls), k -> new HashSet<>()).add(cls);
        }
    }

    /** The simple class name, or the full one where it is ambiguous, or {@value #NO_CLASS}. */
    String display(String className) {
        if (className.isEmpty()) {
            return NO_CLASS;
        }
        String simple = simple(className);
        Set<String> same = classesBySimpleName.get(simple);
        return same != null && same.size() > 1 ? className : simple;
    }

    /** Class and method as tables show them: {@code Bar.memoized}, {@code org.b.Bar.memoized}, or the method alone. */
    String shortName(Row row) {
        return row.className().isEmpty() ? row.method() : display(row.className()) + "." + row.method();
    }

    /**
     * The chart id of one lesson (class and mode) of one run: {@code lesson-1-fibonaccibenchmark-avgt} as
     * before for an ordinary class, the full name where the simple one is shared, a "-2" suffix where two ids
     * would still be equal (names that differ only in case, or only in characters a file name cannot hold).
     */
    private static final java.util.regex.Pattern EDGE_HYPHENS = java.util.regex.Pattern.compile("^-+|-+$");

    String chartId(int runIndex, String className, String mode) {
        return idByLesson.computeIfAbsent(runIndex + "|" + className + "|" + mode, k -> {
            String name = EDGE_HYPHENS.matcher(safeId(display(className))).replaceAll("");
            if (name.isEmpty() || name.chars().noneMatch(Character::isLetterOrDigit)) {
                name = "lesson";
            }
            String wanted = "lesson-" + runIndex + "-" + name + "-" + safeId(mode);
            String id = wanted;
            for (int n = 2; !usedIds.add(id); n++) {
                id = wanted + "-" + n;
            }
            return id;
        });
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static final java.util.regex.Pattern UNSAFE_ID = java.util.regex.Pattern.compile("[^A-Za-z0-9._-]+");

    /** A name safe for file names and XML ids (here, not in Charts, so that naming does not load Java2D). */
    static String safeId(String text) {
        String s = UNSAFE_ID.matcher(text).replaceAll("-");
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
