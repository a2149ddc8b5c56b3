package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import perfmastery.runner.BenchmarkSelection.Benchmark;
import perfmastery.runner.BenchmarkSelection.Group;

class ShardTest {

    private static final List<Benchmark> ALL = List.of(
            new Benchmark("p.Fib.recursive", Map.of("n", List.of("20", "30", "40")), List.of()),
            new Benchmark("p.Fib.memoized", Map.of("n", List.of("20", "30", "40")), List.of()),
            new Benchmark("p.Copy.copy", Map.of("size", List.of("1", "64"), "mode", List.of("a", "b")), List.of("-Xss2m")),
            new Benchmark("p.Offload.pool", Map.of(), List.of()),
            new Benchmark("p.Offload.virtualThread", Map.of(), List.of()),
            new Benchmark("p.Server.handle", Map.of("executor", List.of("fixedPool", "virtualPerTask")), List.of()));

    private static BenchmarkSelection whole(boolean virtualThreads) throws UsageError {
        return BenchmarkSelection.forJdk(ALL, name -> Optional.empty(), virtualThreads, "JDK x");
    }

    @Test
    void theShardsOfOneSelectionCoverItExactlyOnce() throws UsageError {
        for (boolean virtual : new boolean[] {true, false}) {
            BenchmarkSelection whole = whole(virtual);
            for (int count = 1; count <= 7; count++) {
                List<String> union = new ArrayList<>();
                for (int index = 1; index <= count; index++) {
                    BenchmarkSelection part = whole.shard(new Shard(index, count), key -> 10);
                    union.addAll(part.expected());
                    // A lesson is never split: a class's rows are all in one part.
                    for (String key : part.expected()) {
                        String cls = BenchmarkSelection.classOf(key.replaceAll("\\[.*", ""));
                        whole.expected().stream().filter(k -> BenchmarkSelection.classOf(k.replaceAll("\\[.*", "")).equals(cls))
                                .forEach(k -> assertTrue(part.expected().contains(k), k + " split from " + key));
                    }
                    int rowsInGroups = part.groups().stream().mapToInt(g -> part.unitsOf(g).size()).sum();
                    assertEquals(part.expected().size(), rowsInGroups, "the part's invocations run exactly its rows");
                }
                assertEquals(whole.expected().size(), union.size(), "no row twice, at " + count + " shards");
                assertEquals(whole.expected(), new TreeSet<>(union), "every row once, at " + count + " shards");
            }
        }
    }

    @Test
    void aShardIsTheSameOnEveryMachineAndBalancedByTime() throws UsageError {
        BenchmarkSelection whole = whole(true);
        Map<String, Double> seconds = new HashMap<>();
        for (String key : whole.expected()) {
            seconds.put(key, key.contains("recursive") ? 60.0 : 5.0);
        }
        // Lessons: Fib 3x60 + 3x5 = 195 s, Copy 4x5 = 20, Offload 2x5 = 10, Server 2x5 = 10.
        double[] totals = new double[2];
        for (int index = 1; index <= 2; index++) {
            SortedSet<String> first = whole.shard(new Shard(index, 2), seconds::get).expected();
            SortedSet<String> again = whole(true).shard(new Shard(index, 2), seconds::get).expected();
            assertEquals(first, again, "the same part on every machine");
            for (String key : first) {
                totals[index - 1] += seconds.get(key);
            }
        }
        // Longest first: Fib alone in part 1, the three short lessons together in part 2.
        assertEquals(195.0, totals[0]);
        assertEquals(40.0, totals[1]);
        Map<String, Double> even = new HashMap<>();
        whole.expected().forEach(k -> even.put(k, 1.0));
        double[] counts = new double[3];
        for (int index = 1; index <= 3; index++) {
            counts[index - 1] = whole.shard(new Shard(index, 3), even::get).expected().size();
        }
        // 6 Fib rows, 4 Copy, 2 Offload, 2 Server over three parts: 6 | 4 | 2+2.
        assertEquals(java.util.List.of(6.0, 4.0, 4.0), java.util.List.of(counts[0], counts[1], counts[2]));
    }

    @Test
    void aPartsJmhArgumentsRunOnlyItsLessons() throws UsageError {
        BenchmarkSelection whole = whole(false);
        Map<String, Double> seconds = new HashMap<>();
        whole.expected().forEach(k -> seconds.put(k, k.startsWith("p.Copy") ? 100.0 : 1.0));
        BenchmarkSelection part = whole.shard(new Shard(1, 2), seconds::get);
        assertEquals(4, part.expected().size());
        assertTrue(part.expected().stream().allMatch(k -> k.startsWith("p.Copy.copy[")), part.expected().toString());
        Group copy = part.groups().get(0);
        assertEquals(List.of("p.Copy.copy"), copy.names());
        List<String> args = part.jmhArgsFor(copy);
        assertTrue(args.contains(BenchmarkSelection.exactly("p.Fib.recursive")), "other lessons excluded: " + args);
        assertEquals(List.of("-Xss2m"), copy.ownPrepend());
        BenchmarkSelection other = whole.shard(new Shard(2, 2), seconds::get);
        assertTrue(other.expected().stream().noneMatch(k -> k.toLowerCase().contains("virtual")), "left out on JDK 17");
    }

    @Test
    void moreShardsThanRowsLeavesSomeEmpty() throws UsageError {
        BenchmarkSelection whole = BenchmarkSelection.forJdk(List.of(ALL.get(3)), name -> Optional.empty(), true, "x");
        assertEquals(1, whole.shard(new Shard(1, 2), k -> 1).expected().size());
        assertTrue(whole.shard(new Shard(2, 2), k -> 1).isEmpty());
    }

    @Test
    void aBadShardIsOneLine() {
        for (String bad : List.of("0/2", "3/2", "2", "a/b", "1/0", "-1/2", "1/2/3", "")) {
            UsageError e = assertThrows(UsageError.class, () -> Shard.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--shard wants K/N"), e.getMessage());
        }
        assertEquals(new Shard(2, 4), assertDoesNotThrowParse("2/4"));
    }

    private static Shard assertDoesNotThrowParse(String text) {
        try {
            return Shard.parse(text);
        } catch (UsageError e) {
            throw new AssertionError(e);
        }
    }

}
