package perfmastery.production;

import java.util.stream.Collectors;

/**
 * A stand-in for a JMH fork that will be killed: sets the cluster lesson up, prints its server processes' ids
 * ({@code pids <pid> ...}) and waits, at most two minutes, then tears down (the test kills it long before).
 */
public final class ClusterParentMain {

    private ClusterParentMain() {
    }

    public static void main(String[] args) throws Exception {
        ClusterScalingBenchmark benchmark = new ClusterScalingBenchmark();
        benchmark.server = args[0];
        benchmark.fib = Integer.parseInt(args[1]);
        benchmark.calibrationWarmUpMillis = 50;
        benchmark.calibrationMillis = 50;
        benchmark.setUp();
        try {
            System.out.println("pids " + benchmark.serverPids().stream().map(String::valueOf)
                    .collect(Collectors.joining(" ")));
            System.out.flush();
            Thread.sleep(120_000);
        } finally {
            benchmark.tearDown();
        }
    }
}
