package perfmastery.process;

import perfmastery.production.OrderRequestHandler;
import perfmastery.production.WarmupBenchmark;

/**
 * A fresh JVM's first requests, for {@link WarmupBenchmark}: makes the handler (the server's startup), then
 * handles its first {@code <requests>} requests and times them itself. It prints two lines: the first
 * response's body (so the parent can stop its clock at the first response and check it), then
 * {@code requestsNanos=<n> checksum=<c>}, the time of the requests alone and a checksum over every response.
 * Exits 0, or 2 with one line for a wrong argument.
 */
public final class FirstRequestsChildMain {

    public static final String NANOS_KEY = "requestsNanos=";
    public static final String CHECKSUM_KEY = " checksum=";

    private FirstRequestsChildMain() {
    }

    public static void main(String[] args) {
        int requests;
        try {
            requests = args.length == 1 ? Integer.parseInt(args[0]) : -1;
        } catch (NumberFormatException e) {
            requests = -1;
        }
        if (requests < 1) {
            System.err.println("usage: FirstRequestsChildMain <requests, at least 1>");
            System.exit(2);
        }
        OrderRequestHandler handler = new OrderRequestHandler();
        byte[][] bodies = OrderRequestHandler.requests(requests);
        long start = System.nanoTime();
        OrderRequestHandler.Responses responses = handler.handleAll(bodies);
        long nanos = System.nanoTime() - start;
        System.out.println(responses.firstBody());
        System.out.println(NANOS_KEY + nanos + CHECKSUM_KEY + responses.checksum());
        System.out.flush();
    }
}
