package perfmastery.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JsonTree builds the tree ObjectMapper.readTree builds with its defaults, node types included. */
class JsonTreeTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static void sameAsTheMapper(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        JsonNode expected = MAPPER.readTree(bytes);
        JsonNode actual = JsonTree.read(bytes);
        assertEquals(expected, actual, json);
        assertEquals(expected.toString(), actual.toString(), json);
        assertEquals(types(expected), types(actual), json);
    }

    /** Every node's class, depth first: equals alone would let an IntNode stand for a LongNode of one value. */
    private static String types(JsonNode node) {
        StringBuilder out = new StringBuilder(node.getClass().getSimpleName());
        for (JsonNode child : node) {
            out.append('(').append(types(child)).append(')');
        }
        node.properties().forEach(e -> out.append(e.getKey()).append(':').append(types(e.getValue())));
        return out.toString();
    }

    @Test
    void valuesOfEveryKindAreTheMappersNodes() {
        for (String json : List.of("[]", "{}", "[1, -2147483649, 9223372036854775808, 1.5, -0.0, 1e400, 1e-400]",
                "{\"a\": \"NaN\", \"b\": null, \"c\": true, \"d\": false, \"e\": {\"f\": [[], {}]}}",
                "{\"a\": 1, \"a\": 2}", "\"σ ✔ \\u00e9\"", "42", "  [ 3 ]  ")) {
            sameAsTheMapper(json);
        }
    }

    @Test
    void theReportsOwnReferenceJsonReadsTheSame() throws Exception {
        sameAsTheMapper(Files.readString(Path.of("results", "reference", "jdk-17.0.15.json")));
        sameAsTheMapper(Files.readString(Path.of("results", "reference", "jdk-17.0.15.run.json")));
    }

    @Test
    void noContentIsAMissingNode() {
        assertTrue(JsonTree.read(new byte[0]).isMissingNode());
        assertTrue(JsonTree.read(" \n".getBytes(StandardCharsets.UTF_8)).isMissingNode());
    }

    @Test
    void brokenJsonFailsWithItsLocation() {
        for (String json : List.of("[1, 2", "{\"a\": ", "[1] [2]", "[1,]", "{\"a\" 1}", "nope")) {
            JacksonException e = assertThrows(JacksonException.class,
                    () -> JsonTree.read(json.getBytes(StandardCharsets.UTF_8)), json);
            assertNotNull(e.getLocation(), json);
            assertThrows(JacksonException.class, () -> MAPPER.readTree(json.getBytes(StandardCharsets.UTF_8)),
                    "the mapper refuses it too: " + json);
        }
    }
}
