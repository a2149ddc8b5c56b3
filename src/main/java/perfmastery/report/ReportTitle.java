package perfmastery.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The report's title: which runs and when, read from the runs' labels and their sidecars' start and end
 * times ("JDK 17.0.15 and JDK 25.0.3, 8 flag-set runs: 2026-11-27 22:59 to 23:56 UTC"). Without sidecars
 * the time is left out: JMH's JSON does not record it.
 */
final class ReportTitle {

    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private ReportTitle() {
    }

    /**
     * @param runs   every run, in column order
     * @param narrow the runs of a few lessons (flag sets), which the findings show apart
     */
    static String of(List<Run> runs, List<Run> narrow) {
        List<String> labels = runs.stream().filter(r -> !narrow.contains(r)).map(Run::label).toList();
        String which;
        if (labels.isEmpty()) {
            which = "no runs";
        } else if (labels.size() <= 3) {
            which = labels.size() == 1 ? labels.get(0)
                    : String.join(", ", labels.subList(0, labels.size() - 1)) + " and " + labels.get(labels.size() - 1);
        } else {
            which = labels.size() + " runs";
        }
        if (!narrow.isEmpty()) {
            which += " (+ " + narrow.size() + " flag-set run" + (narrow.size() == 1 ? "" : "s") + ")";
        }
        Instant first = null;
        Instant last = null;
        for (Run run : runs) {
            for (Run.Part part : run.parts()) {
                Sidecar s = part.sidecar();
                if (s == null) {
                    continue;
                }
                Instant start = instant(s.start());
                Instant end = instant(s.end());
                if (start != null && (first == null || start.isBefore(first))) {
                    first = start;
                }
                if (end != null && (last == null || end.isAfter(last))) {
                    last = end;
                }
            }
        }
        String when = "";
        if (first != null && last != null) {
            String from = DAY_TIME.format(first);
            String to = DAY_TIME.format(last);
            when = ", " + from + " to " + (from.substring(0, 10).equals(to.substring(0, 10)) ? TIME.format(last) : to)
                    + " UTC";
        } else if (first != null) {
            when = ", from " + DAY_TIME.format(first) + " UTC";
        }
        return "Report: " + which + when;
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
