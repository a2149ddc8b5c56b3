package perfmastery.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is checked once a file's rows are read: rows that repeat, lessons whose rows come in different
 * units, rows without rawData, metrics only some rows of a lesson have, and scores no chart can draw.
 * Each finding is one warning naming the file; no row is dropped or changed without one.
 */
final class RowChecks {

    /** How many examples a warning about many rows names. */
    private static final int EXAMPLES = 3;

    private RowChecks() {
    }

    /**
     * @param rows the file's rows in file order (row i is the file's result i + 1)
     * @return the rows to report: the first copy of each key, each lesson in one unit where units convert
     */
    static List<Row> check(String file, List<Row> rows, List<String> warnings) {
        List<Row> unique = duplicates(file, rows, warnings);
        List<Row> converted = lessonUnits(file, unique, warnings);
        noRawData(file, converted, warnings);
        partialMetrics(file, converted, warnings);
        unplottable(file, rows, warnings);
        return converted;
    }

    /** A file holding the same row twice (runs appended to one file): keep the first, say so. */
    private static List<Row> duplicates(String file, List<Row> rows, List<String> warnings) {
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            positions.computeIfAbsent(rows.get(i).key(), k -> new ArrayList<>()).add(i + 1);
        }
        List<String> examples = new ArrayList<>();
        int repeated = 0;
        int dropped = 0;
        for (List<Integer> at : positions.values()) {
            if (at.size() < 2) {
                continue;
            }
            repeated++;
            dropped += at.size() - 1;
            if (examples.size() < EXAMPLES) {
                examples.add(describe(rows.get(at.get(0) - 1)) + " at results "
                        + String.join(", ", at.stream().map(String::valueOf).toList()));
            }
        }
        if (repeated == 0) {
            return rows;
        }
        warnings.add(file + ": " + repeated + " benchmark row(s) appear more than once (" + String.join("; ", examples)
                + (repeated > EXAMPLES ? "; ..." : "") + "); runs appended to one file? The report keeps the first"
                + " copy of each (the lowest result number) for its tables, charts, comparisons and claims and leaves"
                + " out the " + dropped + " later one(s)");
        List<Row> out = new ArrayList<>(positions.size());
        for (List<Integer> at : positions.values()) {
            out.add(rows.get(at.get(0) - 1));
        }
        return out;
    }

    /**
     * A lesson (class and mode) whose rows JMH wrote in different units (a method with its own
     * {@code @OutputTimeUnit}): convert them to the unit most of its rows have, so its factors and chart
     * compare like with like; rows whose unit does not convert stay as they are, and are flagged.
     */
    private static List<Row> lessonUnits(String file, List<Row> rows, List<String> warnings) {
        Map<String, Map<String, Integer>> unitsByLesson = new LinkedHashMap<>();
        for (Row row : rows) {
            unitsByLesson.computeIfAbsent(lesson(row), k -> new LinkedHashMap<>())
                    .merge(row.primary().unit(), 1, Integer::sum);
        }
        Map<String, String> target = new LinkedHashMap<>();
        for (var entry : unitsByLesson.entrySet()) {
            if (entry.getValue().size() < 2) {
                continue;
            }
            String most = null;
            for (var unit : entry.getValue().entrySet()) {
                if (most == null || unit.getValue() > entry.getValue().get(most)) {
                    most = unit.getKey();
                }
            }
            target.put(entry.getKey(), most);
            List<String> converted = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            for (var unit : entry.getValue().entrySet()) {
                if (unit.getKey().equals(most)) {
                    continue;
                }
                (Units.convertible(unit.getKey(), most) ? converted : kept)
                        .add(unit.getValue() + " row(s) in " + quoted(unit.getKey()));
            }
            String where = file + ": " + entry.getKey() + ": ";
            if (!converted.isEmpty()) {
                warnings.add(where + String.join(", ", converted) + " converted to " + most + ", the unit of most"
                        + " of its rows, so that its factors and chart compare like with like");
            }
            if (!kept.isEmpty()) {
                warnings.add(where + String.join(", ", kept) + " cannot be converted to " + most + ": their factor"
                        + " against rows in " + most + " is n/a and they are left out of its chart");
            }
        }
        if (target.isEmpty()) {
            return rows;
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            String unit = target.get(lesson(row));
            Metric converted = unit == null ? null : Units.convert(row.primary(), unit);
            out.add(converted == null || converted == row.primary() ? row : row.withPrimary(converted));
        }
        return out;
    }

    private static void noRawData(String file, List<Row> rows, List<String> warnings) {
        long without = rows.stream().filter(r -> !r.primary().hasRawData()).count();
        if (without > 0) {
            warnings.add(file + ": " + without + " of " + rows.size() + " row(s) have no rawData (JMH ran with"
                    + " -Djmh.json.rawData=false, or the tool that wrote the file left it out): their comparisons"
                    + " and claims use JMH's score ± scoreError instead, an approximate interval");
        }
    }

    /** Secondary metrics that only some rows of a lesson have: those rows show n/a and are not compared on them. */
    private static void partialMetrics(String file, List<Row> rows, List<String> warnings) {
        Map<String, List<Row>> byLesson = new LinkedHashMap<>();
        for (Row row : rows) {
            byLesson.computeIfAbsent(lesson(row), k -> new ArrayList<>()).add(row);
        }
        for (var entry : byLesson.entrySet()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Row row : entry.getValue()) {
                for (String name : row.secondary().keySet()) {
                    counts.merge(name, 1, Integer::sum);
                }
            }
            int n = entry.getValue().size();
            List<String> partial = new ArrayList<>();
            counts.forEach((name, count) -> {
                if (count < n && !sometimesWritten(name)) {
                    partial.add(name + " (" + count + " of " + n + " rows)");
                }
            });
            if (!partial.isEmpty()) {
                warnings.add(file + ": " + entry.getKey() + ": metrics only some rows have: "
                        + String.join(", ", partial) + "; the other rows show n/a and are not compared on them");
            }
        }
    }

    /**
     * Metrics JMH's gc profiler writes only for iterations in which a collection ran (gc.time; gc.churn.* before
     * JMH 1.29): their absence from a row says no GC ran, not that the row was measured differently.
     */
    private static boolean sometimesWritten(String metric) {
        return metric.equals("gc.time") || metric.startsWith("gc.churn.");
    }

    /** Scores that are not finite or are beyond any measurement: a chart cannot draw them. */
    private static void unplottable(String file, List<Row> rows, List<String> warnings) {
        List<String> examples = new ArrayList<>();
        int count = 0;
        for (int i = 0; i < rows.size(); i++) {
            double score = rows.get(i).primary().score();
            if (!Plottable.value(score)) {
                if (count++ < EXAMPLES) {
                    examples.add("result " + (i + 1) + " " + describe(rows.get(i)) + ": " + Fmt.value(score));
                }
            }
        }
        if (count > 0) {
            warnings.add(file + ": " + count + " score(s) are not finite or beyond " + Fmt.value(Plottable.LIMIT)
                    + " (" + String.join("; ", examples) + (count > EXAMPLES ? "; ..." : "") + "), which no"
                    + " measurement gives (an edited or damaged file?): left out of the charts, n/a in factors");
        }
    }

    /** The lesson of a row as warnings name it: full class name (or {@value LessonNames#NO_CLASS}) and mode. */
    static String lesson(Row row) {
        return (row.className().isEmpty() ? LessonNames.NO_CLASS : row.className()) + " (" + row.mode() + ")";
    }

    private static String describe(Row row) {
        return row.shortName() + (row.params().isEmpty() ? "" : " " + row.paramsText()) + " " + row.mode()
                + (row.threads() > 1 ? " t=" + row.threads() : "");
    }

    private static String quoted(String unit) {
        return unit.isEmpty() ? "(no unit)" : unit;
    }
}
