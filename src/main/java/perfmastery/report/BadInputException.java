package perfmastery.report;

/** A user mistake in the input (a file missing, empty, not JMH JSON): reported as one line, exit code 2. */
final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInputException(String message) {
        super(message, null, false, false);
    }
}
