package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkTest {

    private static final String SETTINGS_17 = """
            Property settings:
                file.encoding = UTF-8
                java.home = /usr/lib/jvm/java-17-openjdk-amd64
                java.specification.version = 17
                java.version = 17.0.15
                java.version.date = 2025-04-15
                java.vm.specification.version = 17

            openjdk version "17.0.15" 2025-04-15
            """;

    @Test
    void readsTheVersionFromShowSettings() throws UsageError {
        Jdk jdk = Jdk.fromProperties(Path.of("/jdk17"), SETTINGS_17);
        assertEquals("17.0.15", jdk.version());
        assertEquals(17, jdk.feature());
        Jdk jdk25 = Jdk.fromProperties(Path.of("/jdk25"),
                "    java.specification.version = 25\n    java.version = 25.0.3\n");
        assertEquals(25, jdk25.feature());
        assertEquals(8, Jdk.featureOf("1.8"));
        assertEquals(21, Jdk.featureOf("21"));
        assertThrows(UsageError.class, () -> Jdk.fromProperties(Path.of("/x"), "nothing here"));
    }

    @Test
    void jdk17GetsNoFlagItWouldRefuse() {
        assertEquals(List.of(), Jdk.launcherFlags(17));
        assertEquals(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"),
                Jdk.attachFlags(17));
        assertFalse(Jdk.attachFlags(17).stream().anyMatch(f -> f.startsWith("--sun-misc")));
    }

    @Test
    void jdk24PlusAllowsUnsafeAndNativeAccess() {
        assertEquals(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"),
                Jdk.attachFlags(21));
        assertEquals(List.of(), Jdk.launcherFlags(23));
        List<String> launcher25 = List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        assertEquals(launcher25, Jdk.launcherFlags(24));
        assertEquals(launcher25, Jdk.launcherFlags(25));
        assertEquals(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading"), Jdk.attachFlags(25));
    }

    @Test
    void virtualThreadsFrom21() {
        assertFalse(new Jdk(Path.of("/a"), "17.0.15", 17).hasVirtualThreads());
        assertTrue(new Jdk(Path.of("/a"), "21.0.1", 21).hasVirtualThreads());
    }

    @Test
    void aFolderWithoutBinJavaIsNoJdk(@TempDir Path dir) {
        UsageError error = assertThrows(UsageError.class, () -> Jdk.probe(dir));
        assertEquals("--jdk " + dir + " is not a JDK: it has no bin/java", error.getMessage());
    }

    @Test
    void probesTheRunningJdk() throws UsageError {
        Jdk self = Jdk.probe(Path.of(System.getProperty("java.home")));
        assertEquals(System.getProperty("java.version"), self.version());
        assertEquals(Runtime.version().feature(), self.feature());
    }
}
