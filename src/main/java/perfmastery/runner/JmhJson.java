package perfmastery.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Reading what a JMH JSON file holds, and joining the files of several JMH invocations into one. */
public final class JmhJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhJson() {
    }

    /**
     * The benchmarks with a result in the file, as {@code Class.method[k=v;k=v]} keys (the same form as
     * {@link BenchmarkSelection#expected()}).
     */
    public static SortedSet<String> resultKeys(Path json) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IOException(json + " is not JMH JSON: " + JmhArgs.firstLine(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isArray()) {
            throw new IOException(json + " is not JMH JSON: no top-level array");
        }
        SortedSet<String> keys = new TreeSet<>();
        for (JsonNode row : root) {
            JsonNode benchmark = row.get("benchmark");
            if (benchmark == null) {
                continue;
            }
            Map<String, List<String>> params = new TreeMap<>();
            JsonNode rowParams = row.get("params");
            if (rowParams != null && rowParams.isObject()) {
                for (Map.Entry<String, JsonNode> param : rowParams.properties()) {
                    params.put(param.getKey(), List.of(param.getValue().asString()));
                }
            }
            keys.addAll(BenchmarkSelection.keys(benchmark.asString(), params));
        }
        return keys;
    }

    /**
     * Writes the rows of several JMH JSON files as one array, text for text (numbers are not re-printed),
     * into a new file.
     */
    public static void concatenate(List<Path> parts, Path target) throws IOException {
        List<String> bodies = new ArrayList<>();
        for (Path part : parts) {
            String text = Files.readString(part, StandardCharsets.UTF_8).strip();
            if (!text.startsWith("[") || !text.endsWith("]")) {
                throw new IOException(part + " is not a JMH JSON array");
            }
            String body = text.substring(1, text.length() - 1).strip();
            if (!body.isEmpty()) {
                bodies.add("    " + body);
            }
        }
        String joined = "[\n" + String.join(",\n", bodies) + "\n]\n";
        Files.writeString(target, joined, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
    }
}
