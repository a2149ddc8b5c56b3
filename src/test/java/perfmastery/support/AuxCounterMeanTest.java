package perfmastery.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;

class AuxCounterMeanTest {

    @Test
    void sharesOfEqualIterationsSumToTheValueWhateverTheIterationCount() {
        for (int iterations : new int[] {1, 3, 5, 10}) {
            for (int forks : new int[] {1, 2, 3}) {
                double sum = 0;
                for (int i = 0; i < iterations * forks; i++) {
                    sum += AuxCounterMean.share(0.625, iterations, forks, 1);
                }
                assertEquals(0.625, sum, 1e-12, iterations + " iterations x " + forks + " forks");
            }
        }
    }

    @Test
    void sharesOfDifferentIterationsSumToTheirMean() {
        double[] perIteration = {0.5, 0.6, 0.7, 0.8};
        double sum = 0;
        for (double value : perIteration) {
            sum += AuxCounterMean.share(value, perIteration.length, 1, 1);
        }
        assertEquals(0.65, sum, 1e-12);
    }

    @Test
    void forksZeroCountsAsOneRun() {
        assertEquals(2.0, AuxCounterMean.share(4.0, 2, 0, 1), 1e-12);
    }

    @Test
    void warmupIterationsReportTheirValueUndivided() {
        IterationParams warmup = new IterationParams(IterationType.WARMUP, 3, TimeValue.seconds(1), 1);
        assertEquals(0.7, AuxCounterMean.share(0.7, null, warmup), 0);
    }
}
