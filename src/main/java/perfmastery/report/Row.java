package perfmastery.report;

import java.util.Map;
import java.util.SortedMap;

/**
 * One result of a JMH JSON file: a benchmark method at one parameter set, mode and thread count.
 *
 * @param benchmark  the full name JMH writes, e.g. {@code perfmastery.cpu.FibonacciBenchmark.memoized}
 * @param mode       JMH's short mode: thrpt, avgt, sample, ss
 * @param params     the parameters, sorted by name
 * @param secondary  secondary metrics by name, in the file's order (text-only profiler rows left out)
 */
record Row(String benchmark, String mode, int threads, int forks, int warmupIterations,
           int measurementIterations, SortedMap<String, String> params, Metric primary,
           Map<String, Metric> secondary) {

    /** The class part of the benchmark name (everything before the last dot). */
    String className() {
        int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? "" : benchmark.substring(0, dot);
    }

    /** The method part of the benchmark name. */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Simple class name and method, for tables; the method alone when the name has no class part. */
    String shortName() {
        String cls = className();
        return cls.isEmpty() ? method() : cls.substring(cls.lastIndexOf('.') + 1) + "." + method();
    }

    /**
     * {@code k=v;k=v}, sorted by key; empty when the benchmark has no params. A backslash, {@code ;},
     * {@code =} or {@code |} inside a name or value is escaped with a backslash, so that
     * {@code {a: "1;b=2"}} ({@code a=1\;b\=2}) and {@code {a: "1", b: "2"}} ({@code a=1;b=2}) stay apart;
     * ordinary params read as before.
     */
    String paramsText() {
        if (params.isEmpty()) {
            return "";
        }
        // A plain loop: the report asks for this text of every row many times, and streams cost the most in a
        // short-lived C1-only process.
        StringBuilder out = new StringBuilder(16 * params.size());
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (out.length() > 0) {
                out.append(';');
            }
            out.append(escape(e.getKey())).append('=').append(escape(e.getValue()));
        }
        return out.toString();
    }

    private static String escape(String text) {
        if (text.indexOf('\\') < 0 && text.indexOf(';') < 0 && text.indexOf('=') < 0 && text.indexOf('|') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 4);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == ';' || c == '=' || c == '|') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Lower is better in the time modes, higher in throughput. */
    boolean higherIsBetter() {
        return "thrpt".equals(mode);
    }

    /**
     * The identity of a row across runs: benchmark, mode, sorted params, threads. Each part is escaped, so
     * two different rows never share a key (and an ordinary row's key, which seeds its bootstrap, is as before).
     */
    String key() {
        String params = paramsText();
        return new StringBuilder(benchmark.length() + mode.length() + params.length() + 8).append(escape(benchmark))
                .append('|').append(escape(mode)).append('|').append(params).append('|').append(threads).toString();
    }

    /** The same row with its primary metric replaced (e.g. converted to another unit). */
    Row withPrimary(Metric newPrimary) {
        return new Row(benchmark, mode, threads, forks, warmupIterations, measurementIterations, params, newPrimary,
                secondary);
    }

    Metric metric(String name) {
        return Metric.PRIMARY.equals(name) ? primary : secondary.get(name);
    }
}
