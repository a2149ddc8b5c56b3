package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import perfmastery.runner.BenchmarkSelection.Benchmark;
import perfmastery.runner.BenchmarkSelection.Group;

class BenchmarkSelectionTest {

    private static final String FIB = "perfmastery.cpu.Fib.recursive";
    private static final String POOL = "perfmastery.cpu.Offload.pool";
    private static final String VIRTUAL = "perfmastery.cpu.Offload.virtualThreads";
    private static final String EXECUTORS = "perfmastery.io.Server.handle";
    private static final String OTHER_EXECUTORS = "perfmastery.io.Copy.copy";

    private static final List<Benchmark> ALL = List.of(
            new Benchmark(FIB, Map.of("n", List.of("20", "30")), List.of()),
            new Benchmark(POOL, Map.of(), List.of()),
            new Benchmark(VIRTUAL, Map.of(), List.of()),
            new Benchmark(EXECUTORS, Map.of("executor", List.of("fixedPool", "virtualPerTask"), "size", List.of("1")),
                    List.of()),
            new Benchmark(OTHER_EXECUTORS, Map.of("executor", List.of("direct", "fixedPool")), List.of()));

    private static final Function<String, Optional<List<String>>> NO_PARAMS = name -> Optional.empty();

    @Test
    void regexesFollowJmhFindAnywhereAndExcludes() throws UsageError {
        assertEquals(List.of(FIB), names(BenchmarkSelection.matching(ALL, List.of("Fib"), List.of())));
        assertEquals(List.of(POOL, VIRTUAL), names(BenchmarkSelection.matching(ALL, List.of("Offload"), List.of())));
        assertEquals(List.of(POOL), names(BenchmarkSelection.matching(ALL, List.of("Offload"), List.of("virtual"))));
        assertEquals(5, BenchmarkSelection.matching(ALL, List.of(), List.of()).size());
    }

    @Test
    void aRegexThatMatchesNothingIsBadInput() {
        assertEquals("no benchmark matches 'Fibonaci': see ./run-benchmarks.sh list",
                assertThrows(UsageError.class, () -> BenchmarkSelection.matching(ALL, List.of("Fib", "Fibonaci"),
                        List.of())).getMessage());
        assertTrue(assertThrows(UsageError.class, () -> BenchmarkSelection.matching(ALL, List.of("Fib("), List.of()))
                .getMessage().startsWith("'Fib(' is not a valid regex"));
        assertTrue(assertThrows(UsageError.class, () -> BenchmarkSelection.matching(ALL, List.of("Fib"), List.of("r")))
                .getMessage().contains("leave no benchmark"));
    }

    @Test
    void onJdk21PlusEverythingRunsInOneInvocation() throws UsageError {
        BenchmarkSelection selection = BenchmarkSelection.forJdk(ALL, NO_PARAMS, true, "JDK 25");
        assertEquals(1, selection.groups().size());
        assertEquals(List.of(), selection.jmhArgsFor(selection.groups().get(0)));
        assertTrue(selection.leftOutNote("JDK 25").isEmpty());
        assertTrue(selection.expected().contains(EXECUTORS + "[executor=virtualPerTask;size=1]"));
        assertTrue(selection.expected().contains(VIRTUAL));
        assertEquals(2 + 1 + 1 + 2 + 2, selection.expected().size());
    }

    @Test
    void onJdk17VirtualMethodsAndValuesAreLeftOut() throws UsageError {
        BenchmarkSelection selection = BenchmarkSelection.forJdk(ALL, NO_PARAMS, false, "JDK 17.0.15");
        assertEquals(List.of(VIRTUAL), selection.leftOutBenchmarks());
        assertEquals(Map.of("executor", new TreeSet<>(Set.of("virtualPerTask"))), selection.leftOutValues());
        assertEquals("left out on JDK 17.0.15 (needs JDK 21+ for virtual threads): benchmarks " + VIRTUAL
                + "; @Param executor=virtualPerTask", selection.leftOutNote("JDK 17.0.15").orElseThrow());
        assertFalse(selection.expected().contains(VIRTUAL));
        assertFalse(selection.expected().stream().anyMatch(k -> k.contains("virtualPerTask")));
        assertTrue(selection.expected().contains(EXECUTORS + "[executor=fixedPool;size=1]"));
        assertTrue(selection.expected().contains(OTHER_EXECUTORS + "[executor=direct]"));
    }

