package perfmastery.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhJsonTest {

    private static final String A = """
            [
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "p.Fib.recursive",
                    "mode" : "avgt",
                    "params" : { "n" : "20" },
                    "primaryMetric" : { "score" : 1.5E-5, "scoreError" : "NaN" }
                }
            ]
            """;
    private static final String B = """
            [
                {
                    "benchmark" : "p.Copy.copy",
                    "mode" : "thrpt",
                    "primaryMetric" : { "score" : 12.0 }
                }
            ]
            """;

    @Test
    void resultKeysAreTheExpectedKeysForm(@TempDir Path dir) throws IOException {
        Path json = Files.writeString(dir.resolve("a.json"), A);
        assertEquals(new TreeSet<>(Set.of("p.Fib.recursive[n=20]")), JmhJson.resultKeys(json));
    }

    @Test
    void concatenationKeepsEveryRowTextForText(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.json"), A);
        Path b = Files.writeString(dir.resolve("b.json"), B);
        Path empty = Files.writeString(dir.resolve("c.json"), "[\n]\n");
        Path joined = dir.resolve("joined.json");
        JmhJson.concatenate(List.of(a, empty, b), joined);
        assertEquals(new TreeSet<>(Set.of("p.Fib.recursive[n=20]", "p.Copy.copy")), JmhJson.resultKeys(joined));
        String text = Files.readString(joined);
        assertEquals(true, text.contains("1.5E-5") && text.contains("\"NaN\""));
        assertThrows(IOException.class, () -> JmhJson.concatenate(List.of(a), joined), "never overwrites");
    }

    @Test
    void anEmptyOrBrokenFileIsAnError(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "[ { \"benchmark\" : ");
        assertThrows(IOException.class, () -> JmhJson.resultKeys(broken));
    }
}
