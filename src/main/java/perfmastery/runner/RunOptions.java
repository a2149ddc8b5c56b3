package perfmastery.runner;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of run-benchmarks.sh, parsed. Runner options come first; everything after
 * {@code --} goes to JMH unchanged. A subcommand ({@code list}, {@code report}, {@code heap-compare},
 * {@code footprint}, {@code worker-footprint}) must be the first argument and takes the rest as its own arguments.
 */
public record RunOptions(
        Command command,
        Preset preset,
        List<Path> jdks,
        List<List<String>> jvmArgSets,
        List<String> profilers,
        List<String> jmhArgs,
        List<String> commandArgs,
        Shard shard,
        Path timings,
        ForkOrder forkOrder,
        String compareWith,
        String margin) {

    /** What run-benchmarks.sh was asked to do. */
    public enum Command { RUN, HELP, LIST, REPORT, HEAP_COMPARE, FOOTPRINT, WORKER_FOOTPRINT }

    /**
     * How a row's forks are spread over the run: ROUNDS runs every JMH invocation once per round with one fork
     * (the forks of a row are minutes apart, and several JDKs or flag sets alternate round by round);
     * CONSECUTIVE gives JMH all forks in one invocation, back to back.
     */
    public enum ForkOrder {
        ROUNDS, CONSECUTIVE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static ForkOrder named(String name) throws UsageError {
            for (ForkOrder order : values()) {
                if (order.label().equals(name)) {
                    return order;
                }
            }
            throw new UsageError("unknown fork order '" + name + "': use rounds or consecutive");
        }
    }

    public static final List<String> PROFILES = List.of("gc", "async", "jfr", "stack");

    public RunOptions {
        jdks = List.copyOf(jdks);
        jvmArgSets = List.copyOf(jvmArgSets);
        profilers = List.copyOf(profilers);
        jmhArgs = List.copyOf(jmhArgs);
        commandArgs = List.copyOf(commandArgs);
    }

    public static RunOptions parse(List<String> args) throws UsageError {
        if (!args.isEmpty()) {
            Command sub = subcommand(args.get(0));
            if (sub != null) {
                List<String> rest = args.subList(1, args.size());
                return new RunOptions(sub, Preset.QUICK, List.of(), List.of(), List.of(), List.of(), rest, null, null,
                        ForkOrder.ROUNDS, null, null);
            }
        }
        Preset preset = null;
        Shard shard = null;
        Path timings = null;
        ForkOrder forkOrder = null;
        String compareWith = null;
        String margin = null;
        List<Path> jdks = new ArrayList<>();
        List<List<String>> jvmArgSets = new ArrayList<>();
        Set<String> profilers = new LinkedHashSet<>();
        boolean noGc = false;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                name = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            switch (name) {
                case "--" -> {
                    jmhArgs.addAll(args.subList(i + 1, args.size()));
                    i = args.size();
                }
                case "--help", "-h" -> {
                    return new RunOptions(Command.HELP, Preset.QUICK, List.of(), List.of(), List.of(), List.of(),
                            List.of(), null, null, ForkOrder.ROUNDS, null, null);
                }
                case "--no-gc" -> noGc = true;
                case "--preset", "--jdk", "--runtime", "--jvm-args", "--profile", "--shard", "--timings", "--fork-order",
                        "--compare-with", "--margin" -> {
                    String value = inlineValue;
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageError(name + " needs a value: " + valueHint(name));
                        }
                        value = args.get(++i);
                    }
                    switch (name) {
                        case "--preset" -> {
                            if (preset != null) {
                                throw new UsageError("--preset given twice: choose one of smoke, quick, full");
                            }
                            preset = Preset.named(value);
                        }
                        case "--jdk" -> {
                            if (value.isBlank()) {
                                throw new UsageError("--jdk needs a JDK folder (one with bin/java)");
                            }
                            jdks.add(Paths.get(value));
                        }
                        case "--runtime" -> {
                            // The guide's own runtime beside the JDKs: kept in the JDK list as the entry "node".
                            if (!value.equals(NodeRuntime.NAME)) {
                                throw new UsageError("unknown runtime '" + value + "': use --runtime node (JDKs go"
                                        + " to --jdk DIR)");
                            }
                            jdks.add(Paths.get(NodeRuntime.NAME));
                        }
                        case "--jvm-args" -> jvmArgSets.add(splitFlags(value));
                        case "--shard" -> {
                            if (shard != null) {
                                throw new UsageError("--shard given twice: a run is one part, e.g. --shard 2/4");
                            }
                            shard = Shard.parse(value);
                        }
                        case "--fork-order" -> {
                            if (forkOrder != null) {
                                throw new UsageError("--fork-order given twice: choose rounds or consecutive");
                            }
                            forkOrder = ForkOrder.named(value);
                        }
                        case "--compare-with" -> {
                            if (compareWith != null || value.isBlank()) {
                                throw new UsageError("--compare-with takes one base: a JMH jar or a git ref");
                            }
                            compareWith = value;
                        }
                        case "--margin" -> {
                            if (!value.strip().matches("[0-9]+(\\.[0-9]+)?\\s*%")) {
                                throw new UsageError("--margin takes a percentage such as 5%, not '" + value + "'");
                            }
                            margin = value.strip();
                        }
                        case "--timings" -> {
                            if (value.isBlank()) {
                                throw new UsageError("--timings needs a run folder with sidecars, e.g. results/reference");
                            }
                            timings = Paths.get(value);
                        }
                        default -> {
                            if (!PROFILES.contains(value)) {
                                throw new UsageError("unknown profile '" + value + "': use gc, async, jfr or stack");
                            }
                            profilers.add(value);
                        }
                    }
                }
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageError("unknown option " + arg
                                + ": see ./run-benchmarks.sh --help (JMH options go after --)");
                    }
                    throw new UsageError("unexpected argument '" + arg
                            + "': benchmark regexes go after --, e.g. ./run-benchmarks.sh -- " + arg);
                }
            }
        }
        if (timings != null && shard == null) {
            throw new UsageError("--timings only deals shards: give --shard K/N with it");
        }
        if (margin != null && compareWith == null) {
            throw new UsageError("--margin is the regression gate's: give it with --compare-with (or to report)");
        }
        if (compareWith != null && shard != null) {
            throw new UsageError("--compare-with runs base and head in the same rounds: it cannot be sharded");
        }
        if (noGc && profilers.contains("gc")) {
            throw new UsageError("--no-gc and --profile gc contradict each other: keep one");
        }
        Set<String> withGc = new LinkedHashSet<>();
        if (!noGc) {
            withGc.add("gc");
        }
        withGc.addAll(profilers);
        return new RunOptions(Command.RUN, preset == null ? Preset.QUICK : preset, jdks, jvmArgSets,
                new ArrayList<>(withGc),
                jmhArgs, List.of(), shard, timings, forkOrder == null ? ForkOrder.ROUNDS : forkOrder, compareWith,
                margin);
    }

    private static Command subcommand(String arg) {
        return switch (arg) {
            case "list" -> Command.LIST;
            case "report" -> Command.REPORT;
            case "heap-compare" -> Command.HEAP_COMPARE;
            case "footprint" -> Command.FOOTPRINT;
            case "worker-footprint" -> Command.WORKER_FOOTPRINT;
            case "help" -> Command.HELP;
            default -> null;
        };
    }

    private static String valueHint(String option) {
        return switch (option) {
            case "--preset" -> "smoke, quick or full";
            case "--jdk" -> "a JDK folder (one with bin/java), or node";
            case "--runtime" -> "node";
            case "--jvm-args" -> "JVM flags in one argument, e.g. --jvm-args \"-XX:+UseSerialGC -Xmx1g\"";
            case "--shard" -> "K/N, e.g. --shard 2/4";
            case "--timings" -> "a run folder with sidecars, e.g. results/reference";
            case "--fork-order" -> "rounds or consecutive";
            case "--compare-with" -> "a JMH benchmarks jar or a git ref (branch, tag, commit)";
            case "--margin" -> "a percentage, e.g. --margin 5%";
            default -> "gc, async, jfr or stack";
        };
    }

    /**
     * Splits one {@code --jvm-args} value into flags. JMH splits {@code -jvmArgsPrepend} on spaces, so a
     * flag can hold no space, and no quotes either (nothing would remove them).
     */
    static List<String> splitFlags(String value) throws UsageError {
        List<String> flags = new ArrayList<>();
        for (String flag : value.strip().split("\\s+")) {
            if (flag.isEmpty()) {
                continue;
            }
            if (flag.indexOf('"') >= 0 || flag.indexOf('\'') >= 0) {
                throw new UsageError("--jvm-args flags cannot hold quotes or spaces (JMH splits them on spaces): "
                        + flag);
            }
            if (!flag.startsWith("-")) {
                throw new UsageError("--jvm-args takes JVM flags starting with '-', got '" + flag + "'");
            }
            flags.add(flag);
        }
        return List.copyOf(flags);
    }

    /** The flag sets to run each JDK with: one empty set when none was given. */
    public List<List<String>> flagSetsOrDefault() {
        return jvmArgSets.isEmpty() ? List.of(List.of()) : jvmArgSets;
    }
}
