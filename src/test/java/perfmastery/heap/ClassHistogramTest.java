package perfmastery.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {

    private static final String BEFORE = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         17318        1640200  [B (java.base@17.0.15)
               2:          5015         481440  java.lang.Class (java.base@17.0.15)
               3:            10            240  perfmastery.memory.Thing
            Total         22343        2121880
            """;
    private static final String AFTER = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         17368       51642200  [B (java.base@25)
               2:          5015         481440  java.lang.Class (java.base@25)
               3:            60           1440  perfmastery.memory.Thing
               4:             2             48  [Ljava.lang.String; (java.base@25)
               5:            19        1942096  [Ljdk.internal.vm.FillerElement; (java.base@25)
            Total         22445       52125128
            """;

    @Test
    void parsesRowsAndSkipsHeaderAndTotal() {
        ClassHistogram histogram = ClassHistogram.parse(BEFORE);
        assertEquals(3, histogram.byClass().size());
        assertEquals(new ClassHistogram.Count(17318, 1640200), histogram.byClass().get("[B"));
        assertEquals(new ClassHistogram.Count(10, 240), histogram.byClass().get("perfmastery.memory.Thing"));
        assertEquals(2121880, histogram.totalBytes());
    }

    @Test
    void growthIsSortedByBytesAndLeavesOutWhatDidNotGrow() {
        List<ClassHistogram.Growth> growth = ClassHistogram.parse(AFTER).grewSince(ClassHistogram.parse(BEFORE));
        assertEquals(List.of(new ClassHistogram.Growth("[B", 50, 50_002_000),
                new ClassHistogram.Growth("perfmastery.memory.Thing", 50, 1200),
                new ClassHistogram.Growth("[Ljava.lang.String;", 2, 48)), growth);
    }

    @Test
    void fillersAreNotGrowth() {
        assertTrue(ClassHistogram.isFiller("[Ljdk.internal.vm.FillerElement;"));
        assertTrue(ClassHistogram.isFiller("jdk.internal.vm.FillerObject"));
        assertTrue(!ClassHistogram.isFiller("[B"));
    }

    @Test
    void readableNamesForArrays() {
        assertEquals("byte[]", ClassHistogram.readableName("[B"));
        assertEquals("java.lang.String[][]", ClassHistogram.readableName("[[Ljava.lang.String;"));
        assertEquals("java.lang.Object", ClassHistogram.readableName("java.lang.Object"));
    }

    @Test
    void textWithoutRowsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ClassHistogram.parse("nothing here"));
    }

    @Test
    void aLiveHistogramOfThisJvmHasByteArrays() {
        ClassHistogram histogram = ClassHistogram.ofLiveHeap();
        assertTrue(histogram.byClass().containsKey("[B"));
        assertTrue(histogram.totalBytes() > 0);
    }
}
