package perfmastery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Checks the jar that users run, after {@code package}: a JDK 23+ build without the generator on the
 * processor path says BUILD SUCCESS and makes a jar whose BenchmarkList is missing, found only at run time.
 */
class BenchmarkJarIT {

    private static Path jar() {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe passes -DbenchmarksJar");
        Path path = Paths.get(jar);
        assertTrue(Files.isRegularFile(path), "no jar at " + path);
        return path;
    }

    private static Set<String> listedClasses() throws IOException {
        try (JarFile jarFile = new JarFile(jar().toFile())) {
            ZipEntry entry = jarFile.getEntry("META-INF/BenchmarkList");
            assertNotNull(entry, "the jar has no META-INF/BenchmarkList: JMH's annotation processor did not run");
            try (InputStream in = jarFile.getInputStream(entry)) {
                Set<String> classes = BenchmarkList.readBenchmarkList(in).stream()
                        .map(BenchmarkListEntry::getUserClassQName)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertFalse(classes.isEmpty(), "META-INF/BenchmarkList lists no benchmark");
                return classes;
            }
        }
    }

    private static Set<String> benchmarkClassesInSources() throws IOException, ClassNotFoundException {
        Path classes = Paths.get("target", "classes");
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("perfmastery"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.contains("jmh_generated")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, BenchmarkJarIT.class.getClassLoader());
                for (Method method : type.getDeclaredMethods()) {
                    if (method.isAnnotationPresent(Benchmark.class)) {
                        found.add(type.getName());
                    }
                }
            }
        }
        return found;
    }

    @Test
    void benchmarkListNamesEveryBenchmarkClass() throws Exception {
        Set<String> listed = listedClasses();
        Set<String> declared = benchmarkClassesInSources();
        assertFalse(declared.isEmpty());
        for (String type : declared) {
            assertTrue(listed.contains(type),
                    type + " has @Benchmark methods but is not in the jar's BenchmarkList " + listed);
        }
    }

    @Test
    void jarRunsJmhAndCarriesTheFirstLesson() throws IOException {
        try (JarFile jarFile = new JarFile(jar().toFile())) {
            assertEquals("perfmastery.support.BenchmarksMain", jarFile.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(jarFile.getEntry("perfmastery/cpu/FibonacciBenchmark.class"));
        }
        assertTrue(listedClasses().contains("perfmastery.cpu.FibonacciBenchmark"));
    }

    @Test
    void asyncProfilerNativeLibraryIsUnpacked() {
        Path dir = Paths.get(System.getProperty("asyncProfilerDir"));
        assertTrue(Files.isRegularFile(dir.resolve("linux-x64/libasyncProfiler.so")),
                "the build unpacks async-profiler's native library into " + dir);
    }
}
