package perfmastery.report;

import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

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

    /** Simple class name and method, for tables. */
    String shortName() {
        String cls = className();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + method();
    }

    /** {@code k=v;k=v}, sorted by key; empty when the benchmark has no params. */
    String paramsText() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(";"));
    }

    /** Lower is better in the time modes, higher in throughput. */
    boolean higherIsBetter() {
        return "thrpt".equals(mode);
    }

    /** The identity of a row across runs: benchmark, mode, sorted params, threads. */
    String key() {
        return benchmark + "|" + mode + "|" + paramsText() + "|" + threads;
    }

    Metric metric(String name) {
        return Metric.PRIMARY.equals(name) ? primary : secondary.get(name);
    }
}
