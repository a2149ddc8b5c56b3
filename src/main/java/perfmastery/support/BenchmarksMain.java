package perfmastery.support;

import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of {@code target/benchmarks.jar}: JMH's own {@code org.openjdk.jmh.Main}, with
 * {@link GaugeProfiler} added, so that {@code java -jar target/benchmarks.jar} writes the lessons'
 * per-iteration figures ({@link Gauges}) into the JSON like run-benchmarks.sh does. Every argument is
 * passed to JMH unchanged; the profiler is not added twice when the command line already names it.
 */
public final class BenchmarksMain {

    private BenchmarksMain() {
    }

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(withGaugeProfiler(args));
    }

    /** {@code args} with {@code -prof perfmastery.support.GaugeProfiler} in front, unless already there. */
    static String[] withGaugeProfiler(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if ("-prof".equals(args[i]) && names(args[i + 1])) {
                return args.clone();
            }
        }
        List<String> all = new ArrayList<>(List.of("-prof", GaugeProfiler.NAME));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static boolean names(String profilerSpec) {
        return profilerSpec.equals(GaugeProfiler.NAME) || profilerSpec.startsWith(GaugeProfiler.NAME + ":");
    }
}
