package perfmastery.runner;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Which benchmarks one JMH run will execute, with which {@code @Param} values, computed from the jar's
 * BenchmarkList with JMH's own matching rules (an include regex selects a benchmark when it is found
 * anywhere in its name, an exclude regex removes it). It knows what each JSON file must hold at the end.
 *
 * <p>On a JDK without virtual threads it leaves out the benchmark methods whose name contains "virtual"
 * and the {@code @Param} values that contain "virtual" (case-insensitive). Values are left out with
 * {@code -p name=<the other values>}; as JMH applies a {@code -p} to every benchmark that has a param
 * of that name, two benchmarks that share a name but keep different values are run in separate JMH
 * invocations ({@link Group}s), never given each other's values. A benchmark's own
 * {@code @Fork(jvmArgsPrepend)} is replaced by the command line's {@code -jvmArgsPrepend}, so it is
 * carried over into the fork flags, and benchmarks with different ones are grouped apart as well, as are
 * benchmarks whose invocations get different fork counts (a lesson whose own {@code @Fork} asks for more
 * forks than the preset, see {@link ForkPlan}).
 */
public final class BenchmarkSelection {

    private static final String VIRTUAL = "virtual";

    /**
     * One benchmark of the jar, as its BenchmarkList describes it (modes merged); {@code ownForks} is its
     * class's or method's {@code @Fork(value)}, 0 where it sets none.
     */
    public record Benchmark(String name, Map<String, List<String>> params, List<String> ownPrepend, int ownForks) {

        public Benchmark(String name, Map<String, List<String>> params, List<String> ownPrepend) {
            this(name, params, ownPrepend, 0);
        }

        public Benchmark {
            Map<String, List<String>> copy = new TreeMap<>();
            params.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            params = java.util.Collections.unmodifiableMap(copy);
            ownPrepend = List.copyOf(ownPrepend);
        }

        String methodName() {
            return name.substring(name.lastIndexOf('.') + 1);
        }

        static Benchmark of(BenchmarkListEntry entry) {
            Map<String, List<String>> params = new TreeMap<>();
            if (entry.getParams().hasValue()) {
                entry.getParams().get().forEach((k, v) -> params.put(k, Arrays.asList(v)));
            }
            Collection<String> prepend = entry.getJvmArgsPrepend().orElse(List.of());
            int forks = entry.getForks().orElse(0);
            return new Benchmark(entry.getUsername(), params, new ArrayList<>(prepend), Math.max(0, forks));
        }
    }

    /**
     * Benchmarks that one JMH invocation runs together, with the {@code -p} values they all accept and the
     * fork count ({@code -f}) that invocation gets.
     */
    public record Group(List<String> names, Map<String, List<String>> paramOverrides, List<String> ownPrepend,
            int forks) {
    }

    private final List<Benchmark> toRun;
    private final List<String> leftOutBenchmarks;
    private final Map<String, SortedSet<String>> leftOutValues;
    private final List<Group> groups;
    private final SortedSet<String> expected;

    /** Per benchmark to run, the values of each of its params that this selection runs. */
    private final Map<String, Map<String, List<String>>> values;

    private BenchmarkSelection(List<Benchmark> toRun, List<String> leftOutBenchmarks,
            Map<String, SortedSet<String>> leftOutValues, List<Group> groups, SortedSet<String> expected,
            Map<String, Map<String, List<String>>> values) {
        this.toRun = toRun;
        this.leftOutBenchmarks = leftOutBenchmarks;
        this.leftOutValues = leftOutValues;
        this.groups = groups;
        this.expected = expected;
        this.values = values;
    }

    /** One row a selection produces: a benchmark at one combination of its params. */
    public record Unit(String benchmark, SortedMap<String, String> params) {
        /** The key of the row, as {@link #expected()} writes it. */
        public String key() {
            if (params.isEmpty()) {
                return benchmark;
            }
            List<String> pairs = new ArrayList<>();
            params.forEach((k, v) -> pairs.add(k + "=" + v));
            return benchmark + "[" + String.join(";", pairs) + "]";
        }
    }

    /** Every row of this selection, benchmark by benchmark, combinations in key order. */
    public List<Unit> units() {
        List<Unit> units = new ArrayList<>();
        for (Benchmark benchmark : toRun) {
            List<SortedMap<String, String>> combinations = new ArrayList<>();
            combinations.add(new TreeMap<>());
            for (Map.Entry<String, List<String>> param : new TreeMap<>(values.get(benchmark.name())).entrySet()) {
                List<SortedMap<String, String>> next = new ArrayList<>();
                for (SortedMap<String, String> prefix : combinations) {
                    for (String value : param.getValue()) {
                        SortedMap<String, String> combination = new TreeMap<>(prefix);
                        combination.put(param.getKey(), value);
                        next.add(combination);
                    }
                }
                combinations = next;
            }
            for (SortedMap<String, String> combination : combinations) {
                Unit unit = new Unit(benchmark.name(), java.util.Collections.unmodifiableSortedMap(combination));
                if (expected.contains(unit.key())) {
                    units.add(unit);
                }
            }
        }
        return units;
    }

