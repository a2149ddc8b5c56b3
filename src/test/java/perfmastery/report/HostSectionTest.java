package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perfmastery.runner.RunMetadata;

class HostSectionTest {

    @TempDir
    Path dir;

    private static HostSection.Host host(String run, double firstTouch, double cpuLoop, double timer, double steal) {
        return new HostSection.Host(run, 2, firstTouch, 0.06, cpuLoop, null, timer, 0.01, steal);
    }

    @Test
    void hostsWithinTheFactorsAreNotFlagged() {
        assertEquals(List.of(), HostSection.differences(List.of(host("a", 12, 10, 20, 0.01),
                host("b", 12 * 1.9, 10 * 1.2, 39, 0.05))));
    }

    @Test
    void eachPropertyBeyondItsFactorIsNamed() {
        List<String> warnings = HostSection.differences(List.of(host("a", 12, 10, 20, 0.01),
                host("b", 0.4, 13, 50, 0.08)));
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.contains("the hosts of a and b differ"), w);
        assertTrue(w.contains("first touch 12.00 against 0.4000 µs/page (30.0x apart, more than 2.00x)"), w);
        assertTrue(w.contains("CPU loop 10.00 against 13.00 ms (1.30x apart, more than 1.25x)"), w);
        assertTrue(w.contains("timer step 20.00 against 50.00 ns (2.50x apart, more than 2.00x)"), w);
        assertTrue(w.contains("steal during the run 1.00 % against 8.00 % (more than 5 points apart)"), w);
    }

    /** The case the xorshift loop missed: 1.23x on it, 2.2x on recursive calls (two hosts of the reference's kind). */
    @Test
    void aCallLoopBeyondItsFactorIsFlaggedWhenTheCpuLoopIsNot() {
        HostSection.Host a = new HostSection.Host("a", 2, 12.5, 0.15, 3.46, 0.5, 20.0, 0.0, 0.0);
        HostSection.Host b = new HostSection.Host("b", 2, 12.5, 0.15, 4.24, 1.1, 20.0, 0.0, 0.0);
        List<String> warnings = HostSection.differences(List.of(a, b));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("call loop 0.5000 against 1.100 ms (2.20x apart, more than 1.25x)"),
                warnings.get(0));
        assertFalse(warnings.get(0).contains("CPU loop 3.460"), warnings.get(0));
    }

    @Test
    void missingFiguresAreNeverCompared() {
        HostSection.Host unknown = new HostSection.Host("old", null, null, null, null, null, null, null, null);
        assertEquals(List.of(), HostSection.differences(List.of(host("a", 12, 10, 20, 0.01), unknown)));
    }

    /** The fixtures' two runs, each with a fabricated sidecar: one host pays 30x more per first touch. */
    @Test
    void theReportShowsTheHostsAndWarnsWhenTheyDiffer() throws Exception {
        Path jdk17 = copy("fib-jdk17.json");
        Path jdk25 = copy("fib-jdk25.json");
        sidecar(jdk17, "17.0.15", 12.0, 10.0);
        sidecar(jdk25, "25.0.3", 0.4, 10.5);
        ReportMainTest.Result r = report(jdk17, jdk25);
        assertEquals(0, r.exit(), r.err());
        String md = r.file("report.md");
        assertTrue(md.contains("## Hosts"), md);
        assertTrue(md.contains("| run | cores | first touch (µs/page) |"), md);
        String warnings = md.substring(md.indexOf("## Warnings"));
        assertTrue(warnings.contains("the hosts of JDK 17.0.15 and JDK 25.0.3 differ: first touch"), warnings);
        assertFalse(warnings.contains("CPU loop 10"), "the CPU loops are within 1.25x: " + warnings);
    }

    @Test
    void runsWithoutAProbeGetNoSection() throws Exception {
        ReportMainTest.Result r = report(copy("fib-jdk17.json"));
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.file("report.md").contains("## Hosts"));
    }

    private ReportMainTest.Result report(Path... files) {
        Path out = dir.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("--out", out.toString()));
        for (Path file : files) {
            args.add(file.toString());
        }
        return ReportMainTest.runRaw(out, args.toArray(String[]::new));
    }

    private Path copy(String fixture) throws Exception {
        Path to = dir.resolve(fixture);
        Files.copy(ReportMainTest.fixture(fixture), to);
        return to;
    }

    private static void sidecar(Path json, String jdk, double firstTouch, double cpuLoop) throws Exception {
        Files.writeString(RunMetadata.sidecarOf(json), """
                {"format": "jvm-perf-mastery run metadata 1",
                 "machine": {"cpuModel": "cpu", "cores": 2, "memoryBytes": 1073741824, "hostname": "h"},
                 "source": {"commit": "abc", "dirty": false},
                 "preset": "quick", "jdkVersion": "%s", "jvmFlags": [],
                 "host": {"firstTouchMicrosPerPage": %s, "secondTouchMicrosPerPage": 0.06, "cpuLoopMillis": %s,
                          "timerGranularityNanos": 20, "timerCallNanos": 20, "stealShareSinceBoot": 0.01,
                          "stealShareDuringRun": 0.01}}
                """.formatted(jdk, firstTouch, cpuLoop));
    }
}
