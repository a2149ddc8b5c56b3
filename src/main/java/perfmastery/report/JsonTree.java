package perfmastery.report;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads JSON into Jackson's tree ({@link JsonNode}) with jackson-core's parser alone, building the same nodes
 * as {@code ObjectMapper.readTree} with its defaults: int, long or BigInteger nodes for integers, double nodes
 * for other numbers (a BigDecimal node where the parser says so), the last of repeated names, an error for
 * anything after the root value, a missing node for no content. It exists because building an ObjectMapper
 * costs about 0.3 s of CPU in a cold JVM (its configuration and introspection classes), and the report's first
 * reads wait for it on its critical path.
 */
final class JsonTree {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {
    }

    /** @throws tools.jackson.core.JacksonException where the content is not JSON, with its location */
    static JsonNode read(byte[] bytes) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), bytes)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return NODES.missingNode();
            }
            JsonNode root = value(p, first);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new StreamReadException(p, "Trailing token (of type " + trailing + ") found after value");
            }
            return root;
        }
    }

    private static JsonNode value(JsonParser p, JsonToken token) {
        if (token == null) {
            throw new StreamReadException(p, "Unexpected end-of-input");
        }
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    if (t != JsonToken.PROPERTY_NAME) {
                        throw new StreamReadException(p, "Unexpected " + (t == null ? "end-of-input" : "token " + t)
                                + " in an object");
                    }
                    String name = p.currentName();
                    object.set(name, value(p, p.nextToken()));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(value(p, t));
                }
                return array;
            }
            case VALUE_STRING -> {
                return NODES.stringNode(p.getString());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return switch (p.getNumberType()) {
                    case BIG_DECIMAL -> NODES.numberNode(p.getDecimalValue());
                    case FLOAT -> NODES.numberNode(p.getFloatValue());
                    default -> NODES.numberNode(p.getDoubleValue());
                };
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> throw new StreamReadException(p, "Unexpected token " + token);
        }
    }
}