    @Test
    void twoBenchmarksSharingAParamNameNeverGetEachOthersValues() throws UsageError {
        BenchmarkSelection selection = BenchmarkSelection.forJdk(ALL, NO_PARAMS, false, "JDK 17");
        List<Group> groups = selection.groups();
        assertEquals(2, groups.size());
        Group server = groups.stream().filter(g -> g.names().contains(EXECUTORS)).findFirst().orElseThrow();
        Group copy = groups.stream().filter(g -> g.names().contains(OTHER_EXECUTORS)).findFirst().orElseThrow();
        assertEquals(Map.of("executor", List.of("fixedPool")), server.paramOverrides());
        assertEquals(Map.of("executor", List.of("direct", "fixedPool")), copy.paramOverrides());
        assertFalse(server.names().contains(OTHER_EXECUTORS));
        // benchmarks without the param join the first group; each group excludes the other's members
        assertTrue(server.names().contains(FIB) || copy.names().contains(FIB));
        List<String> serverArgs = selection.jmhArgsFor(server);
        assertTrue(serverArgs.containsAll(List.of("-e", BenchmarkSelection.exactly(OTHER_EXECUTORS))));
        assertTrue(serverArgs.contains(BenchmarkSelection.exactly(VIRTUAL)));
        assertTrue(serverArgs.containsAll(List.of("-p", "executor=fixedPool")));
        assertFalse(serverArgs.stream().anyMatch(a -> a.contains(",")
                && !a.startsWith("executor=")), "JMH splits -e values on commas: " + serverArgs);
        List<String> copyArgs = selection.jmhArgsFor(copy);
        assertTrue(copyArgs.containsAll(List.of("-p", "executor=direct,fixedPool")));
        assertTrue(copyArgs.contains(BenchmarkSelection.exactly(EXECUTORS)));
    }

    @Test
    void exactRegexesMatchOnlyTheirBenchmark() {
        String regex = BenchmarkSelection.exactly(POOL);
        assertTrue(java.util.regex.Pattern.compile(regex).matcher(POOL).find());
        assertFalse(java.util.regex.Pattern.compile(regex).matcher(POOL + "ed").find());
        assertFalse(java.util.regex.Pattern.compile(regex).matcher("perfmastery.cpu.OffloadXpool").find());
    }

    @Test
    void aUsersParamIsRespected() throws UsageError {
        Function<String, Optional<List<String>>> user = name -> name.equals("executor")
                ? Optional.of(List.of("fixedPool")) : Optional.empty();
        BenchmarkSelection selection = BenchmarkSelection.forJdk(ALL, user, false, "JDK 17");
        assertEquals(1, selection.groups().size());
        assertEquals(Map.of(), selection.groups().get(0).paramOverrides());
        assertTrue(selection.expected().contains(OTHER_EXECUTORS + "[executor=fixedPool]"));
        assertFalse(selection.expected().contains(OTHER_EXECUTORS + "[executor=direct]"));
    }

    @Test
    void aUsersVirtualParamOnJdk17IsBadInput() {
        Function<String, Optional<List<String>>> user = name -> name.equals("executor")
                ? Optional.of(List.of("virtualPerTask")) : Optional.empty();
        String message = assertThrows(UsageError.class,
                () -> BenchmarkSelection.forJdk(ALL, user, false, "JDK 17.0.15")).getMessage();
        assertTrue(message.contains("needs JDK 21+"), message);
    }

