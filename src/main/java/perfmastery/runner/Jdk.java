package perfmastery.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JDK to run benchmarks on: its home, its {@code java.version} and its feature release, and the flags
 * that release accepts. JDK 24+ warns about {@code sun.misc.Unsafe} (JMH, JOL) and native access
 * (async-profiler) unless told they are allowed; JDK 17 refuses to start with the first of those flags,
 * so every flag here depends on the version.
 */
public record Jdk(Path home, String version, int feature) {

    /** The first release whose launcher knows {@code --sun-misc-unsafe-memory-access} and warns without it. */
    static final int UNSAFE_WARNING_RELEASE = 24;
    /** The first release with virtual threads (final, not preview). */
    public static final int VIRTUAL_THREADS_RELEASE = 21;
    public static final int MINIMUM_RELEASE = 17;

    public Path java() {
        return javaOf(home);
    }

    static Path javaOf(Path home) {
        return home.resolve("bin").resolve("java");
    }

    public boolean hasVirtualThreads() {
        return feature >= VIRTUAL_THREADS_RELEASE;
    }

    /** Flags for any JVM started from this JDK: the JMH host, the report, the memory tools. */
    public List<String> launcherFlags() {
        return launcherFlags(feature);
    }

    static List<String> launcherFlags(int feature) {
        if (feature >= UNSAFE_WARNING_RELEASE) {
            return List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        }
        return List.of();
    }

    /**
     * Flags for a JVM that may attach an agent to itself (JOL, async-profiler): the launcher flags, then
     * {@code -Djdk.attach.allowAttachSelf=true} and {@code -XX:+EnableDynamicAgentLoading} (JDK 21+ warns
     * without it; JDK 17 accepts it and changes nothing).
     */
    public List<String> attachFlags() {
        return attachFlags(feature);
    }

    static List<String> attachFlags(int feature) {
        List<String> flags = new ArrayList<>(launcherFlags(feature));
        flags.add("-Djdk.attach.allowAttachSelf=true");
        flags.add("-XX:+EnableDynamicAgentLoading");
        return List.copyOf(flags);
    }

    /**
     * What a benchmark fork needs on top of what it inherits: only the attach flags. JMH gives a fork the
     * host JVM's own input arguments (unless a class sets {@code @Fork(jvmArgs)}, which no lesson does:
     * {@code BenchmarkJarIT} checks it), and the runner starts the host with {@link #launcherFlags()}, so
     * the JDK 24+ launcher flags reach every fork once. Adding them again would list them twice.
     */
    public List<String> forkOnlyFlags() {
        return forkOnlyFlags(feature);
    }

    static List<String> forkOnlyFlags(int feature) {
        List<String> flags = new ArrayList<>(attachFlags(feature));
        flags.removeAll(launcherFlags(feature));
        return List.copyOf(flags);
    }

    /** The JDK this runner itself runs on. */
    public static Jdk current() {
        return new Jdk(Path.of(System.getProperty("java.home")), System.getProperty("java.version"),
                Runtime.version().feature());
    }

    /**
     * Asks {@code home/bin/java} for its version ({@code -XshowSettings:properties -version}, printed on
     * stderr), so a JDK is never guessed from its folder name.
     */
    public static Jdk probe(Path home) throws UsageError {
        Path java = javaOf(home);
        if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
            throw new UsageError("--jdk " + home + " is not a JDK: it has no bin/java");
        }
        String output;
        try {
            Process process = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            output = readAll(process.getInputStream());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new UsageError(java + " -version did not answer within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new UsageError(java + " -version failed (exit " + process.exitValue() + "): "
                        + JmhArgs.firstLine(output));
            }
        } catch (IOException e) {
            throw new UsageError("cannot run " + java + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageError("interrupted while asking " + java + " for its version");
        }
        Jdk jdk = fromProperties(home, output);
        if (jdk.feature() < MINIMUM_RELEASE) {
            throw new UsageError(home + " is JDK " + jdk.version() + ": jvm-perf-mastery needs JDK 17 or newer");
        }
        return jdk;
    }

    /**
     * Starts this JDK's java with the given flags and {@code -version}, so a flag it refuses (a typo in
     * {@code --jvm-args}, a flag of another release) is bad input found before any benchmark starts,
     * not a failure of every fork.
     */
    public void checkAccepts(List<String> flags, String what) throws UsageError {
        List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(flags);
        command.add("-version");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = readAll(process.getInputStream());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new UsageError(java() + " " + String.join(" ", flags) + " -version did not answer within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new UsageError("JDK " + version + " refuses " + what + ": " + JmhArgs.firstLine(output));
            }
        } catch (IOException e) {
            throw new UsageError("cannot run " + java() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageError("interrupted while checking the flags of " + java());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Reads {@code java.version} and {@code java.specification.version} from -XshowSettings output. */
    static Jdk fromProperties(Path home, String showSettingsOutput) throws UsageError {
        String version = property(showSettingsOutput, "java.version");
        String specification = property(showSettingsOutput, "java.specification.version");
        if (version == null || specification == null) {
            throw new UsageError(javaOf(home) + " printed no java.version: is it a Java runtime?");
        }
        return new Jdk(home, version, featureOf(specification));
    }

    private static String property(String output, String name) {
        for (String line : output.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.startsWith(name + " =")) {
                return trimmed.substring(name.length() + 2).strip();
            }
        }
        return null;
    }

    /** "17" -> 17, "25" -> 25, "1.8" -> 8. */
    static int featureOf(String specificationVersion) throws UsageError {
        String s = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new UsageError("cannot read the Java version '" + specificationVersion + "'");
        }
    }
}
