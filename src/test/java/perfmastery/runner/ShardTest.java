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
                    // Each group of a part is one unit, run alone: one benchmark, each param pinned to one value.
                    for (Group group : part.groups()) {
                        assertEquals(1, group.names().size());
                        group.paramOverrides().values().forEach(values -> assertEquals(1, values.size()));
                        assertEquals(1, part.unitsOf(group).size());
                    }
                    assertEquals(part.expected().size(), part.groups().size());
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
        double[] totals = new double[3];
        for (int index = 1; index <= 3; index++) {
            SortedSet<String> first = whole.shard(new Shard(index, 3), seconds::get).expected();
            SortedSet<String> again = whole(true).shard(new Shard(index, 3), seconds::get).expected();
            assertEquals(first, again);
            for (String key : first) {
                totals[index - 1] += seconds.get(key);
            }
        }
        double longest = 60;
        double max = Math.max(totals[0], Math.max(totals[1], totals[2]));
        double min = Math.min(totals[0], Math.min(totals[1], totals[2]));
        // The longest-first rule leaves the parts within one unit's time of each other.
        assertTrue(max - min <= longest, java.util.Arrays.toString(totals));
        // Three 60 s rows over three parts: one each.
        for (int index = 1; index <= 3; index++) {
            long slow = whole.shard(new Shard(index, 3), seconds::get).expected().stream()
                    .filter(k -> k.contains("recursive")).count();
            assertEquals(1, slow);
        }
    }

    @Test
    void aUnitsJmhArgumentsRunOnlyThatUnit() throws UsageError {
        BenchmarkSelection part = whole(false).shard(new Shard(1, 1), key -> 1);
        Group copy = part.groups().stream().filter(g -> g.names().get(0).equals("p.Copy.copy")).findFirst().orElseThrow();
        List<String> args = part.jmhArgsFor(copy);
        assertTrue(args.contains("-e") && args.contains(BenchmarkSelection.exactly("p.Fib.recursive")), args.toString());
        assertTrue(args.contains("mode=a") || args.contains("mode=b"), args.toString());
        assertEquals(List.of("-Xss2m"), copy.ownPrepend());
        assertTrue(part.expected().stream().noneMatch(k -> k.toLowerCase().contains("virtual")), "left out on JDK 17");
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

    @Test
    void userParamsAreDroppedFromAShardsCommandSinceEachUnitPinsItsOwn() throws UsageError {
        JmhArgs args = JmhArgs.parse(List.of("Fib", "-p", "n=20,30", "-f", "2"));
        assertEquals(List.of("Fib", "-f", "2"), args.argsWithoutParams());
    }
}
