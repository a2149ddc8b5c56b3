package perfmastery.production;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The small request handler of the production lessons: a JSON round trip with Jackson. The request body is
 * an order ({@link Order}), the answer a receipt ({@link Receipt}) with the order's total. The mapper, its
 * reader and its writer are made once, in the constructor, as a server makes them at startup: what a request
 * costs is then parsing, the arithmetic and writing, cold or compiled.
 */
public final class OrderRequestHandler {

    public record Item(String sku, int quantity, long priceCents) {
    }

    public record Order(long id, List<Item> items) {
    }

    public record Receipt(long orderId, long totalCents, int units) {
    }

    /** The first response of a batch and a checksum over all of them, so that no response is dead code. */
    public record Responses(byte[] first, long checksum) {
        public String firstBody() {
            return new String(first, StandardCharsets.UTF_8);
        }
    }

    private final ObjectReader orderReader;
    private final ObjectWriter receiptWriter;

    public OrderRequestHandler() {
        JsonMapper mapper = JsonMapper.builder().build();
        orderReader = mapper.readerFor(Order.class);
        receiptWriter = mapper.writerFor(Receipt.class);
    }

    /** One request: parse the order, total it, write the receipt. */
    public byte[] handle(byte[] requestBody) {
        Order order = orderReader.readValue(requestBody);
        return receiptWriter.writeValueAsBytes(receipt(order));
    }

    /** The requests in turn, as a server's first (or n-th) requests. */
    public Responses handleAll(byte[][] requestBodies) {
        byte[] first = handle(requestBodies[0]);
        long checksum = checksum(0, first);
        for (int i = 1; i < requestBodies.length; i++) {
            checksum = checksum(checksum, handle(requestBodies[i]));
        }
        return new Responses(first, checksum);
    }

    static long checksum(long running, byte[] response) {
        return running * 31 + Arrays.hashCode(response);
    }

    public static Receipt receipt(Order order) {
        long total = 0;
        int units = 0;
        for (Item item : order.items()) {
            total += item.quantity() * item.priceCents();
            units += item.quantity();
        }
        return new Receipt(order.id(), total, units);
    }

    /** Request {@code i} of a run: order {@code 1000 + i}, three lines of 8 units, a total of 2,999 cents plus i. */
    public static byte[] request(int i) {
        String body = "{\"id\":" + (1000 + i) + ",\"items\":["
                + "{\"sku\":\"A-1\",\"quantity\":2,\"priceCents\":1250},"
                + "{\"sku\":\"B-7\",\"quantity\":1,\"priceCents\":" + (399 + i) + "},"
                + "{\"sku\":\"C-3\",\"quantity\":5,\"priceCents\":20}]}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** The first {@code count} requests of a run. */
    public static byte[][] requests(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("requests must be at least 1, got " + count);
        }
        byte[][] bodies = new byte[count][];
        for (int i = 0; i < count; i++) {
            bodies[i] = request(i);
        }
        return bodies;
    }

    /** The receipt request {@code i} must get, written by hand: the test of every variant's answer. */
    public static String expectedResponse(int i) {
        return "{\"orderId\":" + (1000 + i) + ",\"totalCents\":" + (2999 + i) + ",\"units\":8}";
    }

    /** The checksum of the first {@code count} expected responses, computed without Jackson. */
    public static long expectedChecksum(int count) {
        long checksum = 0;
        for (int i = 0; i < count; i++) {
            checksum = checksum(checksum, expectedResponse(i).getBytes(StandardCharsets.UTF_8));
        }
        return checksum;
    }
}
