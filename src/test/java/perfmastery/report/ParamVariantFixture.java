package perfmastery.report;

import java.nio.file.Path;

/**
 * A JMH-shaped result of {@code perfmastery.cpu.EventLoopBlockingBenchmark}, the lesson whose variants are the
 * values of a param ({@code strategy=inline,workerPool,threadPerRequest,virtualThread} at {@code task=fib,pbkdf2}):
 * sample mode in us/op with per-iteration histograms, 2 forks x 4 iterations, as the quick preset writes it. The
 * shape is the lesson's expected one: inline, about 3 % of health checks wait for a whole 25 ms task (p99 about
 * 25,000 us); offloaded, p99 about 120 us. On JDK 17 the virtual-thread rows are absent, as the runner leaves
 * them out. Deterministic: fork and iteration effects of a few percent from a fixed pattern.
 */
final class ParamVariantFixture {

    static final String CLASS = "perfmastery.cpu.EventLoopBlockingBenchmark";
    static final String[] STRATEGIES = {"inline", "workerPool", "threadPerRequest", "virtualThread"};
    static final String[] TASKS = {"fib", "pbkdf2"};

    private ParamVariantFixture() {
    }

    /** Writes DIR/eventloop-jdk17.json and DIR/eventloop-jdk25.json, to look at a report of them by hand. */
    public static void main(String[] args) throws java.io.IOException {
        Path dir = Path.of(args.length == 0 ? "." : args[0]);
        java.nio.file.Files.createDirectories(dir);
        write(dir.resolve("eventloop-jdk17.json"), "17.0.15");
        write(dir.resolve("eventloop-jdk25.json"), "25.0.3");
    }

    static Path write(Path file, String jdk) {
        boolean virtual = RunComparison.javaMajor(jdk) >= 21;
        SyntheticJmh json = new SyntheticJmh(jdk);
        for (String task : TASKS) {
            for (String strategy : STRATEGIES) {
                if (strategy.startsWith("virtual") && !virtual) {
                    continue;
                }
                boolean inline = strategy.equals("inline");
                double tail = (inline ? 25_000 : 120) * (task.equals("pbkdf2") ? 1.1 : 1.0)
                        * (virtual ? 0.95 : 1.0);
                int forks = 2;
                int iterations = 4;
                double[][][][] histograms = new double[forks][iterations][][];
                double[][] means = new double[forks][iterations];
                for (int f = 0; f < forks; f++) {
                    for (int i = 0; i < iterations; i++) {
                        double effect = 1 + 0.03 * (((f * 2 + i * 3 + strategy.length()) % 5) - 2) / 2.0;
                        double fast = 8 * effect;
                        double slow = tail * effect;
                        long fastCount = 960;
                        long slowCount = inline ? 30 : 15;
                        histograms[f][i] = new double[][] {{fast, fastCount}, {slow, slowCount}};
                        means[f][i] = (fast * fastCount + slow * slowCount) / (fastCount + slowCount);
                    }
                }
                json.row(CLASS + ".health", "sample", "inFlight=1;task=" + task + ";strategy=" + strategy, means)
                        .unit("us/op").histogram(histograms);
            }
        }
        return json.write(file);
    }
}
