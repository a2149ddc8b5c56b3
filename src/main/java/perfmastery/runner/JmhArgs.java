package perfmastery.runner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.ProfilerConfig;

/**
 * What the user passed to JMH after {@code --}, read with JMH's own parser so that regexes, {@code -e}
 * and {@code -p} mean here exactly what they will mean to JMH. The arguments themselves go to JMH
 * unchanged.
 */
public final class JmhArgs {

    private final List<String> args;
    private final CommandLineOptions options;

    private JmhArgs(List<String> args, CommandLineOptions options) {
        this.args = List.copyOf(args);
        this.options = options;
    }

    public static JmhArgs parse(List<String> args) throws UsageError {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            throw new UsageError("JMH cannot parse the options after --: " + firstLine(e.getMessage()));
        }
        refuseOptionsTheRunnerOwns(options);
        return new JmhArgs(args, options);
    }

    private static void refuseOptionsTheRunnerOwns(CommandLineOptions options) throws UsageError {
        if (options.getResult().hasValue() || options.getResultFormat().hasValue()) {
            throw new UsageError("-rf/-rff after --: the runner writes the JSON itself, under results/runs/");
        }
        if (options.getOutput().hasValue()) {
            throw new UsageError("-o after --: the runner writes JMH's output to a .log beside each JSON");
        }
        if (options.shouldFailOnError().hasValue()) {
            throw new UsageError("-foe after --: with it JMH leaves an empty JSON; the runner lists failed"
                    + " benchmarks itself and exits 1");
        }
        if (options.getJvmArgsPrepend().hasValue()) {
            throw new UsageError("-jvmArgsPrepend after --: give fork flags with --jvm-args \"FLAGS\"");
        }
        // Either would silently replace what a lesson pins in its own @Fork (GenerationalGc's heap, the
        // attach flags of the JOL lessons) or the host arguments forks inherit: refused, not merged.
        if (options.getJvmArgs().hasValue()) {
            throw new UsageError("-jvmArgs after --: it would replace the flags forks inherit and a lesson's own"
                    + " @Fork flags; give fork flags with --jvm-args \"FLAGS\"");
        }
        if (options.getJvmArgsAppend().hasValue()) {
            throw new UsageError("-jvmArgsAppend after --: it would replace a lesson's own @Fork(jvmArgsAppend)"
                    + " (e.g. a pinned heap); give fork flags with --jvm-args \"FLAGS\"");
        }
        if (options.shouldList() || options.shouldListWithParams() || options.shouldHelp()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            throw new UsageError("a JMH listing option after --: use ./run-benchmarks.sh list"
                    + " (or java -jar target/benchmarks.jar -h)");
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }

    public List<String> args() {
        return args;
    }

    public List<String> includes() {
        return options.getIncludes();
    }

    public List<String> excludes() {
        return options.getExcludes();
    }

    /** The values the user gave with {@code -p name=...}, if any. */
    public Optional<List<String>> param(String name) {
        org.openjdk.jmh.util.Optional<Collection<String>> values = options.getParameter(name);
        return values.hasValue() ? Optional.of(new ArrayList<>(values.get())) : Optional.empty();
    }

    /** Whether the user already asked for the named profiler with {@code -prof}. */
    public boolean profiles(String name) {
        for (ProfilerConfig config : options.getProfilers()) {
            if (config.getKlass().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The fork count the user gave with {@code -f N}, if any. */
    public Optional<Integer> forks() {
        return options.getForkCount().hasValue() ? Optional.of(options.getForkCount().get()) : Optional.empty();
    }

    /**
     * The user's arguments without their {@code -f N}: the runner gives every JMH invocation its own fork
     * count (one per round), and JMH refuses an option given twice.
     */
    public List<String> argsWithoutForks() throws UsageError {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-f")) {
                i++;
            } else if (!arg.matches("-f=?\\d+")) {
                kept.add(arg);
            }
        }
        try {
            if (new CommandLineOptions(kept.toArray(new String[0])).getForkCount().hasValue()) {
                throw new UsageError("give the fork count after -- as -f N");
            }
        } catch (CommandLineOptionException e) {
            throw new UsageError("JMH cannot parse the options after -- without their -f: " + firstLine(e.getMessage()));
        }
        return kept;
    }

    boolean setsWarmupIterations() {
        return options.getWarmupIterations().hasValue();
    }

    boolean setsWarmupTime() {
        return options.getWarmupTime().hasValue();
    }

    boolean setsIterations() {
        return options.getMeasurementIterations().hasValue();
    }

    boolean setsIterationTime() {
        return options.getMeasurementTime().hasValue();
    }
}