    /**
     * The part of this selection that a shard runs: whole benchmark classes (lessons), dealt by expected
     * time, so that the variants a claim compares, and the rows whose fork variance the report pools,
     * always come from one machine and one run. Each class keeps the JMH invocations (groups) it has in
     * the whole selection, so no row is run twice or left out across the parts.
     *
     * @param seconds the expected time of a row, by {@link Unit#key()}
     */
    public BenchmarkSelection shard(Shard shard, java.util.function.ToDoubleFunction<String> seconds) {
        Map<String, Double> cost = new LinkedHashMap<>();
        Map<String, List<String>> keysByClass = new LinkedHashMap<>();
        for (Unit unit : units()) {
            String className = classOf(unit.benchmark());
            cost.merge(className, seconds.applyAsDouble(unit.key()), Double::sum);
            keysByClass.computeIfAbsent(className, k -> new ArrayList<>()).add(unit.key());
        }
        List<String> classes = new ArrayList<>(cost.keySet());
        java.util.Set<String> mine = new java.util.HashSet<>(shard.select(classes, cost, java.util.Comparator.naturalOrder()));
        List<Group> kept = new ArrayList<>();
        for (Group group : groups) {
            List<String> names = group.names().stream().filter(n -> mine.contains(classOf(n))).toList();
            if (!names.isEmpty()) {
                kept.add(new Group(names, group.paramOverrides(), group.ownPrepend(), group.forks()));
            }
        }
        SortedSet<String> mineExpected = new TreeSet<>();
        mine.forEach(c -> mineExpected.addAll(keysByClass.get(c)));
        return new BenchmarkSelection(toRun, leftOutBenchmarks, leftOutValues, List.copyOf(kept), mineExpected, values);
    }

    /**
     * This selection's invocations cut to the given classes (lessons), for the rounds after a sequential look; the
     * rows expected stay the whole selection's, since every row ran the rounds before.
     */
    public BenchmarkSelection onlyClasses(java.util.Set<String> classes) {
        List<Group> kept = new ArrayList<>();
        for (Group group : groups) {
            List<String> names = group.names().stream().filter(n -> classes.contains(classOf(n))).toList();
            if (!names.isEmpty()) {
                kept.add(new Group(names, group.paramOverrides(), group.ownPrepend(), group.forks()));
            }
        }
        return new BenchmarkSelection(toRun, leftOutBenchmarks, leftOutValues, List.copyOf(kept), expected, values);
    }

    /** The class of a benchmark name: everything before the last dot. */
    static String classOf(String benchmarkName) {
        int dot = benchmarkName.lastIndexOf('.');
        return dot < 0 ? benchmarkName : benchmarkName.substring(0, dot);
    }

