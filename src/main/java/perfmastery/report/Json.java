package perfmastery.report;

import tools.jackson.databind.json.JsonMapper;

/**
 * The report's one JSON mapper (immutable, safe to share between threads). Building a mapper costs a tenth of a
 * second in a cold JVM, the report's first reads wait for it, and the reader, sidecars, host section and round
 * units all read plain JSON trees.
 */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }
}
