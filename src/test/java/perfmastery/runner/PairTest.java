package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class PairTest {

    private static final Jdk JDK17 = new Jdk(Path.of("/jdk17"), "17.0.15", 17);
    private static final Jdk JDK25 = new Jdk(Path.of("/jdk25"), "25.0.3", 25);

    @Test
    void labelsNameTheJdkAndTheFlagSet() {
        assertEquals("jdk-17.0.15", Pair.label(JDK17, List.of()));
        assertEquals("jdk-25.0.3-UseSerialGC", Pair.label(JDK25, List.of("-XX:+UseSerialGC")));
        assertEquals("Xmx1g_noTieredCompilation_MaxInlineLevel=20_Dfoo=a_b",
                Pair.flagSetLabel(List.of("-Xmx1g", "-XX:-TieredCompilation", "-XX:MaxInlineLevel=20", "-Dfoo=a/b")));
    }

    @Test
    void everyJdkWithEveryFlagSetInOrderWithUniqueLabels() {
        List<Pair> pairs = Pair.of(List.of(JDK17, JDK25, JDK17),
                List.of(List.of("-XX:+UseSerialGC"), List.of("-XX:+UseParallelGC")));
        assertEquals(List.of("jdk-17.0.15-UseSerialGC", "jdk-17.0.15-UseParallelGC",
                "jdk-25.0.3-UseSerialGC", "jdk-25.0.3-UseParallelGC",
                "jdk-17.0.15-UseSerialGC-2", "jdk-17.0.15-UseParallelGC-2"),
                pairs.stream().map(Pair::label).collect(Collectors.toList()));
    }

    @Test
    void forkFlagsPutTheUsersFlagsLastSoTheyWin() {
        Pair pair = Pair.of(List.of(JDK25), List.of(List.of("-XX:+UseSerialGC"))).get(0);
        // The JDK 24+ launcher flags reach forks with the host's own arguments: not listed a second time.
        assertEquals(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading", "-Xss2m",
                "-XX:+UseSerialGC"), pair.forkFlags(List.of("-Xss2m")));
        Pair on17 = Pair.of(List.of(JDK17), List.of(List.of())).get(0);
        assertEquals(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"),
                on17.forkFlags(List.of()));
    }
}