    /** The jar's benchmarks, one per name (BenchmarkList has one line per mode). */
    public static List<Benchmark> read(InputStream benchmarkList) throws IOException {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        for (BenchmarkListEntry entry : BenchmarkList.readBenchmarkList(benchmarkList)) {
            byName.putIfAbsent(entry.getUsername(), Benchmark.of(entry));
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * The benchmarks the user's regexes select, before any JDK is considered. A regex that is invalid
     * or matches nothing, or excludes that leave nothing, are bad input.
     */
    public static List<Benchmark> matching(List<Benchmark> all, List<String> includes, List<String> excludes)
            throws UsageError {
        if (all.isEmpty()) {
            throw new UsageError("the jar lists no benchmark: rebuild it with ./mvnw package");
        }
        List<Pattern> includePatterns = compile(includes);
        List<Pattern> excludePatterns = compile(excludes);
        for (int i = 0; i < includePatterns.size(); i++) {
            Pattern pattern = includePatterns.get(i);
            if (all.stream().noneMatch(b -> pattern.matcher(b.name()).find())) {
                throw new UsageError("no benchmark matches '" + includes.get(i)
                        + "': see ./run-benchmarks.sh list");
            }
        }
        List<Benchmark> selected = new ArrayList<>();
        for (Benchmark benchmark : all) {
            boolean included = includePatterns.isEmpty()
                    || includePatterns.stream().anyMatch(p -> p.matcher(benchmark.name()).find());
            boolean excluded = excludePatterns.stream().anyMatch(p -> p.matcher(benchmark.name()).find());
            if (included && !excluded) {
                selected.add(benchmark);
            }
        }
        if (selected.isEmpty()) {
            throw new UsageError("the excludes (-e) leave no benchmark to run: see ./run-benchmarks.sh list");
        }
        return selected;
    }

    private static List<Pattern> compile(List<String> regexes) throws UsageError {
        List<Pattern> patterns = new ArrayList<>();
        for (String regex : regexes) {
            try {
                patterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new UsageError("'" + regex + "' is not a valid regex: " + e.getDescription());
            }
        }
        return patterns;
    }

    static boolean needsVirtualThreads(String text) {
        return text.toLowerCase(Locale.ROOT).contains(VIRTUAL);
    }

    /** What one JDK runs of the selected benchmarks, one fork per JMH invocation. */
    public static BenchmarkSelection forJdk(List<Benchmark> selected, Function<String, Optional<List<String>>> userParams,
            boolean virtualThreads, String jdkDescription) throws UsageError {
        return forJdk(selected, userParams, virtualThreads, jdkDescription, benchmark -> 1);
    }

    /**
     * What one JDK runs of the selected benchmarks.
     *
     * @param userParams the values of a {@code -p name=...} the user gave, by name
     * @param forksPerInvocation the {@code -f} of the JMH invocation that runs a benchmark: benchmarks with
     *                           different counts are run in separate invocations
     */
    public static BenchmarkSelection forJdk(List<Benchmark> selected, Function<String, Optional<List<String>>> userParams,
            boolean virtualThreads, String jdkDescription, java.util.function.ToIntFunction<Benchmark> forksPerInvocation)
            throws UsageError {
        List<String> leftOutBenchmarks = new ArrayList<>();
        Map<String, SortedSet<String>> leftOutValues = new TreeMap<>();
        List<Benchmark> candidates = new ArrayList<>();
        for (Benchmark benchmark : selected) {
            if (!virtualThreads && needsVirtualThreads(benchmark.methodName())) {
                leftOutBenchmarks.add(benchmark.name());
            } else {
                candidates.add(benchmark);
            }
        }

        TreeSet<String> overriddenNames = new TreeSet<>();
        for (Benchmark benchmark : candidates) {
            for (Map.Entry<String, List<String>> param : benchmark.params().entrySet()) {
                Optional<List<String>> given = userParams.apply(param.getKey());
                List<String> values = given.orElse(param.getValue());
                if (virtualThreads || values.stream().noneMatch(BenchmarkSelection::needsVirtualThreads)) {
                    continue;
                }
                if (given.isPresent()) {
                    throw new UsageError("-p " + param.getKey() + "=" + String.join(",", given.get())
                            + " asks for virtual threads, which " + jdkDescription
                            + " lacks (needs JDK 21+): run that JDK without them");
                }
                overriddenNames.add(param.getKey());
            }
        }

        List<Benchmark> toRun = new ArrayList<>();
        List<Map<String, List<String>>> signatures = new ArrayList<>();
        for (Benchmark benchmark : candidates) {
            Map<String, List<String>> signature = new TreeMap<>();
            boolean runnable = true;
            for (String name : overriddenNames) {
                List<String> values = benchmark.params().get(name);
                if (values == null) {
                    continue;
                }
                List<String> kept = new ArrayList<>();
                for (String value : values) {
                    if (needsVirtualThreads(value)) {
                        leftOutValues.computeIfAbsent(name, k -> new TreeSet<>()).add(value);
                    } else {
                        kept.add(value);
                    }
                }
                if (kept.isEmpty()) {
                    runnable = false;
                } else {
                    signature.put(name, List.copyOf(kept));
                }
            }
            if (runnable) {
                toRun.add(benchmark);
                signatures.add(signature);
            } else {
                leftOutBenchmarks.add(benchmark.name());
            }
        }

        List<Group> groups = group(toRun, signatures, forksPerInvocation);
        SortedSet<String> expected = new TreeSet<>();
        Map<String, Map<String, List<String>>> valuesByBenchmark = new java.util.HashMap<>();
        for (int i = 0; i < toRun.size(); i++) {
            Benchmark benchmark = toRun.get(i);
            Map<String, List<String>> values = new TreeMap<>();
            valuesByBenchmark.put(benchmark.name(), values);
            for (Map.Entry<String, List<String>> param : benchmark.params().entrySet()) {
                String name = param.getKey();
                values.put(name, userParams.apply(name)
                        .orElse(signatures.get(i).getOrDefault(name, param.getValue())));
            }
            expected.addAll(keys(benchmark.name(), values));
        }
        return new BenchmarkSelection(List.copyOf(toRun), List.copyOf(leftOutBenchmarks), leftOutValues,
                groups, expected, valuesByBenchmark);
    }

    /** Merges benchmarks into as few groups as their {@code -p} values, own fork flags and fork counts allow. */
    private static List<Group> group(List<Benchmark> benchmarks, List<Map<String, List<String>>> signatures,
            java.util.function.ToIntFunction<Benchmark> forksPerInvocation) {
        List<List<String>> names = new ArrayList<>();
        List<Map<String, List<String>>> overrides = new ArrayList<>();
        List<List<String>> prepends = new ArrayList<>();
        List<Integer> forks = new ArrayList<>();
        for (int i = 0; i < benchmarks.size(); i++) {
            Benchmark benchmark = benchmarks.get(i);
            Map<String, List<String>> signature = signatures.get(i);
            int ownForks = forksPerInvocation.applyAsInt(benchmark);
            int target = -1;
            for (int g = 0; g < names.size() && target < 0; g++) {
                if (prepends.get(g).equals(benchmark.ownPrepend()) && forks.get(g) == ownForks
                        && compatible(overrides.get(g), signature)) {
                    target = g;
                }
            }
            if (target < 0) {
                names.add(new ArrayList<>());
                overrides.add(new TreeMap<>());
                prepends.add(benchmark.ownPrepend());
                forks.add(ownForks);
                target = names.size() - 1;
            }
            names.get(target).add(benchmark.name());
            overrides.get(target).putAll(signature);
        }
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < names.size(); g++) {
            groups.add(new Group(List.copyOf(names.get(g)), java.util.Collections.unmodifiableMap(overrides.get(g)),
                    prepends.get(g), forks.get(g)));
        }
        return List.copyOf(groups);
    }

    private static boolean compatible(Map<String, List<String>> a, Map<String, List<String>> b) {
        for (Map.Entry<String, List<String>> entry : b.entrySet()) {
            List<String> other = a.get(entry.getKey());
            if (other != null && !other.equals(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** "Class.method[a=1;b=x]" for every combination of values; "Class.method" without params. */
    static List<String> keys(String benchmark, Map<String, List<String>> values) {
        List<String> keys = new ArrayList<>();
        keys.add("");
        for (Map.Entry<String, List<String>> param : new TreeMap<>(values).entrySet()) {
            List<String> next = new ArrayList<>();
            for (String prefix : keys) {
                for (String value : param.getValue()) {
                    next.add((prefix.isEmpty() ? "" : prefix + ";") + param.getKey() + "=" + value);
                }
            }
            keys = next;
        }
        List<String> result = new ArrayList<>();
        for (String combination : keys) {
            result.add(combination.isEmpty() ? benchmark : benchmark + "[" + combination + "]");
        }
        return result;
    }

    /** The units of this selection that one group's JMH invocation runs. */
    public List<Unit> unitsOf(Group group) {
        List<Unit> units = new ArrayList<>();
        for (Unit unit : units()) {
            if (!group.names().contains(unit.benchmark())) {
                continue;
            }
            boolean all = true;
            for (Map.Entry<String, String> param : unit.params().entrySet()) {
                List<String> pinned = group.paramOverrides().get(param.getKey());
                all &= pinned == null || pinned.contains(param.getValue());
            }
            if (all) {
                units.add(unit);
            }
        }
        return units;
    }

    /** The arguments that make one JMH invocation run exactly this group, added after the user's own. */
    public List<String> jmhArgsFor(Group group) {
        List<String> args = new ArrayList<>();
        for (Benchmark benchmark : toRun) {
            if (!group.names().contains(benchmark.name())) {
                args.addAll(List.of("-e", exactly(benchmark.name())));
            }
        }
        for (String name : leftOutBenchmarks) {
            args.addAll(List.of("-e", exactly(name)));
        }
        group.paramOverrides().forEach((name, values) -> args.addAll(List.of("-p", name + "=" + String.join(",", values))));
        return args;
    }

    static String exactly(String benchmarkName) {
        return "^" + Pattern.quote(benchmarkName) + "$";
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    public List<Group> groups() {
        return groups;
    }

    public SortedSet<String> expected() {
        return expected;
    }

    public List<String> leftOutBenchmarks() {
        return leftOutBenchmarks;
    }

    public Map<String, SortedSet<String>> leftOutValues() {
        return leftOutValues;
    }

    /** What was left out on this JDK and why, or empty when nothing was. */
    public Optional<String> leftOutNote(String jdkDescription) {
        if (leftOutBenchmarks.isEmpty() && leftOutValues.isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        if (!leftOutBenchmarks.isEmpty()) {
            parts.add("benchmarks " + String.join(", ", leftOutBenchmarks));
        }
        leftOutValues.forEach((name, values) -> parts.add("@Param " + name + "=" + String.join(",", values)));
        return Optional.of("left out on " + jdkDescription + " (needs JDK 21+ for virtual threads): "
                + String.join("; ", parts));
    }
}
