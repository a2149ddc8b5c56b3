package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The production lessons' request: the right receipt for every order, written by hand, not by Jackson. */
class OrderRequestHandlerTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 99})
    void eachRequestGetsItsReceipt(int i) {
        String response = new String(new OrderRequestHandler().handle(OrderRequestHandler.request(i)), StandardCharsets.UTF_8);
        assertEquals(OrderRequestHandler.expectedResponse(i), response);
    }

    @Test
    void theExpectedReceiptIsTheOrdersArithmetic() {
        // 2 x 1250 + 1 x 399 + 5 x 20 cents, 8 units, for order 1000.
        assertEquals("{\"orderId\":1000,\"totalCents\":2999,\"units\":8}", OrderRequestHandler.expectedResponse(0));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 100})
    void aBatchAnswersEveryRequest(int count) {
        OrderRequestHandler.Responses responses = new OrderRequestHandler().handleAll(OrderRequestHandler.requests(count));
        assertEquals(OrderRequestHandler.expectedResponse(0), responses.firstBody());
        assertEquals(OrderRequestHandler.expectedChecksum(count), responses.checksum());
    }

    @Test
    void aBatchWithOneWrongAnswerHasAnotherChecksum() {
        byte[][] bodies = OrderRequestHandler.requests(3);
        bodies[2] = OrderRequestHandler.request(5);
        long checksum = new OrderRequestHandler().handleAll(bodies).checksum();
        assertEquals(false, checksum == OrderRequestHandler.expectedChecksum(3));
    }

    @Test
    void noRequestsIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrderRequestHandler.requests(0));
        assertEquals("requests must be at least 1, got 0", e.getMessage());
    }
}
