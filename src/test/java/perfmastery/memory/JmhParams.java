package perfmastery.memory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/** The {@link BenchmarkParams} JMH would inject into a lesson's setup or teardown, for calling them in a test. */
final class JmhParams {

    private JmhParams() {
    }

    static BenchmarkParams of(String benchmark, Map<String, String> params) {
        WorkloadParams workload = new WorkloadParams();
        int order = 0;
        for (Map.Entry<String, String> param : params.entrySet()) {
            workload.put(param.getKey(), param.getValue(), order++);
        }
        IterationParams warmup = new IterationParams(IterationType.WARMUP, 1, TimeValue.seconds(1), 1);
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 3, TimeValue.seconds(1), 1);
        return new BenchmarkParams(benchmark, benchmark + "_generated", false, 1, new int[] {1}, List.of(), 1, 0,
                warmup, measurement, Mode.AverageTime, workload, TimeUnit.NANOSECONDS, 1, "java", List.of(),
                System.getProperty("java.version"), "test", "test", "1.37", TimeValue.minutes(10));
    }
}
