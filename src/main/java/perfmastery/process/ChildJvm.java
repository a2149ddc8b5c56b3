package perfmastery.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a new JVM like the one running: same {@code java} binary, same class path, a main
 * class of this package. It is the JVM's {@code child_process.fork()}: shared by the two lessons that start
 * child JVMs ({@link WorkerStartupBenchmark}, {@link WorkerMessagingBenchmark}).
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** {@code java [jvmOptions] -cp <our class path> <main> [args]}; throws with one clear line when no java binary is found. */
    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        return command(classPath(), jvmOptions, main, args);
    }

    /** The same with another class path (an archive of classes is made for a class path of jars only). */
    public static List<String> command(String classPath, List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary().toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** The binary of this JVM, from the OS (ProcessHandle), else from {@code java.home}. */
    public static Path javaBinary() {
        Path fromProcess = ProcessHandle.current().info().command().map(Paths::get).orElse(null);
        if (fromProcess != null && Files.isExecutable(fromProcess)) {
            return fromProcess;
        }
        Path fromHome = Paths.get(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome;
        }
        throw new IllegalStateException("cannot start a child JVM: no java binary found (the process reports "
                + fromProcess + ", and " + fromHome + " is not executable); run with a full JDK or JRE");
    }

    /** This JVM's class path with every entry made absolute. */
    public static String classPath() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            throw new IllegalStateException("cannot start a child JVM: java.class.path is empty; run from the"
                    + " benchmarks jar (java -jar target/benchmarks.jar)");
        }
        // Make relative entries absolute so the child does not depend on its working directory.
        StringBuilder absolute = new StringBuilder();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (absolute.length() > 0) {
                absolute.append(File.pathSeparatorChar);
            }
            absolute.append(entry.isEmpty() ? entry : Paths.get(entry).toAbsolutePath().toString());
        }
        return absolute.toString();
    }
}
