package perfmastery.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the inputs of the report's speed targets (issue 10, defect 10) into a folder:
 * {@code ten/run0..9.json} (10 files x 200 rows, 3 forks x 5 iterations, with B/op), {@code samples/run0..9.json}
 * (10 files x 200 rows shaped like the results of JMH's own samples: many lessons of a few rows each, in several
 * modes) and {@code big/a.json}, {@code big/b.json} (two files of 10,000 rows). Used by {@code scripts/report-speed.sh}; the figures are
 * deterministic, so every machine times the same input.
 *
 * <p>{@code java -cp target/benchmarks.jar:target/test-classes perfmastery.report.ReportSpeedInputs DIR}
 */
public final class ReportSpeedInputs {

    private ReportSpeedInputs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ReportSpeedInputs DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir.resolve("ten"));
        Files.createDirectories(dir.resolve("big"));
        Files.createDirectories(dir.resolve("samples"));
        for (int file = 0; file < 10; file++) {
            tenByTwoHundred(file).write(dir.resolve("ten").resolve("run" + file + ".json"));
            samplesShaped(file).write(dir.resolve("samples").resolve("run" + file + ".json"));
        }
        big("17.0.15", 1.0).write(dir.resolve("big").resolve("a.json"));
        big("25.0.3", 0.97).write(dir.resolve("big").resolve("b.json"));
    }

    /** One of the ten files: 10 classes x 5 methods x 4 sizes, JDK 17 and 25 alternating. */
    static SyntheticJmh tenByTwoHundred(int file) {
        SyntheticJmh json = new SyntheticJmh(file % 2 == 0 ? "17.0.15" : "25.0.3");
        for (int cls = 0; cls < 10; cls++) {
            for (int method = 0; method < 5; method++) {
                for (int size = 0; size < 4; size++) {
                    double mean = (cls + 1) * (method + 1) * Math.pow(4, size) * (1 + 0.01 * file);
                    json.row("org.example.suite.Lesson" + cls + ".variant" + method, "avgt",
                            "size=" + (1 << (4 * size)), SyntheticJmh.around(mean, 3, 5, 0.02))
                            .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(mean * 8, 3, 5, 0.001));
                }
            }
        }
        return json;
    }

    /**
     * One of ten files shaped like jmh-samples' results: 50 classes of 4 rows each (2 methods x 2 params, or 4
     * methods), in throughput, average time and single-shot modes, some with B/op: the report makes a section
     * and a chart per lesson and run, so many small lessons cost more than a few large ones.
     */
    static SyntheticJmh samplesShaped(int file) {
        SyntheticJmh json = new SyntheticJmh(file % 2 == 0 ? "17.0.15" : "25.0.3");
        String[] modes = {"thrpt", "avgt", "ss"};
        for (int cls = 0; cls < 50; cls++) {
            String mode = modes[cls % modes.length];
            String name = String.format("org.openjdk.jmh.samples.JMHSample_%02d_Sample%d", cls + 1, cls);
            for (int row = 0; row < 4; row++) {
                double mean = (cls + 1) * (row + 1) * 3.7 * (1 + 0.01 * file);
                String method = cls % 2 == 0 ? "measure" + row : "measure" + (row / 2);
                String params = cls % 2 == 0 ? "" : "size=" + (row % 2 == 0 ? 10 : 1000);
                SyntheticJmh.Row r = json.row(name + "." + method, mode, params,
                        SyntheticJmh.around(mean, 3, 5, 0.03));
                if (cls % 3 == 1) {
                    r.secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(mean * 16, 3, 5, 0.001));
                }
            }
        }
        return json;
    }

    /** 10,000 rows: 20 classes x 10 methods x 50 sizes, 3 forks x 5 iterations each, with B/op. */
    static SyntheticJmh big(String jdk, double scale) {
        SyntheticJmh json = new SyntheticJmh(jdk);
        for (int cls = 0; cls < 20; cls++) {
            for (int method = 0; method < 10; method++) {
                for (int size = 0; size < 50; size++) {
                    double mean = (cls + 1) * (method + 1) * (size + 1) * scale * (1 + 0.002 * ((cls * 7 + size) % 11));
                    json.row("org.example.big.Lesson" + cls + ".variant" + method, "avgt",
                            "size=" + size + ";mode=m" + (size % 3), SyntheticJmh.around(mean, 3, 5, 0.02))
                            .secondary("gc.alloc.rate.norm", "B/op", SyntheticJmh.around(mean * 8, 3, 5, 0.001));
                }
            }
        }
        return json;
    }
}