    @Test
    void aBenchmarkWithOnlyVirtualValuesIsLeftOutWhole() throws UsageError {
        List<Benchmark> onlyVirtual = List.of(new Benchmark("p.A.run", Map.of("mode", List.of("virtual")), List.of()),
                new Benchmark("p.B.run", Map.of(), List.of()));
        BenchmarkSelection selection = BenchmarkSelection.forJdk(onlyVirtual, NO_PARAMS, false, "JDK 17");
        assertEquals(List.of("p.A.run"), selection.leftOutBenchmarks());
        assertEquals(new TreeSet<>(Set.of("p.B.run")), selection.expected());
        BenchmarkSelection nothing = BenchmarkSelection.forJdk(onlyVirtual.subList(0, 1), NO_PARAMS, false, "JDK 17");
        assertTrue(nothing.isEmpty());
    }

    @Test
    void benchmarksWithTheirOwnJvmArgsPrependRunApartSoTheyKeepThem() throws UsageError {
        List<Benchmark> benchmarks = List.of(new Benchmark("p.A.run", Map.of(), List.of("-Xss4m")),
                new Benchmark("p.B.run", Map.of(), List.of()), new Benchmark("p.C.run", Map.of(), List.of("-Xss4m")));
        List<Group> groups = BenchmarkSelection.forJdk(benchmarks, NO_PARAMS, true, "JDK 25").groups();
        assertEquals(2, groups.size());
        assertEquals(List.of("p.A.run", "p.C.run"), groups.get(0).names());
        assertEquals(List.of("-Xss4m"), groups.get(0).ownPrepend());
        assertEquals(List.of("p.B.run"), groups.get(1).names());
    }

    @Test
    void keysCoverEveryCombinationInJmhsJsonForm() {
        assertEquals(List.of("a.B.c[m=x;n=1]", "a.B.c[m=x;n=2]", "a.B.c[m=y;n=1]", "a.B.c[m=y;n=2]"),
                BenchmarkSelection.keys("a.B.c", Map.of("n", List.of("1", "2"), "m", List.of("x", "y"))));
        assertEquals(List.of("a.B.c"), BenchmarkSelection.keys("a.B.c", Map.of()));
    }

    @Test
    void readsTheRealBenchmarkList() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            List<Benchmark> all = BenchmarkSelection.read(in);
            Benchmark recursive = all.stream().filter(b -> b.name().endsWith("FibonacciBenchmark.recursive"))
                    .findFirst().orElseThrow();
            assertEquals(Map.of("n", List.of("20", "30")), recursive.params());
        }
    }

    private static List<String> names(List<Benchmark> benchmarks) {
        return benchmarks.stream().map(Benchmark::name).toList();
    }

    @Test
    void benchmarksWhoseInvocationsGetDifferentForkCountsAreGroupedApart() throws UsageError {
        List<Benchmark> benchmarks = List.of(new Benchmark("p.A.run", Map.of(), List.of(), 3),
                new Benchmark("p.B.run", Map.of(), List.of(), 6), new Benchmark("p.C.run", Map.of(), List.of(), 2),
                new Benchmark("p.D.run", Map.of(), List.of(), 9));
        ForkPlan rounds = new ForkPlan(perfmastery.runner.RunOptions.ForkOrder.ROUNDS, 3, true);
        List<Group> groups = BenchmarkSelection.forJdk(benchmarks, NO_PARAMS, true, "JDK 25",
                rounds::forksPerInvocation).groups();
        assertEquals(List.of(List.of("p.A.run", "p.C.run"), List.of("p.B.run"), List.of("p.D.run")),
                groups.stream().map(Group::names).toList());
        assertEquals(List.of(1, 2, 3), groups.stream().map(Group::forks).toList());
        BenchmarkSelection selection = BenchmarkSelection.forJdk(benchmarks, NO_PARAMS, true, "JDK 25",
                rounds::forksPerInvocation);
        assertEquals(List.of("-e", BenchmarkSelection.exactly("p.A.run"), "-e", BenchmarkSelection.exactly("p.C.run"),
                "-e", BenchmarkSelection.exactly("p.D.run")), selection.jmhArgsFor(groups.get(1)));
    }
}
